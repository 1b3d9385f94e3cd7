// Every key the derive accepts, in one header: its expansion must hold no `unsafe`
// (cr-derive's src/tests.rs checks this file against the derive's own list of keys).
// It compiles (tests/expand_inputs.rs), so the snapshot is of code that builds.
use cr_core::zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};
use cr_core::{CrCopy, CrLayout, Error};

#[derive(Clone, Copy, Default)]
pub struct Psw {
    pub mask: u64,
    pub addr: u64,
}

#[derive(Clone, Copy, Default)]
pub struct PtRegs {
    pub psw: Psw,
    pub gprs: [u64; 16],
    pub ilc: u16,
}

#[derive(Clone, Copy, Default)]
pub struct FpRegs {
    pub fprs: [f64; 16],
}

#[derive(Clone, Copy, Default)]
pub struct PerLowcore {
    pub access_id: u8,
}

#[derive(Clone, Copy, Default)]
pub struct PerStruct {
    pub control_regs: [u64; 3],
    pub single_step: bool,
    pub instruction_fetch: bool,
    pub starting_addr: u64,
    pub ending_addr: u64,
    pub lowcore: PerLowcore,
}

#[derive(Clone, Copy, Default)]
pub struct ThreadStruct {
    pub fp_regs: FpRegs,
    pub ksp: u64,
    pub per_info: PerStruct,
}

#[derive(Clone, Copy, Default)]
pub struct Task {
    pub regs: PtRegs,
    pub thread: ThreadStruct,
    pub loads: u32,
}

pub const USER_MASK: u64 = 0x0000_FF01_8000_0000;

pub fn check(_: &EveryKey, task: &Task) -> Result<(), Error> {
    match task.loads {
        u32::MAX => Err(Error::invalid("copy", "no more loads")),
        _ => Ok(()),
    }
}

pub fn reload(task: &mut Task) {
    task.loads += 1;
}

pub fn by_hand(v1: &EveryKeyV1) -> Result<EveryKeyByHand, Error> {
    Ok(EveryKeyByHand { copy: v1.copy })
}

#[derive(CrCopy, Clone, Copy, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(target = PerLowcore)]
pub struct LowcoreHeader {
    #[cr(path = "access_id")]
    pub access_id: u8,
    #[cr(reserved)]
    pub pad: [u8; 6],
}

#[derive(CrCopy, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(target = Task, validate = check, after_restore = reload, crate = "::cr_core", record = 9)]
#[cr(version = 2, prev = EveryKeyV1, dropped = "gone", fingerprint = 0x91fc_074f_58a0_1268, optional)]
#[cr(cover(PerStruct = "thread.per_info"), ignore = "thread.per_info.ending_addr")]
#[cr(ignore = "thread.per_info.control_regs", ignore = "thread.per_info.starting_addr")]
pub struct EveryKey {
    #[cr(path = "regs.gprs")]
    pub copy: [u64; 16],
    #[cr(path = "thread.fp_regs.fprs", bits)]
    pub bits: [u64; 16],
    #[cr(path = "regs.ilc", convert)]
    pub convert: u64,
    #[cr(path = "regs.psw.addr", mask = 0x7fff_ffff)]
    pub mask: u64,
    #[cr(path = "regs.psw.mask", strict_mask = USER_MASK)]
    pub strict_mask: u64,
    #[cr(path = "thread.ksp", save_only)]
    pub save_only: u64,
    #[cr(
        flag(bit = 0, path = "thread.per_info.single_step"),
        flag(bit = 3, path = "thread.per_info.instruction_fetch", name = "IFETCH")
    )]
    pub flag: u8,
    #[cr(path = "thread.per_info.lowcore", nested)]
    pub nested: LowcoreHeader,
    #[cr(skip, since = 2, default = 7)]
    pub skip: u64,
    #[cr(reserved)]
    pub reserved: [u8; 8],
}

// Version 1, frozen; and a step written by hand (`upgrade`).
#[derive(CrLayout, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(record = 9)]
pub struct EveryKeyV1 {
    pub copy: [u64; 16],
    pub bits: [u64; 16],
    pub convert: u64,
    pub mask: u64,
    pub strict_mask: u64,
    pub save_only: u64,
    #[cr(flag(bit = 0, name = "SINGLE_STEP"))]
    pub flag: u8,
    #[cr(nested)]
    pub nested: LowcoreHeader,
    #[cr(reserved)]
    pub gone: [u8; 8],
    #[cr(reserved)]
    pub reserved: [u8; 8],
}

#[derive(CrLayout, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(record = 9, version = 2, prev = EveryKeyV1, upgrade = by_hand)]
pub struct EveryKeyByHand {
    pub copy: [u64; 16],
}
