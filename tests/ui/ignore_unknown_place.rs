use cr_core::CrCopy;

pub struct Live {
    pub ksp: u64,
    pub vdso: u64,
}

#[derive(CrCopy)]
#[cr(target = Live, ignore = "vsdo")]
pub struct Hdr {
    #[cr(path = "ksp")]
    pub ksp: u64,
}

fn main() {}
