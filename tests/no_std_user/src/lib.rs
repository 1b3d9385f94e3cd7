//! A downstream library as strict as they come: `#![no_std]`, no `unsafe`, every warning an error (and the
//! allow-by-default cast lints too: restore copies with identity casts) and every public item documented. It
//! derives `CrCopy` with every key, so generated code that needed `std`, `unsafe`, or emitted an undocumented
//! or lint-tripping item would stop this crate from building. It holds no tests; `tests/no_std_user.rs` in
//! the root package runs what it declares.
#![no_std]
#![forbid(unsafe_code)]
#![deny(warnings, missing_docs, trivial_casts, trivial_numeric_casts)]

use cr_core::{CrCopy, Error};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// cr-core under this crate's own name, as a library re-exports its runtime: [`DeviceHdr`] reaches it
/// through `crate = "crate::rt"`.
pub use cr_core as rt;

/// Control bits an image may set; the others belong to the running device and survive a restore.
pub const CTRL_USER: u32 = 0x0000_FFFF;
/// The mode bits an image may hold; a restore refuses any other.
pub const MODE_VALID: u16 = 0x0007;

/// A device as its driver holds it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Device {
    /// Data registers.
    pub regs: [u32; 4],
    /// Amplifier gain.
    pub gain: f32,
    /// Control word.
    pub ctrl: u32,
    /// Interrupt line.
    pub irq: u8,
    /// Operating mode.
    pub mode: u16,
    /// Powered on.
    pub powered: bool,
    /// DMA enabled.
    pub dma_enabled: bool,
    /// Ticks since power-on.
    pub uptime: u64,
    /// Restores completed so far (counted by [`device_restored`]).
    pub restores: u32,
}

/// The image header of a [`Device`]: every field key of `#[cr(...)]`, and every container key, in one
/// declaration. `cover` proves every field of [`Device`] is mapped or, like `restores`, ignored.
#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = Device, validate = validate_device, after_restore = device_restored, crate = "crate::rt")]
#[cr(cover(Device = ""), ignore = "restores")]
pub struct DeviceHdr {
    /// `path`: copied as is.
    #[cr(path = "regs")]
    pub regs: [u32; 4],
    /// `bits`: the bytes of the `f32` gain.
    #[cr(path = "gain", bits)]
    pub gain: u32,
    /// `mask`: restore takes the [`CTRL_USER`] bits from here and keeps the others.
    #[cr(path = "ctrl", mask = CTRL_USER)]
    pub ctrl: u32,
    /// `convert`: widened on save; restore refuses a value above `u8::MAX`.
    #[cr(path = "irq", convert)]
    pub irq: u16,
    /// `strict_mask`: restore refuses bits outside [`MODE_VALID`].
    #[cr(path = "mode", strict_mask = MODE_VALID)]
    pub mode: u16,
    /// `flag`, without a name (`STATE_POWERED`) and with one (`STATE_DMA`).
    #[cr(flag(bit = 0, path = "powered"), flag(bit = 1, path = "dma_enabled", name = "dma"))]
    pub state: u16,
    /// `reserved`: written as zero, refused unless zero.
    #[cr(reserved)]
    pub reserved: [u8; 2],
    /// `save_only`: recorded in the image, never restored.
    #[cr(path = "uptime", save_only)]
    pub uptime: u64,
    /// `skip`: not mapped; save writes zero.
    #[cr(skip)]
    pub checksum: u64,
}

/// Refuses a header whose gain is not a finite number.
pub fn validate_device(hdr: &DeviceHdr, _live: &Device) -> Result<(), Error> {
    if f32::from_bits(hdr.gain).is_finite() {
        Ok(())
    } else {
        Err(Error::invalid("gain", "not a finite number"))
    }
}

/// Runs after every successful restore: counts it.
pub fn device_restored(device: &mut Device) {
    device.restores = device.restores.wrapping_add(1);
}

/// A DMA channel the device drives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Channel {
    /// Next address the channel transfers to.
    pub addr: u64,
    /// A transfer is in flight.
    pub busy: bool,
}

/// A device and its channel, borrowed together for one save or restore.
pub struct View<'a> {
    /// The device.
    pub device: &'a mut Device,
    /// Its channel.
    pub channel: &'a mut Channel,
}

/// A header over two live objects at once, through [`View`].
#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = View<'_>, cover(Channel = "channel"))]
pub struct LinkHdr {
    /// The device's interrupt line, widened.
    #[cr(path = "device.irq", convert)]
    pub irq: u32,
    /// The channel's busy bit and the device's power bit.
    #[cr(flag(bit = 0, path = "channel.busy"), flag(bit = 1, path = "device.powered"))]
    pub flags: u32,
    /// The channel's next address.
    #[cr(path = "channel.addr")]
    pub addr: u64,
}

/// A timer lane, packed inside [`PackedDevice`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(C, packed)]
pub struct Lane {
    /// Reload value.
    pub reload: u32,
    /// Running.
    pub running: bool,
}

/// A register file laid out as the hardware has it: packed, most fields unaligned.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(C, packed)]
pub struct PackedDevice {
    /// Revision.
    pub rev: u8,
    /// Base address.
    pub base: u64,
    /// Interrupt line.
    pub irq: u16,
    /// Control word.
    pub ctrl: u32,
    /// The lanes.
    pub lanes: [Lane; 2],
}

/// The image header of one [`Lane`], packed.
#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C, packed)]
#[cr(target = Lane)]
pub struct LaneHdr {
    /// `path`.
    #[cr(path = "reload")]
    pub reload: u32,
    /// `flag`.
    #[cr(flag(bit = 0, path = "running"))]
    pub flags: u8,
}

/// The image header of a [`PackedDevice`], packed too: both sides are unaligned, and every mode
/// still compiles in this strict crate.
#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C, packed)]
#[cr(target = PackedDevice, cover(PackedDevice = ""))]
pub struct PackedDeviceHdr {
    /// `path`.
    #[cr(path = "rev")]
    pub rev: u8,
    /// `mask`.
    #[cr(path = "base", mask = 0xffff_f000)]
    pub base: u64,
    /// `convert`.
    #[cr(path = "irq", convert)]
    pub irq: u32,
    /// `strict_mask`.
    #[cr(path = "ctrl", strict_mask = CTRL_USER)]
    pub ctrl: u32,
    /// `nested`, an array of packed headers over an array of packed structs.
    #[cr(path = "lanes", nested)]
    pub lanes: [LaneHdr; 2],
    /// `reserved`.
    #[cr(reserved)]
    pub pad: [u8; 2],
}
