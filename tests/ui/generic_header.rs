use cr_core::CrCopy;

pub struct Live {
    pub word: u64,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr<T> {
    #[cr(path = "word")]
    pub word: T,
}

fn main() {}
