use cr_core::CrCopy;

pub struct Live {
    pub word: u64,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub enum Hdr {
    Word(u64),
}

fn main() {}
