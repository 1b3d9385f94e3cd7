//! Self-describing images (format 3 description records) written by `Writer::describing`, read
//! without the headers by cr-inspect: the committed golden image with descriptions is what this
//! build writes, every description in it is its header's own layout, readers pass over them, and
//! an image crafted through cr-inspect's JSON (a tampered `psw.mask`) is refused by the fixture.

use cr::s390::*;
use cr_core::image::{Reader, Record, Writer};
use cr_core::{CrCopy, Layout};
use std::path::{Path, PathBuf};

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

/// The committed golden image with descriptions (written on x86-64).
const DESCRIBED: &str = "s390-format3-cpu2-mm1-described-little.img";

/// The sample task's image as a describing writer writes it: a description of each header type
/// before its first record.
fn described_image() -> Vec<u8> {
    let task = sample_task();
    let mut mm = CrHdrMmContext::default();
    mm.save(&task.mm);
    let mut image = Writer::describing(Vec::new(), ARCH_S390X).expect("head");
    image.write(0, &checkpoint_cpu(&task)).expect("cpu");
    image.write(CR_HDR_CPU, &mm).expect("mm");
    image.finish().expect("end")
}

#[test]
#[ignore = "writes the golden image with descriptions; run by hand when a format or header version is added"]
fn write_the_described_golden_image() {
    let path = golden(DESCRIBED);
    if cfg!(target_endian = "little") && !path.exists() {
        std::fs::write(&path, described_image()).expect("write golden image");
    }
}

#[test]
fn this_build_writes_the_committed_described_image() {
    let committed = std::fs::read(golden(DESCRIBED)).expect("read golden image");
    if cfg!(target_endian = "big") {
        eprintln!("SKIPPED: the described golden image is little-endian; this machine writes big-endian ones");
        return;
    }
    assert!(committed == described_image(), "the describing writer's output changed");
}

#[test]
fn each_header_type_is_described_once_before_its_first_record_with_its_own_layout() {
    let image = described_image();
    let mut reader = Reader::new(&image, ARCH_S390X).expect("head");
    let mut seen = Vec::new();
    while let Some((info, payload)) = reader.read_raw().expect("record") {
        seen.push((info.ty, info.description));
        if info.description {
            let summary = cr_core::description::verify(payload, reader.order(), info.version, info.fingerprint)
                .expect("the description verifies");
            let expected = match info.ty {
                CR_HDR_CPU => (CrHdrCpu::NAME, CrHdrCpu::FINGERPRINT, CrHdrCpu::VERSION),
                _ => (
                    CrHdrMmContext::NAME,
                    CrHdrMmContext::FINGERPRINT,
                    CrHdrMmContext::VERSION,
                ),
            };
            assert_eq!((summary.name, summary.fingerprint, summary.version), expected);
        }
    }
    reader.finish().expect("end");
    assert_eq!(
        seen,
        [
            (CR_HDR_CPU, true),
            (CR_HDR_CPU, false),
            (CR_HDR_MM_CONTEXT, true),
            (CR_HDR_MM_CONTEXT, false)
        ]
    );
}

#[test]
fn a_typed_reader_restarts_from_the_described_image_as_from_the_plain_one() {
    let mut from_plain = sample_task();
    let mut from_described = sample_task();
    restart_from_image(&checkpoint_image(&sample_task()), &mut from_plain).expect("plain");
    restart_from_image(&described_image(), &mut from_described).expect("described");
    assert_eq!(from_plain, from_described);
}

#[test]
fn decode_then_encode_gives_the_example_images_back() {
    for image in [checkpoint_image(&sample_task()), described_image()] {
        let doc = cr_inspect::doc::decode(&image, None).expect("decode");
        let again = cr_inspect::doc::encode(&doc, Path::new(".")).expect("encode");
        assert!(again == image, "round trip changed the image");
    }
}

/// The tampered image of the s390 example (`== tampered image: supervisor state in psw.mask`),
/// made with the tool instead of the headers: decode, clear the problem-state bit of `psw.mask`
/// in the JSON, encode. The fixture refuses it, naming the field.
#[test]
fn a_psw_mask_tampered_through_the_json_is_refused_by_the_fixture() {
    let image = std::fs::read(golden(DESCRIBED)).expect("read golden image");
    let mut doc = cr_inspect::doc::decode(&image, None).expect("decode");
    let cpu = doc["records"]
        .as_array_mut()
        .expect("records")
        .iter_mut()
        .find(|r| r["kind"] == "header" && r["name"] == "CrHdrCpu")
        .expect("the cpu record is decoded from its description");
    let mask = cpu["fields"]["psw"]["mask"].as_str().expect("psw.mask is a hex string");
    let mask = u64::from_str_radix(mask.trim_start_matches("0x"), 16).expect("hex");
    assert_eq!(mask, sample_task().regs.psw.mask);
    cpu["fields"]["psw"]["mask"] = format!("{:#x}", mask & !PSW_MASK_PSTATE).into();
    let tampered = cr_inspect::doc::encode(&doc, Path::new(".")).expect("encode");

    let mut task = sample_task();
    let before = task;
    let err = restart_from_image(&tampered, &mut task).expect_err("a supervisor-state PSW is refused");
    assert_eq!((err.field(), err.leaf_field()), (Some("psw"), Some("mask")), "{err}");
    assert!(matches!(err.kind(), cr_core::ErrorKind::Invalid { .. }), "{err}");
    assert_eq!(task, before, "the task is untouched");
    // And the image is otherwise whole: every checksum fresh, the untampered one restarts.
    cr_inspect::report::verify(&tampered)
        .1
        .is_empty()
        .then_some(())
        .expect("no faults");
}
