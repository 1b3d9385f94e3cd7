//! Packed structs on either side: a `#[repr(C, packed)]` live device register file (as in
//! emulators and some uapi structs) and a packed image header (a wire format with no padding).
//! The derive never takes a reference to a field of either, so every mode compiles and works.

use cr_core::zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};
use cr_core::{CrCopy, Error, ErrorKind, Layout, Value};
use proptest::prelude::*;

/// A timer channel, packed inside the device.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(C, packed)]
pub struct Channel {
    pub count: u32,
    pub mode: u8,
    pub armed: bool,
}

/// A device's register file, packed as the hardware lays it out: most fields are unaligned.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(C, packed)]
pub struct Device {
    pub id: u8,
    pub base: u64,
    pub irq: u16,
    pub ctrl: u32,
    pub status: u16,
    pub scale: f32,
    pub enabled: bool,
    pub masked: bool,
    pub channels: [Channel; 2],
    pub scratch: u64,
}

const CTRL_USER: u32 = 0x0000_00ff;
const STATUS_KEEP: u16 = 0xff00;

#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C, packed)]
#[cr(target = Channel, cover(Channel = ""))]
pub struct ChannelHeader {
    #[cr(path = "count")]
    pub count: u32,
    #[cr(path = "mode", strict_mask = 0x7)]
    pub mode: u8,
    #[cr(flag(bit = 0, path = "armed"))]
    pub flags: u8,
}

/// The image header, packed too: a byte-exact wire format with no padding of its own.
#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C, packed)]
#[cr(target = Device, record = 9, validate = check_device, cover(Device = ""))]
pub struct DeviceHeader {
    #[cr(path = "id")]
    pub id: u8,
    #[cr(path = "base", mask = !0xfff)]
    pub base: u64,
    #[cr(path = "irq", convert)]
    pub irq: u32,
    #[cr(path = "ctrl", strict_mask = CTRL_USER)]
    pub ctrl: u32,
    #[cr(path = "status", mask = !STATUS_KEEP)]
    pub status: u16,
    #[cr(path = "scale", bits)]
    pub scale: u32,
    #[cr(flag(bit = 0, path = "enabled"), flag(bit = 1, path = "masked"))]
    pub flags: u8,
    #[cr(path = "channels", nested)]
    pub channels: [ChannelHeader; 2],
    #[cr(path = "scratch", save_only)]
    pub scratch: u64,
    #[cr(reserved)]
    pub reserved: [u8; 3],
}

fn check_device(h: &DeviceHeader, _: &Device) -> Result<(), Error> {
    if { h.id } == 0 {
        return Err(Error::invalid("id", "device 0 does not exist"));
    }
    Ok(())
}

fn device() -> Device {
    Device {
        id: 7,
        base: 0xfee0_0000,
        irq: 11,
        ctrl: 0x42,
        status: 0x1234,
        scale: 1.5,
        enabled: true,
        masked: false,
        channels: [
            Channel {
                count: 1000,
                mode: 3,
                armed: true,
            },
            Channel {
                count: 50,
                mode: 1,
                armed: false,
            },
        ],
        scratch: 0xdead_beef,
    }
}

fn saved(d: &Device) -> DeviceHeader {
    let mut h = DeviceHeader::default();
    h.save(d);
    h
}

#[test]
fn a_packed_header_has_no_padding_and_the_table_says_so() {
    assert_eq!(size_of::<DeviceHeader>(), 1 + 8 + 4 + 4 + 2 + 4 + 1 + 2 * 6 + 8 + 3);
    let offsets: Vec<usize> = DeviceHeader::FIELDS.iter().map(|f| f.offset).collect();
    assert_eq!(offsets, [0, 1, 9, 13, 17, 19, 23, 24, 36, 44]);
}

#[test]
fn every_mode_round_trips_between_packed_structs() {
    let live = device();
    let h = saved(&live);
    assert_eq!(
        h,
        DeviceHeader {
            id: 7,
            base: 0xfee0_0000,
            irq: 11,
            ctrl: 0x42,
            status: 0x1234,
            scale: 1.5f32.to_bits(),
            flags: DeviceHeader::FLAGS_ENABLED,
            channels: [
                ChannelHeader {
                    count: 1000,
                    mode: 3,
                    flags: ChannelHeader::FLAGS_ARMED
                },
                ChannelHeader {
                    count: 50,
                    mode: 1,
                    flags: 0
                },
            ],
            scratch: 0xdead_beef,
            reserved: [0; 3],
        }
    );
    let mut back = Device {
        base: 0xabc,
        status: 0xff00,
        scratch: 5,
        ..Device::default()
    };
    h.restore(&mut back).unwrap();
    assert_eq!(
        back,
        Device {
            base: 0xfee0_0abc, // the bits outside the mask kept their live value
            status: 0xff34,
            scratch: 5, // save_only
            ..live
        }
    );
}

#[test]
fn every_check_refuses_before_any_write() {
    let good = saved(&device());
    let cases: [(DeviceHeader, ErrorKind, &str); 7] = [
        (
            DeviceHeader { irq: 0x1_0000, ..good },
            ErrorKind::OutOfRange {
                value: Value::Unsigned(0x1_0000),
                live_type: "u16",
            },
            "header field `irq` (live `irq`) holds 65536 (0x10000), which does not fit the live type `u16`",
        ),
        (
            DeviceHeader { ctrl: 0x100, ..good },
            ErrorKind::MaskViolation { bits: 0x100 },
            "header field `ctrl` (live `ctrl`) has bits 0x100 set outside its strict mask",
        ),
        (
            DeviceHeader { flags: 0x84, ..good },
            ErrorKind::UnknownFlags { bits: 0x84 },
            "header field `flags` has flag bits 0x84 set that no flag declares",
        ),
        (
            DeviceHeader {
                channels: [
                    good.channels[0],
                    ChannelHeader {
                        mode: 9,
                        ..good.channels[1]
                    },
                ],
                ..good
            },
            ErrorKind::MaskViolation { bits: 0x8 },
            "header field `channels[1].mode` (live `channels[1].mode`) has bits 0x8 set outside its strict mask",
        ),
        (
            DeviceHeader {
                channels: [
                    ChannelHeader {
                        flags: 2,
                        ..good.channels[0]
                    },
                    good.channels[1],
                ],
                ..good
            },
            ErrorKind::UnknownFlags { bits: 2 },
            "header field `channels[0].flags` has flag bits 0x2 set that no flag declares",
        ),
        (
            DeviceHeader {
                reserved: [0, 1, 0],
                ..good
            },
            ErrorKind::ReservedNotZero,
            "header field `reserved` is reserved but not zero",
        ),
        (
            DeviceHeader { id: 0, ..good },
            ErrorKind::Invalid {
                reason: "device 0 does not exist",
            },
            "header field `id` (live `id`) is invalid: device 0 does not exist",
        ),
    ];
    for (h, kind, text) in cases {
        let before = Device {
            id: 1,
            ..Device::default()
        };
        let mut live = before;
        let err = h.restore(&mut live).unwrap_err();
        assert_eq!((err.kind(), err.to_string().as_str()), (kind, text));
        assert_eq!(live, before, "{text}: nothing written");
    }
}

#[test]
fn a_packed_record_goes_through_an_image() {
    use cr_core::image::{Reader, Writer};
    let h = saved(&device());
    let mut w = Writer::new(Vec::new(), 0x50).unwrap();
    w.write(0, &h).unwrap();
    let bytes = w.finish().unwrap();
    let mut r = Reader::new(&bytes, 0x50).unwrap();
    let (_, back) = r.read::<DeviceHeader>().unwrap();
    r.finish().unwrap();
    assert_eq!(back, h);
}

fn any_device() -> impl Strategy<Value = Device> {
    (
        (
            any::<u8>(),
            any::<u64>(),
            any::<u16>(),
            any::<u32>(),
            any::<u16>(),
            any::<u32>(),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            any::<[(u32, u8, bool); 2]>(),
            any::<u64>(),
        ),
    )
        .prop_map(
            |((id, base, irq, ctrl, status, scale), (enabled, masked, ch, scratch))| Device {
                id,
                base,
                irq,
                ctrl,
                status,
                scale: f32::from_bits(scale),
                enabled,
                masked,
                channels: ch.map(|(count, mode, armed)| Channel { count, mode, armed }),
                scratch,
            },
        )
}

fn bytes_of(d: &Device) -> Vec<u8> {
    // A packed struct has no padding: its fields' bytes are all of it.
    let mut out = vec![d.id];
    out.extend({ d.base }.to_ne_bytes());
    out.extend({ d.irq }.to_ne_bytes());
    out.extend({ d.ctrl }.to_ne_bytes());
    out.extend({ d.status }.to_ne_bytes());
    out.extend({ d.scale }.to_bits().to_ne_bytes());
    out.extend([u8::from(d.enabled), u8::from(d.masked)]);
    for c in d.channels {
        out.extend({ c.count }.to_ne_bytes());
        out.extend([c.mode, u8::from(c.armed)]);
    }
    out.extend({ d.scratch }.to_ne_bytes());
    out
}

/// Restores `h` into a copy of `before`: accepted exactly when every check passes, and a refusal
/// leaves the packed device bit for bit as it was.
fn all_or_nothing(h: DeviceHeader, before: Device) -> Result<(), TestCaseError> {
    let mut live = before;
    let valid = { h.id } != 0
        && u16::try_from(h.irq).is_ok()
        && { h.ctrl } & !CTRL_USER == 0
        && h.flags & !0b11 == 0
        && h.channels.iter().all(|c| c.mode & !7 == 0 && c.flags & !1 == 0)
        && h.reserved == [0; 3];
    match h.restore(&mut live) {
        Ok(()) => {
            prop_assert!(valid);
            // Saved again, the device gives the header back, but for what restore keeps live:
            // the masked-out bits of `base` and `status`, and the `save_only` scratch.
            let mut again = saved(&live);
            again.scratch = h.scratch;
            let mut expected = h;
            expected.base = ({ h.base } & !0xfff) | ({ before.base } & 0xfff);
            expected.status = ({ h.status } & !STATUS_KEEP) | ({ before.status } & STATUS_KEEP);
            prop_assert_eq!(again, expected);
        }
        Err(_) => {
            prop_assert!(!valid);
            prop_assert_eq!(bytes_of(&live), bytes_of(&before));
        }
    }
    Ok(())
}

proptest! {
    /// Any header bytes into any device (nearly always refused: the checks reject random bytes).
    #[test]
    fn restore_into_a_packed_device_is_all_or_nothing(raw in prop::collection::vec(any::<u8>(), 47), before in any_device()) {
        all_or_nothing(DeviceHeader::read_from_bytes(&raw).unwrap(), before)?;
    }

    /// A device's saved header, as is or with one byte changed, into any device: the accepted
    /// case (and a refusal at each check) is reached as often as the random one is not.
    #[test]
    fn restore_of_a_saved_or_damaged_header_is_all_or_nothing(
        source in any_device(),
        before in any_device(),
        damage in prop::option::weighted(0.5, (0usize..47, any::<u8>())),
    ) {
        // A device whose state passes every check (any_device's ctrl and modes mostly do not).
        let mut source = source;
        source.id = source.id.max(1);
        source.ctrl &= CTRL_USER;
        for c in &mut source.channels {
            c.mode &= 7;
        }
        let mut bytes = saved(&source).as_bytes().to_vec();
        if let Some((at, value)) = damage {
            bytes[at] = value;
        }
        all_or_nothing(DeviceHeader::read_from_bytes(&bytes).unwrap(), before)?;
    }
}
