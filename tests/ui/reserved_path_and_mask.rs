use cr_core::CrCopy;

pub struct Live {
    pub word: u64,
    pub pad: u32,
}

// Padding on both sides is saved as zero and zeroed by restore: a mask has nothing to keep.
#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(path = "word")]
    pub word: u64,
    #[cr(path = "pad", reserved, mask = 0xff)]
    pub pad: u32,
}

fn main() {}
