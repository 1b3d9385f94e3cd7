use cr_core::CrCopy;

pub struct Live {
    pub word: u64,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(path = "word", path = "word")]
    pub word: u64,
}

fn main() {}
