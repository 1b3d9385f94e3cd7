//! The `#![no_std]` user crate (`tests/no_std_user`) from the outside. That it builds proves the derive's output
//! passes `forbid(unsafe_code)` and `deny(warnings, missing_docs)` without `std`; these tests prove the headers it
//! declares, reaching cr-core through a re-export, really save and restore.

use cr_core::{CrCopy, ErrorKind, Value};
use cr_no_std_user::{Channel, Device, DeviceHdr, Lane, LinkHdr, PackedDevice, PackedDeviceHdr, View, CTRL_USER};
use zerocopy::{FromBytes, IntoBytes};

fn device() -> Device {
    Device {
        regs: [0x11, 0x22, 0x33, 0x44],
        gain: 1.25,
        ctrl: 0x1234_5678,
        irq: 42,
        mode: 0x5,
        powered: true,
        dma_enabled: false,
        uptime: 0xDEAD_BEEF,
        restores: 0,
    }
}

fn saved() -> DeviceHdr {
    let mut hdr = DeviceHdr {
        checksum: 0xFFFF,
        ..DeviceHdr::default()
    };
    hdr.save(&device());
    hdr
}

#[test]
fn save_fills_every_field_by_its_key() {
    let live = device();
    let hdr = saved();
    assert_eq!(hdr.regs, live.regs);
    assert_eq!(hdr.gain, live.gain.to_bits());
    assert_eq!(hdr.ctrl, live.ctrl);
    assert_eq!(hdr.irq, 42);
    assert_eq!(hdr.mode, 0x5);
    assert_eq!(hdr.state, DeviceHdr::STATE_POWERED);
    assert_eq!((DeviceHdr::STATE_DMA, DeviceHdr::STATE_ALL), (0b10, 0b11));
    assert_eq!(hdr.reserved, [0; 2]);
    assert_eq!(hdr.uptime, 0xDEAD_BEEF);
    assert_eq!(hdr.checksum, 0, "skip: save resets the field");
}

#[test]
fn restore_round_trips_and_keeps_masked_and_save_only_state() {
    let live = device();
    let mut back = Device {
        ctrl: 0xABCD_0000,
        dma_enabled: true,
        uptime: 7,
        ..Device::default()
    };
    saved().restore(&mut back).unwrap();
    assert_eq!(back.regs, live.regs);
    assert_eq!(back.gain, 1.25);
    assert_eq!(back.ctrl, 0xABCD_0000 | (live.ctrl & CTRL_USER));
    assert_eq!((back.irq, back.mode), (42, 0x5));
    assert_eq!((back.powered, back.dma_enabled), (true, false));
    assert_eq!(back.uptime, 7, "save_only: never restored");
    assert_eq!(back.restores, 1, "after_restore ran once");
}

#[test]
fn rejected_restores_name_the_fault_and_write_nothing() {
    let mut bytes = [0u8; 48];
    bytes.copy_from_slice(saved().as_bytes());
    bytes[30] = 1; // the first byte of `reserved`
    let cases: [(DeviceHdr, &str, ErrorKind); 5] = [
        (
            DeviceHdr::read_from_bytes(&bytes).unwrap(),
            "reserved",
            ErrorKind::ReservedNotZero,
        ),
        (
            DeviceHdr {
                mode: 0x0105,
                ..saved()
            },
            "mode",
            ErrorKind::MaskViolation { bits: 0x0100 },
        ),
        (
            DeviceHdr { irq: 256, ..saved() },
            "irq",
            ErrorKind::OutOfRange {
                value: Value::Unsigned(256),
                live_type: "u8",
            },
        ),
        (
            DeviceHdr {
                state: 0b1001,
                ..saved()
            },
            "state",
            ErrorKind::UnknownFlags { bits: 0b1000 },
        ),
        (
            DeviceHdr {
                gain: f32::NAN.to_bits(),
                ..saved()
            },
            "gain",
            ErrorKind::Invalid {
                reason: "not a finite number",
            },
        ),
    ];
    for (hdr, field, kind) in cases {
        let mut live = Device::default();
        let err = hdr.restore(&mut live).unwrap_err();
        assert_eq!((err.kind(), err.field()), (kind, Some(field)));
        assert_eq!(
            live,
            Device::default(),
            "{field}: nothing written, after_restore not run"
        );
    }
}

#[test]
fn view_header_saves_and_restores_two_objects() {
    let (mut device, mut channel) = (
        device(),
        Channel {
            addr: 0x8000,
            busy: true,
        },
    );
    let mut hdr = LinkHdr::default();
    hdr.save(&View {
        device: &mut device,
        channel: &mut channel,
    });
    assert_eq!((hdr.irq, hdr.flags, hdr.addr), (42, 0b11, 0x8000));

    let (mut device2, mut channel2) = (Device::default(), Channel::default());
    let mut view = View {
        device: &mut device2,
        channel: &mut channel2,
    };
    hdr.restore(&mut view).unwrap();
    assert_eq!((device2.irq, device2.powered), (42, true));
    assert_eq!(channel2, channel);

    let err = LinkHdr { irq: 300, ..hdr }
        .restore(&mut View {
            device: &mut device2,
            channel: &mut channel2,
        })
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.field(), err.path()),
        (
            ErrorKind::OutOfRange {
                value: Value::Unsigned(300),
                live_type: "u8"
            },
            Some("irq"),
            Some("device.irq")
        )
    );
}

#[test]
fn packed_structs_on_both_sides_from_a_no_std_crate() {
    let live = PackedDevice {
        rev: 3,
        base: 0x1234_5000,
        irq: 9,
        ctrl: 0x77,
        lanes: [
            Lane {
                reload: 100,
                running: true,
            },
            Lane {
                reload: 7,
                running: false,
            },
        ],
    };
    let mut hdr = PackedDeviceHdr::default();
    hdr.save(&live);
    assert_eq!(({ hdr.irq }, { hdr.lanes[0].reload }, hdr.lanes[0].flags), (9, 100, 1));
    let mut back = PackedDevice::default();
    hdr.restore(&mut back).unwrap();
    assert_eq!(back, live);

    hdr.lanes[1].flags = 0x10;
    let before = back;
    let err = hdr.restore(&mut back).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header field `lanes[1].flags` has flag bits 0x10 set that no flag declares"
    );
    assert_eq!(back, before);
}
