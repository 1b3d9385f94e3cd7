//! Hygiene, without the prelude: in a crate that has none, the derive's output must still resolve, so every name
//! it uses has to be absolute (`::core::...`, `::cr_core::...` or the `crate = "..."` path). Every key is used
//! below; if the build passes, the tests check the impls do what they say.
#![no_implicit_prelude]

use ::cr_core::{CrCopy, Error, ErrorKind};

/// The runtime through a re-export, for `crate = "..."`.
use ::cr_core as runtime;

const USER_BITS: u32 = 0x0000_00FF;
const LEVEL_VALID: u8 = 0x0F;

#[derive(
    ::core::clone::Clone, ::core::marker::Copy, ::core::fmt::Debug, ::core::default::Default, ::core::cmp::PartialEq,
)]
struct Live {
    words: [u64; 2],
    ratio: f64,
    port: u16,
    control: u32,
    level: u8,
    on: bool,
    fast: bool,
    stamp: u64,
    restores: u32,
}

#[derive(CrCopy, ::core::clone::Clone, ::core::marker::Copy, ::core::default::Default)]
#[cr(target = Live, validate = check, after_restore = restored, crate = "crate::runtime")]
#[cr(cover(Live = ""), ignore = "restores")]
struct Hdr {
    #[cr(path = "words")]
    words: [u64; 2],
    #[cr(path = "ratio", bits)]
    ratio: u64,
    #[cr(path = "port", convert)]
    port: u32,
    #[cr(path = "control", mask = USER_BITS)]
    control: u32,
    #[cr(path = "level", strict_mask = LEVEL_VALID)]
    level: u8,
    #[cr(flag(bit = 0, path = "on"), flag(bit = 5, path = "fast", name = "turbo"))]
    modes: u8,
    #[cr(path = "stamp", save_only)]
    stamp: u64,
    #[cr(skip)]
    note: u64,
    #[cr(reserved)]
    pad: [u8; 3],
}

fn check(hdr: &Hdr, _live: &Live) -> ::core::result::Result<(), Error> {
    if hdr.words[0] == 0 {
        return ::core::result::Result::Err(Error::invalid("words", "word 0 is never zero"));
    }
    ::core::result::Result::Ok(())
}

fn restored(live: &mut Live) {
    live.restores += 1;
}

struct Pair<'a> {
    left: &'a mut Live,
    right: &'a mut Live,
}

#[derive(CrCopy, ::core::default::Default)]
#[cr(target = Pair<'_>)]
struct PairHdr {
    #[cr(path = "left.port", convert)]
    port: u64,
    #[cr(path = "right.control", strict_mask = USER_BITS << 8 | USER_BITS)]
    control: u32,
    #[cr(
        flag(bit = 0, path = "left.on", name = "left"),
        flag(bit = 1, path = "right.on", name = "right")
    )]
    on: u16,
}

fn live() -> Live {
    Live {
        words: [7, 8],
        ratio: 0.5,
        port: 8080,
        control: 0x0000_1234,
        level: 9,
        on: true,
        fast: true,
        stamp: 99,
        restores: 0,
    }
}

#[test]
fn save_then_restore_without_the_prelude() {
    let src = live();
    let mut hdr = Hdr {
        note: 5,
        ..::core::default::Default::default()
    };
    hdr.save(&src);
    ::std::assert_eq!(
        (hdr.ratio, hdr.port, hdr.level, hdr.stamp, hdr.note),
        (0.5f64.to_bits(), 8080, 9, 99, 0)
    );
    ::std::assert_eq!(hdr.modes, Hdr::MODES_ON | Hdr::MODES_TURBO);
    ::std::assert_eq!(Hdr::MODES_ALL, 0b10_0001);

    let mut dst = Live {
        control: 0xFFFF_0000,
        ..::core::default::Default::default()
    };
    hdr.restore(&mut dst).unwrap();
    ::std::assert_eq!(
        dst,
        Live {
            control: 0xFFFF_0034,
            stamp: 0,
            restores: 1,
            ..src
        }
    );
}

#[test]
fn rejected_restore_without_the_prelude() {
    let mut hdr: Hdr = ::core::default::Default::default();
    hdr.save(&live());
    hdr.level = 0x1F;
    let mut dst: Live = ::core::default::Default::default();
    let err = hdr.restore(&mut dst).unwrap_err();
    ::std::assert_eq!(err.kind(), ErrorKind::MaskViolation { bits: 0x10 });
    ::std::assert_eq!(err.path(), ::core::option::Option::Some("level"));

    hdr.level = 0;
    hdr.words = [0, 1];
    let err = hdr.restore(&mut dst).unwrap_err();
    ::std::assert_eq!(
        err.kind(),
        ErrorKind::Invalid {
            reason: "word 0 is never zero"
        }
    );
    ::std::assert_eq!(dst, ::core::default::Default::default());
}

#[test]
fn view_header_without_the_prelude() {
    let (mut a, mut b) = (live(), Live { on: false, ..live() });
    let mut hdr: PairHdr = ::core::default::Default::default();
    hdr.save(&Pair {
        left: &mut a,
        right: &mut b,
    });
    ::std::assert_eq!((hdr.port, hdr.control, hdr.on), (8080, 0x1234, PairHdr::ON_LEFT));

    let (mut c, mut d): (Live, Live) = (::core::default::Default::default(), ::core::default::Default::default());
    hdr.restore(&mut Pair {
        left: &mut c,
        right: &mut d,
    })
    .unwrap();
    ::std::assert_eq!((c.port, c.on, d.control, d.on), (8080, true, 0x1234, false));

    hdr.control = 0x1_0000;
    let err = hdr
        .restore(&mut Pair {
            left: &mut c,
            right: &mut d,
        })
        .unwrap_err();
    ::std::assert_eq!(err.kind(), ErrorKind::MaskViolation { bits: 0x1_0000 });
}

/// Packed on both sides: the by-value forms resolve without the prelude too.
#[derive(::core::clone::Clone, ::core::marker::Copy, ::core::default::Default)]
#[repr(C, packed)]
struct PackedLive {
    tag: u8,
    word: u64,
    small: u16,
    on: bool,
}

#[derive(CrCopy, ::core::clone::Clone, ::core::marker::Copy, ::core::default::Default)]
#[repr(C, packed)]
#[cr(target = PackedLive, crate = "crate::runtime", cover(PackedLive = ""))]
struct PackedHdr {
    #[cr(path = "tag")]
    tag: u8,
    #[cr(path = "word", strict_mask = 0xffff)]
    word: u64,
    #[cr(path = "small", convert)]
    small: u32,
    #[cr(flag(bit = 3, path = "on"))]
    flags: u8,
}

#[test]
fn packed_without_the_prelude() {
    let live = PackedLive {
        tag: 1,
        word: 0x1234,
        small: 5,
        on: true,
    };
    let mut hdr: PackedHdr = ::core::default::Default::default();
    hdr.save(&live);
    ::std::assert_eq!(
        ({ hdr.word }, { hdr.small }, hdr.flags),
        (0x1234, 5, PackedHdr::FLAGS_ON)
    );
    let mut back: PackedLive = ::core::default::Default::default();
    hdr.restore(&mut back).unwrap();
    ::std::assert_eq!(({ back.word }, { back.small }, back.on), (0x1234, 5, true));
    hdr.small = 0x1_0000;
    ::std::assert_eq!(
        hdr.restore(&mut back).unwrap_err().kind(),
        ErrorKind::OutOfRange {
            value: ::cr_core::Value::Unsigned(0x1_0000),
            live_type: "u16"
        }
    );
}
