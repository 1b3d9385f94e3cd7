use cr_core::CrCopy;

pub struct Live {
    pub word: u64,
}

#[derive(CrCopy)]
#[cr(target = Live, path = "word")]
pub struct Hdr {
    #[cr(path = "word")]
    pub word: u64,
}

fn main() {}
