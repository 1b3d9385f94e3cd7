use cr_core::CrCopy;

pub struct Live {
    pub a: u64,
    pub b: u64,
}

// A `union` says how paths through it are read: one no path goes into is a mistake.
#[derive(CrCopy)]
#[cr(target = Live, union = "b")]
pub struct Hdr {
    #[cr(path = "a")]
    pub a: u64,
}

fn main() {}
