use cr_core::CrCopy;

#[derive(Clone, Copy, Default)]
pub struct Segment {
    pub base: u64,
}

pub struct Live {
    pub cs: Segment,
    pub segs: [u64; 4],
    pub present: bool,
}

#[derive(CrCopy, Clone, Copy, Default)]
#[cr(target = Segment)]
pub struct SegmentHeader {
    #[cr(path = "base")]
    pub base: u64,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(path = "segs", nested)]
    pub cs: [SegmentHeader; 4],
}

fn main() {}
