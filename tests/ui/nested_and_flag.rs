use cr_core::CrCopy;

#[derive(Clone, Copy, Default)]
pub struct Segment {
    pub base: u64,
}

pub struct Live {
    pub cs: Segment,
    pub segs: [Segment; 4],
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
    #[cr(flag(bit = 0, path = "present"), nested)]
    pub cs: u8,
}

fn main() {}
