use cr_core::CrCopy;

pub struct Live {
    pub ksp: u64,
    pub ilc: u16,
}

// Six bytes of implicit padding after `ilc`: zerocopy refuses `IntoBytes`, and says how many.
#[derive(CrCopy, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::Immutable, zerocopy::KnownLayout)]
#[repr(C)]
#[cr(target = Live, record = 3)]
pub struct Hdr {
    #[cr(path = "ksp")]
    pub ksp: u64,
    #[cr(path = "ilc")]
    pub ilc: u16,
}

fn main() {}
