//! Golden images: image files written by every image format and header version this code has
//! produced, in either byte order, committed under `tests/golden/`, and restored by every later
//! build on machines of either byte order, forever. A change that can no longer read one fails
//! here; CI runs this file on x86-64 and, under qemu, on big-endian s390x.
//!
//! From format 3 on, a name ends in the byte order that wrote the image (`-little`, `-big`);
//! formats 1 and 2 were only written on x86-64 and are little-endian. `cargo test --test golden
//! -- --ignored write_golden_images` writes this machine's image of the current format and
//! header versions if it is not there yet (it never overwrites a committed one); the big-endian
//! one is written by the s390 example on s390x, e.g. under qemu:
//! `qemu-s390x -L /usr/s390x-linux-gnu target/s390x-unknown-linux-gnu/debug/examples/s390 write tests/golden/NAME`.

use cr::foreign::{other_order, FOREIGN};
use cr::s390::*;
use cr_core::image::{ByteOrder, Reader};
use std::path::{Path, PathBuf};

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

/// The task every golden image was written from.
fn written_from() -> Task {
    sample_task()
}

/// The s390 image of `written_from()`, as the current build writes it.
fn current_s390_image() -> Vec<u8> {
    checkpoint_image(&written_from())
}

/// A freshly created task, as the kernel hands it to restart: user-mode system bits and the
/// addressing mode in the PSW (which restore keeps, writing only the user bits).
fn fresh_task() -> Task {
    let mut task = Task::default();
    task.regs.psw.mask = PSW_USER_BITS;
    task.regs.psw.addr = !PSW_ADDR_INSN & 0xFFFF_FFFF;
    task
}

/// The name of the current build's s390 image written in `order`: image format, record
/// versions and byte order.
fn current_s390_name(order: ByteOrder) -> String {
    use cr_core::image::Record;
    format!(
        "s390-format{}-cpu{}-mm{}-{}.img",
        cr_core::image::VERSION,
        CrHdrCpu::VERSION,
        CrHdrMmContext::VERSION,
        order_tag(order)
    )
}

/// How an image's name says its byte order.
fn order_tag(order: ByteOrder) -> &'static str {
    match order {
        ByteOrder::Little => "little",
        ByteOrder::Big => "big",
    }
}

/// The byte order an image's name says (formats 1 and 2: little-endian, the only one they had).
fn order_named(name: &str) -> ByteOrder {
    match name {
        n if n.ends_with("-big.img") => ByteOrder::Big,
        _ => ByteOrder::Little,
    }
}

#[test]
#[ignore = "writes golden images; run by hand when a format or header version is added"]
fn write_golden_images() {
    let path = golden(&current_s390_name(ByteOrder::NATIVE));
    if !path.exists() {
        std::fs::write(&path, current_s390_image()).expect("write golden image");
    }
}

/// Every committed s390 image restarts a fresh task into `written_from()`'s state, whatever
/// format and header versions wrote it.
#[test]
fn every_golden_s390_image_restarts() {
    let mut names: Vec<String> = std::fs::read_dir(golden(""))
        .expect("tests/golden")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("s390-") && n.ends_with(".img"))
        .collect();
    names.sort();
    assert!(
        names.iter().any(|n| n.starts_with("s390-format1-cpu1-mm1")),
        "the first format's image is committed: {names:?}"
    );
    let expected = written_from();
    // The whole task the current build restarts from its own image: what every image restores,
    // but for the fields a header version did not carry.
    let mut reference = fresh_task();
    restart_from_image(&current_s390_image(), &mut reference).expect("the current image restarts");
    for name in &names {
        let bytes = std::fs::read(golden(name)).expect("read golden image");
        let mut task = fresh_task();
        restart_from_image(&bytes, &mut task).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(task.regs, expected.regs, "{name}");
        assert_eq!(task.thread.acrs, expected.thread.acrs, "{name}");
        // PER state: the unions' words as c/r reads them, the bitfields through their getters.
        let (per, want) = (&task.thread.per_info, &expected.thread.per_info);
        assert_eq!(PerWords::of(per), PerWords::of(want), "{name}");
        assert_eq!(
            (
                per.single_step(),
                per.instruction_fetch(),
                per.starting_addr,
                per.ending_addr
            ),
            (
                want.single_step(),
                want.instruction_fetch(),
                want.starting_addr,
                want.ending_addr
            ),
            "{name}"
        );
        assert_eq!(task.mm.asce_limit, expected.mm.asce_limit, "{name}");
        // Every other restored field: `bits` (the FPRs), the flag words, the mm, the hook's copy.
        assert_eq!(task.thread.fp_regs, expected.thread.fp_regs, "{name}");
        assert_eq!(
            task.thread.ieee_instruction_pointer, expected.thread.ieee_instruction_pointer,
            "{name}"
        );
        assert_eq!(
            (
                task.mm.noexec,
                task.mm.has_pgste,
                task.mm.alloc_pgste,
                task.mm.asce_bits
            ),
            (
                expected.mm.noexec,
                expected.mm.has_pgste,
                expected.mm.alloc_pgste,
                expected.mm.asce_bits
            ),
            "{name}"
        );
        assert_eq!(
            task.cpu.acrs, expected.thread.acrs,
            "{name}: after_restore loads the access registers"
        );
        // `last_break` is new in cr_hdr_cpu version 2: an image of version 1 restores it as 0.
        let last_break = if name.contains("-cpu1-") {
            0
        } else {
            expected.thread.last_break
        };
        assert_eq!(task.thread.last_break, last_break, "{name}");
        let mut whole = reference;
        whole.thread.last_break = last_break;
        assert_eq!(task, whole, "{name}: the whole restored task");
        // And the reader took every record of it, in the byte order its name says.
        let mut reader = Reader::new(&bytes, ARCH_S390X).expect(name);
        assert_eq!(reader.order(), order_named(name), "{name}");
        while reader.skip().expect(name).is_some() {}
    }
    for order in [ByteOrder::Little, ByteOrder::Big] {
        assert!(
            names.contains(&current_s390_name(order)),
            "the current format's {order} image is committed: {names:?}"
        );
    }
}

/// The committed image of the other byte order (written on a machine of that order) is, byte
/// for byte, this machine's image converted by the layouts: both writers and the conversion
/// agree on every field.
#[test]
fn the_other_byte_orders_golden_image_is_this_ones_converted() {
    let theirs = std::fs::read(golden(&current_s390_name(FOREIGN))).expect("read golden image");
    let converted = other_order(&current_s390_image(), ARCH_S390X, &KINDS).expect("convert");
    assert!(
        converted == theirs,
        "the {FOREIGN} golden image differs from this image converted"
    );
    let ours = std::fs::read(golden(&current_s390_name(ByteOrder::NATIVE))).expect("read golden image");
    assert_eq!(
        ours,
        current_s390_image(),
        "this build writes the committed {} image",
        ByteOrder::NATIVE
    );
}

/// The record tag word (a record header's version and flags) is checked by format: a format-1
/// image had zero there, and a format-2 image defines only flag bit 0 (optional; format 3 adds
/// bit 1, description). Anything else is corruption even with every checksum right.
#[test]
fn a_record_tag_the_format_does_not_define_is_corrupt() {
    use cr_core::image::{record, HEAD_SIZE as HEAD};
    // The first record's version (u16) and flags (u16).
    let (version, flags) = (HEAD + record::VERSION, HEAD + record::FLAGS);
    let read_all = |bytes: &[u8]| -> Result<(), cr_core::Error> {
        let mut reader = Reader::new(bytes, ARCH_S390X)?;
        while reader.skip()?.is_some() {}
        Ok(())
    };
    let corrupt_at = |bytes: &[u8]| {
        let err = read_all(bytes).unwrap_err();
        (err.kind(), err.offset())
    };

    let format1 = std::fs::read(golden("s390-format1-cpu1-mm1.img")).expect("read golden image");
    read_all(&format1).expect("the format-1 image reads");
    let mut versioned = format1.clone();
    versioned[version] = 1; // a record version in an image whose format had none
    cr_core::image::reseal(&mut versioned);
    assert_eq!(corrupt_at(&versioned), (cr_core::ErrorKind::Corrupt, Some(HEAD as u64)));

    let format2 = std::fs::read(golden("s390-format2-cpu2-mm1.img")).expect("read golden image");
    read_all(&format2).expect("the format-2 image reads");
    let mut flagged = format2.clone();
    flagged[flags] |= 0b10; // a flag bit format 2 does not define (format 3's description)
    cr_core::image::reseal(&mut flagged);
    assert_eq!(corrupt_at(&flagged), (cr_core::ErrorKind::Corrupt, Some(HEAD as u64)));

    let format3 = std::fs::read(golden(&current_s390_name(ByteOrder::NATIVE))).expect("read golden image");
    read_all(&format3).expect("the current image reads");
    let mut flagged = format3.clone();
    flagged[flags] |= 0b100; // a flag bit no format defines
    cr_core::image::reseal(&mut flagged);
    assert_eq!(corrupt_at(&flagged), (cr_core::ErrorKind::Corrupt, Some(HEAD as u64)));
}
