use cr_core::CrCopy;

pub struct Live {
    pub len: usize,
}

// `usize` changes width with the target: an image cannot hold it.
#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(path = "len")]
    pub len: usize,
}

fn main() {}
