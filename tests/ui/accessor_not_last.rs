use cr_core::CrCopy;

pub struct Per {
    pub bits: u32,
}

impl Per {
    pub fn single_step(&self) -> u32 {
        self.bits & 1
    }
}

pub struct Live {
    pub per: Per,
}

// An accessor is the last segment of a path: its getter reads the place, its setter writes it.
#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(path = "per.single_step().bits")]
    pub step: u32,
}

fn main() {}
