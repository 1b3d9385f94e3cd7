//! Images that cross byte orders: a header record written on a machine of the other byte order
//! is converted field by field from its layout (integers, floats, `bool`s, arrays, nested headers
//! and arrays of them, flag words, list entries, every version of a `prev` chain; bulk bytes
//! untouched), then checked as usual. A field whose format gives nothing to convert by is refused
//! by name. Each image of "the other order" here is made from this machine's by
//! `cr::foreign::other_order`; `tests/golden.rs` holds images written on both kinds of machine.

use cr::foreign::{other_order, FOREIGN};
use cr::s390::{sample_task, CrHdrCpu, CrHdrCpuV1, CrHdrMmContext, Task, ARCH_S390X, KINDS};
use cr_core::dump::{dump, Kind};
use cr_core::image::{self, head, record, ByteOrder, Reader, Writer, DESCRIPTION, OPTIONAL};
use cr_core::layout::{Describe, Format};
use cr_core::{CrCopy, CrLayout, ErrorKind, Layout};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// A header with one field of every convertible shape.
#[derive(CrLayout, Clone, Copy, Debug, Default, PartialEq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(record = 20)]
struct Shapes {
    wide: u128,
    ratio: f64,
    scale: f32,
    delta: i16,
    small: [u16; 3],
    #[cr(flag(bit = 0, name = "ON"), flag(bit = 9, name = "HIGH"))]
    flags: u32,
    level: i8,
    byte: u8,
    #[cr(reserved)]
    pad: [u8; 6],
    #[cr(nested)]
    segs: [Seg; 2],
    #[cr(nested)]
    one: Seg,
    name: Name,
}

/// A nested header.
#[derive(CrLayout, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
struct Seg {
    base: u64,
    limit: u32,
    #[cr(flag(bit = 1, name = "PRESENT"))]
    attr: u16,
    dpl: u8,
    #[cr(reserved)]
    pad: u8,
}

/// Text: the same bytes in either byte order, and declared so.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
struct Name([u8; 16]);

impl Describe for Name {
    const FORMAT: Format = Format::Bytes { size: 16 };
}

/// Register bytes the layout cannot see into (a union of views, say).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
struct Xmm([u8; 16]);

impl Describe for Xmm {
    const FORMAT: Format = Format::Opaque { size: 16 };
}

/// A header holding opaque bytes, one level down.
#[derive(CrLayout, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(record = 21)]
struct Fpu {
    fcw: u64,
    #[cr(nested)]
    regs: [XmmSlot; 2],
}

#[derive(CrLayout, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
struct XmmSlot {
    xmm: Xmm,
}

fn shapes() -> Shapes {
    let seg = |i: u64| Seg {
        base: 0x1122_3344_5566_7700 + i,
        limit: 0x000f_ffff,
        attr: Seg::ATTR_PRESENT,
        dpl: 3,
        pad: 0,
    };
    Shapes {
        wide: 0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10,
        ratio: -1.0 / 3.0,
        scale: 6.02e23,
        delta: -2,
        small: [1, 0x0203, 0xfffe],
        flags: Shapes::FLAGS_ON | Shapes::FLAGS_HIGH,
        level: -3,
        byte: 0xa5,
        pad: [0; 6],
        segs: [seg(1), seg(2)],
        one: seg(3),
        name: Name(*b"cr byte order\0\0\0"),
    }
}

const SHAPE_KINDS: [Kind; 1] = [Kind::of::<Shapes>()];

fn native_shapes_image() -> Vec<u8> {
    let mut w = Writer::new(Vec::new(), ARCH_S390X).unwrap();
    w.write(7, &shapes()).unwrap();
    w.finish().unwrap()
}

/// `image` with its head declaring `order` and nothing converted: bytes of one order taken for
/// another's.
fn declared(image: &[u8], order: ByteOrder) -> Vec<u8> {
    let mut out = image.to_vec();
    out[head::ORDER..head::ORDER + 4].copy_from_slice(&order.head_word().to_le_bytes());
    image::reseal(&mut out);
    out
}

#[test]
fn every_shape_of_field_converts_from_the_other_byte_order() {
    let native = native_shapes_image();
    let foreign = other_order(&native, ARCH_S390X, &SHAPE_KINDS).unwrap();
    let mut r = Reader::new(&foreign, ARCH_S390X).unwrap();
    assert_eq!(r.order(), FOREIGN);
    assert_eq!(r.read::<Shapes>().unwrap(), (7, shapes()));
    r.finish().unwrap();

    // The conversion did real work: the payloads differ, and reading the other order's bytes as
    // this machine's would give every multi-byte value reversed.
    assert_ne!(foreign[image::HEAD_SIZE + 32..], native[image::HEAD_SIZE + 32..]);
    let (_, misread) = Reader::new(&declared(&foreign, ByteOrder::NATIVE), ARCH_S390X)
        .unwrap()
        .read::<Shapes>()
        .unwrap();
    assert_eq!(misread.wide, shapes().wide.swap_bytes());
    assert_eq!(misread.ratio.to_bits(), shapes().ratio.to_bits().swap_bytes());
    assert_eq!(misread.small[1], 0x0302);
    assert_eq!(misread.segs[1].base, shapes().segs[1].base.swap_bytes());
    assert_eq!(misread.one.attr, Seg::ATTR_PRESENT.swap_bytes());
    assert_eq!(
        misread.one.attr & !Seg::ATTR_ALL,
        misread.one.attr,
        "no declared flag left"
    );
    assert_eq!(
        misread.flags & Shapes::FLAGS_ALL,
        0,
        "the flags, reversed, are none of them"
    );
    assert_eq!((misread.level, misread.byte, misread.name), (-3, 0xa5, shapes().name));
}

#[test]
fn the_s390_task_restarts_from_an_image_of_the_other_byte_order() {
    let native = cr::s390::checkpoint_image(&sample_task());
    let foreign = other_order(&native, ARCH_S390X, &KINDS).unwrap();
    assert_ne!(foreign, native);
    let (mut a, mut b) = (fresh_task(), fresh_task());
    cr::s390::restart_from_image(&native, &mut a).unwrap();
    cr::s390::restart_from_image(&foreign, &mut b).unwrap();
    assert_eq!(a, b);
    assert_eq!(b.regs, sample_task().regs);
}

fn fresh_task() -> Task {
    let mut task = Task::default();
    task.regs.psw.mask = cr::s390::PSW_USER_BITS;
    task.regs.psw.addr = 0x8000_0000;
    task
}

/// Converted first, checked after: a tampered value in an image of the other order is refused
/// with the error a native image gets, naming the same field.
#[test]
fn a_converted_header_goes_through_every_check() {
    let mut cpu = cr::s390::checkpoint_cpu(&sample_task());
    cpu.em_instr |= 0x80;
    cpu.ilc = 0x1_0000; // does not fit the live u16
    let mut mm = CrHdrMmContext::default();
    mm.save(&sample_task().mm);
    let native = cr::s390::image_of(&cpu, &mm);
    let foreign = other_order(&native, ARCH_S390X, &KINDS).unwrap();
    let errors: Vec<_> = [native, foreign]
        .iter()
        .map(|image| {
            let mut task = fresh_task();
            cr::s390::restart_from_image(image, &mut task).unwrap_err()
        })
        .collect();
    assert_eq!(errors[0], errors[1]);
    assert_eq!(errors[0].field(), Some("ilc"));
}

/// An older version of a record, in an image of the other order, is converted by its own
/// layout and then upgraded.
#[test]
fn every_version_of_a_prev_chain_converts() {
    let format1 = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/s390-format1-cpu1-mm1.img"
    ))
    .unwrap();
    let mut r = Reader::new(&format1, ARCH_S390X).unwrap();
    let (_, v1) = r.read::<CrHdrCpuV1>().unwrap();
    let (_, mm) = r.read::<CrHdrMmContext>().unwrap();
    let mut w = Writer::new(Vec::new(), ARCH_S390X).unwrap();
    w.write(0, &v1).unwrap();
    w.write(1, &mm).unwrap();
    let native = w.finish().unwrap();
    let foreign = other_order(&native, ARCH_S390X, &KINDS).unwrap();
    let read = |image: &[u8]| {
        let mut r = Reader::new(image, ARCH_S390X).unwrap();
        let info = r.peek().unwrap().unwrap();
        assert_eq!(info.version, 1);
        (r.read::<CrHdrCpu>().unwrap(), r.read::<CrHdrMmContext>().unwrap())
    };
    let ((_, cpu), _) = read(&foreign);
    assert_eq!(read(&native), read(&foreign));
    assert_eq!(cpu.gprs, v1.gprs);
    assert_eq!(cpu.psw, v1.psw);
    assert_eq!(cpu.last_break, 0, "new in version 2");
}

mod lists {
    use super::*;
    use cr_core::image::BytesType;

    pub const MEMORY: BytesType = BytesType::new(1).unwrap();

    pub fn image() -> Vec<u8> {
        let mut w = Writer::new(Vec::new(), ARCH_S390X).unwrap();
        w.write_list(0, &[shapes(), Shapes::default(), shapes()]).unwrap();
        w.write_bytes(MEMORY, 0, &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
        w.finish().unwrap()
    }
}

#[test]
fn list_entries_convert_and_bulk_bytes_stay_as_they_are() {
    let foreign = other_order(&lists::image(), ARCH_S390X, &SHAPE_KINDS).unwrap();
    let mut r = Reader::new(&foreign, ARCH_S390X).unwrap();
    let (_, list) = r.read_list::<Shapes>().unwrap();
    assert_eq!(list.order(), FOREIGN);
    assert_eq!(list.len(), 3);
    assert_eq!(list.iter().collect::<Vec<_>>(), [shapes(), Shapes::default(), shapes()]);
    assert_eq!(list.get(2), Some(shapes()));
    assert_eq!(
        list.as_slice(),
        None,
        "entries of the other order cannot be viewed in place"
    );
    let (_, _, bytes) = r.read_bytes(lists::MEMORY, 8).unwrap();
    assert_eq!(bytes, [1, 2, 3, 4, 5, 6, 7, 8]);
    r.finish().unwrap();
}

#[test]
fn an_opaque_field_is_refused_by_name_from_the_other_byte_order() {
    let fpu = Fpu {
        fcw: 0x37f,
        regs: [XmmSlot { xmm: Xmm([7; 16]) }; 2],
    };
    let mut w = Writer::new(Vec::new(), ARCH_S390X).unwrap();
    w.write(0, &fpu).unwrap();
    w.write_list(0, &[fpu]).unwrap();
    let native = w.finish().unwrap();
    let mut r = Reader::new(&native, ARCH_S390X).unwrap();
    assert_eq!(r.read::<Fpu>().unwrap().1, fpu, "read where it was written");
    assert_eq!(r.read_list::<Fpu>().unwrap().1.get(0), Some(fpu));

    // Nothing can convert them, so `other_order` cannot make the image; declare it foreign.
    assert!(other_order(&native, ARCH_S390X, &[Kind::of::<Fpu>()]).is_err());
    let foreign = declared(&native, FOREIGN);
    let mut r = Reader::new(&foreign, ARCH_S390X).unwrap();
    let err = r.read::<Fpu>().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unconvertible { order: FOREIGN });
    assert_eq!((err.field(), err.leaf_field()), (Some("regs"), Some("xmm")));
    assert_eq!(err.offset(), Some(image::HEAD_SIZE as u64 + 32));
    let text = err.to_string();
    assert!(
        text.starts_with("header field `regs[0].xmm` cannot be read on this"),
        "{text}"
    );
    assert!(text.contains(&format!("the image is {FOREIGN}")), "{text}");
    assert!(text.contains("`Format::Bytes`"), "{text}");

    // A list of them: refused before any entry is read, and nothing consumed.
    let list_at = image::HEAD_SIZE + 32 + size_of::<Fpu>();
    let mut r = Reader::new(&foreign, ARCH_S390X).unwrap();
    r.skip().unwrap();
    let err = r.read_list::<Fpu>().unwrap_err();
    assert_eq!(
        (err.kind(), err.leaf_field(), err.offset()),
        (
            ErrorKind::Unconvertible { order: FOREIGN },
            Some("xmm"),
            Some(list_at as u64 + 32)
        )
    );
    assert_eq!(r.offset(), list_at as u64);
}

#[test]
fn the_dump_shows_the_same_values_in_either_byte_order() {
    let native = cr::s390::checkpoint_image(&sample_task());
    let foreign = other_order(&native, ARCH_S390X, &KINDS).unwrap();
    let show = |image: &[u8]| {
        let mut out = String::new();
        dump(image, ARCH_S390X, &KINDS, &mut out).unwrap();
        out
    };
    let (a, b) = (show(&native), show(&foreign));
    let (first_a, rest_a) = a.split_once('\n').unwrap();
    let (first_b, rest_b) = b.split_once('\n').unwrap();
    assert_eq!(rest_a, rest_b);
    assert!(first_a.contains(&format!(", {}, ", ByteOrder::NATIVE)), "{first_a}");
    assert!(first_b.contains(&format!(", {FOREIGN}, ")), "{first_b}");
    assert!(
        rest_b.contains("fpc                      thread.fp_regs.fpc                       0x8000000"),
        "{b}"
    );
    // A header with every shape, nested arrays and floats among them.
    let shapes_native = native_shapes_image();
    let shapes_foreign = other_order(&shapes_native, ARCH_S390X, &SHAPE_KINDS).unwrap();
    let (mut a, mut b) = (String::new(), String::new());
    dump(&shapes_native, ARCH_S390X, &SHAPE_KINDS, &mut a).unwrap();
    dump(&shapes_foreign, ARCH_S390X, &SHAPE_KINDS, &mut b).unwrap();
    assert_eq!(a.split_once('\n').unwrap().1, b.split_once('\n').unwrap().1);
    assert!(b.contains("segs[1].base") && b.contains("0x1122334455667702"), "{b}");
}

/// The head's byte order word: 1 or 2 in format 3, zero before; anything else is corrupt.
#[test]
fn the_heads_byte_order_word_is_checked() {
    let native = native_shapes_image();
    for word in [0u32, 3, 0x100, u32::MAX] {
        let mut bad = native.clone();
        bad[head::ORDER..head::ORDER + 4].copy_from_slice(&word.to_le_bytes());
        image::reseal(&mut bad);
        let err = Reader::new(&bad, ARCH_S390X).err().unwrap();
        assert_eq!(
            (err.kind(), err.offset()),
            (ErrorKind::Corrupt, Some(head::ORDER as u64)),
            "{word}"
        );
    }
    let format2 = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/s390-format2-cpu2-mm1.img"
    ))
    .unwrap();
    assert_eq!(Reader::new(&format2, ARCH_S390X).unwrap().order(), ByteOrder::Little);
    let mut bad = format2.clone();
    bad[head::ORDER] = 1; // format 2 had a zero word there
    image::reseal(&mut bad);
    assert_eq!(Reader::new(&bad, ARCH_S390X).err().unwrap().kind(), ErrorKind::Corrupt);
}

/// A record header, sealed, with the payload after it.
fn raw_record(ty: u32, flags: u16, version: u16, fingerprint: u64, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; image::RECORD_HEADER_SIZE];
    out[record::TYPE..record::TYPE + 4].copy_from_slice(&ty.to_le_bytes());
    out[record::LEN..record::LEN + 4].copy_from_slice(&(payload.len() as u32).to_le_bytes());
    out[record::VERSION..record::VERSION + 2].copy_from_slice(&version.to_le_bytes());
    out[record::FLAGS..record::FLAGS + 2].copy_from_slice(&flags.to_le_bytes());
    out[record::FINGERPRINT..record::FINGERPRINT + 8].copy_from_slice(&fingerprint.to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// `image` with `records` inserted before the record at byte `at`, resealed.
fn inserted(image: &[u8], at: usize, records: &[Vec<u8>]) -> Vec<u8> {
    let mut out = image[..at].to_vec();
    for r in records {
        out.extend_from_slice(r);
    }
    out.extend_from_slice(&image[at..]);
    image::reseal(&mut out);
    out
}

/// Format 3 reserves its place for a header type's self-description: a record flagged
/// `DESCRIPTION` (and `OPTIONAL`), of the described type, version and fingerprint. Typed reads
/// pass over it wherever it is; raw reads show it.
#[test]
fn description_records_are_passed_over_by_typed_reads() {
    let native = cr::s390::checkpoint_image(&sample_task());
    let cpu_at = image::HEAD_SIZE;
    let mm_at = cpu_at + 32 + size_of::<CrHdrCpu>();
    let end_at = mm_at + 32 + size_of::<CrHdrMmContext>();
    let describe = |ty, fingerprint| raw_record(ty, DESCRIPTION | OPTIONAL, 2, fingerprint, b"{ described }");
    let cpu_d = describe(1, CrHdrCpu::FINGERPRINT);
    let mm_d = describe(2, CrHdrMmContext::FINGERPRINT);
    let with = inserted(&native, end_at, std::slice::from_ref(&mm_d));
    let with = inserted(&with, mm_at, std::slice::from_ref(&mm_d));
    let with = inserted(&with, cpu_at, &[cpu_d.clone(), mm_d.clone()]);

    let mut task = fresh_task();
    cr::s390::restart_from_image(&with, &mut task).expect("descriptions passed over");
    assert_eq!(task.regs, sample_task().regs);
    let r = Reader::new(&with, ARCH_S390X).unwrap();
    assert_eq!(r.peek().unwrap().map(|i| (i.ty, i.description)), Some((1, false)));

    let mut r = Reader::new(&with, ARCH_S390X).unwrap();
    let mut seen = Vec::new();
    while let Some(info) = r.skip().unwrap() {
        seen.push((info.ty, info.description, info.optional));
    }
    assert_eq!(
        seen,
        [
            (1, true, true),
            (2, true, true),
            (1, false, false),
            (2, true, true),
            (2, false, false),
            (2, true, true)
        ]
    );
    let mut out = String::new();
    dump(&with, ARCH_S390X, &KINDS, &mut out).unwrap();
    let line = format!(
        "@24     description of type 1 (CrHdrCpu), version 2, fingerprint {:#018x}, 13 bytes",
        CrHdrCpu::FINGERPRINT
    );
    assert!(out.lines().any(|l| l == line), "{out}");

    // In a list or bytes read too.
    let lists = lists::image();
    let with = inserted(&lists, image::HEAD_SIZE, &[describe(20, Shapes::FINGERPRINT)]);
    let mut r = Reader::new(&with, ARCH_S390X).unwrap();
    assert_eq!(r.read_list::<Shapes>().unwrap().1.len(), 3);

    // A description is optional and of a header type; in format 2 the flag does not exist.
    for bad in [
        raw_record(1, DESCRIPTION, 2, 0, b""),
        raw_record(image::LIST + 1, DESCRIPTION | OPTIONAL, 2, 0, b""),
        raw_record(image::BYTES, DESCRIPTION | OPTIONAL, 2, 0, b""),
        raw_record(0, DESCRIPTION | OPTIONAL, 2, 0, b""),
    ] {
        let bad = inserted(&native, cpu_at, &[bad]);
        let err = Reader::new(&bad, ARCH_S390X).unwrap().skip().unwrap_err();
        assert_eq!((err.kind(), err.offset()), (ErrorKind::Corrupt, Some(cpu_at as u64)));
    }
    let format2 = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/s390-format2-cpu2-mm1.img"
    ))
    .unwrap();
    let bad = inserted(&format2, cpu_at, &[cpu_d]);
    let err = Reader::new(&bad, ARCH_S390X).unwrap().skip().unwrap_err();
    assert_eq!((err.kind(), err.offset()), (ErrorKind::Corrupt, Some(cpu_at as u64)));
}

/// Every single-bit flip of an image of the other order is refused, as of a native one.
#[test]
fn every_single_bit_flip_of_an_image_of_the_other_order_is_an_error() {
    let foreign = other_order(&cr::s390::checkpoint_image(&sample_task()), ARCH_S390X, &KINDS).unwrap();
    for i in 0..foreign.len() {
        for bit in 0..8 {
            let mut bad = foreign.clone();
            bad[i] ^= 1 << bit;
            let mut task = fresh_task();
            let before = task;
            let err = cr::s390::restart_from_image(&bad, &mut task).expect_err("a flipped bit went unnoticed");
            assert!(err.kind().is_image(), "byte {i} bit {bit}: {err}");
            assert_eq!(task, before);
        }
    }
}
