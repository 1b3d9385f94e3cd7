// Nested headers: one segment header, reused alone and as an array (the shape of KVM's kvm_sregs).
#[derive(CrCopy)]
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

#[derive(CrCopy)]
#[cr(target = Sregs, validate = check_sregs, after_restore = load_sregs)]
pub struct SregsHeader {
    #[cr(path = "cs", nested)]
    pub cs: SegmentHeader,
    #[cr(path = "segs", nested)]
    pub segs: [SegmentHeader; 4],
    #[cr(path = "cr0")]
    pub cr0: u64,
}
