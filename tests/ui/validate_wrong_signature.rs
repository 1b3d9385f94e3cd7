use cr_core::CrCopy;

pub struct Live {
    pub word: u64,
}

#[derive(CrCopy)]
#[cr(target = Live, validate = check)]
pub struct Hdr {
    #[cr(path = "word")]
    pub word: u64,
}

pub fn check(hdr: &Hdr) -> bool {
    hdr.word != 0
}

fn main() {}
