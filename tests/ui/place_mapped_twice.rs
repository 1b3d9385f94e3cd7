use cr_core::CrCopy;

pub struct Live {
    pub ksp: u64,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(path = "ksp")]
    pub ksp: u64,
    #[cr(path = "ksp")]
    pub ksp_again: u64,
}

fn main() {}
