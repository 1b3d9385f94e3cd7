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
    assert_eq!(CrHdrCpu::FIELDS.len(), 20);
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
    //! One header, `V1`, and variants of it: those that change the bytes an image holds, and
    //! those that change only how the header is copied.
    use cr_core::CrCopy;

    #[derive(Default)]
    pub struct Live {
        pub a: u32,
        pub b: u32,
        pub c: u32,
        pub on: bool,
        pub words: [u16; 4],
    }

    /// The type of `b`, under another name.
    pub type Word = u32;

    fn never(_: &V1, _: &Live) -> Result<(), cr_core::Error> {
        Ok(())
    }

    macro_rules! header {
        ($name:ident { $($body:tt)* }) => {
            #[derive(CrCopy, Default)]
            #[repr(C)]
            #[cr(target = Live)]
            pub struct $name { $($body)* }
        };
        ($name:ident ($($attr:tt)*) { $($body:tt)* }) => {
            #[derive(CrCopy, Default)]
            #[repr(C)]
            #[cr(target = Live, $($attr)*)]
            pub struct $name { $($body)* }
        };
    }

    header!(V1 {
        #[cr(path = "a")] pub a: u32,
        #[cr(path = "b")] pub b: u32,
        #[cr(flag(bit = 0, path = "on"))] pub flags: u8,
        #[cr(reserved)] pub pad: [u8; 3],
        #[cr(path = "words")] pub words: [u16; 4],
    });

    // The same format: only how the header is copied differs.
    header!(V1Again {
        #[cr(path = "a")] pub a: u32,
        #[cr(path = "b")] pub b: u32,
        #[cr(flag(bit = 0, path = "on"))] pub flags: u8,
        #[cr(reserved)] pub pad: [u8; 3],
        #[cr(path = "words")] pub words: [u16; 4],
    });
    header!(OtherPath {
        #[cr(path = "c")] pub a: u32,
        #[cr(path = "b")] pub b: u32,
        #[cr(flag(bit = 0, path = "on"))] pub flags: u8,
        #[cr(reserved)] pub pad: [u8; 3],
        #[cr(path = "words")] pub words: [u16; 4],
    });
    header!(Masked {
        #[cr(path = "a", mask = 0xff)] pub a: u32,
        #[cr(path = "b", strict_mask = 0xffff)] pub b: u32,
        #[cr(flag(bit = 0, path = "on"))] pub flags: u8,
        #[cr(reserved)] pub pad: [u8; 3],
        #[cr(path = "words")] pub words: [u16; 4],
    });
    header!(Spelt {
        #[cr(path = "a")] pub a: core::primitive::u32,
        #[cr(path = "b")] pub b: Word,
        #[cr(flag(bit = 0, path = "on"))] pub flags: ::core::primitive::u8,
        #[cr(reserved)] pub pad: [u8; 1 + 2],
        #[cr(path = "words")] pub words: [core::primitive::u16; 4],
    });
    header!(Modes (validate = never_again) {
        #[cr(path = "a", save_only)] pub a: u32,
        #[cr(skip)] pub b: u32,
        #[cr(flag(bit = 0, path = "on"))] pub flags: u8,
        #[cr(reserved)] pub pad: [u8; 3],
        #[cr(path = "words", bits)] pub words: [u16; 4],
    });
    fn never_again(_: &Modes, _: &Live) -> Result<(), cr_core::Error> {
        never(&V1::default(), &Live::default())
    }

    // Another format.
    header!(Swapped {
        #[cr(path = "b")] pub b: u32,
        #[cr(path = "a")] pub a: u32,
        #[cr(flag(bit = 0, path = "on"))] pub flags: u8,
        #[cr(reserved)] pub pad: [u8; 3],
        #[cr(path = "words")] pub words: [u16; 4],
    });
    header!(Renamed {
        #[cr(path = "a")] pub a: u32,
        #[cr(path = "b")] pub bee: u32,
        #[cr(flag(bit = 0, path = "on"))] pub flags: u8,
        #[cr(reserved)] pub pad: [u8; 3],
        #[cr(path = "words")] pub words: [u16; 4],
    });
    header!(Signed {
        #[cr(path = "a", convert)] pub a: i64,
        #[cr(path = "b")] pub b: u32,
        #[cr(flag(bit = 0, path = "on"))] pub flags: u8,
        #[cr(reserved)] pub pad: [u8; 3],
        #[cr(path = "words")] pub words: [u16; 4],
    });
    header!(SignedSameWidth {
        #[cr(path = "a", bits)] pub a: i32,
        #[cr(path = "b")] pub b: u32,
        #[cr(flag(bit = 0, path = "on"))] pub flags: u8,
        #[cr(reserved)] pub pad: [u8; 3],
        #[cr(path = "words")] pub words: [u16; 4],
    });
    header!(FloatSameWidth {
        #[cr(path = "a", bits)] pub a: f32,
        #[cr(path = "b")] pub b: u32,
        #[cr(flag(bit = 0, path = "on"))] pub flags: u8,
        #[cr(reserved)] pub pad: [u8; 3],
        #[cr(path = "words")] pub words: [u16; 4],
    });
    header!(ArrayShape {
        #[cr(path = "a")] pub a: u32,
        #[cr(path = "b")] pub b: u32,
        #[cr(flag(bit = 0, path = "on"))] pub flags: u8,
        #[cr(reserved)] pub pad: [u8; 3],
        #[cr(path = "words", bits)] pub words: [u8; 8],
    });
    header!(FlagBit {
        #[cr(path = "a")] pub a: u32,
        #[cr(path = "b")] pub b: u32,
        #[cr(flag(bit = 1, path = "on"))] pub flags: u8,
        #[cr(reserved)] pub pad: [u8; 3],
        #[cr(path = "words")] pub words: [u16; 4],
    });
    header!(FlagName {
        #[cr(path = "a")] pub a: u32,
        #[cr(path = "b")] pub b: u32,
        #[cr(flag(bit = 0, path = "on", name = "POWER"))] pub flags: u8,
        #[cr(reserved)] pub pad: [u8; 3],
        #[cr(path = "words")] pub words: [u16; 4],
    });
    header!(PadIsData {
        #[cr(path = "a")] pub a: u32,
        #[cr(path = "b")] pub b: u32,
        #[cr(flag(bit = 0, path = "on"))] pub flags: u8,
        #[cr(skip)] pub pad: [u8; 3],
        #[cr(path = "words")] pub words: [u16; 4],
    });
    header!(Longer {
        #[cr(path = "a")] pub a: u32,
        #[cr(path = "b")] pub b: u32,
        #[cr(flag(bit = 0, path = "on"))] pub flags: u8,
        #[cr(reserved)] pub pad: [u8; 7],
        #[cr(path = "words")] pub words: [u16; 4],
    });
}

/// The fingerprint is the image format and only the format (issue 12, section 1).
#[test]
fn the_fingerprint_is_the_format_and_only_the_format() {
    use drift::*;
    let v1 = V1::FINGERPRINT;
    for (what, other) in [
        ("the header type's name", V1Again::FINGERPRINT),
        ("a live path", OtherPath::FINGERPRINT),
        ("masks", Masked::FINGERPRINT),
        (
            "how types are spelt (core::primitive, an alias, `1 + 2`)",
            Spelt::FINGERPRINT,
        ),
        ("save_only, skip, bits and a validator", Modes::FINGERPRINT),
    ] {
        assert_eq!(v1, other, "{what} must not change the fingerprint");
    }
    for (what, other) in [
        ("field order", Swapped::FINGERPRINT),
        ("a field's name", Renamed::FINGERPRINT),
        ("a field's type (and the offsets after it)", Signed::FINGERPRINT),
        ("signedness at the same width", SignedSameWidth::FINGERPRINT),
        ("a float at the same width", FloatSameWidth::FINGERPRINT),
        (
            "an array's element and length at the same size",
            ArrayShape::FINGERPRINT,
        ),
        ("a flag's bit", FlagBit::FINGERPRINT),
        ("a flag's name", FlagName::FINGERPRINT),
        ("reserved bytes becoming data", PadIsData::FINGERPRINT),
        ("the size", Longer::FINGERPRINT),
    ] {
        assert_ne!(v1, other, "{what} must change the fingerprint");
    }
}

/// The s390 headers' fingerprints, pinned: a change to either fails here first, and is a format
/// change (see the README on versions).
#[test]
fn s390_fingerprints_are_pinned() {
    assert_eq!(
        CrHdrCpu::FINGERPRINT,
        CPU_FINGERPRINT,
        "{:#018x}",
        CrHdrCpu::FINGERPRINT
    );
    assert_eq!(
        CrHdrMmContext::FINGERPRINT,
        MM_FINGERPRINT,
        "{:#018x}",
        CrHdrMmContext::FINGERPRINT
    );
}

const CPU_FINGERPRINT: u64 = 0xdf89_5702_9347_c09a;
const MM_FINGERPRINT: u64 = 0xa902_15e9_874e_3081;

#[test]
fn headers_with_every_variant_still_work() {
    use drift::*;
    let mut live = Live {
        a: 1,
        b: 2,
        on: true,
        ..Live::default()
    };
    let mut h = Signed::default();
    h.save(&live);
    assert_eq!((h.a, h.b, h.flags), (1, 2, Signed::FLAGS_ON));
    h.a = -1;
    let err = h.restore(&mut live).unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (
            ErrorKind::OutOfRange {
                value: Value::Signed(-1),
                live_type: "u32"
            },
            Some("a")
        )
    );
}
