//! Records that outlive the binary: versions, frozen headers (`CrLayout`), `prev` chains with
//! derived and hand-written upgrades, and pinned fingerprints.

use cr_core::image::Record;
use cr_core::layout::Mode;
use cr_core::zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};
use cr_core::{CrCopy, CrLayout, Error, ErrorKind, Layout};
use proptest::prelude::*;

/// A payload in this machine's byte order, as a typed read hands a record of it to `decode`.
fn native(bytes: &[u8]) -> cr_core::image::Payload<'_> {
    cr_core::image::Payload::new(bytes, cr_core::image::ByteOrder::NATIVE)
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timer {
    pub count: u64,
    pub reload: u32,
    pub armed: bool,
    pub oneshot: bool,
    pub divider: u16,
    pub legacy: u32,
}

const TIMER: u32 = 0x31;

/// Version 1, as released, frozen: only its image side remains.
#[derive(CrLayout, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(record = TIMER, fingerprint = 0x04ca_43d4_a636_9e9d)]
pub struct TimerV1 {
    pub count: u32,
    pub reload: u32,
    #[cr(flag(bit = 0, name = "ARMED"))]
    pub flags: u8,
    #[cr(reserved)]
    pub pad: [u8; 3],
    pub legacy: u32,
}

/// The `CrCopy` header version 1 was before it was frozen: the same image format, so the same
/// fingerprint, whatever its mappings.
#[derive(CrCopy, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(target = Timer, record = TIMER)]
pub struct TimerV1Live {
    #[cr(path = "divider", convert)]
    pub count: u32,
    #[cr(path = "reload", strict_mask = 0xffff)]
    pub reload: u32,
    #[cr(flag(bit = 0, path = "armed"))]
    pub flags: u8,
    #[cr(reserved)]
    pub pad: [u8; 3],
    #[cr(path = "legacy", save_only)]
    pub legacy: u32,
}

/// Version 2, also released and frozen: a new flag and a new field with a default.
#[derive(CrLayout, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(record = TIMER, version = 2, prev = TimerV1)]
pub struct TimerV2 {
    pub count: u32,
    pub reload: u32,
    #[cr(flag(bit = 0, name = "ARMED"), flag(bit = 1, name = "ONESHOT"))]
    pub flags: u8,
    #[cr(reserved)]
    pub pad: [u8; 1],
    #[cr(since = 2, default = 1)]
    pub divider: u16,
    pub legacy: u32,
}

/// Version 3, the one this build writes: `count` widened to 64 bits, `legacy` dropped.
#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(target = Timer, record = TIMER, version = 3, prev = TimerV2, dropped = "legacy")]
pub struct TimerV3 {
    #[cr(path = "count")]
    pub count: u64,
    #[cr(path = "reload")]
    pub reload: u32,
    #[cr(flag(bit = 0, path = "armed"), flag(bit = 1, path = "oneshot"))]
    pub flags: u8,
    #[cr(reserved)]
    pub pad: [u8; 1],
    #[cr(path = "divider")]
    pub divider: u16,
}

/// The same record type with a hand-written step: version 2 renamed `reload` to `period` and
/// halves it.
#[derive(CrLayout, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(record = TIMER, version = 2, prev = TimerV1, upgrade = halve_period)]
pub struct PeriodV2 {
    pub count: u32,
    pub period: u32,
    #[cr(flag(bit = 0, name = "ARMED"))]
    pub flags: u8,
    #[cr(reserved)]
    pub pad: [u8; 7],
}

fn halve_period(v1: &TimerV1) -> Result<PeriodV2, Error> {
    if v1.reload % 2 != 0 {
        return Err(Error::invalid("period", "an odd reload has no half period"));
    }
    Ok(PeriodV2 {
        count: v1.count,
        period: v1.reload / 2,
        flags: v1.flags,
        pad: [0; 7],
    })
}

fn v1() -> TimerV1 {
    TimerV1 {
        count: 0xfffe_0001,
        reload: 500,
        flags: TimerV1::FLAGS_ARMED,
        pad: [0; 3],
        legacy: 77,
    }
}

#[test]
fn a_frozen_header_has_the_fingerprint_of_the_header_it_froze() {
    assert_eq!(TimerV1::FINGERPRINT, TimerV1Live::FINGERPRINT);
    assert_ne!(TimerV1::FINGERPRINT, TimerV2::FINGERPRINT);
    // Its table has no live side: data fields, flags by name.
    let [count, _, flags, pad, legacy] = TimerV1::FIELDS else {
        panic!("five fields")
    };
    assert_eq!((count.mode, count.path), (Mode::Data, None));
    assert_eq!((legacy.mode, pad.mode), (Mode::Data, Mode::Reserved));
    let Mode::Flags([armed]) = flags.mode else {
        panic!("one flag: {:?}", flags.mode)
    };
    assert_eq!((armed.name, armed.bit, armed.path), ("ARMED", 0, None));
    assert_eq!(TimerV2::FLAGS_ALL, 0b11);
}

#[test]
fn versions_and_the_chain() {
    assert_eq!((TimerV1::VERSION, TimerV2::VERSION, TimerV3::VERSION), (1, 2, 3));
    assert_eq!((TimerV1::OLDEST, TimerV2::OLDEST, TimerV3::OLDEST), (1, 1, 1));
    assert_eq!(
        TimerV3::layout_of(3),
        Some((TimerV3::FINGERPRINT, size_of::<TimerV3>()))
    );
    assert_eq!(
        TimerV3::layout_of(2),
        Some((TimerV2::FINGERPRINT, size_of::<TimerV2>()))
    );
    assert_eq!(
        TimerV3::layout_of(1),
        Some((TimerV1::FINGERPRINT, size_of::<TimerV1>()))
    );
    assert_eq!(TimerV3::layout_of(4), None);
    assert_eq!(TimerV3::layout_of(0), None);
    assert_eq!((TimerV3::OPTIONAL, PeriodV2::OPTIONAL), (false, false));
}

#[test]
fn version_1_upgrades_to_version_3_step_by_step() {
    let old = v1();
    let v3 = TimerV3::decode(1, native(old.as_bytes())).unwrap();
    assert_eq!(
        v3,
        TimerV3 {
            count: 0xfffe_0001, // widened, not sign-extended: it is unsigned
            reload: 500,
            flags: TimerV3::FLAGS_ARMED,
            pad: [0],
            divider: 1, // `since = 2, default = 1`
        }
    );
    // And the upgraded header restores like any other.
    let mut timer = Timer::default();
    v3.restore(&mut timer).unwrap();
    assert_eq!(
        (timer.count, timer.reload, timer.armed, timer.divider),
        (0xfffe_0001, 500, true, 1)
    );
}

#[test]
fn a_hand_written_step_runs_and_may_refuse() {
    let v2 = PeriodV2::decode(1, native(v1().as_bytes())).unwrap();
    assert_eq!(
        (v2.count, v2.period, v2.flags),
        (0xfffe_0001, 250, PeriodV2::FLAGS_ARMED)
    );
    let odd = TimerV1 { reload: 501, ..v1() };
    let err = PeriodV2::decode(1, native(odd.as_bytes())).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Invalid {
            reason: "an odd reload has no half period"
        }
    );
}

/// The upgrade written out by hand, as a reviewer would compute it.
fn by_hand(v1: &TimerV1) -> TimerV3 {
    TimerV3 {
        count: u64::from(v1.count),
        reload: v1.reload,
        flags: v1.flags,
        pad: [0],
        divider: 1,
    }
}

proptest! {
    #[test]
    fn random_version_1_records_read_as_version_3_equal_the_hand_computed_upgrade(
        count in any::<u32>(), reload in any::<u32>(), flags in 0u8..2, legacy in any::<u32>(),
    ) {
        let old = TimerV1 { count, reload, flags, pad: [0; 3], legacy };
        prop_assert_eq!(TimerV3::decode(1, native(old.as_bytes())).unwrap(), by_hand(&old));
    }
}

// ---------------------------------------------------------------------------------------------
// Reading: the chain through an image, unknown versions, optional records.
// ---------------------------------------------------------------------------------------------

use cr_core::image::{Reader, Writer};

const ARCH: u32 = 0x7e57;

/// A newer build's optional state, which this build may not know.
#[derive(CrLayout, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(record = 0x40, optional)]
pub struct Extra {
    pub hint: u64,
}

/// A mandatory record of another type.
#[derive(CrLayout, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(record = 0x41)]
pub struct Must {
    pub value: u64,
}

/// Version 4 of the timer, from a build newer than this one.
#[derive(CrLayout, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(record = TIMER, version = 4, prev = TimerV3)]
pub struct TimerV4 {
    pub count: u64,
    pub reload: u32,
    #[cr(flag(bit = 0, name = "ARMED"), flag(bit = 1, name = "ONESHOT"))]
    pub flags: u8,
    #[cr(reserved)]
    pub pad: [u8; 1],
    pub divider: u16,
    #[cr(since = 4)]
    pub jitter: u64,
}

/// A version 2 of the timer that is not this build's: another layout under a known version.
#[derive(CrLayout, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(record = TIMER, version = 2)]
pub struct ForeignV2 {
    pub count: u32,
    pub reload: u32,
    pub flags: u32,
    pub legacy: u32,
}

fn image(write: impl FnOnce(&mut Writer<Vec<u8>>)) -> Vec<u8> {
    let mut w = Writer::new(Vec::new(), ARCH).unwrap();
    write(&mut w);
    w.finish().unwrap()
}

#[test]
fn an_image_of_version_1_reads_as_version_3() {
    let bytes = image(|w| w.write(7, &v1()).unwrap());
    let mut r = Reader::new(&bytes, ARCH).unwrap();
    assert_eq!(r.peek().unwrap().map(|i| (i.ty, i.version)), Some((TIMER, 1)));
    let (parent, v3) = r.read::<TimerV3>().unwrap();
    r.finish().unwrap();
    assert_eq!((parent, v3), (7, by_hand(&v1())));
}

#[test]
fn a_version_outside_the_chain_is_refused_before_its_payload_is_read() {
    let bytes = image(|w| w.write(0, &TimerV4::default()).unwrap());
    let err = Reader::new(&bytes, ARCH).unwrap().read::<TimerV3>().unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::UnsupportedRecordVersion {
            ty: TIMER,
            found: 4,
            oldest: 1,
            newest: 3
        }
    );
    assert_eq!(err.offset(), Some(24 + 12));
    assert_eq!(
        err.to_string(),
        "image has a record of type 49 in version 4; this build reads versions 1 to 3 of it (at byte 36)"
    );
    // The newer build reads the older one's image, of course.
    let bytes = image(|w| w.write(0, &TimerV3::default()).unwrap());
    let (_, v4) = Reader::new(&bytes, ARCH).unwrap().read::<TimerV4>().unwrap();
    assert_eq!(v4.jitter, 0);
}

#[test]
fn a_known_version_with_another_layout_is_a_layout_mismatch() {
    let bytes = image(|w| w.write(0, &ForeignV2::default()).unwrap());
    let err = Reader::new(&bytes, ARCH).unwrap().read::<TimerV3>().unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::LayoutMismatch {
            expected: TimerV2::FINGERPRINT,
            found: ForeignV2::FINGERPRINT
        }
    );
}

#[test]
fn optional_records_are_skipped_mandatory_ones_are_not() {
    let bytes = image(|w| {
        w.write(0, &Extra { hint: 1 }).unwrap();
        w.write(0, &v1()).unwrap();
        w.write(0, &Must { value: 2 }).unwrap();
        w.write(0, &Extra { hint: 3 }).unwrap();
    });
    let mut r = Reader::new(&bytes, ARCH).unwrap();
    assert!(r.peek().unwrap().unwrap().optional);
    // `read` passes over the optional record it does not want.
    let (_, timer) = r.read::<TimerV3>().unwrap();
    assert_eq!(timer, by_hand(&v1()));
    // A mandatory record of another type stops `read_optional` without consuming anything...
    let at = r.offset();
    assert_eq!(r.read_optional::<Extra>().unwrap(), None);
    assert_eq!(r.offset(), at);
    // ...and is `WrongRecord` for `read`.
    let err = r.read::<Extra>().unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::WrongRecord {
            expected: 0x40,
            found: 0x41
        }
    );
    let (_, must) = r.read::<Must>().unwrap();
    assert_eq!(must.value, 2);
    assert_eq!(r.read_optional::<Extra>().unwrap(), Some((0, Extra { hint: 3 })));
    assert_eq!(r.read_optional::<Extra>().unwrap(), None);
    r.finish().unwrap();
}

#[test]
fn resized_reserved_room_must_be_zero_to_be_upgraded() {
    // Version 1's three reserved bytes became one in version 2: an upgrade cannot carry them,
    // so a record whose room is not zero is refused, as restoring it as version 1 would be.
    let dirty = TimerV1 { pad: [0, 9, 0], ..v1() };
    let err = TimerV3::decode(1, native(dirty.as_bytes())).unwrap_err();
    assert_eq!((err.kind(), err.field()), (ErrorKind::ReservedNotZero, Some("pad")));
    let bytes = image(|w| w.write(0, &dirty).unwrap());
    let err = Reader::new(&bytes, ARCH).unwrap().read::<TimerV3>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "header field `pad` is reserved but not zero (at byte 56)"
    );
}
