//! INTERIM headers for the VM-level and device state: each vCPU's LAPIC, the three irqchips (PIC master,
//! PIC slave, IOAPIC), the PIT, the clock and the serial port. Interim because the shapes of these structs
//! need derive features that do not exist yet (issues 19 and 20: union members and tagged variants for
//! `kvm_irqchip`, bitfield accessors for the IOAPIC's redirection entries, register pages for
//! `kvm_lapic_state.regs`, named bits on `flags` words, `reserved` with a path, non-`Copy` nested places for
//! vm-superio's `SerialState`). Until then the headers map plain-struct *views* of the same bytes, made here
//! by hand (safely, with zerocopy), and their validators check by hand what those features will check.
//!
//! They are replaced by the fixtures' headers of issues 19/20 in `src/kvm_x86_64.rs` (`CrHdrKvmIrqchip`,
//! `CrHdrKvmPitState2`, `CrHdrKvmClock`, `CrHdrKvmLapic`, and the serial port's). The rest of the VMM uses
//! only what the first section below declares (the header names, the record types and one save and one
//! restore function per struct), so the swap is that section's bodies and the deletion of the rest.

use crate::serial::FIFO_SIZE;
use cr_core::dump::Kind;
use cr_core::{CrCopy, Error};
use kvm_bindings::{
    kvm_clock_data, kvm_irqchip, kvm_lapic_state, kvm_pic_state, kvm_pit_channel_state, kvm_pit_state2,
    KVM_CLOCK_HOST_TSC, KVM_CLOCK_REALTIME, KVM_CLOCK_TSC_STABLE, KVM_IRQCHIP_IOAPIC, KVM_IRQCHIP_PIC_MASTER,
    KVM_IRQCHIP_PIC_SLAVE, KVM_PIT_FLAGS_HPET_LEGACY, KVM_PIT_FLAGS_SPEAKER_DATA_ON,
};
use vm_superio::serial::SerialState;
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout};

// ---------------------------------------------------------------------------------------------
// What the VMM uses: the swap surface.
// ---------------------------------------------------------------------------------------------

/// [`CrHdrKvmLapic`], one per vCPU (parent: the vCPU).
pub const CR_HDR_KVM_LAPIC: u32 = 0x28;
/// [`CrHdrKvmIrqchip`], three per VM (PIC master, PIC slave, IOAPIC, in that order).
pub const CR_HDR_KVM_IRQCHIP: u32 = 0x30;
/// [`CrHdrKvmPitState2`].
pub const CR_HDR_KVM_PIT: u32 = 0x31;
/// [`CrHdrKvmClock`].
pub const CR_HDR_KVM_CLOCK: u32 = 0x32;
/// [`CrHdrSerial`] (parent: the device's first I/O port).
pub const CR_HDR_SERIAL: u32 = 0x40;

/// The record kinds of this module, for the dump.
pub const KINDS: [Kind; 5] = [
    Kind::of::<CrHdrKvmLapic>(),
    Kind::of::<CrHdrKvmIrqchip>(),
    Kind::of::<CrHdrKvmPitState2>(),
    Kind::of::<CrHdrKvmClock>(),
    Kind::of::<CrHdrSerial>(),
];

fn saved<H: CrCopy<T> + FromZeros, T>(live: &T) -> H {
    let mut hdr = H::new_zeroed();
    hdr.save(live);
    hdr
}

/// Saves a vCPU's LAPIC (`KVM_GET_LAPIC`).
pub fn save_lapic(live: &kvm_lapic_state) -> CrHdrKvmLapic {
    let page: LapicPage = zerocopy::transmute!(live.regs);
    saved(&page)
}

/// Restores a LAPIC into a fresh `kvm_lapic_state` for the vCPU `vcpu`, every check first: its APIC ID
/// must be that vCPU's (`vcpu << 24`, the xAPIC-format ID `KVM_GET_LAPIC` reports, which the validator
/// finds in the live page it restores into).
pub fn restore_lapic(hdr: &CrHdrKvmLapic, vcpu: u32) -> Result<kvm_lapic_state, Error> {
    let mut page = LapicPage::new_zeroed();
    page.id.value = vcpu << 24;
    hdr.restore(&mut page)?;
    Ok(kvm_lapic_state {
        regs: zerocopy::transmute!(page),
    })
}

/// Saves an irqchip (`KVM_GET_IRQCHIP` of chip 0, 1 or 2).
pub fn save_irqchip(live: &kvm_irqchip) -> CrHdrKvmIrqchip {
    saved(&IrqchipView::of(live))
}

/// Restores an irqchip into a fresh `kvm_irqchip`, every check first (its tag, then its live member).
pub fn restore_irqchip(hdr: &CrHdrKvmIrqchip) -> Result<kvm_irqchip, Error> {
    let mut view = IrqchipView::new_zeroed();
    hdr.restore(&mut view)?;
    Ok(view.to_irqchip())
}

/// Saves the PIT (`KVM_GET_PIT2`).
pub fn save_pit(live: &kvm_pit_state2) -> CrHdrKvmPitState2 {
    saved(live)
}

/// Restores the PIT into a fresh `kvm_pit_state2`, every check first.
pub fn restore_pit(hdr: &CrHdrKvmPitState2) -> Result<kvm_pit_state2, Error> {
    let mut pit = kvm_pit_state2::default();
    hdr.restore(&mut pit)?;
    Ok(pit)
}

/// Saves the VM's clock (`KVM_GET_CLOCK`).
pub fn save_clock(live: &kvm_clock_data) -> CrHdrKvmClock {
    saved(live)
}

/// Restores the clock into a fresh `kvm_clock_data`, every check first.
pub fn restore_clock(hdr: &CrHdrKvmClock) -> Result<kvm_clock_data, Error> {
    let mut clock = kvm_clock_data::default();
    hdr.restore(&mut clock)?;
    Ok(clock)
}

/// Saves the serial port's state (vm-superio's `Serial::state()`).
pub fn save_serial(live: &SerialState) -> CrHdrSerial {
    saved(&SerialView::of(live))
}

/// Restores the serial port's state into a fresh `SerialState`, every check first.
pub fn restore_serial(hdr: &CrHdrSerial) -> Result<SerialState, Error> {
    let mut view = SerialView::new_zeroed();
    hdr.restore(&mut view)?;
    Ok(view.to_state())
}

// ---------------------------------------------------------------------------------------------
// The LAPIC: kvm_lapic_state.regs ([c_char; 1024]) viewed as the APIC's register page.
// ---------------------------------------------------------------------------------------------

/// One 16-byte slot of the APIC's register page: a 32-bit register and 12 reserved bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
pub struct ApicSlot {
    pub value: u32,
    pub reserved: [u32; 3],
}

/// `kvm_lapic_state.regs` as the registers at their offsets (Intel SDM vol. 3, "Local APIC Register
/// Address Map"): 64 slots, the first KiB of the APIC page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
pub struct LapicPage {
    pub reserved_000: [ApicSlot; 2],
    /// 0x020.
    pub id: ApicSlot,
    /// 0x030.
    pub version: ApicSlot,
    pub reserved_040: [ApicSlot; 4],
    /// 0x080: task priority.
    pub tpr: ApicSlot,
    /// 0x090: arbitration priority.
    pub apr: ApicSlot,
    /// 0x0a0: processor priority.
    pub ppr: ApicSlot,
    /// 0x0b0: end of interrupt (write-only).
    pub eoi: ApicSlot,
    /// 0x0c0: remote read.
    pub rrd: ApicSlot,
    /// 0x0d0: logical destination.
    pub ldr: ApicSlot,
    /// 0x0e0: destination format.
    pub dfr: ApicSlot,
    /// 0x0f0: spurious-interrupt vector.
    pub svr: ApicSlot,
    /// 0x100: in service, vectors 0-255, 32 a register.
    pub isr: [ApicSlot; 8],
    /// 0x180: trigger mode.
    pub tmr: [ApicSlot; 8],
    /// 0x200: interrupt request.
    pub irr: [ApicSlot; 8],
    /// 0x280: error status.
    pub esr: ApicSlot,
    pub reserved_290: [ApicSlot; 6],
    /// 0x2f0: LVT corrected machine check.
    pub lvt_cmci: ApicSlot,
    /// 0x300, 0x310: interrupt command, low and high.
    pub icr: [ApicSlot; 2],
    /// 0x320.
    pub lvt_timer: ApicSlot,
    /// 0x330.
    pub lvt_thermal: ApicSlot,
    /// 0x340.
    pub lvt_perf: ApicSlot,
    /// 0x350.
    pub lvt_lint0: ApicSlot,
    /// 0x360.
    pub lvt_lint1: ApicSlot,
    /// 0x370.
    pub lvt_error: ApicSlot,
    /// 0x380: timer initial count.
    pub timer_initial: ApicSlot,
    /// 0x390: timer current count.
    pub timer_current: ApicSlot,
    pub reserved_3a0: [ApicSlot; 4],
    /// 0x3e0: timer divide configuration.
    pub timer_divide: ApicSlot,
    pub reserved_3f0: ApicSlot,
}

const _: () = assert!(size_of::<LapicPage>() == size_of::<kvm_lapic_state>());

/// One register of a register array (ISR, TMR, IRR): its slot's 32-bit value.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = ApicSlot, cover(ApicSlot = ""), ignore = "reserved")]
pub struct CrHdrApicReg {
    #[cr(path = "value")]
    pub value: u32,
}

/// The LVT bits KVM keeps for the timer (`apic_lvt_mask`): vector, delivery status, mask, timer mode.
pub const LVT_TIMER_BITS: u32 = 0x0007_10ff;
/// ... for thermal, performance and CMCI: vector, delivery mode, status, mask.
pub const LVT_BITS: u32 = 0x0001_17ff;
/// ... for LINT0 and LINT1: vector, delivery mode, status, polarity, remote IRR, trigger mode, mask.
pub const LVT_LINT_BITS: u32 = 0x0001_f7ff;
/// ... for the error LVT: vector, status, mask.
pub const LVT_ERROR_BITS: u32 = 0x0001_10ff;

/// A vCPU's local APIC (`KVM_GET_LAPIC`), register by register. Restore refuses what KVM's
/// `KVM_SET_LAPIC` (a `memcpy` of the page) would take silently: bits outside those KVM itself keeps on a
/// register write, reserved LVT delivery and timer modes, vectors 0-15 pending or in service, an APIC ID
/// of another vCPU. The reserved slots and each slot's reserved bytes are not saved (restore writes 0);
/// EOI and RRD, which KVM never stores, neither.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = LapicPage, record = CR_HDR_KVM_LAPIC, validate = validate_lapic, cover(LapicPage = ""))]
#[cr(
    ignore = "reserved_000",
    ignore = "reserved_040",
    ignore = "reserved_290",
    ignore = "reserved_3a0"
)]
#[cr(ignore = "reserved_3f0", ignore = "eoi", ignore = "rrd")]
pub struct CrHdrKvmLapic {
    /// The APIC ID in bits 31:24 (xAPIC format, also in x2APIC mode: KVM_GET_LAPIC converts it).
    #[cr(path = "id.value")]
    pub id: u32,
    /// Version 0x14 (integrated APIC), the highest LVT entry, bit 24: EOI-broadcast suppression.
    #[cr(path = "version.value", strict_mask = 0x01ff_00ff)]
    pub version: u32,
    #[cr(path = "tpr.value", strict_mask = 0xff)]
    pub tpr: u32,
    #[cr(path = "apr.value", strict_mask = 0xff)]
    pub apr: u32,
    #[cr(path = "ppr.value", strict_mask = 0xff)]
    pub ppr: u32,
    #[cr(path = "ldr.value")]
    pub ldr: u32,
    #[cr(path = "dfr.value")]
    pub dfr: u32,
    /// Vector, APIC enable (bit 8), focus check (9), EOI-broadcast suppression (12).
    #[cr(path = "svr.value", strict_mask = 0x13ff)]
    pub svr: u32,
    #[cr(path = "isr", nested)]
    pub isr: [CrHdrApicReg; 8],
    #[cr(path = "tmr", nested)]
    pub tmr: [CrHdrApicReg; 8],
    #[cr(path = "irr", nested)]
    pub irr: [CrHdrApicReg; 8],
    #[cr(path = "esr.value", strict_mask = 0xff)]
    pub esr: u32,
    #[cr(path = "lvt_cmci.value", strict_mask = LVT_BITS)]
    pub lvt_cmci: u32,
    /// The last interrupt command written (KVM keeps it as written).
    #[cr(path = "icr[0].value")]
    pub icr_low: u32,
    #[cr(path = "icr[1].value")]
    pub icr_high: u32,
    #[cr(path = "lvt_timer.value", strict_mask = LVT_TIMER_BITS)]
    pub lvt_timer: u32,
    #[cr(path = "lvt_thermal.value", strict_mask = LVT_BITS)]
    pub lvt_thermal: u32,
    #[cr(path = "lvt_perf.value", strict_mask = LVT_BITS)]
    pub lvt_perf: u32,
    #[cr(path = "lvt_lint0.value", strict_mask = LVT_LINT_BITS)]
    pub lvt_lint0: u32,
    #[cr(path = "lvt_lint1.value", strict_mask = LVT_LINT_BITS)]
    pub lvt_lint1: u32,
    #[cr(path = "lvt_error.value", strict_mask = LVT_ERROR_BITS)]
    pub lvt_error: u32,
    #[cr(path = "timer_initial.value")]
    pub timer_initial: u32,
    #[cr(path = "timer_current.value")]
    pub timer_current: u32,
    /// Divide value: bits 0, 1 and 3.
    #[cr(path = "timer_divide.value", strict_mask = 0xb)]
    pub timer_divide: u32,
}

/// An LVT's delivery mode (bits 10:8).
const fn delivery_mode(lvt: u32) -> u32 {
    (lvt >> 8) & 7
}

/// The LAPIC's rules that a mask cannot say. `live` is the page restore writes into; its ID is the
/// restoring vCPU's ([`restore_lapic`]).
pub fn validate_lapic(hdr: &CrHdrKvmLapic, live: &LapicPage) -> Result<(), Error> {
    if hdr.id != live.id.value {
        return Err(Error::invalid(
            "id",
            "the APIC ID of another vCPU: a LAPIC restores into the vCPU it was saved from (ID = vCPU id << 24)",
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
    for (field, regs) in [("isr", &hdr.isr), ("tmr", &hdr.tmr), ("irr", &hdr.irr)] {
        if regs[0].value & 0xffff != 0 {
            return Err(Error::invalid(field, "vectors 0-15, which no interrupt can have"));
        }
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

// ---------------------------------------------------------------------------------------------
// The irqchips: kvm_irqchip's union viewed as its two members side by side.
// ---------------------------------------------------------------------------------------------

/// One IOAPIC redirection entry (`kvm_ioapic_state.redirtbl[i]`, a union of `bits: u64` and bindgen's
/// bitfield struct) as its bytes: vector, the byte of bits 15:8, the byte of bits 23:16 (mask in bit 0),
/// four reserved bytes, the destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
pub struct RedirEntry {
    pub vector: u8,
    /// Bits 2:0 delivery mode, 3 destination mode, 4 delivery status, 5 polarity, 6 remote IRR, 7 trigger
    /// mode.
    pub flags: u8,
    /// Bit 0: masked; bits 7:1 reserved.
    pub mask: u8,
    pub reserved: [u8; 4],
    pub dest_id: u8,
}

/// `kvm_ioapic_state` with its redirection entries as [`RedirEntry`]s (the same bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
pub struct IoapicView {
    pub base_address: u64,
    pub ioregsel: u32,
    pub id: u32,
    pub irr: u32,
    pub pad: u32,
    pub redirtbl: [RedirEntry; 24],
}

const _: () = assert!(size_of::<IoapicView>() == size_of::<kvm_bindings::kvm_ioapic_state>());

/// `kvm_irqchip` with the members of its `chip` union side by side: the one its tag (`chip_id`) names
/// holds the chip, the other is zero.
#[derive(Clone, Copy, Debug, PartialEq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
pub struct IrqchipView {
    pub chip_id: u32,
    pub pad: u32,
    pub pic: kvm_pic_state,
    pub ioapic: IoapicView,
}

/// Where `chip` starts in `kvm_irqchip`.
const CHIP_OFFSET: usize = 8;

impl IrqchipView {
    /// The view of `live`: its tag, and its tagged member read from the union's bytes (none for a tag
    /// that names no member).
    fn of(live: &kvm_irqchip) -> IrqchipView {
        let chip = &live.as_bytes()[CHIP_OFFSET..];
        let mut view = IrqchipView::new_zeroed();
        view.chip_id = live.chip_id;
        view.pad = live.pad;
        match live.chip_id {
            KVM_IRQCHIP_PIC_MASTER | KVM_IRQCHIP_PIC_SLAVE => {
                view.pic = kvm_pic_state::read_from_prefix(chip).map_or(view.pic, |(pic, _)| pic);
            }
            KVM_IRQCHIP_IOAPIC => {
                view.ioapic = IoapicView::read_from_prefix(chip).map_or(view.ioapic, |(ioapic, _)| ioapic);
            }
            _ => {}
        }
        view
    }

    /// The `kvm_irqchip` of a checked view: the tag and the tagged member; the rest of the union zero.
    fn to_irqchip(self) -> kvm_irqchip {
        let mut bytes = [0u8; size_of::<kvm_irqchip>()];
        bytes[..4].copy_from_slice(&self.chip_id.to_ne_bytes());
        let member = match self.chip_id {
            KVM_IRQCHIP_IOAPIC => self.ioapic.as_bytes(),
            _ => self.pic.as_bytes(),
        };
        bytes[CHIP_OFFSET..CHIP_OFFSET + member.len()].copy_from_slice(member);
        zerocopy::transmute!(bytes)
    }
}

/// An 8259A PIC's state (`kvm_pic_state`), as KVM's `i8259.c` keeps it. Restore refuses what
/// `KVM_SET_IRQCHIP` (a `memcpy`) would take silently: values no write to the chip can produce.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_pic_state, validate = validate_pic, cover(kvm_pic_state = ""))]
pub struct CrHdrKvmPic {
    #[cr(path = "last_irr")]
    pub last_irr: u8,
    #[cr(path = "irr")]
    pub irr: u8,
    #[cr(path = "imr")]
    pub imr: u8,
    #[cr(path = "isr")]
    pub isr: u8,
    /// The lowest priority's IRQ, 0 to 7.
    #[cr(path = "priority_add", strict_mask = 7)]
    pub priority_add: u8,
    /// ICW2: a multiple of 8.
    #[cr(path = "irq_base", strict_mask = 0xf8)]
    pub irq_base: u8,
    #[cr(path = "read_reg_select", strict_mask = 1)]
    pub read_reg_select: u8,
    #[cr(path = "poll", strict_mask = 1)]
    pub poll: u8,
    #[cr(path = "special_mask", strict_mask = 1)]
    pub special_mask: u8,
    /// Which ICW comes next: 0 to 3.
    #[cr(path = "init_state", strict_mask = 3)]
    pub init_state: u8,
    #[cr(path = "auto_eoi", strict_mask = 1)]
    pub auto_eoi: u8,
    #[cr(path = "rotate_on_auto_eoi", strict_mask = 1)]
    pub rotate_on_auto_eoi: u8,
    #[cr(path = "special_fully_nested_mode", strict_mask = 1)]
    pub special_fully_nested_mode: u8,
    #[cr(path = "init4", strict_mask = 1)]
    pub init4: u8,
    /// Edge/level control: which IRQs are level-triggered.
    #[cr(path = "elcr")]
    pub elcr: u8,
    /// Which IRQs may be level-triggered (the chip's own: checked by the irqchip).
    #[cr(path = "elcr_mask")]
    pub elcr_mask: u8,
}

/// The ELCR within its mask (KVM's `elcr_ioport_write()` keeps it there).
pub fn validate_pic(hdr: &CrHdrKvmPic, _live: &kvm_pic_state) -> Result<(), Error> {
    if hdr.elcr & !hdr.elcr_mask != 0 {
        return Err(Error::invalid(
            "elcr",
            "an IRQ level-triggered that the chip's ELCR mask does not allow",
        ));
    }
    Ok(())
}

/// One IOAPIC redirection entry.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = RedirEntry, validate = validate_redir, cover(RedirEntry = ""))]
pub struct CrHdrKvmRedirEntry {
    #[cr(path = "vector")]
    pub vector: u8,
    /// Delivery mode (bits 2:0), destination mode, delivery status, polarity, remote IRR, trigger mode.
    #[cr(path = "flags")]
    pub flags: u8,
    /// Bit 0: masked. Bits 7:1 (entry bits 23:17) are reserved.
    #[cr(path = "mask", strict_mask = 1)]
    pub mask: u8,
    /// Entry bits 55:24, reserved.
    #[cr(path = "reserved")]
    pub reserved: [u8; 4],
    #[cr(path = "dest_id")]
    pub dest_id: u8,
}

/// Reserved bits zero and no reserved delivery mode (3 or 6). KVM stores a guest's write of either as
/// written; no IOAPIC has them.
pub fn validate_redir(hdr: &CrHdrKvmRedirEntry, _live: &RedirEntry) -> Result<(), Error> {
    if hdr.reserved != [0; 4] {
        return Err(Error::invalid("reserved", "reserved bits 55:24 set"));
    }
    if matches!(hdr.flags & 7, 3 | 6) {
        return Err(Error::invalid("flags", "a reserved delivery mode (3 or 6)"));
    }
    Ok(())
}

/// The IOAPIC (`kvm_ioapic_state`): 24 redirection entries.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = IoapicView, cover(IoapicView = ""), ignore = "pad")]
pub struct CrHdrKvmIoapic {
    /// Where its registers are: checked by the irqchip (zero in a PIC's record).
    #[cr(path = "base_address")]
    pub base_address: u64,
    /// The register the guest selected: 8 bits.
    #[cr(path = "ioregsel", strict_mask = 0xff)]
    pub ioregsel: u32,
    /// The IOAPIC's ID: 4 bits.
    #[cr(path = "id", strict_mask = 0xf)]
    pub id: u32,
    /// One bit a pin.
    #[cr(path = "irr", strict_mask = 0x00ff_ffff)]
    pub irr: u32,
    #[cr(reserved)]
    pub pad: u32,
    #[cr(path = "redirtbl", nested)]
    pub redirtbl: [CrHdrKvmRedirEntry; 24],
}

/// The IOAPIC's registers, where KVM puts them (`IOAPIC_DEFAULT_BASE_ADDRESS`).
pub const IOAPIC_BASE: u64 = 0xfec0_0000;
/// The ELCR masks KVM gives the PIC master and slave (IRQs 0-2 and 8, 13 are edge-only).
pub const ELCR_MASKS: [u8; 2] = [0xf8, 0xde];

/// An interrupt controller (`KVM_GET_IRQCHIP`): the tag `chip_id`, then the PIC member (chips 0 and 1) or
/// the IOAPIC member (chip 2). Restore refuses a tag no member is declared for, data in the member the tag
/// does not name (a tampered image cannot smuggle bytes through a dead member), an ELCR mask other than
/// the chip's, and an IOAPIC that moved (KVM would take its new base address and answer there).
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = IrqchipView, record = CR_HDR_KVM_IRQCHIP, validate = validate_irqchip)]
#[cr(cover(IrqchipView = ""), ignore = "pad")]
pub struct CrHdrKvmIrqchip {
    /// 0: PIC master, 1: PIC slave, 2: IOAPIC.
    #[cr(path = "chip_id")]
    pub chip_id: u32,
    #[cr(reserved)]
    pub pad: u32,
    #[cr(path = "pic", nested)]
    pub pic: CrHdrKvmPic,
    #[cr(path = "ioapic", nested)]
    pub ioapic: CrHdrKvmIoapic,
}

/// The tag's rules (see [`CrHdrKvmIrqchip`]); the members' own checks ran before.
pub fn validate_irqchip(hdr: &CrHdrKvmIrqchip, _live: &IrqchipView) -> Result<(), Error> {
    match hdr.chip_id {
        KVM_IRQCHIP_PIC_MASTER | KVM_IRQCHIP_PIC_SLAVE => {
            if hdr.ioapic != CrHdrKvmIoapic::new_zeroed() {
                return Err(Error::invalid(
                    "ioapic",
                    "data in the IOAPIC member of a PIC's record: only the member the tag names may hold any",
                ));
            }
            if hdr.pic.elcr_mask != ELCR_MASKS[hdr.chip_id as usize] {
                return Err(Error::invalid(
                    "pic",
                    "an ELCR mask other than the chip's (0xf8 on the master, 0xde on the slave)",
                ));
            }
        }
        KVM_IRQCHIP_IOAPIC => {
            if hdr.pic != CrHdrKvmPic::new_zeroed() {
                return Err(Error::invalid(
                    "pic",
                    "data in the PIC member of the IOAPIC's record: only the member the tag names may hold any",
                ));
            }
            if hdr.ioapic.base_address != IOAPIC_BASE {
                return Err(Error::invalid(
                    "ioapic",
                    "an IOAPIC base address other than 0xfec00000, where KVM's IOAPIC is",
                ));
            }
        }
        _ => {
            return Err(Error::invalid(
                "chip_id",
                "a tag no member is declared for: 0 and 1 (PIC master, slave) take `pic`, 2 (IOAPIC) `ioapic`",
            ))
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The PIT and the clock: plain structs, mapped directly.
// ---------------------------------------------------------------------------------------------

/// One channel of the 8254 PIT (`kvm_pit_channel_state`), as KVM's `i8254.c` keeps it.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_pit_channel_state, validate = validate_pit_channel, cover(kvm_pit_channel_state = ""))]
pub struct CrHdrKvmPitChannel {
    /// The reload value, 1 to 0x10000 (0 is written as 0x10000).
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
    /// Host time of the last reload; KVM_SET_PIT2 reloads the count and sets it anew.
    #[cr(path = "count_load_time")]
    pub count_load_time: i64,
}

/// KVM's `pit_ioport_write()` stores modes 0 to 5 (6 and 7 become 2 and 3) and `kvm_pit_reset()` 0xff;
/// `KVM_SET_PIT2` would take any byte and run the channel in no mode at all.
pub fn validate_pit_channel(hdr: &CrHdrKvmPitChannel, _live: &kvm_pit_channel_state) -> Result<(), Error> {
    if hdr.mode > 5 && hdr.mode != 0xff {
        return Err(Error::invalid(
            "mode",
            "a counting mode out of range (0 to 5, or 0xff: never programmed)",
        ));
    }
    if hdr.count > 0x1_0000 {
        return Err(Error::invalid("count", "a reload value above 0x10000"));
    }
    if hdr.read_state > 4 || hdr.write_state > 4 {
        return Err(Error::invalid(
            "read_state",
            "a byte-access state out of range (0 to 4), in read_state or write_state",
        ));
    }
    Ok(())
}

/// The PIT's flags KVM_SET_PIT2 knows: HPET legacy routing and the speaker's data bit.
pub const PIT_FLAGS: u32 = KVM_PIT_FLAGS_HPET_LEGACY | KVM_PIT_FLAGS_SPEAKER_DATA_ON;

/// The PIT (`KVM_GET_PIT2`): three channels and the flags.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_pit_state2, record = CR_HDR_KVM_PIT, cover(kvm_pit_state2 = ""), ignore = "reserved")]
pub struct CrHdrKvmPitState2 {
    #[cr(path = "channels", nested)]
    pub channels: [CrHdrKvmPitChannel; 3],
    #[cr(path = "flags", strict_mask = PIT_FLAGS)]
    pub flags: u32,
    #[cr(reserved)]
    pub reserved: [u32; 9],
}

/// The clock flags `KVM_SET_CLOCK` accepts (`KVM_CLOCK_VALID_FLAGS`); of them it uses REALTIME: the
/// clock then advances by the wall time since `realtime`.
pub const CLOCK_FLAGS: u32 = KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC;

/// The VM's kvmclock (`KVM_GET_CLOCK`).
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_clock_data, record = CR_HDR_KVM_CLOCK, validate = validate_clock)]
#[cr(cover(kvm_clock_data = ""), ignore = "pad0", ignore = "pad")]
pub struct CrHdrKvmClock {
    /// Nanoseconds of guest time.
    #[cr(path = "clock")]
    pub clock: u64,
    #[cr(path = "flags", strict_mask = CLOCK_FLAGS)]
    pub flags: u32,
    #[cr(reserved)]
    pub pad0: u32,
    /// Host wall time of `clock`, with the REALTIME flag.
    #[cr(path = "realtime")]
    pub realtime: u64,
    /// The host TSC at `clock`, with the HOST_TSC flag.
    #[cr(path = "host_tsc")]
    pub host_tsc: u64,
    #[cr(reserved)]
    pub pad: [u32; 4],
}

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

// ---------------------------------------------------------------------------------------------
// The serial port: vm-superio's SerialState (its FIFO a Vec) viewed as registers and a fixed FIFO.
// ---------------------------------------------------------------------------------------------

/// vm-superio's `SerialState` with its receive FIFO as a length and [`FIFO_SIZE`] bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
pub struct SerialView {
    pub baud_divisor_low: u8,
    pub baud_divisor_high: u8,
    pub interrupt_enable: u8,
    pub interrupt_identification: u8,
    pub line_control: u8,
    pub line_status: u8,
    pub modem_control: u8,
    pub modem_status: u8,
    pub scratch: u8,
    pub pad: [u8; 3],
    /// How many bytes of `fifo` are queued.
    pub fifo_len: u32,
    pub fifo: [u8; FIFO_SIZE],
}

impl SerialView {
    /// The view of `state` (a FIFO longer than the device's keeps its length and loses its tail, so that
    /// restore refuses it).
    fn of(state: &SerialState) -> SerialView {
        let mut view = SerialView::new_zeroed();
        let n = state.in_buffer.len().min(FIFO_SIZE);
        view.fifo[..n].copy_from_slice(&state.in_buffer[..n]);
        SerialView {
            baud_divisor_low: state.baud_divisor_low,
            baud_divisor_high: state.baud_divisor_high,
            interrupt_enable: state.interrupt_enable,
            interrupt_identification: state.interrupt_identification,
            line_control: state.line_control,
            line_status: state.line_status,
            modem_control: state.modem_control,
            modem_status: state.modem_status,
            scratch: state.scratch,
            fifo_len: u32::try_from(state.in_buffer.len()).unwrap_or(u32::MAX),
            ..view
        }
    }

    /// The `SerialState` of a checked view.
    fn to_state(self) -> SerialState {
        let n = (self.fifo_len as usize).min(FIFO_SIZE);
        SerialState {
            baud_divisor_low: self.baud_divisor_low,
            baud_divisor_high: self.baud_divisor_high,
            interrupt_enable: self.interrupt_enable,
            interrupt_identification: self.interrupt_identification,
            line_control: self.line_control,
            line_status: self.line_status,
            modem_control: self.modem_control,
            modem_status: self.modem_status,
            scratch: self.scratch,
            in_buffer: self.fifo[..n].to_vec(),
        }
    }
}

/// Line status: data ready.
pub const LSR_DATA_READY: u8 = 0x01;
/// Line status: transmitter holding register empty and transmitter idle, which vm-superio always sets.
pub const LSR_THR_EMPTY_IDLE: u8 = 0x60;
/// Interrupt identification: no interrupt pending.
pub const IIR_NONE: u8 = 0x01;

/// The serial port (vm-superio's `Serial`, a 16550A): its registers and its receive FIFO. Restore refuses
/// what the device cannot be in: interrupt bits a 16550A lacks, an IIR saying "none" and "pending" at
/// once, line-status bits vm-superio never sets or a data-ready bit that disagrees with the FIFO, and a
/// FIFO longer than the device's.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = SerialView, record = CR_HDR_SERIAL, validate = validate_serial)]
#[cr(cover(SerialView = ""), ignore = "pad")]
pub struct CrHdrSerial {
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
    #[cr(path = "fifo_len")]
    pub fifo_len: u32,
    /// The FIFO, oldest byte first; zero past `fifo_len`.
    #[cr(path = "fifo")]
    pub fifo: [u8; FIFO_SIZE],
}

/// The rules of [`CrHdrSerial`] that a mask cannot say.
pub fn validate_serial(hdr: &CrHdrSerial, _live: &SerialView) -> Result<(), Error> {
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
