// Nested headers: one segment header, reused alone and as an array (the shape of KVM's kvm_sregs).
use cr_core::{CrCopy, Error};

#[derive(Clone, Copy, Default)]
pub struct Segment {
    pub base: u64,
    pub limit: u32,
    pub selector: u16,
    pub dpl: u8,
}

#[derive(Clone, Copy, Default)]
pub struct Sregs {
    pub cs: Segment,
    pub segs: [Segment; 4],
    pub cr0: u64,
    pub loads: u32,
}

pub fn check_sregs(hdr: &SregsHeader, _: &Sregs) -> Result<(), Error> {
    match hdr.cr0 & 1 {
        1 => Ok(()),
        _ => Err(Error::invalid("cr0", "protection disabled")),
    }
}

pub fn load_sregs(sregs: &mut Sregs) {
    sregs.loads += 1;
}

#[derive(CrCopy, Clone, Copy, Default)]
#[cr(target = Segment)]
pub struct SegmentHeader {
    #[cr(path = "base")]
    pub base: u64,
    #[cr(path = "limit")]
    pub limit: u32,
    #[cr(path = "selector")]
    pub selector: u16,
    #[cr(path = "dpl", strict_mask = 3)]
    pub dpl: u8,
    #[cr(reserved)]
    pub pad: u8,
}

#[derive(CrCopy, Default)]
#[cr(target = Sregs, validate = check_sregs, after_restore = load_sregs)]
pub struct SregsHeader {
    #[cr(path = "cs", nested)]
    pub cs: SegmentHeader,
    #[cr(path = "segs", nested)]
    pub segs: [SegmentHeader; 4],
    #[cr(path = "cr0")]
    pub cr0: u64,
}
