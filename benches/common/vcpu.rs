//! The large benchmark subject: a virtual CPU of a device model (an AArch64-like register file,
//! MMU, timers, interrupt controller, debug and PMU state) and its 4 KiB image header, with
//! arrays, scalar paths 2-4 deep, flag words, masks, `convert`, `strict_mask`, `bits`,
//! `save_only`, `skip` and `reserved`. Benchmark fixture only: the register semantics are loose.

use cr_core::CrCopy;
use serde::{Deserialize, Serialize};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// `sctlr` bits restore takes from the image; the rest stay as the host set them.
pub const SCTLR_USER_MASK: u64 = 0x0000_0000_3FFF_FFFF;
/// `cpacr` bits an image may hold.
pub const CPACR_VALID: u64 = 0x0000_0000_1030_0000;
/// `tcr` bits restore takes from the image.
pub const TCR_MASK: u64 = 0x0000_007F_FFFF_FFFF;
/// `vbar` bits restore takes from the image (2 KiB aligned).
pub const VBAR_MASK: u64 = !0x7FF;
/// `nzcv`: the condition flags only.
pub const NZCV_MASK: u32 = 0xF000_0000;
/// `daif` bits restore takes from the image.
pub const DAIF_MASK: u32 = 0x0000_03C0;
/// `fpsr` bits an image may hold.
pub const FPSR_VALID: u32 = 0xF800_009F;
/// `fpcr` bits an image may hold.
pub const FPCR_VALID: u32 = 0x07FF_9F00;
/// `cntkctl` bits restore takes from the image.
pub const CNTKCTL_MASK: u32 = 0x0003_FFFF;
/// `csselr` bits an image may hold.
pub const CSSELR_VALID: u32 = 0x0000_001F;
/// `ich_hcr` bits an image may hold.
pub const ICH_HCR_VALID: u32 = 0xF800_003F;
/// `mdscr` bits an image may hold.
pub const MDSCR_VALID: u32 = 0x0000_E0C1;
/// `pmcr` bits restore takes from the image.
pub const PMCR_MASK: u32 = 0x0000_00FF;
/// The PMU counter bits of `cnten`, `inten` and `ovs`: 31 event counters and the cycle counter.
pub const PMU_COUNTERS: u32 = 0x8000_3FFF;

/// General registers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regs {
    pub x: [u64; 31],
    pub pc: u64,
}

/// The processor state word, unpacked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PState {
    pub nzcv: u32,
    pub daif: u32,
    pub el: u8,
    pub ss: bool,
    pub il: bool,
    pub pan: bool,
    pub uao: bool,
    pub dit: bool,
    pub ssbs: bool,
    pub tco: bool,
}

/// The integer core.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Core {
    pub regs: Regs,
    pub pstate: PState,
    pub sp_el0: u64,
    pub sp_el1: u64,
    pub elr_el1: u64,
    pub spsr: [u64; 5],
}

/// The vector registers and their control words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FpSimd {
    pub vregs: [u128; 32],
    pub fpsr: u32,
    pub fpcr: u32,
}

/// System control.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ctl {
    pub sctlr: u64,
    pub actlr: u64,
    pub cpacr: u64,
}

/// Translation control.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mem {
    pub ttbr0: u64,
    pub ttbr1: u64,
    pub tcr: u64,
    pub mair: u64,
    pub amair: u64,
}

/// Fault syndrome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    pub esr: u32,
    pub afsr0: u32,
    pub afsr1: u32,
    pub far: u64,
}

/// EL1 system registers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct El1 {
    pub ctl: Ctl,
    pub mem: Mem,
    pub fault: Fault,
    pub vbar: u64,
}

/// Thread pointers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tls {
    pub tpidr_el0: u64,
    pub tpidrro_el0: u64,
    pub tpidr_el1: u64,
}

/// System registers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SysRegs {
    pub el1: El1,
    pub tls: Tls,
    pub par: u64,
    pub contextidr: u32,
    pub cntkctl: u32,
    pub csselr: u32,
    pub id_regs: [u64; 32],
}

/// The software TLB of the device model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tlb {
    pub entries: [[u64; 32]; 4],
    pub asids: [u16; 32],
    pub generation: u64,
}

/// Address-space identifiers and the TLB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mmu {
    pub vmid: u16,
    pub asid: u16,
    pub tlb: Tlb,
}

/// A timer's control bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimerCtl {
    pub enable: bool,
    pub imask: bool,
    pub istatus: bool,
}

/// One timer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimerCtx {
    pub ctl: TimerCtl,
    pub cval: u64,
}

/// The generic timers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    pub virt: TimerCtx,
    pub phys: TimerCtx,
    pub cntvoff: u64,
}

/// The interrupt controller's CPU interface.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GicCpuIf {
    pub vmcr: u32,
    pub hcr: u32,
    pub ap0r: [u32; 4],
    pub ap1r: [u32; 4],
    pub lr: [u64; 16],
    pub used_lrs: u8,
}

/// The interrupt controller.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gic {
    pub cpu_if: GicCpuIf,
    pub pending: [u32; 32],
    pub active: [u32; 32],
    pub priority: [u8; 32],
    pub enabled: bool,
    pub grp0: bool,
    pub grp1: bool,
}

/// Breakpoints and watchpoints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Debug {
    pub bvr: [u64; 16],
    pub bxvr: [u64; 16],
    pub bcr: [u32; 16],
    pub wvr: [u64; 16],
    pub wcr: [u32; 16],
    pub mdscr: u32,
    pub os_lock: bool,
    pub os_dlk: bool,
}

/// The performance monitors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pmu {
    pub counters: [u64; 31],
    pub evtyper: [u32; 31],
    pub cycle: u64,
    pub pmcr: u32,
    pub cnten: u32,
    pub inten: u32,
    pub ovs: u32,
    pub enabled: bool,
}

/// The live vCPU.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vcpu {
    pub core: Core,
    pub fpsimd: FpSimd,
    pub sys: SysRegs,
    pub mmu: Mmu,
    pub timer: Timer,
    pub gic: Gic,
    pub debug: Debug,
    pub pmu: Pmu,
    /// Host bookkeeping, never checkpointed.
    pub host_tsc: u64,
}

/// The vCPU's image header: exactly 4 KiB, fields ordered by alignment so `repr(C)` adds no
/// padding.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = Vcpu)]
pub struct VcpuHeader {
    #[cr(path = "core.regs.x")]
    pub x: [u64; 31],
    #[cr(path = "core.regs.pc")]
    pub pc: u64,
    #[cr(path = "core.sp_el0")]
    pub sp_el0: u64,
    #[cr(path = "core.sp_el1")]
    pub sp_el1: u64,
    #[cr(path = "core.elr_el1")]
    pub elr_el1: u64,
    #[cr(path = "core.spsr")]
    pub spsr: [u64; 5],
    #[cr(path = "fpsimd.vregs", bits)]
    pub vregs: [[u64; 2]; 32],
    #[cr(path = "sys.el1.ctl.sctlr", mask = SCTLR_USER_MASK)]
    pub sctlr: u64,
    #[cr(path = "sys.el1.ctl.actlr")]
    pub actlr: u64,
    #[cr(path = "sys.el1.ctl.cpacr", strict_mask = CPACR_VALID)]
    pub cpacr: u64,
    #[cr(path = "sys.el1.mem.ttbr0")]
    pub ttbr0: u64,
    #[cr(path = "sys.el1.mem.ttbr1")]
    pub ttbr1: u64,
    #[cr(path = "sys.el1.mem.tcr", mask = TCR_MASK)]
    pub tcr: u64,
    #[cr(path = "sys.el1.mem.mair")]
    pub mair: u64,
    #[cr(path = "sys.el1.mem.amair")]
    pub amair: u64,
    #[cr(path = "sys.el1.fault.esr", convert)]
    pub esr: u64,
    #[cr(path = "sys.el1.fault.far")]
    pub far: u64,
    #[cr(path = "sys.el1.vbar", mask = VBAR_MASK)]
    pub vbar: u64,
    #[cr(path = "sys.tls.tpidr_el0")]
    pub tpidr_el0: u64,
    #[cr(path = "sys.tls.tpidrro_el0")]
    pub tpidrro_el0: u64,
    #[cr(path = "sys.tls.tpidr_el1")]
    pub tpidr_el1: u64,
    #[cr(path = "sys.par")]
    pub par: u64,
    /// Recorded for a compatibility check by the restarting host, never restored.
    #[cr(path = "sys.id_regs", save_only)]
    pub id_regs: [u64; 32],
    #[cr(path = "mmu.tlb.entries")]
    pub tlb: [[u64; 32]; 4],
    #[cr(path = "mmu.tlb.generation", save_only)]
    pub tlb_generation: u64,
    #[cr(path = "timer.virt.cval")]
    pub cntv_cval: u64,
    #[cr(path = "timer.phys.cval")]
    pub cntp_cval: u64,
    #[cr(path = "timer.cntvoff")]
    pub cntvoff: u64,
    #[cr(path = "gic.cpu_if.lr")]
    pub gic_lr: [u64; 16],
    #[cr(path = "debug.bvr")]
    pub dbg_bvr: [u64; 16],
    #[cr(path = "debug.bxvr")]
    pub dbg_bxvr: [u64; 16],
    #[cr(path = "debug.wvr")]
    pub dbg_wvr: [u64; 16],
    #[cr(path = "pmu.counters")]
    pub pmu_counters: [u64; 31],
    #[cr(path = "pmu.cycle")]
    pub pmu_cycle: u64,
    /// Host bookkeeping: the image never carries it.
    #[cr(skip)]
    pub host_tsc: u64,
    /// Room for the next format version.
    #[cr(reserved)]
    pub reserved: [u64; 32],
    #[cr(path = "core.pstate.nzcv", strict_mask = NZCV_MASK)]
    pub nzcv: u32,
    #[cr(path = "core.pstate.daif", mask = DAIF_MASK)]
    pub daif: u32,
    #[cr(path = "core.pstate.el", convert)]
    pub el: u32,
    #[cr(path = "fpsimd.fpsr", strict_mask = FPSR_VALID)]
    pub fpsr: u32,
    #[cr(path = "fpsimd.fpcr", strict_mask = FPCR_VALID)]
    pub fpcr: u32,
    #[cr(path = "sys.el1.fault.afsr0")]
    pub afsr0: u32,
    #[cr(path = "sys.el1.fault.afsr1")]
    pub afsr1: u32,
    #[cr(path = "sys.contextidr")]
    pub contextidr: u32,
    #[cr(path = "sys.cntkctl", mask = CNTKCTL_MASK)]
    pub cntkctl: u32,
    #[cr(path = "sys.csselr", strict_mask = CSSELR_VALID)]
    pub csselr: u32,
    #[cr(path = "mmu.vmid", convert)]
    pub vmid: u32,
    #[cr(path = "mmu.asid", convert)]
    pub asid: u32,
    #[cr(path = "gic.cpu_if.vmcr")]
    pub gic_vmcr: u32,
    #[cr(path = "gic.cpu_if.hcr", strict_mask = ICH_HCR_VALID)]
    pub gic_hcr: u32,
    #[cr(path = "gic.cpu_if.ap0r")]
    pub gic_ap0r: [u32; 4],
    #[cr(path = "gic.cpu_if.ap1r")]
    pub gic_ap1r: [u32; 4],
    #[cr(path = "gic.cpu_if.used_lrs", convert)]
    pub gic_used_lrs: u32,
    #[cr(path = "gic.pending")]
    pub gic_pending: [u32; 32],
    #[cr(path = "gic.active")]
    pub gic_active: [u32; 32],
    #[cr(path = "debug.bcr")]
    pub dbg_bcr: [u32; 16],
    #[cr(path = "debug.wcr")]
    pub dbg_wcr: [u32; 16],
    #[cr(path = "debug.mdscr", strict_mask = MDSCR_VALID)]
    pub mdscr: u32,
    #[cr(path = "pmu.evtyper")]
    pub pmu_evtyper: [u32; 31],
    #[cr(path = "pmu.pmcr", mask = PMCR_MASK)]
    pub pmcr: u32,
    #[cr(path = "pmu.cnten", strict_mask = PMU_COUNTERS)]
    pub pmu_cnten: u32,
    #[cr(path = "pmu.inten", strict_mask = PMU_COUNTERS)]
    pub pmu_inten: u32,
    #[cr(path = "pmu.ovs", strict_mask = PMU_COUNTERS)]
    pub pmu_ovs: u32,
    #[cr(path = "mmu.tlb.asids")]
    pub tlb_asids: [u16; 32],
    #[cr(
        flag(bit = 0, path = "timer.virt.ctl.enable", name = "VIRT_ENABLE"),
        flag(bit = 1, path = "timer.virt.ctl.imask", name = "VIRT_IMASK"),
        flag(bit = 2, path = "timer.virt.ctl.istatus", name = "VIRT_ISTATUS"),
        flag(bit = 8, path = "timer.phys.ctl.enable", name = "PHYS_ENABLE"),
        flag(bit = 9, path = "timer.phys.ctl.imask", name = "PHYS_IMASK"),
        flag(bit = 10, path = "timer.phys.ctl.istatus", name = "PHYS_ISTATUS")
    )]
    pub timer_flags: u16,
    #[cr(path = "gic.priority")]
    pub gic_priority: [u8; 32],
    #[cr(
        flag(bit = 0, path = "core.pstate.ss"),
        flag(bit = 1, path = "core.pstate.il"),
        flag(bit = 2, path = "core.pstate.pan"),
        flag(bit = 3, path = "core.pstate.uao"),
        flag(bit = 4, path = "core.pstate.dit"),
        flag(bit = 5, path = "core.pstate.ssbs"),
        flag(bit = 6, path = "core.pstate.tco")
    )]
    pub pstate_flags: u8,
    #[cr(
        flag(bit = 0, path = "gic.enabled"),
        flag(bit = 1, path = "gic.grp0"),
        flag(bit = 2, path = "gic.grp1")
    )]
    pub gic_flags: u8,
    #[cr(
        flag(bit = 0, path = "debug.os_lock"),
        flag(bit = 1, path = "debug.os_dlk"),
        flag(bit = 2, path = "pmu.enabled", name = "PMU_ENABLED")
    )]
    pub misc_flags: u8,
    /// Pads the header to 4 KiB.
    #[cr(reserved)]
    pub reserved_tail: [u8; 79],
}

const _: () = assert!(core::mem::size_of::<VcpuHeader>() == 4096);

/// A vCPU with distinct, valid values in every field the header maps.
pub fn sample_vcpu() -> Vcpu {
    let mut n: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // xorshift64: deterministic, every value distinct and full-width.
        n ^= n << 13;
        n ^= n >> 7;
        n ^= n << 17;
        n
    };
    let mut v = Vcpu::default();
    v.core.regs.x = core::array::from_fn(|_| next());
    v.core.regs.pc = 0x0040_1000;
    v.core.pstate = PState {
        nzcv: 0x6000_0000,
        daif: 0x0000_0340,
        el: 0,
        ss: true,
        il: false,
        pan: true,
        uao: false,
        dit: true,
        ssbs: true,
        tco: false,
    };
    v.core.sp_el0 = 0x7fff_ffff_e000;
    v.core.sp_el1 = 0xffff_8000_0010_0000;
    v.core.elr_el1 = 0x0040_1004;
    v.core.spsr = core::array::from_fn(|i| 0x3c5 + i as u64);
    v.fpsimd.vregs = core::array::from_fn(|_| (u128::from(next()) << 64) | u128::from(next()));
    v.fpsimd.fpsr = 0x0800_0010;
    v.fpsimd.fpcr = 0x0340_0000;
    v.sys.el1.ctl = Ctl {
        sctlr: 0x30d0_1805,
        actlr: next(),
        cpacr: 0x0030_0000,
    };
    v.sys.el1.mem = Mem {
        ttbr0: next(),
        ttbr1: next(),
        tcr: 0x0000_0032_b519_3519,
        mair: next(),
        amair: next(),
    };
    v.sys.el1.fault = Fault {
        esr: 0x9200_0046,
        afsr0: 1,
        afsr1: 2,
        far: next(),
    };
    v.sys.el1.vbar = 0xffff_8000_1001_0800;
    v.sys.tls = Tls {
        tpidr_el0: next(),
        tpidrro_el0: next(),
        tpidr_el1: next(),
    };
    v.sys.par = next();
    v.sys.contextidr = 0x42;
    v.sys.cntkctl = 0x0000_00d6;
    v.sys.csselr = 0x2;
    v.sys.id_regs = core::array::from_fn(|_| next());
    v.mmu.vmid = 7;
    v.mmu.asid = 0x1234;
    v.mmu.tlb.entries = core::array::from_fn(|_| core::array::from_fn(|_| next()));
    v.mmu.tlb.asids = core::array::from_fn(|i| i as u16 * 3);
    v.mmu.tlb.generation = 99;
    v.timer.virt = TimerCtx {
        ctl: TimerCtl {
            enable: true,
            imask: false,
            istatus: true,
        },
        cval: next(),
    };
    v.timer.phys = TimerCtx {
        ctl: TimerCtl {
            enable: false,
            imask: true,
            istatus: false,
        },
        cval: next(),
    };
    v.timer.cntvoff = next();
    v.gic.cpu_if = GicCpuIf {
        vmcr: 0x00f0_0001,
        hcr: 0x0000_0001,
        ap0r: [1, 2, 3, 4],
        ap1r: [5, 6, 7, 8],
        lr: core::array::from_fn(|_| next()),
        used_lrs: 4,
    };
    v.gic.pending = core::array::from_fn(|i| (i as u32).wrapping_mul(0x0101_0101));
    v.gic.active = core::array::from_fn(|i| !(i as u32));
    v.gic.priority = core::array::from_fn(|i| (i as u8) << 3);
    v.gic.enabled = true;
    v.gic.grp0 = false;
    v.gic.grp1 = true;
    v.debug.bvr = core::array::from_fn(|_| next());
    v.debug.bxvr = core::array::from_fn(|_| next());
    v.debug.bcr = core::array::from_fn(|i| 0x1e5 + i as u32);
    v.debug.wvr = core::array::from_fn(|_| next());
    v.debug.wcr = core::array::from_fn(|i| 0x1f7 + i as u32);
    v.debug.mdscr = 0x0000_8000;
    v.debug.os_lock = false;
    v.debug.os_dlk = true;
    v.pmu.counters = core::array::from_fn(|_| next());
    v.pmu.evtyper = core::array::from_fn(|i| 0x11 + i as u32);
    v.pmu.cycle = next();
    v.pmu.pmcr = 0x4104_3001;
    v.pmu.cnten = 0x8000_000f;
    v.pmu.inten = 0x8000_0001;
    v.pmu.ovs = 0x0000_0002;
    v.pmu.enabled = true;
    v.host_tsc = next();
    v
}
