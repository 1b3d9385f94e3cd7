use cr_core::CrCopy;

pub struct Live {
    pub ksp: u64,
}

#[derive(CrCopy, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::Immutable, zerocopy::KnownLayout)]
#[repr(C)]
#[cr(target = Live, record = 0)]
pub struct Hdr {
    #[cr(path = "ksp")]
    pub ksp: u64,
}

fn main() {}
