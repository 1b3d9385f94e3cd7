//! The packed benchmark subject (issue 14): a DMA controller's register file as an emulator lays
//! it out, `#[repr(C, packed)]` on both sides. The live `Dma` has unaligned `u64`, `u32` and `u16`
//! registers, three `bool` status bits, a small array of scratch registers and four packed
//! channels; its image header `DmaHeader` (144 bytes, packed: a wire format without padding) maps
//! them with `mask`, `strict_mask`, `convert`, a flag word, a `reserved` tail and a `nested` array
//! of packed channel headers (`DmaChannelHeader`, 24 bytes, with its own `strict_mask`, flag word
//! and `reserved` bytes).
//!
//! The derived code moves every value by copy and never takes a reference to a field of either
//! side. The hand-written twin below does what a careful engineer writes for packed structs: it
//! reads and writes fields by value and borrows only what has alignment 1 (the channel arrays).
//! Benchmark fixture only: the register semantics are loose.

use cr_core::{CrCopy, Error, ErrorKind, Layout, Value};
use serde::{Deserialize, Serialize};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// The bits of `base` restore takes from the image: the page frame. The page offset is the
/// host's (where it mapped the registers), so it keeps its live value.
pub const BASE_MASK: u64 = !0xFFF;
/// The defined bits of `ctrl`: enable, reset, burst length (3 bits), priority (2 bits), the
/// interrupt enables (bits 16-19) and the debug bit (31).
pub const CTRL_VALID: u32 = 0x800F_00FF;
/// The bits of `status` restore takes from the image; the rest are live hardware state.
pub const STATUS_SAVED: u16 = 0x00FF;
/// A channel's transfer mode: 4 bits.
pub const MODE_VALID: u8 = 0x0F;

/// One DMA channel, packed inside the controller.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[repr(C, packed)]
pub struct DmaChannel {
    pub src: u64,
    pub dst: u64,
    pub len: u32,
    pub mode: u8,
    pub active: bool,
    pub done: bool,
}

/// The controller's register file, packed as the device lays it out: after the 1-byte `rev`,
/// every wider register is unaligned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[repr(C, packed)]
pub struct Dma {
    pub rev: u8,
    pub base: u64,
    pub irq: u16,
    pub ctrl: u32,
    pub status: u16,
    pub tick: u64,
    pub enabled: bool,
    pub irq_masked: bool,
    pub busy: bool,
    pub scratch: [u32; 4],
    pub channels: [DmaChannel; 4],
}

/// A channel's image: 24 bytes.
#[derive(
    CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned,
)]
#[repr(C, packed)]
#[cr(target = DmaChannel)]
pub struct DmaChannelHeader {
    #[cr(path = "src")]
    pub src: u64,
    #[cr(path = "dst")]
    pub dst: u64,
    #[cr(path = "len")]
    pub len: u32,
    #[cr(path = "mode", strict_mask = MODE_VALID)]
    pub mode: u8,
    #[cr(flag(bit = 0, path = "active"), flag(bit = 1, path = "done"))]
    pub flags: u8,
    #[cr(reserved)]
    pub padding: [u8; 2],
}

/// The controller's image: 144 bytes, packed.
#[derive(
    CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned,
)]
#[repr(C, packed)]
#[cr(target = Dma)]
pub struct DmaHeader {
    #[cr(path = "rev")]
    pub rev: u8,
    #[cr(path = "base", mask = BASE_MASK)]
    pub base: u64,
    #[cr(path = "irq", convert)]
    pub irq: u32,
    #[cr(path = "ctrl", strict_mask = CTRL_VALID)]
    pub ctrl: u32,
    #[cr(path = "status", mask = STATUS_SAVED)]
    pub status: u16,
    #[cr(path = "tick")]
    pub tick: u64,
    #[cr(
        flag(bit = 0, path = "enabled"),
        flag(bit = 1, path = "irq_masked"),
        flag(bit = 2, path = "busy")
    )]
    pub flags: u8,
    #[cr(path = "scratch")]
    pub scratch: [u32; 4],
    #[cr(path = "channels", nested)]
    pub channels: [DmaChannelHeader; 4],
    #[cr(reserved)]
    pub reserved: [u8; 4],
}

const _: () = assert!(core::mem::size_of::<DmaChannelHeader>() == 24);
const _: () = assert!(core::mem::size_of::<DmaHeader>() == 144);
const _: () = assert!(core::mem::size_of::<Dma>() == 136);

/// A busy controller: every register distinct, every checked field valid.
pub fn sample_dma() -> Dma {
    let channel = |i: u64| DmaChannel {
        src: 0x7F00_0000_0000 + (i << 20),
        dst: 0x0000_0001_8000_0000 + (i << 16),
        len: 0x1000 * (i as u32 + 1),
        mode: (i as u8 * 3) & MODE_VALID,
        active: i % 2 == 0,
        done: i == 3,
    };
    Dma {
        rev: 3,
        base: 0xFED0_0000_0000_0ABC,
        irq: 43,
        ctrl: 0x8003_00A5,
        status: 0x5A3C,
        tick: 0x0123_4567_89AB_CDEF,
        enabled: true,
        irq_masked: false,
        busy: true,
        scratch: [0xDEAD_BEEF, 0x0BAD_F00D, 0xFEED_FACE, 0xC0FF_EE00],
        channels: [channel(0), channel(1), channel(2), channel(3)],
    }
}

// ---------------------------------------------------------------------------------------------
// The hand-written twin: the same save and restore without cr, with the same checks, masks,
// flags, error values and order (every check of every depth before any write).
// ---------------------------------------------------------------------------------------------

const DMA_ENABLED: u8 = 1 << 0;
const DMA_IRQ_MASKED: u8 = 1 << 1;
const DMA_BUSY: u8 = 1 << 2;
const DMA_FLAGS: u8 = DMA_ENABLED | DMA_IRQ_MASKED | DMA_BUSY;
const CHANNEL_ACTIVE: u8 = 1 << 0;
const CHANNEL_DONE: u8 = 1 << 1;
const CHANNEL_FLAGS: u8 = CHANNEL_ACTIVE | CHANNEL_DONE;

/// A channel, live -> header.
fn save_channel(h: &mut DmaChannelHeader, c: &DmaChannel) {
    h.src = c.src;
    h.dst = c.dst;
    h.len = c.len;
    h.mode = c.mode;
    h.flags = u8::from(c.active) | u8::from(c.done) << 1;
    h.padding = [0; 2];
}

/// The controller, live -> header.
pub fn save_dma(h: &mut DmaHeader, d: &Dma) {
    h.rev = d.rev;
    h.base = d.base;
    h.irq = u32::from(d.irq);
    h.ctrl = d.ctrl;
    h.status = d.status;
    h.tick = d.tick;
    h.flags = u8::from(d.enabled) | u8::from(d.irq_masked) << 1 | u8::from(d.busy) << 2;
    h.scratch = d.scratch;
    // Both arrays have alignment 1 (their elements are packed): borrowing them is sound.
    for (h, c) in h.channels.iter_mut().zip(&d.channels) {
        save_channel(h, c);
    }
    h.reserved = [0; 4];
}

/// The refusal of a value that does not fit its live type, out of line as the derive's is.
#[cold]
#[inline(never)]
fn out_of_range(value: u32, live_type: &'static str, field: &'static str, path: &'static str) -> Error {
    let kind = ErrorKind::OutOfRange {
        value: Value::Unsigned(u64::from(value)),
        live_type,
    };
    Error::new(kind).at(field, Some(path))
}

/// A channel's checks, in field order.
fn check_channel(h: &DmaChannelHeader) -> Result<(), Error> {
    if h.mode & !MODE_VALID != 0 {
        let bits = u64::from(h.mode & !MODE_VALID);
        return Err(Error::new(ErrorKind::MaskViolation { bits }).at("mode", Some("mode")));
    }
    if h.flags & !CHANNEL_FLAGS != 0 {
        let bits = u64::from(h.flags & !CHANNEL_FLAGS);
        return Err(Error::new(ErrorKind::UnknownFlags { bits }).at("flags", None));
    }
    if h.padding != [0; 2] {
        return Err(Error::new(ErrorKind::ReservedNotZero).at("padding", None));
    }
    Ok(())
}

/// A channel, header -> live (after every check of the whole controller).
fn write_channel(h: &DmaChannelHeader, c: &mut DmaChannel) {
    c.src = h.src;
    c.dst = h.dst;
    c.len = h.len;
    c.mode = h.mode;
    c.active = h.flags & CHANNEL_ACTIVE != 0;
    c.done = h.flags & CHANNEL_DONE != 0;
}

/// The controller, header -> live: every check (the channels' errors routed through the
/// `channels` row, as cr's are), then every write.
pub fn restore_dma(h: &DmaHeader, d: &mut Dma) -> Result<(), Error> {
    let Ok(irq) = u16::try_from(h.irq) else {
        return Err(out_of_range(h.irq, "u16", "irq", "irq"));
    };
    if h.ctrl & !CTRL_VALID != 0 {
        let bits = u64::from(h.ctrl & !CTRL_VALID);
        return Err(Error::new(ErrorKind::MaskViolation { bits }).at("ctrl", Some("ctrl")));
    }
    if h.flags & !DMA_FLAGS != 0 {
        let bits = u64::from(h.flags & !DMA_FLAGS);
        return Err(Error::new(ErrorKind::UnknownFlags { bits }).at("flags", None));
    }
    // The route holds a `&'static FieldInfo`: the twin borrows the derived table's row for it.
    for (i, c) in h.channels.iter().enumerate() {
        check_channel(c).map_err(|e| cr_core::__private::route(e, &<DmaHeader as Layout>::FIELDS[8], Some(i)))?;
    }
    if h.reserved != [0; 4] {
        return Err(Error::new(ErrorKind::ReservedNotZero).at("reserved", None));
    }

    d.rev = h.rev;
    d.base = (d.base & !BASE_MASK) | (h.base & BASE_MASK);
    d.irq = irq;
    d.ctrl = h.ctrl;
    d.status = (d.status & !STATUS_SAVED) | (h.status & STATUS_SAVED);
    d.tick = h.tick;
    d.enabled = h.flags & DMA_ENABLED != 0;
    d.irq_masked = h.flags & DMA_IRQ_MASKED != 0;
    d.busy = h.flags & DMA_BUSY != 0;
    d.scratch = h.scratch;
    for (h, c) in h.channels.iter().zip(&mut d.channels) {
        write_channel(h, c);
    }
    Ok(())
}
