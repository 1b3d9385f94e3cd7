use cr_core::CrCopy;

pub struct Live {
    pub ksp: u64,
}

const CR_HDR_THREAD: u32 = 0;

// Type 0 through a constant: refused at compile time too.
#[derive(CrCopy, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::Immutable, zerocopy::KnownLayout)]
#[repr(C)]
#[cr(target = Live, record = CR_HDR_THREAD)]
pub struct Hdr {
    #[cr(path = "ksp")]
    pub ksp: u64,
}

fn main() {}
