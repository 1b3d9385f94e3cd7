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

/// A tagged union's members (the shape of `kvm_irqchip.chip`).
#[derive(Clone, Copy, FromBytes, Immutable)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
pub union ChipState {
    pub pic: [u8; 8],
    pub ioapic: u64,
}

#[derive(Clone, Copy)]
pub struct Chip {
    pub id: u32,
    pub state: ChipState,
}

#[derive(Clone, Copy, FromBytes, Immutable)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
pub struct Pair {
    pub a: u8,
    pub b: u32,
}

/// A union whose member has padding: zerocopy cannot vouch for its bytes, the promise below does.
#[derive(Clone, Copy, FromBytes, Immutable)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
pub union Irq {
    pub irq: u32,
    pub pair: Pair,
}

// SAFETY: every `Irq` and `ChipState` this crate's tests hand to `EveryKey` is zero-filled
// (`Task::default`) and then written field by field, so its padding is initialized. (zerocopy
// derives `IntoBytes` for a union only under `--cfg zerocopy_derive_union_into_bytes`.)
#[allow(unsafe_code)]
unsafe impl cr_core::InitializedUnion<EveryKey> for Irq {}
#[allow(unsafe_code)]
unsafe impl cr_core::InitializedUnion<EveryKey> for ChipState {}

/// A C bitfield as bindgen emits it: the storage and an accessor pair.
#[derive(Clone, Copy, Default)]
pub struct Control {
    pub _bitfield_1: u32,
}

impl Control {
    pub fn single_step(&self) -> u32 {
        self._bitfield_1 & 1
    }
    pub fn set_single_step(&mut self, v: u32) {
        self._bitfield_1 = (self._bitfield_1 & !1) | (v & 1);
    }
}

impl Default for Task {
    fn default() -> Self {
        use cr_core::zerocopy::FromZeros;
        Task {
            regs: PtRegs::default(),
            thread: ThreadStruct::default(),
            loads: 0,
            chip: Chip {
                id: 0,
                state: ChipState::new_zeroed(),
            },
            irq: Irq::new_zeroed(),
            control: Control::default(),
        }
    }
}

#[derive(Clone, Copy)]
pub struct Task {
    pub regs: PtRegs,
    pub thread: ThreadStruct,
    pub loads: u32,
    pub chip: Chip,
    pub irq: Irq,
    pub control: Control,
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

#[derive(CrCopy, Clone, Copy, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(target = Task, validate = check, after_restore = reload, crate = "::cr_core", record = 9)]
#[cr(version = 2, prev = EveryKeyV1, dropped = "gone", fingerprint = 0xdfe7_2e56_f3d3_0708, optional)]
#[cr(cover(PerStruct = "thread.per_info"), ignore = "thread.per_info.ending_addr")]
#[cr(ignore = "thread.per_info.control_regs", ignore = "thread.per_info.starting_addr")]
#[cr(union = "irq")]
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
    #[cr(path = "chip.id", since = 2)]
    pub chip_id: u32,
    #[cr(path = "irq.irq", since = 2)]
    pub irq: u32,
    #[cr(path = "chip.state.pic", when(chip_id = 0 | 1), since = 2)]
    pub pic: [u8; 8],
    #[cr(path = "chip.state.ioapic", when(chip_id = 2), since = 2)]
    pub ioapic: u64,
    #[cr(flag(bit = 0, path = "control.single_step()"), since = 2)]
    pub control: u32,
    #[cr(reserved, since = 2)]
    pub reserved_tail: u32,
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
