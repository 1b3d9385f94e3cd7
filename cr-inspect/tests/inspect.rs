//! cr-inspect as its users run it, on the committed images only: this crate does not depend on
//! `cr`, so everything it shows of the s390 headers comes from the images' own descriptions.
//! The round trip (decode then encode gives the same bytes) over every golden image and the fuzz
//! corpus; the walk's first fault is the reader's, on every bit flip and truncation; `encode`
//! refuses a lying description, an out-of-range value and an unknown flag name; the command line.

use cr_inspect::{doc, frame, report};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

const DESCRIBED: &str = "tests/golden/s390-format3-cpu2-mm1-described-little.img";

fn read(path: &str) -> Vec<u8> {
    std::fs::read(repo(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every file of a directory of the repository, sorted.
fn files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{dir} is empty");
    files
}

fn cr_inspect(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cr-inspect"))
        .args(args)
        .current_dir(repo(""))
        .output()
        .expect("run cr-inspect");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("UTF-8");
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

/// A scratch directory of this test under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn show_prints_the_s390_records_from_the_golden_image_alone() {
    let (status, out, err) = cr_inspect(&["show", DESCRIBED]);
    assert_eq!(status, 0, "{err}");
    let line = |field: &str| {
        out.lines()
            .find(|l| l.split_whitespace().next() == Some(field))
            .unwrap_or_else(|| panic!("no line for {field}:\n{out}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert!(
        out.starts_with("cr image, format 3, arch 0x73333930 (\"s390\"), little-endian"),
        "{out}"
    );
    assert!(
        out.contains("type 1 (CrHdrCpu), version 2, parent 0, 448 bytes"),
        "{out}"
    );
    assert_eq!(line("psw.mask"), ["psw.mask", "regs.psw.mask", "0x705300080000000"]);
    assert_eq!(line("em_instr"), ["em_instr", "-", "0x1", "SINGLE_STEP"]);
    assert_eq!(line("flags"), ["flags", "-", "0x5", "NOEXEC", "ALLOC_PGSTE"]);
    assert!(out.trim_end().ends_with("end"), "{out}");
}

#[test]
fn images_without_descriptions_are_shown_by_type_and_size_and_say_so() {
    let (status, out, _) = cr_inspect(&["show", "tests/golden/s390-format1-cpu1-mm1.img"]);
    assert_eq!(status, 0);
    assert!(
        out.contains("format 1 has no description records: the description is missing"),
        "{out}"
    );
    assert!(
        out.contains("no description of this type in the image: 440 bytes"),
        "{out}"
    );
    let (status, out, _) = cr_inspect(&["verify", "tests/golden/s390-format3-cpu2-mm1-big.img"]);
    assert_eq!(status, 0);
    assert!(out.contains("big-endian"), "{out}");
    assert!(
        out.contains("the description is missing for record type(s) [1, 2]"),
        "{out}"
    );
}

/// An image as the fuzz targets take a corpus file: mode byte first; bit 0 reseals, bit 1 flips
/// the head's byte order (format 3) and reseals.
fn as_fuzzed(input: &[u8]) -> Option<Vec<u8>> {
    let (&mode, image) = input.split_first()?;
    let mut image = image.to_vec();
    if mode & 2 == 2 {
        use cr_core::image::{head, ByteOrder};
        if let Some(word) = image.get_mut(head::ORDER..head::ORDER + 4) {
            let [little, big] = [ByteOrder::Little, ByteOrder::Big].map(|o| o.head_word().to_le_bytes());
            if word == little {
                word.copy_from_slice(&big);
            } else if word == big {
                word.copy_from_slice(&little);
            }
        }
        cr_core::image::reseal(&mut image);
    } else if mode & 1 == 1 {
        cr_core::image::reseal(&mut image);
    }
    Some(image)
}

/// `decode` then `encode` gives `image` back (bulk bytes through files), or `decode` refuses it
/// with the fault `verify` finds first. Returns whether it round-tripped.
fn round_trip(name: &str, image: &[u8]) -> bool {
    let dir = scratch(&format!("round-trip-{}", name.replace('/', "-")));
    let extract = doc::Extract {
        dir: &dir.join("bytes"),
        base: &dir,
    };
    match doc::decode(image, Some(&extract)) {
        Ok(document) => {
            let text = serde_json::to_string_pretty(&document).expect("JSON");
            let parsed: Value = serde_json::from_str(&text).expect("JSON reads back");
            let again = doc::encode(&parsed, &dir).unwrap_or_else(|e| panic!("{name}: encode refused: {e}"));
            assert!(again == image, "{name}: decode then encode changed the image");
            true
        }
        Err(doc::Refused::Faults(faults)) => {
            let (_, verified) = report::verify(image);
            assert!(!verified.is_empty(), "{name}: decode refused an image verify passes");
            assert_eq!(
                faults.first().map(|f| f.offset),
                verified.first().map(|f| f.offset),
                "{name}"
            );
            false
        }
        Err(e) => panic!("{name}: {e}"),
    }
}

#[test]
fn decode_then_encode_gives_every_golden_image_back() {
    for path in files("tests/golden") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(round_trip(&name, &std::fs::read(&path).unwrap()), "{name} decodes");
    }
}

#[test]
fn decode_then_encode_gives_the_fuzz_corpus_back() {
    let mut whole = 0;
    for target in [
        "fuzz/corpus/restart",
        "fuzz/corpus/kvm_image",
        "fuzz/corpus/inspect_decode",
    ] {
        for path in files(target) {
            let name = format!("{target}/{}", path.file_name().unwrap().to_string_lossy());
            let input = std::fs::read(&path).unwrap();
            let Some(image) = as_fuzzed(&input) else { continue };
            whole += usize::from(round_trip(&name, &image));
            // The file as it is, mode byte stripped, too.
            let raw = &input[1.min(input.len())..];
            whole += usize::from(round_trip(&format!("{name}-raw"), raw));
        }
    }
    // Most seeds are whole images (the rest are refused by decode as by the reader).
    assert!(whole >= 20, "only {whole} corpus images round-tripped");
}

/// The whole image read by cr-core's reader (with the image's own architecture): its first fault.
fn reader_fault(image: &[u8]) -> Option<(cr_core::ErrorKind, u64)> {
    let arch = image
        .get(cr_core::image::head::ARCH..cr_core::image::head::ARCH + 4)
        .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
        .unwrap_or(0);
    let run = || -> Result<(), cr_core::Error> {
        let mut reader = cr_core::image::Reader::new(image, arch)?;
        while reader.read_raw()?.is_some() {}
        reader.finish()
    };
    run().err().map(|e| (e.kind(), e.offset().unwrap_or(u64::MAX)))
}

#[test]
fn the_walks_first_fault_is_the_readers_on_every_bit_flip_and_truncation() {
    for path in files("tests/golden") {
        let image = std::fs::read(&path).unwrap();
        let name = path.display();
        let check = |bytes: &[u8], what: &str| {
            let walk = frame::walk(bytes);
            let first = walk.faults.first().map(|f| (f.kind.expect("a reader check"), f.offset));
            assert_eq!(first, reader_fault(bytes), "{name}: {what}");
        };
        check(&image, "as committed");
        for bit in 0..image.len() * 8 {
            let mut flipped = image.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            check(&flipped, &format!("bit {bit} flipped"));
        }
        for len in 0..image.len() {
            check(&image[..len], &format!("cut at {len}"));
        }
    }
}

fn described_doc() -> Value {
    doc::decode(&read(DESCRIBED), None).expect("decode")
}

fn cpu(doc: &mut Value) -> &mut Value {
    doc["records"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["kind"] == "header" && r["name"] == "CrHdrCpu")
        .expect("cpu record")
}

fn cpu_description(doc: &mut Value) -> &mut Value {
    doc["records"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["kind"] == "description" && r["type"] == 1)
        .map(|r| &mut r["description"])
        .expect("cpu description")
}

#[test]
fn encode_refuses_a_description_that_does_not_hash_to_its_fingerprint() {
    let mut doc = described_doc();
    // A reserved field relabelled as data: the same bytes, another meaning; the fingerprint
    // still claims the original layout.
    let fields = cpu_description(&mut doc)["fields"].as_array_mut().unwrap();
    let reserved = fields.iter_mut().find(|f| f["name"] == "reserved").unwrap();
    reserved["role"] = "data".into();
    reserved["mode"] = "path".into();
    let err = doc::encode(&doc, Path::new(".")).unwrap_err().to_string();
    assert!(
        err.starts_with(
            "`records[0].description`: the description says fingerprint 0xdf8957029347c09a, but its fields hash to"
        ),
        "{err}"
    );
}

#[test]
fn encode_refuses_values_out_of_their_fields_range_naming_the_route() {
    let mut doc = described_doc();
    cpu(&mut doc)["fields"]["ilc"] = "0x100000000".into();
    let err = doc::encode(&doc, Path::new(".")).unwrap_err().to_string();
    assert_eq!(
        err,
        "`records[1].fields.ilc`: 0x100000000 is out of range for a u32 field"
    );
    let mut doc = described_doc();
    cpu(&mut doc)["fields"]["gprs"][3] = "0x1_0000_0000_0000_0000".into();
    let err = doc::encode(&doc, Path::new(".")).unwrap_err().to_string();
    assert_eq!(
        err,
        "`records[1].fields.gprs[3]`: 0x10000000000000000 is out of range for a u64 field"
    );
}

#[test]
fn encode_refuses_an_unknown_flag_name_and_takes_unnamed_bits_in_hex() {
    let mut doc = described_doc();
    cpu(&mut doc)["fields"]["em_instr"] = serde_json::json!(["SINGLE_STEP", "SINGLE_STPE"]);
    let err = doc::encode(&doc, Path::new(".")).unwrap_err().to_string();
    assert_eq!(
        err,
        "`records[1].fields.em_instr`: unknown flag name \"SINGLE_STPE\" (the flags are [\"SINGLE_STEP\", \"INSTRUCTION_FETCH\"])"
    );
    // Bit 7, which no flag names: written as given, then shown by name and as unknown bits.
    let mut doc = described_doc();
    cpu(&mut doc)["fields"]["em_instr"] = serde_json::json!(["SINGLE_STEP", "0x80"]);
    let image = doc::encode(&doc, Path::new(".")).expect("encode");
    let (out, faults) = report::verify(&image);
    assert_eq!(faults.len(), 1, "{out}");
    assert_eq!(
        faults[0].message,
        "header field `CrHdrCpu.em_instr` has flag bits 0x80 set that no flag declares"
    );
    let again = doc::decode(&image, None).expect("decode");
    assert_eq!(
        again["records"][1]["fields"]["em_instr"],
        serde_json::json!(["SINGLE_STEP", "0x80"])
    );
}

/// The values in JSON mean the same in either byte order: encoding the little-endian document
/// as big-endian gives, byte for byte, the head and records of the committed big-endian image
/// that the s390 example wrote on s390x (which has no descriptions).
#[test]
fn encoding_a_document_in_the_other_byte_order_gives_the_big_endian_golden_image() {
    let mut doc = described_doc();
    doc["order"] = "big-endian".into();
    let big = doc::encode(&doc, Path::new(".")).expect("encode");
    assert_eq!(report::verify(&big).1, [], "the big-endian image verifies");
    let committed = read("tests/golden/s390-format3-cpu2-mm1-big.img");
    let records = |image: &[u8]| -> Vec<(u32, u32, u32, u16, u64, Vec<u8>)> {
        let walk = frame::walk(image);
        let records = walk.records.iter().filter(|f| !f.description());
        records
            .map(|f| (f.ty, f.parent, f.version, f.flags, f.fingerprint, f.payload.to_vec()))
            .collect()
    };
    assert_eq!(
        records(&big),
        records(&committed),
        "the records but for the descriptions"
    );
    assert_eq!(
        big[..cr_core::image::HEAD_SIZE],
        committed[..cr_core::image::HEAD_SIZE],
        "the head"
    );
    // And its descriptions read back in big-endian order to the same document.
    let mut back = doc::decode(&big, None).expect("decode");
    back["order"] = "little-endian".into();
    let mut little = described_doc();
    for r in little["records"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .chain(back["records"].as_array_mut().unwrap())
    {
        r.as_object_mut().unwrap().remove("offset");
    }
    assert_eq!(back, little);
}

#[test]
fn diff_names_each_changed_field_by_its_route() {
    let dir = scratch("diff");
    let mut doc = described_doc();
    cpu(&mut doc)["fields"]["psw"]["mask"] = "0x704300080000000".into();
    cpu(&mut doc)["fields"]["acrs"][2] = "0x0".into();
    let changed = dir.join("changed.img");
    std::fs::write(&changed, doc::encode(&doc, Path::new(".")).unwrap()).unwrap();
    let (status, out, _) = cr_inspect(&["diff", DESCRIBED, changed.to_str().unwrap()]);
    assert_eq!(status, 1, "the images differ");
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "CrHdrCpu.psw.mask: 0x705300080000000 -> 0x704300080000000",
            "CrHdrCpu.acrs[2]: 0xac02 -> 0x0"
        ]
    );
    let (status, out, _) = cr_inspect(&["diff", DESCRIBED, DESCRIBED]);
    assert_eq!((status, out.as_str()), (0, ""));
}

#[test]
fn the_command_line_reports_faults_with_offsets_and_exit_codes() {
    let dir = scratch("cli");
    let mut image = read(DESCRIBED);
    image[1400] ^= 0x10; // in the cpu record's payload
    let flipped = dir.join("flipped.img");
    std::fs::write(&flipped, &image).unwrap();
    let (status, out, err) = cr_inspect(&["verify", flipped.to_str().unwrap()]);
    assert_eq!(status, 1);
    assert!(
        out.contains("fault @1350: the payload of the record at @1318 (type 1): its checksum does not match its bytes"),
        "{out}"
    );
    assert!(err.contains("1 fault(s)"), "{err}");
    let (status, _, err) = cr_inspect(&["decode", flipped.to_str().unwrap()]);
    assert_eq!(status, 2);
    assert!(err.contains("the image has 1 fault(s); the first: @1350"), "{err}");

    // decode -o, encode -o: the same bytes; an edited document that lies is refused on stderr.
    let json = dir.join("image.json");
    let out_img = dir.join("again.img");
    let (status, _, err) = cr_inspect(&["decode", DESCRIBED, "-o", json.to_str().unwrap()]);
    assert_eq!(status, 0, "{err}");
    let (status, _, err) = cr_inspect(&["encode", json.to_str().unwrap(), "-o", out_img.to_str().unwrap()]);
    assert_eq!(status, 0, "{err}");
    assert!(std::fs::read(&out_img).unwrap() == read(DESCRIBED));
    let text = std::fs::read_to_string(&json)
        .unwrap()
        .replacen("\"SINGLE_STEP\"", "\"SINGLE\"", 1);
    std::fs::write(&json, text).unwrap();
    let (status, _, err) = cr_inspect(&["encode", json.to_str().unwrap(), "-o", out_img.to_str().unwrap()]);
    assert_eq!(status, 2);
    assert!(err.contains("refused:"), "{err}");

    let (status, out, _) = cr_inspect(&["--help"]);
    assert_eq!(status, 0);
    for command in ["show", "decode", "encode", "verify", "diff"] {
        assert!(out.contains(command), "{out}");
    }
    let (status, _, err) = cr_inspect(&["show"]);
    assert_eq!(status, 2, "{err}");
}

/// What the `inspect_decode` fuzz target asserts, bounded and deterministic (the fuzzer needs
/// nightly and is not part of `cargo test`): every byte of the described golden image changed
/// in two ways, checksums recomputed, so the altered descriptions and values reach the parser
/// and the conversions. No panic; an image that decodes encodes back to its own bytes; one that
/// does not is refused with a fault `verify` finds too.
#[test]
fn every_byte_of_a_described_image_altered_round_trips_or_is_refused() {
    let image = read(DESCRIBED);
    let (mut decoded, mut refused) = (0, 0);
    for i in cr_core::image::HEAD_SIZE..image.len() {
        for flip in [0x01u8, 0x80] {
            let mut altered = image.clone();
            altered[i] ^= flip;
            cr_core::image::reseal(&mut altered);
            let _ = report::show(&altered);
            let (_, faults) = report::verify(&altered);
            match doc::decode(&altered, None) {
                Ok(document) => {
                    let again = doc::encode(&document, Path::new("."))
                        .unwrap_or_else(|e| panic!("byte {i} ^ {flip:#x}: encode refused: {e}"));
                    assert!(
                        again == altered,
                        "byte {i} ^ {flip:#x}: decode then encode changed the image"
                    );
                    decoded += 1;
                }
                Err(doc::Refused::Faults(first)) => {
                    let first = first.first().expect("a refusal names its fault");
                    assert!(faults.contains(first), "byte {i} ^ {flip:#x}: verify misses {first}");
                    refused += 1;
                }
                Err(e) => panic!("{e}"),
            }
        }
    }
    // The header payloads' bytes decode (as other values); the descriptions' refuse (their
    // fingerprints no longer match) but for the informative live paths and modes.
    assert!(decoded > 500 && refused > 1000, "decoded {decoded}, refused {refused}");
}
