use cr_core::CrCopy;

pub struct Live {
    pub ksp: u64,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    pub ksp: u64,
}

fn main() {}
