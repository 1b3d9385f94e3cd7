use cr_core::CrCopy;

pub struct Live {
    pub ilc: u64,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(path = "ilc", convert)]
    pub ilc: u16,
}

fn main() {}
