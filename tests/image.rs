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

    let mut v4 = bytes.clone();
    v4[8] = 4; // format 4, checksum fixed up: a newer writer
    let crc = crc32c(&v4[..20]);
    v4[20..24].copy_from_slice(&crc.to_le_bytes());
    let err = Reader::new(&v4, ARCH_S390X).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::UnsupportedVersion { found: 4, supported: 3 });
    assert_eq!(err.offset(), Some(8));
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

/// The reader takes an empty payload's checksum to be 0 without computing it (the end record's, an
/// empty bulk record's): true of CRC-32C, and a stored checksum that is not 0 is still refused.
#[test]
fn an_empty_payload_has_checksum_zero_and_any_other_is_refused() {
    assert_eq!(crc32c(&[]), 0);
    assert_eq!(cr_core::image::crc32c(&[]), 0);
    let ty = cr_core::image::BytesType::new(1).unwrap();
    let mut w = Writer::new(Vec::new(), ARCH_S390X).unwrap();
    w.write_bytes(ty, 7, &[]).unwrap();
    let image = w.finish().unwrap();
    let mut r = Reader::new(&image, ARCH_S390X).unwrap();
    assert_eq!(r.read_bytes(ty, 0).unwrap().2, &[] as &[u8]);
    r.finish().unwrap();
    // The empty record's and the end record's stored payload checksums, each made non-zero, their
    // record header's own checksum recomputed (as a writer that got the payload's wrong would).
    use cr_core::image::record::{HEADER_CRC, PAYLOAD_CRC};
    let end = image.len() - cr_core::image::RECORD_HEADER_SIZE;
    for record in [cr_core::image::HEAD_SIZE, end] {
        let mut bad = image.clone();
        bad[record + PAYLOAD_CRC] ^= 1;
        let sealed = crc32c(&bad[record..record + HEADER_CRC]);
        bad[record + HEADER_CRC..record + HEADER_CRC + 4].copy_from_slice(&sealed.to_le_bytes());
        let mut r = Reader::new(&bad, ARCH_S390X).unwrap();
        let e = r.read_bytes(ty, 0).and_then(|_| r.finish()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Corrupt, "record at {record}");
    }
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
        "@24     type 1 (CrHdrCpu), version 2, parent 0, 448 bytes",
        "    em_instr                 -                                        0x1 SINGLE_STEP",
        "    gprs                     regs.gprs                                [0x1000, 0x1001,",
        "    fpc                      thread.fp_regs.fpc                       0x8000000",
        "    flags                    -                                        0x5 NOEXEC ALLOC_PGSTE",
        "type 7, version 1, parent 1, 8 bytes",
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

// ---------------------------------------------------------------------------------------------
// Records of variable length: lists of headers and bulk bytes.
// ---------------------------------------------------------------------------------------------

mod variable {
    use super::*;
    use cr_core::image::BytesType;

    /// A list entry: one register and its value, 16 bytes.
    #[derive(
        cr_core::CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout,
    )]
    #[repr(C)]
    #[cr(target = Reg, record = 9)]
    pub struct RegEntry {
        #[cr(path = "index", strict_mask = 0xff)]
        pub index: u32,
        #[cr(reserved)]
        pub reserved: u32,
        #[cr(path = "value")]
        pub value: u64,
    }

    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Reg {
        pub index: u32,
        pub value: u64,
    }

    pub const MEMORY: BytesType = BytesType::new(1).unwrap();

    pub fn entries() -> Vec<RegEntry> {
        (0..5)
            .map(|i| RegEntry {
                index: i,
                reserved: 0,
                value: 0x1111_0000 * u64::from(i) + 7,
            })
            .collect()
    }

    pub fn memory() -> Vec<u8> {
        (0..3000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect()
    }

    /// A cpu header, a list of registers, bulk memory, and a Note after them.
    pub fn image() -> Vec<u8> {
        let (cpu, _, note) = headers();
        let mut w = Writer::new(Vec::new(), ARCH_S390X).expect("head");
        w.write(0, &cpu).unwrap();
        w.write_list(1, &entries()).unwrap();
        w.write_bytes(MEMORY, 1, &memory()).unwrap();
        w.write(1, &note).unwrap();
        w.finish().unwrap()
    }

    /// Where the list record, the bytes record and the note record start.
    pub const LIST_AT: usize = 24 + 32 + 448;
    pub const BYTES_AT: usize = LIST_AT + 32 + 5 * 16;
    pub const NOTE_AT: usize = BYTES_AT + 32 + 3000;

    /// Reads it all, as a restart would: every record checked, every entry restored.
    pub fn read(bytes: &[u8]) -> Result<(Vec<Reg>, Vec<u8>), cr_core::Error> {
        let mut r = Reader::new(bytes, ARCH_S390X)?;
        r.read::<CrHdrCpu>()?;
        let (_, list) = r.read_list::<RegEntry>()?;
        let mut regs = Vec::new();
        for (i, e) in list.iter().enumerate() {
            let mut reg = Reg::default();
            e.restore(&mut reg).map_err(|err| err.at_offset(list.offset_of(i)))?;
            regs.push(reg);
        }
        let (_, _, mem) = r.read_bytes(MEMORY, 3000)?;
        let mem = mem.to_vec();
        r.read::<Note>()?;
        r.finish()?;
        Ok((regs, mem))
    }
}

#[test]
fn lists_and_bytes_round_trip_without_a_copy() {
    use variable::*;
    let bytes = image();
    assert_eq!(bytes.len(), NOTE_AT + 32 + 8 + 32);
    let mut r = Reader::new(&bytes, ARCH_S390X).unwrap();
    r.read::<CrHdrCpu>().unwrap();
    assert_eq!(
        r.peek().unwrap().map(|i| (i.ty, i.len)),
        Some((cr_core::image::LIST + 9, 80))
    );
    let (parent, list) = r.read_list::<RegEntry>().unwrap();
    assert_eq!((parent, list.len(), list.is_empty()), (1, 5, false));
    assert_eq!(list.iter().collect::<Vec<_>>(), entries());
    assert_eq!(list.get(4), Some(entries()[4]));
    assert_eq!(list.get(5), None);
    assert_eq!(list.get(usize::MAX), None);
    assert_eq!(list.offset_of(2), (LIST_AT + 32 + 32) as u64);
    // Any index, however large, gives an offset (saturated), never an overflow panic.
    assert_eq!(list.offset_of(usize::MAX), u64::MAX);
    // The payload starts at byte LIST_AT + 32 of the Vec: in place whenever that is 4-aligned.
    let in_place = (bytes.as_ptr() as usize + LIST_AT + 32) % align_of::<RegEntry>() == 0;
    match list.as_slice() {
        Some(slice) => {
            assert!(in_place);
            assert_eq!(slice, &entries()[..]);
            assert_eq!(slice.as_ptr() as usize, bytes.as_ptr() as usize + LIST_AT + 32);
        }
        None => assert!(!in_place),
    }
    let (parent, at, mem) = r.read_bytes(MEMORY, 3000).unwrap();
    assert_eq!((parent, at), (1, (BYTES_AT + 32) as u64));
    assert_eq!(mem, &memory()[..]);
    assert_eq!(
        mem.as_ptr() as usize,
        bytes.as_ptr() as usize + BYTES_AT + 32,
        "bytes are borrowed, not copied"
    );
    r.read::<Note>().unwrap();
    r.finish().unwrap();

    // A misaligned copy of the image still reads, entry by entry.
    let mut shifted = vec![0u8; bytes.len() + 1];
    shifted[1..].copy_from_slice(&bytes);
    let (regs, mem) = read(&shifted[1..]).unwrap();
    assert_eq!(regs.len(), 5);
    assert_eq!(
        regs[3],
        Reg {
            index: 3,
            value: 0x3333_0007
        }
    );
    assert_eq!(mem, memory());

    // An empty list and empty bytes are records too.
    let mut w = Writer::new(Vec::new(), ARCH_S390X).unwrap();
    w.write_list::<RegEntry>(0, &[]).unwrap();
    w.write_bytes(MEMORY, 0, &[]).unwrap();
    let empty = w.finish().unwrap();
    let mut r = Reader::new(&empty, ARCH_S390X).unwrap();
    assert!(r.read_list::<RegEntry>().unwrap().1.is_empty());
    assert_eq!(r.read_bytes(MEMORY, 0).unwrap().2, &[] as &[u8]);
    r.finish().unwrap();
}

#[test]
fn record_kinds_and_types() {
    use cr_core::image::{BytesType, RecordKind, BYTES, LIST};
    assert_eq!(RecordKind::of(0), RecordKind::End);
    assert_eq!(RecordKind::of(1), RecordKind::Header);
    assert_eq!(RecordKind::of(LIST - 1), RecordKind::Header);
    assert_eq!(RecordKind::of(LIST + 9), RecordKind::List { entry: 9 });
    assert_eq!(RecordKind::of(BYTES - 1), RecordKind::List { entry: (1 << 30) - 1 });
    assert_eq!(RecordKind::of(BYTES), RecordKind::Bytes);
    assert_eq!(RecordKind::of(u32::MAX), RecordKind::Bytes);
    assert_eq!(BytesType::new(5).map(BytesType::get), Some(BYTES + 5));
    assert_eq!(BytesType::new((1 << 30) - 1).map(BytesType::get), Some(u32::MAX));
    assert_eq!(BytesType::new(1 << 30), None);
}

#[test]
fn a_list_or_bytes_record_is_checked_like_every_record() {
    use variable::*;
    let bytes = image();
    let at = |e: cr_core::Error| (e.kind(), e.offset());

    // Asked for a list where a header is, and for a header where the list is.
    let mut r = Reader::new(&bytes, ARCH_S390X).unwrap();
    let err = r.read_list::<RegEntry>().unwrap_err();
    assert_eq!(
        at(err),
        (
            ErrorKind::WrongRecord {
                expected: cr_core::image::LIST + 9,
                found: CR_HDR_CPU
            },
            Some(24)
        )
    );
    r.read::<CrHdrCpu>().unwrap();
    let err = r.read::<Note>().unwrap_err();
    assert_eq!(
        at(err),
        (
            ErrorKind::WrongRecord {
                expected: 7,
                found: cr_core::image::LIST + 9
            },
            Some(LIST_AT as u64)
        )
    );
    // Bulk bytes of another length than the caller expects (the guest's memory size).
    r.read_list::<RegEntry>().unwrap();
    let err = r.read_bytes(MEMORY, 4096).unwrap_err();
    assert_eq!(
        at(err),
        (
            ErrorKind::BadLength {
                expected: 4096,
                found: 3000
            },
            Some(BYTES_AT as u64 + 4)
        )
    );
    assert_eq!(
        err.to_string(),
        format!(
            "image has a record of 3000 bytes where 4096 were expected (at byte {})",
            BYTES_AT + 4
        )
    );
    let other = cr_core::image::BytesType::new(2).unwrap();
    let err = r.read_bytes(other, 3000).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::WrongRecord {
            expected: other.get(),
            found: MEMORY.get()
        }
    );

    // A list whose length is not a whole number of entries (written by someone who knows the format:
    // checksums fixed up).
    let mut cut = bytes.clone();
    cut[LIST_AT + 4] = 79;
    cr_core::image::reseal(&mut cut);
    let err = read(&cut).unwrap_err();
    assert_eq!(
        at(err),
        (
            ErrorKind::BadListLength { entry: 16, found: 79 },
            Some(LIST_AT as u64 + 4)
        )
    );
    assert_eq!(
        err.to_string(),
        format!(
            "image has a list record of 79 bytes, not a whole number of 16-byte entries (at byte {})",
            LIST_AT + 4
        )
    );

    // A list of entries of another layout (another build).
    let mut fp = bytes.clone();
    fp[LIST_AT + 16] ^= 1;
    cr_core::image::reseal(&mut fp);
    let err = read(&fp).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::LayoutMismatch { .. }), "{err}");
    assert_eq!(err.offset(), Some(LIST_AT as u64 + 16));

    // A bytes record with a fingerprint: bulk bytes have none.
    let mut fp = bytes.clone();
    fp[BYTES_AT + 16] = 1;
    cr_core::image::reseal(&mut fp);
    let err = read(&fp).unwrap_err();
    assert_eq!(
        at(err),
        (
            ErrorKind::LayoutMismatch { expected: 0, found: 1 },
            Some(BYTES_AT as u64 + 16)
        )
    );

    // An entry that fails its header's own checks names its field and where the entry is.
    let mut bad = bytes.clone();
    bad[LIST_AT + 32 + 2 * 16 + 4] = 1; // entry 2's reserved word
    cr_core::image::reseal(&mut bad);
    let err = read(&bad).unwrap_err();
    assert_eq!(
        (err.kind(), err.field(), err.offset()),
        (
            ErrorKind::ReservedNotZero,
            Some("reserved"),
            Some((LIST_AT + 32 + 32) as u64)
        )
    );
}

#[test]
fn every_bit_flip_and_truncation_of_lists_and_bytes_is_an_error() {
    use variable::*;
    let bytes = image();
    for i in LIST_AT..NOTE_AT {
        for bit in 0..8 {
            let mut bad = bytes.clone();
            bad[i] ^= 1 << bit;
            let err = read(&bad).expect_err("a flipped bit went unnoticed");
            assert!(err.kind().is_image(), "byte {i} bit {bit}: {err}");
            assert!(err.offset().is_some_and(|o| o <= i as u64), "byte {i} bit {bit}: {err}");
        }
    }
    for len in LIST_AT..bytes.len() {
        let err = read(&bytes[..len]).expect_err("a truncated image");
        assert_eq!(err.kind(), ErrorKind::Truncated, "cut at {len}: {err}");
    }
}

#[test]
fn crc32c_by_instruction_and_by_table_agree() {
    use cr_core::image::{crc32c as fast, crc32c_table};
    let data: Vec<u8> = (0..70_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
        .collect();
    for (start, len) in [(0, 0), (0, 1), (3, 7), (1, 64), (5, 1000), (0, 65_536), (13, 69_000)] {
        let part = &data[start..start + len];
        assert_eq!(fast(part), crc32c(part), "{start}+{len}");
        assert_eq!(crc32c_table(part), crc32c(part), "{start}+{len}");
    }
    assert_eq!(fast(b"123456789"), 0xE306_9283); // the catalogue's check value
}

#[test]
fn the_dump_lists_entries_and_summarises_bytes() {
    use variable::*;
    let bytes = image();
    let mut out = String::new();
    dump(
        &bytes,
        ARCH_S390X,
        &[Kind::of::<CrHdrCpu>(), Kind::of::<RegEntry>()],
        &mut out,
    )
    .unwrap();
    let zeros = memory().iter().filter(|b| **b == 0).count();
    for line in [
        format!("@{LIST_AT:<6} type LIST+9 (list of RegEntry), version 1, parent 1, 80 bytes"),
        "    5 entries".to_string(),
        "    [3]".to_string(),
        format!("@{BYTES_AT:<6} type BYTES+1 (bytes), version 1, parent 1, 3000 bytes"),
        format!("    3000 bytes ({zeros} zero), crc32c {:#010x}", crc32c(&memory())),
        format!("@{NOTE_AT:<6} type 7, version 1, parent 1, 8 bytes"),
    ] {
        assert!(out.lines().any(|l| l == line), "dump lacks {line:?}:\n{out}");
    }
    assert!(
        out.lines()
            .any(|l| l.split_whitespace().eq(["value", "value", "0x33330007"])),
        "{out}"
    );
}

/// The named offsets are the layout the format documents (README, `cr_core::image`): the
/// structs they are taken from cannot move a field without this failing.
#[test]
fn the_named_offsets_are_the_documented_layout() {
    use cr_core::image::{head, record, HEAD_SIZE, RECORD_HEADER_SIZE};
    assert_eq!(
        [
            head::MAGIC,
            head::VERSION,
            head::ARCH,
            head::ORDER,
            head::CRC,
            HEAD_SIZE
        ],
        [0, 8, 12, 16, 20, 24]
    );
    assert_eq!(
        [
            record::TYPE,
            record::LEN,
            record::PARENT,
            record::VERSION,
            record::FLAGS,
            record::FINGERPRINT,
            record::PAYLOAD_CRC,
            record::HEADER_CRC,
            RECORD_HEADER_SIZE
        ],
        [0, 4, 8, 12, 14, 16, 24, 28, 32]
    );
}

/// `reseal` makes a crafted image's checksums right and nothing else: a sealed image comes back
/// unchanged, a tampered field reaches restore's own check, and a record whose length runs past
/// the image stops it there.
#[test]
fn reseal_fixes_every_checksum_and_only_checksums() {
    use cr_core::image::{record, reseal, HEAD_SIZE};
    let bytes = image();
    let mut same = bytes.clone();
    assert_eq!(reseal(&mut same), bytes.len());
    assert_eq!(same, bytes);

    // em_instr of the cpu record, tampered: corrupt as it is, refused by restore once resealed.
    let em_instr = HEAD_SIZE + 32 + std::mem::offset_of!(CrHdrCpu, em_instr);
    let mut tampered = bytes.clone();
    tampered[em_instr] |= 0x40;
    assert_eq!(restart(&tampered).unwrap_err().kind(), ErrorKind::Corrupt);
    assert_eq!(reseal(&mut tampered), bytes.len());
    let err = restart(&tampered).unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::UnknownFlags { bits: 0x40 }, Some("em_instr"))
    );
    let mut diff = (0..bytes.len()).filter(|i| tampered[*i] != bytes[*i]);
    assert_eq!(
        diff.next(),
        Some(HEAD_SIZE + record::PAYLOAD_CRC),
        "the payload checksum first"
    );

    // The mm record's length, made to run past the end: sealed up to that record, no further.
    let mm = HEAD_SIZE + 32 + size_of::<CrHdrCpu>();
    let mut long = bytes.clone();
    long[mm + record::LEN..mm + record::LEN + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(reseal(&mut long), mm);
    assert_eq!(reseal(&mut [0u8; 10]), 0, "shorter than a head: nothing to seal");
}

/// Every kind is either an image reader's or a restore check's, and says so in an error that
/// names no field.
#[test]
fn every_error_kind_is_classified() {
    use cr_core::{Error, Value};
    let restore = [
        ErrorKind::UnknownFlags { bits: 1 },
        ErrorKind::MaskViolation { bits: 1 },
        ErrorKind::ReservedNotZero,
        ErrorKind::OutOfRange {
            value: Value::Unsigned(1),
            live_type: "u8",
        },
        ErrorKind::Invalid { reason: "no" },
    ];
    let image = [
        ErrorKind::BadMagic,
        ErrorKind::UnsupportedVersion { found: 9, supported: 2 },
        ErrorKind::UnsupportedRecordVersion {
            ty: 1,
            found: 9,
            oldest: 1,
            newest: 2,
        },
        ErrorKind::ArchMismatch { expected: 1, found: 2 },
        ErrorKind::Truncated,
        ErrorKind::WrongRecord { expected: 1, found: 2 },
        ErrorKind::WrongParent { expected: 1, found: 2 },
        ErrorKind::BadLength { expected: 1, found: 2 },
        ErrorKind::BadListLength { entry: 16, found: 2 },
        ErrorKind::LayoutMismatch { expected: 1, found: 2 },
        ErrorKind::Corrupt,
        ErrorKind::TrailingData,
        ErrorKind::Io,
        ErrorKind::Unconvertible {
            order: cr_core::order::ByteOrder::Big,
        },
    ];
    for kind in restore {
        assert!(!kind.is_image(), "{kind:?}");
        assert!(Error::new(kind).to_string().starts_with("header "), "{kind:?}");
    }
    for kind in image {
        assert!(kind.is_image(), "{kind:?}");
        assert!(Error::new(kind).to_string().starts_with("image"), "{kind:?}");
    }
}
