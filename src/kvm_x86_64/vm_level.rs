//! The VM-level and device headers over `kvm-bindings`' and vm-superio's own structs: each vCPU's LAPIC (a
//! register page), the PIT, the clock, a 16550A serial port (`SerialState`, not `Copy`); the irqchips are in
//! [`super`]. Headers, their rules and record types only: no `/dev/kvm`, no device model.

use super::{restored, saved};
use cr_core::dump::Kind;
use cr_core::{CrCopy, Error};
use kvm_bindings::{
    kvm_clock_data, kvm_lapic_state, kvm_pit_channel_state, kvm_pit_state2, KVM_CLOCK_HOST_TSC, KVM_CLOCK_REALTIME,
    KVM_CLOCK_TSC_STABLE, KVM_PIT_FLAGS_HPET_LEGACY, KVM_PIT_FLAGS_SPEAKER_DATA_ON,
};
use vm_superio::serial::SerialState;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

// ---------------------------------------------------------------------------------------------
// Record types (beside the vCPU's 0x20.. and the irqchip's 0x30 of `super`).
// ---------------------------------------------------------------------------------------------

/// [`CrHdrKvmLapic`], one per vCPU (parent: the vCPU).
pub const CR_HDR_KVM_LAPIC: u32 = 0x28;
/// [`CrHdrKvmPitState2`].
pub const CR_HDR_KVM_PIT: u32 = 0x31;
/// [`CrHdrKvmClock`].
pub const CR_HDR_KVM_CLOCK: u32 = 0x32;
/// [`CrHdrSerial`] (parent: the port's first I/O port).
pub const CR_HDR_SERIAL: u32 = 0x40;

/// The record kinds of this module, for the dump.
pub const KINDS: [Kind; 4] = [
    Kind::of::<CrHdrKvmLapic>(),
    Kind::of::<CrHdrKvmPitState2>(),
    Kind::of::<CrHdrKvmClock>(),
    Kind::of::<CrHdrSerial>(),
];

// ---------------------------------------------------------------------------------------------
// The local APIC: kvm_lapic_state.regs ([c_char; 1024]) as the registers at their offsets.
// ---------------------------------------------------------------------------------------------

/// `kvm_lapic_state` on a vCPU: the view target of [`CrHdrKvmLapic`], whose validator checks the APIC ID
/// and the x2APIC logical ID against the restoring vCPU's (paths start at `lapic`, so errors read
/// ``live `lapic.regs[0x80..0x84]` ``).
#[derive(Debug)]
pub struct LapicOn<'a> {
    pub lapic: &'a mut kvm_lapic_state,
    /// The id of the vCPU the LAPIC is restored into (its APIC ID, `KVM_CREATE_VCPU`'s argument).
    pub vcpu: u32,
    /// That vCPU's APIC base as restored (`kvm_sregs.apic_base`): its bit 10 is the x2APIC mode.
    pub apic_base: u64,
}

/// APIC base: x2APIC mode enabled.
pub const APIC_BASE_X2APIC: u64 = 1 << 10;

/// The logical destination x2APIC gives APIC ID `id` (cluster in bits 31:16, one bit of 16 below): what
/// KVM writes to the LDR of a vCPU in x2APIC mode (`kvm_apic_calc_x2apic_ldr()`).
pub const fn x2apic_ldr(id: u32) -> u32 {
    ((id >> 4) << 16) | (1 << (id & 0xf))
}

/// The LVT bits KVM keeps for the timer (`apic_lvt_mask`): vector, delivery status, mask, timer mode.
pub const LVT_TIMER_BITS: u32 = 0x0007_10ff;
/// ... for thermal, performance and CMCI: vector, delivery mode, status, mask.
pub const LVT_BITS: u32 = 0x0001_17ff;
/// ... for LINT0 and LINT1: vector, delivery mode, status, polarity, remote IRR, trigger mode, mask.
pub const LVT_LINT_BITS: u32 = 0x0001_f7ff;
/// ... for the error LVT: vector, status, mask.
pub const LVT_ERROR_BITS: u32 = 0x0001_10ff;
/// ISR, TMR and IRR bits of vectors 0-15, which no interrupt can have (the first register of each).
pub const VECTORS_16_UP: u32 = 0xffff_0000;

/// A vCPU's local APIC (`KVM_GET_LAPIC`), register by register at its offset in the page (Intel SDM
/// vol. 3, "Local APIC Register Address Map"). Restore refuses what `KVM_SET_LAPIC` (a copy of the page)
/// would take silently: bits outside those KVM itself keeps on a register write (strict masks), vectors
/// 0-15 pending, in service or level-triggered, reserved LVT delivery and timer modes, and an APIC ID of
/// another vCPU. The rest of the page (reserved slots, each slot's upper 12 bytes, EOI and RRD, which KVM
/// never stores) is not saved: restore leaves it zero.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = LapicOn<'_>, record = CR_HDR_KVM_LAPIC, validate = validate_lapic, cover(kvm_lapic_state = "lapic"))]
pub struct CrHdrKvmLapic {
    /// The APIC ID in bits 31:24 (xAPIC format, also in x2APIC mode: `KVM_GET_LAPIC` converts it).
    #[cr(path = "lapic.regs[0x20..0x24]", strict_mask = 0xff00_0000)]
    pub id: u32,
    /// Version 0x14 (integrated APIC) and the highest LVT entry. Bit 24 (EOI-broadcast suppression) KVM
    /// never offers with an in-kernel IOAPIC, and drops.
    #[cr(path = "lapic.regs[0x30..0x34]", strict_mask = 0x00ff_00ff)]
    pub version: u32,
    /// Task priority.
    #[cr(path = "lapic.regs[0x80..0x84]", strict_mask = 0xff)]
    pub tpr: u32,
    /// Arbitration priority.
    #[cr(path = "lapic.regs[0x90..0x94]", strict_mask = 0xff)]
    pub apr: u32,
    /// Processor priority.
    #[cr(path = "lapic.regs[0xa0..0xa4]", strict_mask = 0xff)]
    pub ppr: u32,
    /// Logical destination (bits 31:24 in xAPIC mode, cluster and bit in x2APIC mode).
    #[cr(path = "lapic.regs[0xd0..0xd4]")]
    pub ldr: u32,
    /// Destination format: the model in bits 31:28, ones below.
    #[cr(path = "lapic.regs[0xe0..0xe4]")]
    pub dfr: u32,
    /// Spurious-interrupt vector, APIC enable (bit 8), focus check (9), EOI-broadcast suppression (12).
    #[cr(path = "lapic.regs[0xf0..0xf4]", strict_mask = 0x13ff)]
    pub svr: u32,
    /// In service, vectors 0-255, 32 a register.
    #[cr(path = "lapic.regs[0x100..0x104]", strict_mask = VECTORS_16_UP)]
    pub isr0: u32,
    #[cr(path = "lapic.regs[0x110..0x114]")]
    pub isr1: u32,
    #[cr(path = "lapic.regs[0x120..0x124]")]
    pub isr2: u32,
    #[cr(path = "lapic.regs[0x130..0x134]")]
    pub isr3: u32,
    #[cr(path = "lapic.regs[0x140..0x144]")]
    pub isr4: u32,
    #[cr(path = "lapic.regs[0x150..0x154]")]
    pub isr5: u32,
    #[cr(path = "lapic.regs[0x160..0x164]")]
    pub isr6: u32,
    #[cr(path = "lapic.regs[0x170..0x174]")]
    pub isr7: u32,
    /// Trigger mode (level-triggered vectors in service).
    #[cr(path = "lapic.regs[0x180..0x184]", strict_mask = VECTORS_16_UP)]
    pub tmr0: u32,
    #[cr(path = "lapic.regs[0x190..0x194]")]
    pub tmr1: u32,
    #[cr(path = "lapic.regs[0x1a0..0x1a4]")]
    pub tmr2: u32,
    #[cr(path = "lapic.regs[0x1b0..0x1b4]")]
    pub tmr3: u32,
    #[cr(path = "lapic.regs[0x1c0..0x1c4]")]
    pub tmr4: u32,
    #[cr(path = "lapic.regs[0x1d0..0x1d4]")]
    pub tmr5: u32,
    #[cr(path = "lapic.regs[0x1e0..0x1e4]")]
    pub tmr6: u32,
    #[cr(path = "lapic.regs[0x1f0..0x1f4]")]
    pub tmr7: u32,
    /// Interrupt request.
    #[cr(path = "lapic.regs[0x200..0x204]", strict_mask = VECTORS_16_UP)]
    pub irr0: u32,
    #[cr(path = "lapic.regs[0x210..0x214]")]
    pub irr1: u32,
    #[cr(path = "lapic.regs[0x220..0x224]")]
    pub irr2: u32,
    #[cr(path = "lapic.regs[0x230..0x234]")]
    pub irr3: u32,
    #[cr(path = "lapic.regs[0x240..0x244]")]
    pub irr4: u32,
    #[cr(path = "lapic.regs[0x250..0x254]")]
    pub irr5: u32,
    #[cr(path = "lapic.regs[0x260..0x264]")]
    pub irr6: u32,
    #[cr(path = "lapic.regs[0x270..0x274]")]
    pub irr7: u32,
    /// Error status.
    #[cr(path = "lapic.regs[0x280..0x284]", strict_mask = 0xff)]
    pub esr: u32,
    /// LVT corrected machine check.
    #[cr(path = "lapic.regs[0x2f0..0x2f4]", strict_mask = LVT_BITS)]
    pub lvt_cmci: u32,
    /// The last interrupt command written, low and high (KVM keeps it as written).
    #[cr(path = "lapic.regs[0x300..0x304]")]
    pub icr_low: u32,
    #[cr(path = "lapic.regs[0x310..0x314]")]
    pub icr_high: u32,
    #[cr(path = "lapic.regs[0x320..0x324]", strict_mask = LVT_TIMER_BITS)]
    pub lvt_timer: u32,
    #[cr(path = "lapic.regs[0x330..0x334]", strict_mask = LVT_BITS)]
    pub lvt_thermal: u32,
    #[cr(path = "lapic.regs[0x340..0x344]", strict_mask = LVT_BITS)]
    pub lvt_perf: u32,
    #[cr(path = "lapic.regs[0x350..0x354]", strict_mask = LVT_LINT_BITS)]
    pub lvt_lint0: u32,
    #[cr(path = "lapic.regs[0x360..0x364]", strict_mask = LVT_LINT_BITS)]
    pub lvt_lint1: u32,
    #[cr(path = "lapic.regs[0x370..0x374]", strict_mask = LVT_ERROR_BITS)]
    pub lvt_error: u32,
    /// Timer initial count.
    #[cr(path = "lapic.regs[0x380..0x384]")]
    pub timer_initial: u32,
    /// Timer current count (`KVM_GET_LAPIC` computes it; `KVM_SET_LAPIC` restarts the timer from it).
    #[cr(path = "lapic.regs[0x390..0x394]")]
    pub timer_current: u32,
    /// Timer divide configuration: bits 0, 1 and 3.
    #[cr(path = "lapic.regs[0x3e0..0x3e4]", strict_mask = 0xb)]
    pub timer_divide: u32,
}

/// An LVT's delivery mode (bits 10:8).
const fn delivery_mode(lvt: u32) -> u32 {
    (lvt >> 8) & 7
}

/// The LAPIC's rules that a mask cannot say, the APIC ID against the restoring vCPU's.
pub fn validate_lapic(hdr: &CrHdrKvmLapic, on: &LapicOn<'_>) -> Result<(), Error> {
    if u64::from(hdr.id) != u64::from(on.vcpu) << 24 {
        return Err(Error::invalid(
            "id",
            "the APIC ID of another vCPU: a LAPIC restores into the vCPU it was saved from (ID = vCPU id << 24)",
        ));
    }
    if on.apic_base & APIC_BASE_X2APIC != 0 && hdr.ldr != x2apic_ldr(on.vcpu) {
        return Err(Error::invalid(
            "ldr",
            "in x2APIC mode, not the logical ID the vCPU's APIC ID gives, which KVM_SET_LAPIC recomputes",
        ));
    }
    let max_lvt = (hdr.version >> 16) & 0xff;
    if hdr.version & 0xff != 0x14 || !(5..=6).contains(&max_lvt) {
        return Err(Error::invalid(
            "version",
            "not an integrated APIC (version 0x14) with 6 or 7 LVT entries",
        ));
    }
    let model = hdr.dfr >> 28;
    if hdr.dfr & 0x0fff_ffff != 0x0fff_ffff || (model != 0 && model != 0xf) {
        return Err(Error::invalid(
            "dfr",
            "bits 27:0 not all ones, or a model neither flat (0xf) nor cluster (0)",
        ));
    }
    if hdr.ppr != hdr.processor_priority() {
        return Err(Error::invalid(
            "ppr",
            "not the priority of TPR and the highest vector in service, which KVM_SET_LAPIC recomputes",
        ));
    }
    if (hdr.lvt_timer >> 17) & 3 == 3 {
        return Err(Error::invalid("lvt_timer", "the reserved timer mode 3"));
    }
    // Fixed, SMI and NMI on every LVT; INIT and ExtINT on LINT0/LINT1 only; modes 1, 3 and 6 are reserved.
    for (field, lvt) in [
        ("lvt_cmci", hdr.lvt_cmci),
        ("lvt_thermal", hdr.lvt_thermal),
        ("lvt_perf", hdr.lvt_perf),
    ] {
        if !matches!(delivery_mode(lvt), 0 | 2 | 4) {
            return Err(Error::invalid(field, "a delivery mode other than fixed, SMI or NMI"));
        }
    }
    for (field, lvt) in [("lvt_lint0", hdr.lvt_lint0), ("lvt_lint1", hdr.lvt_lint1)] {
        if !matches!(delivery_mode(lvt), 0 | 2 | 4 | 5 | 7) {
            return Err(Error::invalid(field, "a reserved delivery mode (1, 3 or 6)"));
        }
    }
    Ok(())
}

impl CrHdrKvmLapic {
    fn isr(&self) -> [u32; 8] {
        [
            self.isr0, self.isr1, self.isr2, self.isr3, self.isr4, self.isr5, self.isr6, self.isr7,
        ]
    }

    /// The vectors in service (ISR) and requested (IRR), counted.
    pub fn in_service_and_requested(&self) -> (u32, u32) {
        let irr = [
            self.irr0, self.irr1, self.irr2, self.irr3, self.irr4, self.irr5, self.irr6, self.irr7,
        ];
        let count = |regs: [u32; 8]| regs.iter().map(|r| r.count_ones()).sum();
        (count(self.isr()), count(irr))
    }

    /// The processor priority as KVM computes it (`__apic_update_ppr()`): the TPR, unless the class of the
    /// highest vector in service is above the TPR's, then that class.
    pub fn processor_priority(&self) -> u32 {
        let isr = self.isr();
        let highest = (0..8u32)
            .rev()
            .find_map(|i| match isr[i as usize] {
                0 => None,
                r => Some(32 * i + 31 - r.leading_zeros()),
            })
            .unwrap_or(0);
        if self.tpr & 0xf0 >= highest & 0xf0 {
            self.tpr & 0xff
        } else {
            highest & 0xf0
        }
    }
}

/// Saves a vCPU's LAPIC (`KVM_GET_LAPIC`). Save reads no vCPU: the view carries 0s.
pub fn save_lapic(live: &kvm_lapic_state) -> CrHdrKvmLapic {
    let mut copy = *live;
    saved(&LapicOn {
        lapic: &mut copy,
        vcpu: 0,
        apic_base: 0,
    })
}

/// Restores a LAPIC into a fresh `kvm_lapic_state` for the vCPU `vcpu` whose APIC base (restored before,
/// with its `kvm_sregs`) is `apic_base`, every check first.
pub fn restore_lapic(hdr: &CrHdrKvmLapic, vcpu: u32, apic_base: u64) -> Result<kvm_lapic_state, Error> {
    let mut lapic = kvm_lapic_state { regs: [0; 1024] };
    hdr.restore(&mut LapicOn {
        lapic: &mut lapic,
        vcpu,
        apic_base,
    })?;
    Ok(lapic)
}

// ---------------------------------------------------------------------------------------------
// The PIT: kvm_pit_state2, its channels nested.
// ---------------------------------------------------------------------------------------------

/// One channel of the 8254 PIT (`kvm_pit_channel_state`), as KVM's `i8254.c` keeps it.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_pit_channel_state, validate = validate_pit_channel, cover(kvm_pit_channel_state = ""))]
pub struct CrHdrKvmPitChannel {
    /// The reload value, 1 to 0x10000 (KVM stores a written 0 as 0x10000, and would turn a 0 here into it).
    #[cr(path = "count")]
    pub count: u32,
    #[cr(path = "latched_count")]
    pub latched_count: u16,
    /// 0, or the access mode (1 to 3) of the latched count.
    #[cr(path = "count_latched", strict_mask = 3)]
    pub count_latched: u8,
    #[cr(path = "status_latched", strict_mask = 1)]
    pub status_latched: u8,
    #[cr(path = "status")]
    pub status: u8,
    /// 0 to 4 (`RW_STATE_LSB` .. `RW_STATE_WORD1`).
    #[cr(path = "read_state")]
    pub read_state: u8,
    /// 0 to 4, as `read_state`.
    #[cr(path = "write_state")]
    pub write_state: u8,
    #[cr(path = "write_latch")]
    pub write_latch: u8,
    /// Access mode: 0 to 3.
    #[cr(path = "rw_mode", strict_mask = 3)]
    pub rw_mode: u8,
    /// Counting mode 0 to 5, or 0xff: never programmed.
    #[cr(path = "mode")]
    pub mode: u8,
    #[cr(path = "bcd", strict_mask = 1)]
    pub bcd: u8,
    #[cr(path = "gate", strict_mask = 1)]
    pub gate: u8,
    /// Host time of the last reload; `KVM_SET_PIT2` reloads the count and sets it anew.
    #[cr(path = "count_load_time")]
    pub count_load_time: i64,
}

/// The highest byte-access state (`RW_STATE_WORD1`).
pub const PIT_RW_STATE_MAX: u8 = 4;

/// KVM's `pit_ioport_write()` stores modes 0 to 5 (6 and 7 become 2 and 3) and `kvm_pit_reset()` 0xff;
/// `KVM_SET_PIT2` would take any byte and run the channel in no mode at all. It also takes any reload
/// value and byte-access state: counts above 0x10000 and states above 4 exist on no 8254.
pub fn validate_pit_channel(hdr: &CrHdrKvmPitChannel, _live: &kvm_pit_channel_state) -> Result<(), Error> {
    if !matches!(hdr.mode, 0..=5 | 0xff) {
        return Err(Error::invalid(
            "mode",
            "a counting mode out of range (0 to 5, or 0xff: never programmed)",
        ));
    }
    if hdr.count == 0 || hdr.count > 0x1_0000 {
        return Err(Error::invalid(
            "count",
            "a reload value out of range (1 to 0x10000: KVM stores a written 0 as 0x10000)",
        ));
    }
    if hdr.read_state > PIT_RW_STATE_MAX {
        return Err(Error::invalid(
            "read_state",
            "a byte-access state out of range (0 to 4)",
        ));
    }
    if hdr.write_state > PIT_RW_STATE_MAX {
        return Err(Error::invalid(
            "write_state",
            "a byte-access state out of range (0 to 4)",
        ));
    }
    Ok(())
}

/// The PIT (`KVM_GET_PIT2`): three channels and the flags KVM_SET_PIT2 knows.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_pit_state2, record = CR_HDR_KVM_PIT, cover(kvm_pit_state2 = ""))]
pub struct CrHdrKvmPitState2 {
    #[cr(path = "channels", nested)]
    pub channels: [CrHdrKvmPitChannel; 3],
    /// HPET legacy routing (the PIT's IRQ 0 off), the speaker's data bit.
    #[cr(
        path = "flags",
        flag(bit = 0, name = "HPET_LEGACY"),
        flag(bit = 1, name = "SPEAKER_DATA_ON")
    )]
    pub flags: u32,
    #[cr(path = "reserved", reserved)]
    pub reserved: [u32; 9],
}

const _: () = assert!(CrHdrKvmPitState2::FLAGS_HPET_LEGACY == KVM_PIT_FLAGS_HPET_LEGACY);
const _: () = assert!(CrHdrKvmPitState2::FLAGS_SPEAKER_DATA_ON == KVM_PIT_FLAGS_SPEAKER_DATA_ON);

/// Saves the PIT (`KVM_GET_PIT2`).
pub fn save_pit(live: &kvm_pit_state2) -> CrHdrKvmPitState2 {
    saved(live)
}

/// Restores the PIT into a fresh `kvm_pit_state2`, every check first.
pub fn restore_pit(hdr: &CrHdrKvmPitState2) -> Result<kvm_pit_state2, Error> {
    restored(hdr)
}

// ---------------------------------------------------------------------------------------------
// The clock: kvm_clock_data.
// ---------------------------------------------------------------------------------------------

/// The VM's kvmclock (`KVM_GET_CLOCK`). Its flags are those `KVM_SET_CLOCK` accepts
/// (`KVM_CLOCK_VALID_FLAGS`); of them it uses REALTIME: the clock then advances by the wall time since
/// `realtime`.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_clock_data, record = CR_HDR_KVM_CLOCK, validate = validate_clock, cover(kvm_clock_data = ""))]
pub struct CrHdrKvmClock {
    /// Nanoseconds of guest time.
    #[cr(path = "clock")]
    pub clock: u64,
    #[cr(
        path = "flags",
        flag(bit = 1, name = "TSC_STABLE"),
        flag(bit = 2, name = "REALTIME"),
        flag(bit = 3, name = "HOST_TSC")
    )]
    pub flags: u32,
    #[cr(path = "pad0", reserved)]
    pub pad0: u32,
    /// Host wall time of `clock`, with the REALTIME flag.
    #[cr(path = "realtime")]
    pub realtime: u64,
    /// The host TSC at `clock`, with the HOST_TSC flag.
    #[cr(path = "host_tsc")]
    pub host_tsc: u64,
    #[cr(path = "pad", reserved)]
    pub pad: [u32; 4],
}

const _: () = assert!(CrHdrKvmClock::FLAGS_TSC_STABLE == KVM_CLOCK_TSC_STABLE);
const _: () = assert!(CrHdrKvmClock::FLAGS_REALTIME == KVM_CLOCK_REALTIME);
const _: () = assert!(CrHdrKvmClock::FLAGS_HOST_TSC == KVM_CLOCK_HOST_TSC);

/// `realtime` and `host_tsc` only with their flags (KVM fills them only then, and uses `realtime` only
/// then: a stray value would be dropped silently).
pub fn validate_clock(hdr: &CrHdrKvmClock, _live: &kvm_clock_data) -> Result<(), Error> {
    if hdr.realtime != 0 && hdr.flags & KVM_CLOCK_REALTIME == 0 {
        return Err(Error::invalid("realtime", "set without the REALTIME flag"));
    }
    if hdr.host_tsc != 0 && hdr.flags & KVM_CLOCK_HOST_TSC == 0 {
        return Err(Error::invalid("host_tsc", "set without the HOST_TSC flag"));
    }
    Ok(())
}

/// Saves the VM's clock (`KVM_GET_CLOCK`).
pub fn save_clock(live: &kvm_clock_data) -> CrHdrKvmClock {
    saved(live)
}

/// Restores the clock into a fresh `kvm_clock_data`, every check first.
pub fn restore_clock(hdr: &CrHdrKvmClock) -> Result<kvm_clock_data, Error> {
    restored(hdr)
}

// ---------------------------------------------------------------------------------------------
// The serial port: vm-superio's SerialState (its FIFO a Vec), nested in the port.
// ---------------------------------------------------------------------------------------------

/// The size of vm-superio's receive FIFO (private there; cr-vmm's tests check it against the device).
pub const FIFO_SIZE: usize = 64;

/// A serial port as a VMM has it: where it is, and vm-superio's state of its 16550A (not `Copy`: the
/// receive FIFO is a `Vec`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SerialPort {
    /// Its first I/O port.
    pub port: u16,
    pub state: SerialState,
}

/// vm-superio's receive FIFO (`SerialState::in_buffer`) as the accessors of a fixed-size one: its length,
/// and [`FIFO_SIZE`] bytes, zero past the length. Restore sets the length first (the fields' order), then
/// the bytes.
pub trait SerialFifo {
    /// The bytes queued (all of them: a longer FIFO than the device's is saved as such, and refused).
    fn fifo_len(&self) -> u32;
    /// Makes `len` bytes queued (checked against [`FIFO_SIZE`] before).
    fn set_fifo_len(&mut self, len: u32);
    /// The first [`FIFO_SIZE`] bytes queued, oldest first, zero past them.
    fn fifo(&self) -> [u8; FIFO_SIZE];
    /// Writes the queued bytes from `bytes` (as many as [`SerialFifo::fifo_len`]).
    fn set_fifo(&mut self, bytes: [u8; FIFO_SIZE]);
}

impl SerialFifo for SerialState {
    fn fifo_len(&self) -> u32 {
        u32::try_from(self.in_buffer.len()).unwrap_or(u32::MAX)
    }

    fn set_fifo_len(&mut self, len: u32) {
        self.in_buffer.resize((len as usize).min(FIFO_SIZE), 0);
    }

    fn fifo(&self) -> [u8; FIFO_SIZE] {
        let mut bytes = [0; FIFO_SIZE];
        let n = self.in_buffer.len().min(FIFO_SIZE);
        bytes[..n].copy_from_slice(&self.in_buffer[..n]);
        bytes
    }

    fn set_fifo(&mut self, bytes: [u8; FIFO_SIZE]) {
        let n = self.in_buffer.len().min(FIFO_SIZE);
        self.in_buffer[..n].copy_from_slice(&bytes[..n]);
    }
}

/// Line status: data ready.
pub const LSR_DATA_READY: u8 = 0x01;
/// Line status: transmitter holding register empty and transmitter idle, which vm-superio always sets.
pub const LSR_THR_EMPTY_IDLE: u8 = 0x60;
/// Interrupt identification: no interrupt pending.
pub const IIR_NONE: u8 = 0x01;

/// The UART (vm-superio's `SerialState`, a 16550A): its registers and its receive FIFO. Restore refuses
/// what the device cannot be in: interrupt bits a 16550A lacks, an IIR saying "none" and "pending" at
/// once, line-status bits vm-superio never sets or a data-ready bit that disagrees with the FIFO, and a
/// FIFO longer than the device's.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = SerialState, validate = validate_serial_state)]
#[cr(cover(SerialState = ""), ignore = "in_buffer")]
pub struct CrHdrSerialState {
    #[cr(path = "baud_divisor_low")]
    pub baud_divisor_low: u8,
    #[cr(path = "baud_divisor_high")]
    pub baud_divisor_high: u8,
    /// The four interrupts of a 16550A.
    #[cr(path = "interrupt_enable", strict_mask = 0x0f)]
    pub interrupt_enable: u8,
    /// "None" (bit 0), or THR empty (bit 1) and/or data available (bit 2).
    #[cr(path = "interrupt_identification", strict_mask = 0x07)]
    pub interrupt_identification: u8,
    #[cr(path = "line_control")]
    pub line_control: u8,
    #[cr(path = "line_status", strict_mask = 0x61)]
    pub line_status: u8,
    #[cr(path = "modem_control")]
    pub modem_control: u8,
    #[cr(path = "modem_status")]
    pub modem_status: u8,
    #[cr(path = "scratch")]
    pub scratch: u8,
    #[cr(reserved)]
    pub pad: [u8; 3],
    /// Bytes queued in the receive FIFO, at most [`FIFO_SIZE`].
    #[cr(path = "fifo_len()")]
    pub fifo_len: u32,
    /// The FIFO, oldest byte first; zero past `fifo_len`.
    #[cr(path = "fifo()")]
    pub fifo: [u8; FIFO_SIZE],
}

/// The rules of [`CrHdrSerialState`] that a mask cannot say.
pub fn validate_serial_state(hdr: &CrHdrSerialState, _live: &SerialState) -> Result<(), Error> {
    let len = hdr.fifo_len as usize;
    if len > FIFO_SIZE {
        return Err(Error::invalid(
            "fifo_len",
            "a receive FIFO longer than the device's (64 bytes)",
        ));
    }
    if hdr.fifo[len..].iter().any(|b| *b != 0) {
        return Err(Error::invalid("fifo", "bytes past fifo_len"));
    }
    let iir = hdr.interrupt_identification;
    if (iir & IIR_NONE != 0) == (iir & !IIR_NONE != 0) {
        return Err(Error::invalid(
            "interrupt_identification",
            "neither \"no interrupt\" nor a pending one, or both",
        ));
    }
    if hdr.line_status & LSR_THR_EMPTY_IDLE != LSR_THR_EMPTY_IDLE {
        return Err(Error::invalid(
            "line_status",
            "transmitter not empty: this device always is",
        ));
    }
    if (hdr.line_status & LSR_DATA_READY != 0) != (len != 0) {
        return Err(Error::invalid(
            "line_status",
            "data ready disagrees with the receive FIFO",
        ));
    }
    Ok(())
}

/// A serial port (a record; its parent is the port too): where it is, and its UART nested.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = SerialPort, record = CR_HDR_SERIAL, validate = validate_serial, cover(SerialPort = ""))]
pub struct CrHdrSerial {
    /// Its first I/O port: the restoring device's.
    #[cr(path = "port")]
    pub port: u16,
    #[cr(reserved)]
    pub pad: u16,
    #[cr(path = "state", nested)]
    pub state: CrHdrSerialState,
}

/// The port must be the restoring device's (the state of COM1 is not COM2's).
pub fn validate_serial(hdr: &CrHdrSerial, live: &SerialPort) -> Result<(), Error> {
    if hdr.port != live.port {
        return Err(Error::invalid("port", "not the I/O port of the restoring device"));
    }
    Ok(())
}

/// Saves a serial port's state (vm-superio's `Serial::state()`), the device at I/O port `port`.
pub fn save_serial(port: u16, state: &SerialState) -> CrHdrSerial {
    saved(&SerialPort {
        port,
        state: state.clone(),
    })
}

/// Restores a serial port's state into a fresh `SerialState` for the device at `port`, every check first.
pub fn restore_serial(hdr: &CrHdrSerial, port: u16) -> Result<SerialState, Error> {
    let mut live = SerialPort {
        port,
        state: SerialState::default(),
    };
    hdr.restore(&mut live)?;
    Ok(live.state)
}
