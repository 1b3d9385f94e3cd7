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
    image.finish().expect("end").into_inner()
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

/// The description of `H`: it verifies as `H`'s own layout in either byte order, and
/// cr-inspect's model of it writes the same bytes back (the two encoders of the format agree).
fn describes_itself<H: Record>() {
    for order in [cr_core::image::ByteOrder::Little, cr_core::image::ByteOrder::Big] {
        let mut bytes = Vec::new();
        cr_core::description::encode::<H>(H::VERSION, order, &mut bytes).expect("encode");
        let summary = cr_core::description::verify(&bytes, order, H::VERSION, H::FINGERPRINT)
            .unwrap_or_else(|e| panic!("{}: {e}", H::NAME));
        assert_eq!((summary.name, summary.size as usize), (H::NAME, size_of::<H>()));
        let model = cr_inspect::table::Description::parse(&bytes, order).expect("model");
        assert!(
            model.to_bytes(order) == bytes,
            "{}: the model writes other bytes",
            H::NAME
        );
    }
}

#[test]
fn every_s390_header_describes_itself() {
    describes_itself::<CrHdrCpu>();
    describes_itself::<CrHdrCpuV1>();
    describes_itself::<CrHdrMmContext>();
}

/// The KVM and ptrace headers: nested arrays (`kvm_sregs` segments), tagged variants
/// (`kvm_irqchip`), opaque register unions, flag words, register pages.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[test]
fn every_kvm_and_ptrace_header_describes_itself() {
    use cr::kvm_x86_64::*;
    describes_itself::<CrHdrKvmMemRegion>();
    describes_itself::<CrHdrKvmRegs>();
    describes_itself::<CrHdrKvmSregs>();
    describes_itself::<CrHdrKvmXsave>();
    describes_itself::<CrHdrKvmXcrs>();
    describes_itself::<CrHdrKvmDebugregs>();
    describes_itself::<CrHdrKvmVcpuEvents>();
    describes_itself::<CrHdrKvmMpState>();
    describes_itself::<CrHdrKvmMsr>();
    describes_itself::<CrHdrKvmIrqchip>();
    describes_itself::<CrHdrKvmCpuidEntry>();
    describes_itself::<vm_level::CrHdrKvmLapic>();
    describes_itself::<vm_level::CrHdrKvmPitState2>();
    describes_itself::<vm_level::CrHdrKvmClock>();
    describes_itself::<vm_level::CrHdrSerial>();
    describes_itself::<cr::ptrace_x86_64::CrHdrRegs>();
    describes_itself::<cr::ptrace_x86_64::CrHdrFpregs>();
}

/// A whole-VM image (`cr_vmm::image::write_image`'s records: headers with nested segment
/// arrays and tagged variants, an MSR list, guest memory) written by a describing writer:
/// `cr_vmm` reads it as it reads its own, and cr-inspect decodes it from its descriptions alone
/// and encodes it back to the same bytes, the memory through an extracted file.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[test]
fn a_described_vm_image_reads_as_the_vmms_and_round_trips_through_cr_inspect() {
    use cr::kvm_x86_64::{self as k, CrHdrKvmMemRegion, GUEST_MEMORY};
    use cr_vmm::state::Headers;
    let region = cr_vmm::sample::region(4096);
    let headers = Headers::save(&cr_vmm::sample::snapshot());
    let memory: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut w = Writer::describing(Vec::new(), k::ARCH_X86_64).expect("head");
    let mut region_hdr = <CrHdrKvmMemRegion as zerocopy::FromZeros>::new_zeroed();
    region_hdr.save(&region);
    w.write(cr_vmm::image::VM, &region_hdr).expect("region");
    for chip in &headers.irqchips {
        w.write(cr_vmm::image::VM, chip).expect("irqchip");
    }
    w.write(cr_vmm::image::VM, &headers.pit).expect("pit");
    w.write(cr_vmm::image::VM, &headers.clock).expect("clock");
    for (id, vcpu) in (0..).zip(&headers.vcpus) {
        k::write_vcpu(&mut w, id, &vcpu.vcpu).expect("vcpu");
        w.write(id, &vcpu.lapic).expect("lapic");
    }
    w.write(u32::from(cr_vmm::serial::COM1), &headers.serial)
        .expect("serial");
    w.write_bytes(GUEST_MEMORY, region.slot, &memory).expect("memory");
    let image = w.finish().expect("end").into_inner();

    let slot = cr_vmm::sample::region(4096);
    let restored = cr_vmm::image::read_image(&image, &slot, cr_vmm::guest::VCPUS, &k::VcpuCaps::ARCHITECTURAL)
        .expect("the VMM reads the described image");
    assert_eq!(restored.memory, memory);

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("described-vm");
    let extract = cr_inspect::doc::Extract {
        dir: &dir.join("bytes"),
        base: &dir,
    };
    let doc = cr_inspect::doc::decode(&image, Some(&extract)).expect("decode");
    let records = doc["records"].as_array().expect("records");
    let undecoded: Vec<_> = records.iter().filter(|r| r.get("undecoded").is_some()).collect();
    assert!(
        undecoded.is_empty(),
        "every record decodes from its description: {undecoded:?}"
    );
    assert!(records
        .iter()
        .any(|r| r["kind"] == "list" && r["entries"].as_array().is_some_and(|e| !e.is_empty())));
    let again = cr_inspect::doc::encode(&doc, &dir).expect("encode");
    assert!(again == image, "decode then encode changed the VM image");
    let (report, faults) = cr_inspect::report::verify(&image);
    assert!(faults.is_empty(), "{report}{faults:?}");

    // Two checkpoints of the same VM compared field by field: the second vCPU's code segment
    // DPL changed, named by its route (the record's header name, its occurrence, the fields).
    let mut changed = doc.clone();
    let sregs = changed["records"]
        .as_array_mut()
        .expect("records")
        .iter_mut()
        .filter(|r| r["kind"] == "header" && r["name"] == "CrHdrKvmSregs")
        .nth(1)
        .expect("the second vCPU's sregs");
    let dpl = sregs["fields"]["cs"]["dpl"].as_str().expect("dpl").to_string();
    sregs["fields"]["cs"]["dpl"] = "0x3".into();
    assert_eq!(
        cr_inspect::report::diff(&doc, &changed),
        [format!("CrHdrKvmSregs#1.cs.dpl: {dpl} -> 0x3")]
    );
}

/// `cr_core::dump` names a description's type from the description when the caller passes no
/// kind for it, once it verifies; one that does not verify is said to, not trusted.
#[test]
fn the_dump_names_described_types_it_was_not_given() {
    let image = described_image();
    let mut out = String::new();
    cr_core::dump::dump(&image, ARCH_S390X, &[], &mut out).expect("dump");
    assert!(
        out.contains("description of type 1 (CrHdrCpu, from its description), version 2"),
        "{out}"
    );
    assert!(
        out.contains("description of type 2 (CrHdrMmContext, from its description), version 1"),
        "{out}"
    );
    // The cpu description's first field name, `args`, renamed `argz`: it no longer hashes to
    // its record's fingerprint.
    let mut lying = image.clone();
    let at = lying.windows(4).position(|w| w == b"args").expect("a field name");
    lying[at + 3] = b'z';
    cr_core::image::reseal(&mut lying);
    let mut out = String::new();
    cr_core::dump::dump(&lying, ARCH_S390X, &[], &mut out).expect("dump");
    assert!(
        out.contains("description of type 1 (a description that does not verify), version 2"),
        "{out}"
    );
    let (_, faults) = cr_inspect::report::verify(&lying);
    assert_eq!(faults.len(), 1, "{faults:?}");
    assert!(
        faults[0].message.contains("the description of type 1 is refused"),
        "{}",
        faults[0]
    );
}

#[test]
fn a_type_written_again_is_not_described_again() {
    let cpu = checkpoint_cpu(&sample_task());
    let mut w = Writer::describing(Vec::new(), ARCH_S390X).expect("head");
    for _ in 0..3 {
        w.write(0, &cpu).expect("cpu");
    }
    let image = w.finish().expect("end").into_inner();
    let mut reader = Reader::new(&image, ARCH_S390X).expect("head");
    let mut descriptions = 0;
    while let Some(info) = reader.skip().expect("record") {
        descriptions += usize::from(info.description);
    }
    assert_eq!(descriptions, 1);
}
