use cr_core::CrCopy;

// A `#[repr(packed)]` header says its live struct is packed, where a reference to a field would be
// unaligned: nested headers then move by copy, and must be `Copy`.

#[derive(Clone, Copy, Default)]
pub struct Segment {
    pub base: u64,
}

pub struct Live {
    pub cs: Segment,
    pub segs: [Segment; 4],
    pub present: bool,
}

#[derive(CrCopy, Default)]
#[cr(target = Segment)]
pub struct SegmentHeader {
    #[cr(path = "base")]
    pub base: u64,
}

#[derive(CrCopy)]
#[repr(C, packed)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(path = "cs", nested)]
    pub cs: SegmentHeader,
}

fn main() {}
