//! Layout snapshots: the field table of each example header, committed in `tests/layout/`, so a
//! change to a header's image layout shows up in review as a diff of that table. After reading
//! the diff, regenerate with `CR_BLESS=1 cargo test --test layout`.

use cr::s390::{CrHdrCpu, CrHdrMmContext};
use cr_core::layout::{FieldInfo, Mode};
use cr_core::{CrCopy, ErrorKind, Layout, LayoutTable, Value};
use std::path::Path;

fn check_snapshot(name: &str, table: String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/layout")
        .join(format!("{name}.txt"));
    if std::env::var_os("CR_BLESS").is_some() {
        std::fs::write(&path, &table).expect("write layout snapshot");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        committed, table,
        "the layout of {name} changed; review it, then run `CR_BLESS=1 cargo test --test layout`"
    );
}

#[test]
fn s390_layouts_match_snapshots() {
    check_snapshot("cr_hdr_cpu", LayoutTable::<CrHdrCpu>::new().to_string());
    check_snapshot("cr_hdr_mm_context", LayoutTable::<CrHdrMmContext>::new().to_string());
}

/// The table is the header as the compiler laid it out: offsets ascend, fields do not overlap,
/// and with no implicit padding they add up to the size.
#[test]
fn field_table_matches_the_compiled_struct() {
    fn contiguous(fields: &[FieldInfo], size: usize) {
        let mut end = 0;
        for f in fields {
            assert_eq!(f.offset, end, "{} does not start where the previous field ends", f.name);
            end = f.offset + f.size;
        }
        assert_eq!(end, size);
    }
    contiguous(CrHdrCpu::FIELDS, size_of::<CrHdrCpu>());
    contiguous(CrHdrMmContext::FIELDS, size_of::<CrHdrMmContext>());
    assert_eq!(CrHdrCpu::FIELDS.len(), 19);
    // The nested PSW header: its row reaches its own table, laid out the same way.
    let psw = &CrHdrCpu::FIELDS[1];
    let Mode::Nested(nested) = psw.mode else {
        panic!("psw is nested: {:?}", psw.mode)
    };
    assert_eq!(
        (psw.name, psw.path, nested.name, nested.len),
        ("psw", Some("regs.psw"), "PswHeader", None)
    );
    contiguous(nested.fields, nested.size);
    assert_eq!(CrHdrCpu::NAME, "CrHdrCpu");

    let fpc = CrHdrCpu::FIELDS.iter().find(|f| f.name == "fpc").expect("fpc");
    assert_eq!(fpc.path, Some("thread.fp_regs.fpc"));
    assert_eq!(
        fpc.mode,
        Mode::StrictMask {
            mask: u64::from(cr::s390::FPC_VALID_MASK)
        }
    );
    assert_eq!(fpc.ty, "u32");
    let em = CrHdrCpu::FIELDS
        .iter()
        .find(|f| f.name == "em_instr")
        .expect("em_instr");
    let Mode::Flags(flags) = em.mode else {
        panic!("em_instr is a flag word: {:?}", em.mode)
    };
    assert_eq!(
        flags.iter().map(|f| (f.name, f.bit)).collect::<Vec<_>>(),
        [("SINGLE_STEP", 0), ("INSTRUCTION_FETCH", 1)]
    );
    assert_eq!(em.path, None);
    let vdso = CrHdrMmContext::FIELDS
        .iter()
        .find(|f| f.name == "vdso_base")
        .expect("vdso_base");
    assert_eq!((vdso.mode, vdso.path), (Mode::Skip, None));
}

/// The fingerprint is a const and tells layouts apart.
#[test]
fn fingerprints_are_const_and_distinct() {
    const CPU: u64 = CrHdrCpu::FINGERPRINT;
    const MM: u64 = CrHdrMmContext::FINGERPRINT;
    assert_ne!(CPU, MM);
    assert_ne!(CPU, 0);
}

mod drift {
    //! The same header before and after a change that only the layout sees.
    use cr_core::CrCopy;

    #[derive(Default)]
    pub struct Live {
        pub a: u32,
        pub b: u32,
        pub on: bool,
    }

    #[derive(CrCopy, Default)]
    #[cr(target = Live)]
    pub struct V1 {
        #[cr(path = "a")]
        pub a: u32,
        #[cr(path = "b")]
        pub b: u32,
    }

    /// Same fields, swapped order: offsets move.
    #[derive(CrCopy, Default)]
    #[cr(target = Live)]
    pub struct Swapped {
        #[cr(path = "b")]
        pub b: u32,
        #[cr(path = "a")]
        pub a: u32,
    }

    /// Same offsets, a field renamed.
    #[derive(CrCopy, Default)]
    #[cr(target = Live)]
    pub struct Renamed {
        #[cr(path = "a")]
        pub a: u32,
        #[cr(path = "b")]
        pub bee: u32,
    }

    /// A field widened through `convert`.
    #[derive(CrCopy, Default)]
    #[cr(target = Live)]
    pub struct Widened {
        #[cr(path = "a")]
        pub a: u32,
        #[cr(path = "b", convert)]
        pub b: u64,
    }

    /// A field's mode changed (same type and offset).
    #[derive(CrCopy, Default)]
    #[cr(target = Live)]
    pub struct Masked {
        #[cr(path = "a")]
        pub a: u32,
        #[cr(path = "b", mask = 0xff)]
        pub b: u32,
    }

    /// A flag moved to another bit.
    #[derive(CrCopy, Default)]
    #[cr(target = Live)]
    pub struct Flag0 {
        #[cr(flag(bit = 0, path = "on"))]
        pub f: u32,
    }

    #[derive(CrCopy, Default)]
    #[cr(target = Live)]
    pub struct Flag1 {
        #[cr(flag(bit = 1, path = "on"))]
        pub f: u32,
    }

    /// Identical to `V1` but for the name of the header type: layouts are equal.
    #[derive(CrCopy, Default)]
    #[cr(target = Live)]
    pub struct V1Again {
        #[cr(path = "a")]
        pub a: u32,
        #[cr(path = "b")]
        pub b: u32,
    }
}

#[test]
fn every_layout_change_changes_the_fingerprint() {
    use drift::*;
    let v1 = V1::FINGERPRINT;
    for (what, other) in [
        ("field order", Swapped::FINGERPRINT),
        ("field name", Renamed::FINGERPRINT),
        ("field type", Widened::FINGERPRINT),
        ("mode", Masked::FINGERPRINT),
    ] {
        assert_ne!(v1, other, "changing the {what} must change the fingerprint");
    }
    assert_ne!(
        Flag0::FINGERPRINT,
        Flag1::FINGERPRINT,
        "moving a flag must change the fingerprint"
    );
    assert_eq!(
        v1,
        V1Again::FINGERPRINT,
        "the header type's name is not part of the layout"
    );

    // And the headers still work.
    let mut live = Live { a: 1, b: 2, on: true };
    let mut h = Widened::default();
    h.save(&live);
    assert_eq!((h.a, h.b), (1, 2));
    h.b = u64::from(u32::MAX) + 1;
    let err = h.restore(&mut live).unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (
            ErrorKind::OutOfRange {
                value: Value::Unsigned(u64::from(u32::MAX) + 1),
                live_type: "u32"
            },
            Some("b")
        )
    );
}
