// Every key the derive accepts, in one header: its expansion must hold no `unsafe`
// (cr-derive's src/tests.rs checks this file against the derive's own list of keys).
#[derive(CrCopy)]
#[repr(C)]
#[cr(target = Task, validate = check, after_restore = reload, crate = "::cr_core", record = 9)]
#[cr(version = 2, prev = EveryKeyV1, dropped = "gone", fingerprint = 0x1234, optional)]
#[cr(cover(PerStruct = "thread.per_info"), ignore = "thread.per_info.ending_addr")]
#[cr(ignore = "thread.per_info.control_regs", ignore = "thread.per_info.starting_addr")]
pub struct EveryKey {
    #[cr(path = "regs.gprs")]
    pub copy: [u64; 16],
    #[cr(path = "thread.fp_regs.fprs", bits)]
    pub bits: [u64; 16],
    #[cr(path = "regs.ilc", convert)]
    pub convert: u32,
    #[cr(path = "regs.psw.addr", mask = 0x7fff_ffff)]
    pub mask: u64,
    #[cr(path = "regs.psw.mask", strict_mask = USER_MASK)]
    pub strict_mask: u64,
    #[cr(path = "thread.ksp", save_only)]
    pub save_only: u64,
    #[cr(flag(bit = 0, path = "thread.per_info.single_step"), flag(bit = 3, path = "thread.per_info.instruction_fetch", name = "IFETCH"))]
    pub flag: u8,
    #[cr(path = "thread.per_info.lowcore", nested)]
    pub nested: LowcoreHeader,
    #[cr(skip, since = 2, default = 7)]
    pub skip: u64,
    #[cr(reserved)]
    pub reserved: [u8; 7],
}

// Version 1, frozen; and a step written by hand (`upgrade`).
#[derive(CrLayout)]
#[repr(C)]
#[cr(record = 9)]
pub struct EveryKeyV1 {
    pub copy: [u64; 16],
    #[cr(flag(bit = 0, name = "SINGLE_STEP"))]
    pub flag: u8,
    #[cr(nested)]
    pub nested: LowcoreHeader,
    #[cr(reserved)]
    pub gone: [u8; 7],
}

#[derive(CrLayout)]
#[repr(C)]
#[cr(record = 9, version = 2, prev = EveryKeyV1, upgrade = by_hand)]
pub struct EveryKeyByHand {
    pub copy: [u64; 16],
}
