//! Nested headers: a header composed of headers and arrays of them, restored transactionally at
//! every depth, with errors that name the whole route.

use cr_core::layout::Mode;
use cr_core::zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};
use cr_core::{CrCopy, Error, ErrorKind, Layout, LayoutTable};
use proptest::prelude::*;
use std::cell::RefCell;

thread_local! {
    /// The hooks' calls, in order.
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn log(entry: String) {
    LOG.with(|l| l.borrow_mut().push(entry));
}

fn take_log() -> Vec<String> {
    LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Segment {
    pub base: u64,
    pub limit: u32,
    pub selector: u16,
    pub dpl: u8,
    pub present: bool,
    pub loads: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sregs {
    pub cs: Segment,
    pub segs: [Segment; 4],
    pub cr0: u64,
    pub loads: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Vcpu {
    pub rip: u64,
    pub sregs: Sregs,
    pub loads: u32,
}

#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(target = Segment, validate = check_segment, after_restore = load_segment)]
#[cr(cover(Segment = ""), ignore = "loads")]
pub struct SegmentHeader {
    #[cr(path = "base")]
    pub base: u64,
    #[cr(path = "limit")]
    pub limit: u32,
    #[cr(path = "selector")]
    pub selector: u16,
    #[cr(path = "dpl", strict_mask = 3)]
    pub dpl: u8,
    #[cr(flag(bit = 0, path = "present"))]
    pub flags: u8,
}

/// A present segment has a limit.
fn check_segment(h: &SegmentHeader, _: &Segment) -> Result<(), Error> {
    log(format!("validate segment {:#x}", h.selector));
    if h.flags & SegmentHeader::FLAGS_PRESENT != 0 && h.limit == 0 {
        return Err(Error::invalid("limit", "a present segment has a limit"));
    }
    Ok(())
}

fn load_segment(s: &mut Segment) {
    log(format!("after segment {:#x}", s.selector));
    s.loads += 1;
}

#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(target = Sregs, validate = check_sregs, after_restore = load_sregs)]
#[cr(cover(Sregs = ""), ignore = "loads")]
pub struct SregsHeader {
    #[cr(path = "cs", nested)]
    pub cs: SegmentHeader,
    #[cr(path = "segs", nested)]
    pub segs: [SegmentHeader; 4],
    #[cr(path = "cr0")]
    pub cr0: u64,
}

const CR0_PE: u64 = 1;
const CR0_PG: u64 = 1 << 31;

fn check_sregs(h: &SregsHeader, _: &Sregs) -> Result<(), Error> {
    log("validate sregs".into());
    if h.cr0 & CR0_PG != 0 && h.cr0 & CR0_PE == 0 {
        return Err(Error::invalid("cr0", "paging without protection"));
    }
    Ok(())
}

fn load_sregs(s: &mut Sregs) {
    log("after sregs".into());
    s.loads += 1;
}

#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(target = Vcpu, record = 3, validate = check_vcpu, after_restore = load_vcpu)]
pub struct VcpuHeader {
    #[cr(path = "rip")]
    pub rip: u64,
    #[cr(path = "sregs", nested)]
    pub sregs: SregsHeader,
}

fn check_vcpu(_: &VcpuHeader, _: &Vcpu) -> Result<(), Error> {
    log("validate vcpu".into());
    Ok(())
}

fn load_vcpu(v: &mut Vcpu) {
    log("after vcpu".into());
    v.loads += 1;
}

fn segment(i: u16) -> Segment {
    Segment {
        base: 0x1000 * u64::from(i),
        limit: 0xffff,
        selector: 8 * i,
        dpl: (i % 4) as u8,
        present: i % 2 == 0,
        loads: 0,
    }
}

fn vcpu() -> Vcpu {
    Vcpu {
        rip: 0x7c00,
        sregs: Sregs {
            cs: segment(1),
            segs: [segment(2), segment(3), segment(4), segment(5)],
            cr0: CR0_PE | CR0_PG,
            loads: 0,
        },
        loads: 0,
    }
}

fn saved(live: &Vcpu) -> VcpuHeader {
    let mut h = VcpuHeader::default();
    h.save(live);
    h
}

#[test]
fn nested_headers_round_trip() {
    let live = vcpu();
    let h = saved(&live);
    assert_eq!(h.sregs.segs[2].base, 0x4000);
    assert_eq!(h.sregs.cs.flags, 0);
    assert_eq!(h.sregs.segs[0].flags, SegmentHeader::FLAGS_PRESENT);
    let mut back = Vcpu::default();
    h.restore(&mut back).unwrap();
    take_log();
    // The hooks ran once each: five segments, the sregs, the vcpu.
    let mut expected = live;
    expected.loads = 1;
    expected.sregs.loads = 1;
    expected.sregs.cs.loads = 1;
    for s in &mut expected.sregs.segs {
        s.loads = 1;
    }
    assert_eq!(back, expected);
}

#[test]
fn hooks_run_in_the_contract_order() {
    let h = saved(&vcpu());
    take_log();
    let mut back = Vcpu::default();
    h.restore(&mut back).unwrap();
    assert_eq!(
        take_log(),
        [
            "validate segment 0x8",
            "validate segment 0x10",
            "validate segment 0x18",
            "validate segment 0x20",
            "validate segment 0x28",
            "validate sregs",
            "validate vcpu",
            "after segment 0x8",
            "after segment 0x10",
            "after segment 0x18",
            "after segment 0x20",
            "after segment 0x28",
            "after sregs",
            "after vcpu",
        ]
    );
}

#[test]
fn an_error_two_levels_down_names_the_whole_route() {
    let mut h = saved(&vcpu());
    h.sregs.segs[2].dpl = 4;
    let before = Vcpu::default();
    let mut live = before;
    take_log();
    let err = h.restore(&mut live).unwrap_err();
    assert_eq!(live, before, "nothing written");
    assert_eq!(err.kind(), ErrorKind::MaskViolation { bits: 4 });
    assert_eq!((err.field(), err.path()), (Some("sregs"), Some("sregs")));
    assert_eq!((err.leaf_field(), err.leaf_path()), (Some("dpl"), Some("dpl")));
    assert!(err.is_nested());
    assert_eq!(
        err.to_string(),
        "header field `sregs.segs[2].dpl` (live `sregs.segs[2].dpl`) has bits 0x4 set outside its strict mask"
    );
    // The checks stopped at the fault: no validator after it ran, no hook at all.
    assert_eq!(
        take_log(),
        ["validate segment 0x8", "validate segment 0x10", "validate segment 0x18"]
    );
}

#[test]
fn a_nested_validator_error_is_routed_too() {
    let mut h = saved(&vcpu());
    h.sregs.cs.limit = 0;
    h.sregs.cs.flags = SegmentHeader::FLAGS_PRESENT;
    let mut live = Vcpu::default();
    let err = h.restore(&mut live).unwrap_err();
    assert_eq!(live, Vcpu::default());
    assert_eq!(
        err.to_string(),
        "header field `sregs.cs.limit` (live `sregs.cs.limit`) is invalid: a present segment has a limit"
    );
    // A flag word has no live path: the route is still named.
    let mut h = saved(&vcpu());
    h.sregs.segs[3].flags = 0x80;
    let err = h.restore(&mut live).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header field `sregs.segs[3].flags` has flag bits 0x80 set that no flag declares"
    );
    // The middle header's own validator.
    let mut h = saved(&vcpu());
    h.sregs.cr0 = CR0_PG;
    let err = h.restore(&mut live).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header field `sregs.cr0` (live `sregs.cr0`) is invalid: paging without protection"
    );
    assert_eq!(live, Vcpu::default());
    take_log();
}

#[test]
fn the_layout_reaches_the_nested_tables() {
    let row = &SregsHeader::FIELDS[1];
    assert_eq!(
        (row.name, row.path, row.size),
        ("segs", Some("segs"), 4 * size_of::<SegmentHeader>())
    );
    let Mode::Nested(nested) = row.mode else {
        panic!("segs is nested: {:?}", row.mode)
    };
    assert_eq!(nested.name, "SegmentHeader");
    assert_eq!(nested.len, Some(4));
    assert_eq!(nested.fields, SegmentHeader::FIELDS);
    assert_eq!(nested.fingerprint, SegmentHeader::FINGERPRINT);
    let table = LayoutTable::<VcpuHeader>::new().to_string();
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines.contains(&"    40     8  sregs.segs[1].base       u64                  path         sregs.segs[1].base"),
        "{table}"
    );
    assert!(
        lines.contains(&"                                                            bit 0 PRESENT present"),
        "{table}"
    );
}

mod changed {
    //! The same headers with one inner field changed: the outer fingerprint changes with it.
    use super::{Segment, Sregs};
    use cr_core::CrCopy;

    #[derive(CrCopy, Clone, Copy, Default)]
    #[repr(C)]
    #[cr(target = Segment)]
    pub struct SegmentHeader {
        #[cr(path = "base")]
        pub base: u64,
        #[cr(path = "limit")]
        pub limit: u32,
        #[cr(path = "selector")]
        pub selector: u16,
        #[cr(path = "dpl", strict_mask = 3)]
        pub dpl: u8,
        #[cr(flag(bit = 1, path = "present"))]
        pub flags: u8,
    }

    #[derive(CrCopy, Clone, Copy, Default)]
    #[repr(C)]
    #[cr(target = Sregs)]
    pub struct SregsHeader {
        #[cr(path = "cs", nested)]
        pub cs: SegmentHeader,
        #[cr(path = "segs", nested)]
        pub segs: [SegmentHeader; 4],
        #[cr(path = "cr0")]
        pub cr0: u64,
    }
}

#[test]
fn the_fingerprint_covers_nested_headers() {
    assert_ne!(SegmentHeader::FINGERPRINT, changed::SegmentHeader::FINGERPRINT);
    assert_ne!(SregsHeader::FINGERPRINT, changed::SregsHeader::FINGERPRINT);
}

#[test]
fn nested_records_dump_by_route() {
    use cr_core::dump::{dump, Kind};
    use cr_core::image::Writer;
    let mut w = Writer::new(Vec::new(), 0x42).unwrap();
    w.write(0, &saved(&vcpu())).unwrap();
    let bytes = w.finish().unwrap();
    let mut out = String::new();
    dump(&bytes, 0x42, &[Kind::of::<VcpuHeader>()], &mut out).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    for line in [
        "    rip                      rip                                      0x7c00",
        "    sregs.cs.selector        sregs.cs.selector                        0x8",
        "    sregs.segs[2].base       sregs.segs[2].base                       0x4000",
        "    sregs.segs[2].flags      -                                        0x1 PRESENT",
        "    sregs.cr0                sregs.cr0                                0x80000001",
    ] {
        assert!(lines.contains(&line), "dump lacks {line:?}:\n{out}");
    }
}

fn any_segment() -> impl Strategy<Value = Segment> {
    (any::<u64>(), 1..u32::MAX, any::<u16>(), 0u8..4, any::<bool>()).prop_map(
        |(base, limit, selector, dpl, present)| Segment {
            base,
            limit,
            selector,
            dpl,
            present,
            loads: 0,
        },
    )
}

fn any_vcpu() -> impl Strategy<Value = Vcpu> {
    (
        any::<u64>(),
        any_segment(),
        prop::array::uniform4(any_segment()),
        any::<u64>(),
    )
        .prop_map(|(rip, cs, segs, cr0)| Vcpu {
            rip,
            sregs: Sregs {
                cs,
                segs,
                cr0: cr0 | CR0_PE,
                loads: 0,
            },
            loads: 0,
        })
}

/// A fault in one segment: which segment (0 = cs, 1..=4 = segs[i - 1]) and what.
#[derive(Clone, Copy, Debug)]
enum Fault {
    Dpl(u8),
    Flags(u8),
    Limit,
}

fn any_fault() -> impl Strategy<Value = (usize, Fault)> {
    (
        0usize..5,
        prop_oneof![
            (4u8..=255).prop_map(Fault::Dpl),
            (2u8..=255)
                .prop_map(|f| Fault::Flags(f & !1))
                .prop_filter("a set bit", |f| !matches!(f, Fault::Flags(0))),
            Just(Fault::Limit),
        ],
    )
}

proptest! {
    #[test]
    fn random_nested_values_round_trip(live in any_vcpu()) {
        let h = saved(&live);
        let mut back = Vcpu::default();
        h.restore(&mut back).unwrap();
        take_log();
        let mut again = VcpuHeader::default();
        again.save(&back);
        prop_assert_eq!(again, h);
        prop_assert_eq!(back.sregs.segs, live.sregs.segs.map(|s| Segment { loads: 1, ..s }));
    }

    #[test]
    fn a_fault_at_any_depth_leaves_the_live_object_untouched(
        live in any_vcpu(),
        before in any_vcpu(),
        (which, fault) in any_fault(),
    ) {
        let mut h = saved(&live);
        let seg = match which {
            0 => &mut h.sregs.cs,
            i => &mut h.sregs.segs[i - 1],
        };
        let (leaf, text) = match fault {
            Fault::Dpl(dpl) => {
                seg.dpl = dpl;
                ("dpl", format!("(live `{{}}.dpl`) has bits {:#x} set outside its strict mask", dpl & !3))
            }
            Fault::Flags(bits) => {
                seg.flags |= bits;
                ("flags", format!("has flag bits {bits:#x} set that no flag declares"))
            }
            Fault::Limit => {
                seg.limit = 0;
                seg.flags |= SegmentHeader::FLAGS_PRESENT;
                ("limit", "(live `{}.limit`) is invalid: a present segment has a limit".to_string())
            }
        };
        let route = match which {
            0 => "sregs.cs".to_string(),
            i => format!("sregs.segs[{}]", i - 1),
        };
        let mut target = before;
        let err = h.restore(&mut target).unwrap_err();
        take_log();
        prop_assert_eq!(target, before);
        prop_assert_eq!(err.field(), Some("sregs"));
        prop_assert_eq!(err.leaf_field(), Some(leaf));
        let expected = format!("header field `{route}.{leaf}` {}", text.replace("{}", &route));
        prop_assert_eq!(err.to_string(), expected);
    }
}

/// An array field's length may be a literal, a constant or an expression, and zero: the derive
/// loops over the elements with the length as written (and `[H; 0]` is no index out of bounds).
mod lengths {
    use super::{Segment, SegmentHeader};
    use cr_core::CrCopy;

    pub const PAIR: usize = 2;

    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Tables {
        pub none: [Segment; 0],
        pub pair: [Segment; 2],
        pub six: [Segment; 6],
    }

    #[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq)]
    #[cr(target = Tables)]
    pub struct TablesHeader {
        #[cr(path = "none", nested)]
        pub none: [SegmentHeader; 0],
        #[cr(path = "pair", nested)]
        pub pair: [SegmentHeader; PAIR],
        #[cr(path = "six", nested)]
        pub six: [SegmentHeader; PAIR * 3],
    }
}

#[test]
fn array_lengths_as_literal_constant_expression_and_zero() {
    use lengths::{Tables, TablesHeader};
    let segment = |i: u16| Segment {
        base: 0x1000 * u64::from(i),
        limit: 0xffff,
        selector: i,
        dpl: (i % 4) as u8,
        present: true,
        loads: 0,
    };
    let live = Tables {
        none: [],
        pair: [segment(1), segment(2)],
        six: core::array::from_fn(|i| segment(10 + i as u16)),
    };
    let mut header = TablesHeader::default();
    header.save(&live);
    assert_eq!(header.pair[1].selector, 2);
    assert_eq!(header.six[5].selector, 15);
    let mut restored = Tables::default();
    header.restore(&mut restored).unwrap();
    let expected = Tables {
        pair: live.pair.map(|s| Segment { loads: 1, ..s }),
        six: live.six.map(|s| Segment { loads: 1, ..s }),
        ..live
    };
    assert_eq!(restored, expected);
    take_log();

    // A fault in the last element of the expression-length array: nothing is written.
    header.six[5].dpl = 4;
    let before = restored;
    let err = header.restore(&mut restored).unwrap_err();
    assert_eq!(restored, before);
    assert_eq!(
        err.to_string(),
        "header field `six[5].dpl` (live `six[5].dpl`) has bits 0x4 set outside its strict mask"
    );
    take_log();
}
