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

/// A header whose save and restore are written by hand: restore cannot be split into phases.
#[derive(Clone, Copy, Default)]
pub struct HandHeader {
    pub base: u64,
}

impl cr_core::layout::Describe for HandHeader {
    const FORMAT: cr_core::layout::Format = cr_core::layout::Format::Opaque { size: 8 };
}

impl cr_core::CrCopy<Segment> for HandHeader {
    fn save(&mut self, src: &Segment) {
        self.base = src.base;
    }
    fn restore(&self, dst: &mut Segment) -> Result<(), cr_core::Error> {
        dst.base = self.base;
        Ok(())
    }
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(path = "cs", nested)]
    pub cs: HandHeader,
}

fn main() {}
