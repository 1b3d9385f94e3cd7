//! Images: round trips, and every fault an untrusted image can carry reported with its kind and
//! offset — exhaustively for single-bit flips and truncations of a real image.

use cr::s390::{sample_task, CrHdrCpu, CrHdrMmContext, Task, ARCH_S390X, CR_HDR_CPU, CR_HDR_MM_CONTEXT};
use cr_core::dump::{dump, Kind};
use cr_core::image::{Reader, SliceSink, Writer};
use cr_core::{CrCopy, ErrorKind, Layout};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// A third record type, unknown to the dump below.
#[derive(cr_core::CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = Task, record = 7)]
struct Note {
    #[cr(path = "regs.orig_gpr2")]
    orig_gpr2: u64,
}

fn headers() -> (CrHdrCpu, CrHdrMmContext, Note) {
    let task = sample_task();
    let mut cpu = CrHdrCpu::default();
    cpu.save(&task);
    let mut mm = CrHdrMmContext::default();
    mm.save(&task.mm);
    let mut note = Note::default();
    note.save(&task);
    (cpu, mm, note)
}

fn image() -> Vec<u8> {
    let (cpu, mm, note) = headers();
    let mut w = Writer::new(Vec::new(), ARCH_S390X).expect("head");
    w.write(0, &cpu).expect("cpu");
    w.write(1, &mm).expect("mm");
    w.write(1, &note).expect("note");
    w.finish().expect("end")
}

/// Reads the whole image and restores it into a fresh task, as a restart would.
fn restart(bytes: &[u8]) -> Result<Task, cr_core::Error> {
    let mut r = Reader::new(bytes, ARCH_S390X)?;
    let (p0, cpu) = r.read::<CrHdrCpu>()?;
    let (p1, mm) = r.read::<CrHdrMmContext>()?;
    let (p2, note) = r.read::<Note>()?;
    r.finish()?;
    assert_eq!((p0, p1, p2), (0, 1, 1));
    let mut task = Task::default();
    task.regs.psw.mask = cr::s390::PSW_USER_BITS;
    task.regs.psw.addr = 0x8000_0000; // the addressing mode, kept by the `mask` on psw.addr
    cpu.restore(&mut task)?;
    mm.restore(&mut task.mm)?;
    note.restore(&mut task)?;
    Ok(task)
}

#[test]
fn round_trip_of_several_record_types() {
    let bytes = image();
    let (cpu, mm, note) = headers();
    let mut r = Reader::new(&bytes, ARCH_S390X).unwrap();
    assert_eq!(r.peek().unwrap().map(|i| (i.ty, i.parent)), Some((CR_HDR_CPU, 0)));
    assert_eq!(r.read::<CrHdrCpu>().unwrap(), (0, cpu));
    assert_eq!(r.peek().unwrap().map(|i| i.ty), Some(CR_HDR_MM_CONTEXT));
    assert_eq!(r.read::<CrHdrMmContext>().unwrap(), (1, mm));
    assert_eq!(r.read::<Note>().unwrap(), (1, note));
    assert_eq!(r.peek().unwrap(), None);
    r.finish().unwrap();

    let task = restart(&bytes).expect("a clean image restarts");
    assert_eq!(task.regs, sample_task().regs);
}

#[test]
fn no_std_writer_into_a_slice_writes_the_same_bytes() {
    let (cpu, mm, note) = headers();
    let mut buf = [0u8; 1024];
    let mut w = Writer::new(SliceSink::new(&mut buf), ARCH_S390X).unwrap();
    w.write(0, &cpu).unwrap();
    w.write(1, &mm).unwrap();
    w.write(1, &note).unwrap();
    let sink = w.finish().unwrap();
    assert_eq!(sink.written(), &image()[..]);

    let mut small = [0u8; 100];
    let mut w = Writer::new(SliceSink::new(&mut small), ARCH_S390X).unwrap();
    let err = w.write(0, &cpu).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
}

#[test]
fn skip_passes_records_the_reader_does_not_know() {
    let bytes = image();
    let mut r = Reader::new(&bytes, ARCH_S390X).unwrap();
    assert_eq!(r.skip().unwrap().map(|i| i.ty), Some(CR_HDR_CPU));
    assert_eq!(r.skip().unwrap().map(|i| i.ty), Some(CR_HDR_MM_CONTEXT));
    assert_eq!(r.skip().unwrap().map(|i| (i.ty, i.len)), Some((7, 8)));
    assert_eq!(r.skip().unwrap(), None);
    r.finish().unwrap();
}

#[test]
fn every_single_bit_flip_is_an_error() {
    let bytes = image();
    let mut kinds = std::collections::BTreeMap::new();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut bad = bytes.clone();
            bad[i] ^= 1 << bit;
            let err = match restart(&bad) {
                Ok(_) => panic!("flipping bit {bit} of byte {i} went unnoticed"),
                Err(e) => e,
            };
            assert!(
                err.offset().is_some_and(|o| o <= i as u64),
                "byte {i}: {err} (offset after the flip)"
            );
            *kinds.entry(format!("{:?}", err.kind())).or_insert(0) += 1;
        }
    }
    // The head's magic, everything else checksummed.
    assert!(kinds.keys().any(|k| k == "BadMagic"), "{kinds:?}");
    assert!(kinds.keys().any(|k| k == "Corrupt"), "{kinds:?}");
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = image();
    for len in 0..bytes.len() {
        let err = restart(&bytes[..len]).expect_err("a truncated image");
        assert!(
            matches!(err.kind(), ErrorKind::Truncated | ErrorKind::BadMagic),
            "cut at {len}: {err}"
        );
    }
    // Cut exactly before the end record: every record reads, the end is missing.
    let before_end = bytes.len() - 32;
    let err = restart(&bytes[..before_end]).unwrap_err();
    assert_eq!(
        (err.kind(), err.offset()),
        (ErrorKind::Truncated, Some(before_end as u64))
    );
}

#[test]
fn trailing_data_is_an_error() {
    let mut bytes = image();
    bytes.push(0);
    let err = restart(&bytes).unwrap_err();
    assert_eq!(
        (err.kind(), err.offset()),
        (ErrorKind::TrailingData, Some(bytes.len() as u64 - 1))
    );
}

#[test]
fn wrong_arch_wrong_record_and_layout_mismatch_have_their_kinds() {
    let bytes = image();
    let err = Reader::new(&bytes, u32::from_be_bytes(*b"x86_")).err().unwrap();
    assert_eq!(
        err.kind(),
        ErrorKind::ArchMismatch {
            expected: u32::from_be_bytes(*b"x86_"),
            found: ARCH_S390X
        }
    );
    assert_eq!(err.offset(), Some(12));

    let mut r = Reader::new(&bytes, ARCH_S390X).unwrap();
    let err = r.read::<CrHdrMmContext>().unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::WrongRecord {
            expected: CR_HDR_MM_CONTEXT,
            found: CR_HDR_CPU
        }
    );
    assert_eq!(err.offset(), Some(24));
    assert_eq!(
        err.to_string(),
        "image has a record of type 1 where type 2 was expected (at byte 24)"
    );

    // The same record type from another build, whose header had another layout.
    #[derive(cr_core::CrCopy, Clone, Copy, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
    #[repr(C)]
    #[cr(target = Task, record = 7)]
    struct NoteV2 {
        #[cr(path = "regs.orig_gpr2")]
        gpr2: u64,
    }
    let mut w = Writer::new(Vec::new(), ARCH_S390X).unwrap();
    w.write(0, &NoteV2::default()).unwrap();
    let other = w.finish().unwrap();
    let err = Reader::new(&other, ARCH_S390X).unwrap().read::<Note>().unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::LayoutMismatch {
            expected: Note::FINGERPRINT,
            found: NoteV2::FINGERPRINT
        }
    );

    // A record of the right type but another size.
    #[derive(cr_core::CrCopy, Clone, Copy, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
    #[repr(C)]
    #[cr(target = Task, record = 7)]
    struct NoteWide {
        #[cr(path = "regs.orig_gpr2")]
        orig_gpr2: u64,
        #[cr(reserved)]
        more: u64,
    }
    let mut w = Writer::new(Vec::new(), ARCH_S390X).unwrap();
    w.write(0, &NoteWide::default()).unwrap();
    let wide = w.finish().unwrap();
    let err = Reader::new(&wide, ARCH_S390X).unwrap().read::<Note>().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadLength { expected: 8, found: 16 });

    let mut v2 = bytes.clone();
    v2[8] = 2; // version 2, checksum fixed up: a newer writer
    let crc = crc32c(&v2[..20]);
    v2[20..24].copy_from_slice(&crc.to_le_bytes());
    let err = Reader::new(&v2, ARCH_S390X).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::UnsupportedVersion { found: 2, supported: 1 });
}

/// CRC-32C, bit by bit, independent of the implementation under test.
fn crc32c(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn head_checksum_is_crc32c() {
    let bytes = image();
    assert_eq!(&bytes[..8], b"\x89CRIMG\r\n");
    assert_eq!(
        u32::from_le_bytes(bytes[20..24].try_into().unwrap()),
        crc32c(&bytes[..20])
    );
}

#[test]
fn a_valid_image_with_a_tampered_header_is_refused_by_restore() {
    let (mut cpu, mm, note) = headers();
    cpu.em_instr |= 0x40;
    let mut w = Writer::new(Vec::new(), ARCH_S390X).unwrap();
    w.write(0, &cpu).unwrap();
    w.write(1, &mm).unwrap();
    w.write(1, &note).unwrap();
    let bytes = w.finish().unwrap();
    let err = restart(&bytes).unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::UnknownFlags { bits: 0x40 }, Some("em_instr"))
    );
}

#[test]
fn dump_shows_every_record_and_decodes_the_known_ones() {
    let bytes = image();
    let mut out = String::new();
    dump(
        &bytes,
        ARCH_S390X,
        &[Kind::of::<CrHdrCpu>(), Kind::of::<CrHdrMmContext>()],
        &mut out,
    )
    .unwrap();
    let expect = [
        "@24     type 1 (CrHdrCpu), parent 0, 440 bytes",
        "    em_instr                 -                                        0x1 SINGLE_STEP",
        "    gprs                     regs.gprs                                [0x1000, 0x1001,",
        "    fpc                      thread.fp_regs.fpc                       0x8000000",
        "    flags                    -                                        0x5 NOEXEC ALLOC_PGSTE",
        "type 7, parent 1, 8 bytes",
        "end",
    ];
    for line in expect {
        assert!(out.contains(line), "dump lacks {line:?}:\n{out}");
    }
    // Unknown flag bits are shown, not hidden.
    let (mut cpu, ..) = headers();
    cpu.em_instr = 0x81;
    let mut w = Writer::new(Vec::new(), ARCH_S390X).unwrap();
    w.write(0, &cpu).unwrap();
    let bytes = w.finish().unwrap();
    let mut out = String::new();
    dump(&bytes, ARCH_S390X, &[Kind::of::<CrHdrCpu>()], &mut out).unwrap();
    assert!(out.contains("0x81 SINGLE_STEP unknown 0x80"), "{out}");
}
