//! Hygiene, with the prelude shadowed: the crate root declares its own `Result`, `Ok`, `Err`, `Option`, `Some`,
//! `None`, `Default`, `From`, `TryFrom`, `Copy`, `Clone`, `mod core`, `mod cr_core`, and functions named like the
//! derive's locals (`src`, `dst`, `t`), called from mask expressions. Generated code that named any of them
//! relatively would pick up the local item and fail to build; the tests check behaviour once it builds.
#![allow(dead_code, reason = "the shadowing items exist only to be in scope")]

use ::cr_core::layout::Mode;
use ::cr_core::{CrCopy, Error, ErrorKind, Layout, Value};

/// The runtime through a re-export, for `crate = "..."`.
use ::cr_core as runtime;

pub enum Result<T, E> {
    Ok(T),
    Err(E),
}
pub use Result::{Err, Ok};
pub enum Option<T> {
    Some(T),
    None,
}
pub use Option::{None, Some};
pub trait Default {
    fn default() -> Self;
}
pub trait From<T> {
    fn from(value: T) -> Self;
}
pub trait TryFrom<T> {
    fn try_from(value: T) -> Self;
}
pub trait Copy {}
pub trait Clone {}
mod core {}
mod cr_core {}

const LOW: u32 = 0x0000_000F;
const fn src() -> u32 {
    0x0000_00F0
}
const fn dst() -> u16 {
    0x0003
}
const fn t() -> u16 {
    0x0004
}
/// Named like the `convert` field below, whose value restore keeps in a local of that name.
const fn lane() -> u16 {
    0x0008
}

#[derive(::core::clone::Clone, ::core::marker::Copy, Debug, PartialEq)]
struct Live {
    table: [u16; 4],
    scale: f32,
    lane: u8,
    ctrl: u32,
    mode: u16,
    ready: bool,
    halted: bool,
    clock: u64,
    restores: u32,
}

const LIVE: Live = Live {
    table: [1, 2, 3, 4],
    scale: -2.5,
    lane: 12,
    ctrl: 0x1234_5678,
    mode: 0x000D,
    ready: true,
    halted: false,
    clock: 1_000,
    restores: 0,
};

const ZERO: Live = Live {
    table: [0; 4],
    scale: 0.0,
    lane: 0,
    ctrl: 0,
    mode: 0,
    ready: false,
    halted: false,
    clock: 0,
    restores: 0,
};

/// Every key, the runtime reached through a re-export.
#[derive(CrCopy)]
#[cr(target = Live, validate = check, after_restore = restored, crate = "crate::runtime")]
#[cr(cover(Live = ""), ignore = "restores")]
struct Hdr {
    #[cr(path = "table")]
    table: [u16; 4],
    #[cr(path = "scale", bits)]
    scale: u32,
    #[cr(path = "lane", convert)]
    lane: u64,
    #[cr(path = "ctrl", mask = LOW | src())]
    ctrl: u32,
    #[cr(path = "mode", strict_mask = dst() | t() | lane())]
    mode: u16,
    #[cr(flag(bit = 0, path = "ready"), flag(bit = 7, path = "halted", name = "stop"))]
    state: u8,
    #[cr(path = "clock", save_only)]
    clock: u64,
    #[cr(skip)]
    spare: u32,
    #[cr(reserved)]
    pad: [u8; 4],
}

/// The same mapping with the runtime at its default path, `::cr_core`, beside the local `mod cr_core`.
#[derive(CrCopy)]
#[cr(target = Live, validate = check_plain, after_restore = restored)]
#[cr(cover(Live = ""), ignore = "restores")]
struct PlainHdr {
    #[cr(path = "table")]
    table: [u16; 4],
    #[cr(path = "scale", bits)]
    scale: u32,
    #[cr(path = "lane", convert)]
    lane: u64,
    #[cr(path = "ctrl", mask = LOW | src())]
    ctrl: u32,
    #[cr(path = "mode", strict_mask = dst() | t() | lane())]
    mode: u16,
    #[cr(flag(bit = 0, path = "ready"), flag(bit = 7, path = "halted", name = "stop"))]
    state: u8,
    #[cr(path = "clock", save_only)]
    clock: u64,
    #[cr(skip)]
    spare: u32,
    #[cr(reserved)]
    pad: [u8; 4],
}

fn check(hdr: &Hdr, _live: &Live) -> ::core::result::Result<(), Error> {
    refuse_nan(hdr.scale)
}

fn check_plain(hdr: &PlainHdr, _live: &Live) -> ::core::result::Result<(), Error> {
    refuse_nan(hdr.scale)
}

fn refuse_nan(scale: u32) -> ::core::result::Result<(), Error> {
    if f32::from_bits(scale).is_nan() {
        return ::core::result::Result::Err(Error::invalid("scale", "not a number"));
    }
    ::core::result::Result::Ok(())
}

fn restored(live: &mut Live) {
    live.restores += 1;
}

/// What a restore of `LIVE`'s image produces over a live object whose `ctrl` is `0xAAAA_AAAA` and whose
/// `clock` is 5.
const EXPECTED: Live = Live {
    ctrl: 0xAAAA_AA78,
    clock: 5,
    restores: 1,
    ..LIVE
};

#[test]
fn every_key_through_a_reexport_with_the_prelude_shadowed() {
    let mut hdr = Hdr {
        table: [0; 4],
        scale: 0,
        lane: 0,
        ctrl: 0,
        mode: 0,
        state: 0xFF,
        clock: 0,
        spare: 77,
        pad: [0; 4],
    };
    hdr.save(&LIVE);
    assert_eq!(
        (hdr.scale, hdr.lane, hdr.state, hdr.clock, hdr.spare),
        ((-2.5f32).to_bits(), 12, Hdr::STATE_READY, 1_000, 0)
    );
    assert_eq!((Hdr::STATE_STOP, Hdr::STATE_ALL), (0x80, 0x81));

    let mut live = Live {
        ctrl: 0xAAAA_AAAA,
        clock: 5,
        ..ZERO
    };
    hdr.restore(&mut live).unwrap();
    assert_eq!(live, EXPECTED);

    hdr.mode = 0x0010;
    let err = hdr.restore(&mut live).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MaskViolation { bits: 0x0010 });
    assert_eq!(live, EXPECTED, "a refused restore writes nothing");
}

#[test]
fn every_key_at_the_default_path_with_the_prelude_shadowed() {
    let mut hdr = PlainHdr {
        table: [0; 4],
        scale: 0,
        lane: 0,
        ctrl: 0,
        mode: 0,
        state: 0,
        clock: 0,
        spare: 77,
        pad: [0; 4],
    };
    hdr.save(&LIVE);
    let mut live = Live {
        ctrl: 0xAAAA_AAAA,
        clock: 5,
        ..ZERO
    };
    hdr.restore(&mut live).unwrap();
    assert_eq!(live, EXPECTED);

    hdr.lane = 0x100;
    let err = hdr.restore(&mut live).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::OutOfRange {
            value: Value::Unsigned(0x100),
            live_type: "u8"
        }
    );
    hdr.lane = 12;
    hdr.scale = f32::NAN.to_bits();
    let err = hdr.restore(&mut live).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid { reason: "not a number" });
    assert_eq!(
        err.path(),
        ::core::option::Option::Some("scale"),
        "the validator's error is located on the live path"
    );
    assert_eq!(live, EXPECTED, "a refused restore writes nothing");
}

#[test]
fn layout_is_the_same_through_either_path() {
    assert_eq!(<Hdr as Layout>::FINGERPRINT, <PlainHdr as Layout>::FINGERPRINT);
    assert_eq!(<Hdr as Layout>::FIELDS, <PlainHdr as Layout>::FIELDS);
    let modes: ::std::vec::Vec<Mode> = <Hdr as Layout>::FIELDS.iter().map(|f| f.mode).collect();
    assert_eq!(modes[3], Mode::Mask { mask: 0xFF });
    assert_eq!(modes[4], Mode::StrictMask { mask: 0xF });
    assert_eq!((modes[7], modes[8]), (Mode::Skip, Mode::Reserved));
}
