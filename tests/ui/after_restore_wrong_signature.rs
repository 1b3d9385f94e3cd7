use cr_core::CrCopy;

pub struct Live {
    pub word: u64,
}

#[derive(CrCopy)]
#[cr(target = Live, after_restore = reload)]
pub struct Hdr {
    #[cr(path = "word")]
    pub word: u64,
}

pub fn reload(word: &mut u64) {
    *word += 1;
}

fn main() {}
