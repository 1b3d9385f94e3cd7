//! The register-page benchmark subject (issue 20): kvm-bindings' own `kvm_lapic_state`, whose registers
//! sit at byte offsets of `regs: [c_char; 1024]`. The header is this file's (over a newtype, which the
//! benchmark traits need: `kvm_lapic_state` is neither `PartialEq` nor `Debug`): the registers a VMM
//! checks, each named, at its offset, most under a strict mask of its defined bits, and the 16-byte
//! reserved slot between PPR and EOI that must stay zero. The hand-written twin reads and writes the same
//! bytes with `from_ne_bytes` / `to_ne_bytes` and makes the same checks in the same order, as a careful
//! engineer would without cr.

use cr_core::{CrCopy, Error, ErrorKind};
use kvm_bindings::kvm_lapic_state;
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout};

/// `kvm_lapic_state`, compared and printed by its bytes.
#[derive(Clone, Copy)]
pub struct Lapic(pub kvm_lapic_state);

impl PartialEq for Lapic {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes() == other.0.as_bytes()
    }
}

impl core::fmt::Debug for Lapic {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Lapic").field(&self.0.as_bytes()).finish()
    }
}

/// An LVT entry's defined bits: vector, delivery mode, status, polarity, remote IRR, trigger, mask.
pub const LVT: u32 = 0x0001_f7ff;
/// The timer LVT's: vector, status, mask, timer mode (bits 17-18).
pub const LVT_TIMER: u32 = 0x0007_10ff;
/// The error LVT's: vector, status, mask.
pub const LVT_ERROR: u32 = 0x0001_10ff;

/// The LAPIC's registers, each at its offset in the page.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = Lapic)]
pub struct LapicHeader {
    #[cr(path = "0.regs[0x20..0x24]", strict_mask = 0xff00_0000)]
    pub id: u32,
    #[cr(path = "0.regs[0x30..0x34]", strict_mask = 0x01ff_00ff)]
    pub version: u32,
    #[cr(path = "0.regs[0x80..0x84]", strict_mask = 0xff)]
    pub tpr: u32,
    #[cr(path = "0.regs[0xa0..0xa4]", strict_mask = 0xff)]
    pub ppr: u32,
    /// 0xA4..0xB0 is reserved in the page: zero on both sides.
    #[cr(path = "0.regs[0xa4..0xb0]", reserved)]
    pub reserved_a4: [u8; 12],
    #[cr(path = "0.regs[0xd0..0xd4]")]
    pub ldr: u32,
    /// The model in bits 31:28; the bits below read as ones.
    #[cr(path = "0.regs[0xe0..0xe4]")]
    pub dfr: u32,
    #[cr(path = "0.regs[0xf0..0xf4]", strict_mask = 0x13ff)]
    pub svr: u32,
    #[cr(path = "0.regs[0x100..0x104]")]
    pub isr0: u32,
    #[cr(path = "0.regs[0x200..0x204]")]
    pub irr0: u32,
    #[cr(path = "0.regs[0x280..0x284]", strict_mask = 0xff)]
    pub esr: u32,
    #[cr(path = "0.regs[0x300..0x304]")]
    pub icr_low: u32,
    #[cr(path = "0.regs[0x310..0x314]")]
    pub icr_high: u32,
    #[cr(path = "0.regs[0x320..0x324]", strict_mask = LVT_TIMER)]
    pub lvt_timer: u32,
    #[cr(path = "0.regs[0x350..0x354]", strict_mask = LVT)]
    pub lvt_lint0: u32,
    #[cr(path = "0.regs[0x360..0x364]", strict_mask = LVT)]
    pub lvt_lint1: u32,
    #[cr(path = "0.regs[0x370..0x374]", strict_mask = LVT_ERROR)]
    pub lvt_error: u32,
    #[cr(path = "0.regs[0x380..0x384]")]
    pub timer_initial: u32,
    #[cr(path = "0.regs[0x390..0x394]")]
    pub timer_current: u32,
    #[cr(path = "0.regs[0x3e0..0x3e4]", strict_mask = 0xb)]
    pub timer_divide: u32,
}

/// The offsets of the header's `u32` registers, in field order.
const REGS: [usize; 19] = [
    0x20, 0x30, 0x80, 0xa0, 0xd0, 0xe0, 0xf0, 0x100, 0x200, 0x280, 0x300, 0x310, 0x320, 0x350, 0x360, 0x370, 0x380,
    0x390, 0x3e0,
];

fn set(page: &mut [u8; 1024], at: usize, value: u32) {
    page[at..at + 4].copy_from_slice(&value.to_ne_bytes());
}

/// A LAPIC as a guest leaves it: enabled, a periodic timer running, LINT0 as ExtINT, one vector pending.
pub fn sample() -> Lapic {
    let mut page = [0u8; 1024];
    for (at, value) in [
        (0x20, 1 << 24),
        (0x30, 0x0005_0014),
        (0x80, 0x10),
        (0xa0, 0x10),
        (0xd0, 0x0100_0000),
        (0xe0, 0xffff_ffff),
        (0xf0, 0x1ff),
        (0x200, 1 << 17),
        (0x300, 0x0000_4030),
        (0x310, 0x0100_0000),
        (0x320, 0x0002_0030),
        (0x350, 0x0000_0700),
        (0x360, 0x0001_0400),
        (0x370, 0x0001_00fe),
        (0x380, 0x0010_0000),
        (0x390, 0x0008_0000),
        (0x3e0, 0xb),
    ] {
        set(&mut page, at, value);
    }
    lapic_of(page)
}

fn lapic_of(page: [u8; 1024]) -> Lapic {
    let mut state = kvm_lapic_state::new_zeroed();
    state.regs.as_mut_bytes().copy_from_slice(&page);
    Lapic(state)
}

/// A LAPIC to restore into: the reset state (every register zero but the DFR's ones).
pub fn default_live() -> Lapic {
    let mut page = [0u8; 1024];
    set(&mut page, 0xe0, 0xffff_ffff);
    lapic_of(page)
}

fn get(live: &kvm_lapic_state, at: usize) -> u32 {
    let b = live.regs.as_bytes();
    u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Live -> header.
pub fn save(h: &mut LapicHeader, live: &Lapic) {
    let l = &live.0;
    *h = LapicHeader {
        id: get(l, 0x20),
        version: get(l, 0x30),
        tpr: get(l, 0x80),
        ppr: get(l, 0xa0),
        reserved_a4: [0; 12],
        ldr: get(l, 0xd0),
        dfr: get(l, 0xe0),
        svr: get(l, 0xf0),
        isr0: get(l, 0x100),
        irr0: get(l, 0x200),
        esr: get(l, 0x280),
        icr_low: get(l, 0x300),
        icr_high: get(l, 0x310),
        lvt_timer: get(l, 0x320),
        lvt_lint0: get(l, 0x350),
        lvt_lint1: get(l, 0x360),
        lvt_error: get(l, 0x370),
        timer_initial: get(l, 0x380),
        timer_current: get(l, 0x390),
        timer_divide: get(l, 0x3e0),
    };
}

fn strict(value: u32, mask: u32, field: &'static str, path: &'static str) -> Result<(), Error> {
    match value & !mask {
        0 => Ok(()),
        bits => Err(Error::new(ErrorKind::MaskViolation { bits: u64::from(bits) }).at(field, Some(path))),
    }
}

/// Header -> live: every check, then every write (the reserved slot zeroed).
pub fn restore(h: &LapicHeader, live: &mut Lapic) -> Result<(), Error> {
    strict(h.id, 0xff00_0000, "id", "0.regs[0x20..0x24]")?;
    strict(h.version, 0x01ff_00ff, "version", "0.regs[0x30..0x34]")?;
    strict(h.tpr, 0xff, "tpr", "0.regs[0x80..0x84]")?;
    strict(h.ppr, 0xff, "ppr", "0.regs[0xa0..0xa4]")?;
    if h.reserved_a4 != [0; 12] {
        return Err(Error::new(ErrorKind::ReservedNotZero).at("reserved_a4", Some("0.regs[0xa4..0xb0]")));
    }
    strict(h.svr, 0x13ff, "svr", "0.regs[0xf0..0xf4]")?;
    strict(h.esr, 0xff, "esr", "0.regs[0x280..0x284]")?;
    strict(h.lvt_timer, LVT_TIMER, "lvt_timer", "0.regs[0x320..0x324]")?;
    strict(h.lvt_lint0, LVT, "lvt_lint0", "0.regs[0x350..0x354]")?;
    strict(h.lvt_lint1, LVT, "lvt_lint1", "0.regs[0x360..0x364]")?;
    strict(h.lvt_error, LVT_ERROR, "lvt_error", "0.regs[0x370..0x374]")?;
    strict(h.timer_divide, 0xb, "timer_divide", "0.regs[0x3e0..0x3e4]")?;

    let page = live.0.regs.as_mut_bytes();
    let words = [
        h.id,
        h.version,
        h.tpr,
        h.ppr,
        h.ldr,
        h.dfr,
        h.svr,
        h.isr0,
        h.irr0,
        h.esr,
        h.icr_low,
        h.icr_high,
        h.lvt_timer,
        h.lvt_lint0,
        h.lvt_lint1,
        h.lvt_error,
        h.timer_initial,
        h.timer_current,
        h.timer_divide,
    ];
    for (at, value) in REGS.into_iter().zip(words) {
        page[at..at + 4].copy_from_slice(&value.to_ne_bytes());
    }
    page[0xa4..0xb0].fill(0);
    Ok(())
}

/// Copies of a valid header, each broken in one or two checked fields.
pub fn tampered(valid: &LapicHeader) -> Vec<LapicHeader> {
    let mut out = Vec::new();
    let mut push = |f: &dyn Fn(&mut LapicHeader)| {
        let mut h = *valid;
        f(&mut h);
        out.push(h);
    };
    push(&|h| h.id |= 1);
    push(&|h| h.tpr = 0x100);
    push(&|h| h.reserved_a4[11] = 1);
    push(&|h| h.svr |= 1 << 13);
    push(&|h| h.lvt_timer |= 1 << 19);
    push(&|h| h.lvt_error |= 0x700);
    push(&|h| h.timer_divide = 4);
    // Two faults: the first check in field order wins.
    push(&|h| {
        h.timer_divide = 0x10;
        h.ppr = 0x1ff;
    });
    out
}
