//! The inputs of the expansion snapshots (`tests/expand/*.rs`, expanded by cr-derive's own tests)
//! compile as a user's crate would, and their headers work: a snapshot of code that never builds
//! could pin something false.

// The live structs have fields that only `cover`/`ignore` name, as a kernel struct would.
#[allow(dead_code)]
#[path = "expand/every_key.rs"]
mod every_key;
#[path = "expand/flags_only.rs"]
mod flags_only;
#[path = "expand/nested.rs"]
mod nested;
#[path = "expand/packed.rs"]
mod packed;
#[path = "expand/view.rs"]
mod view;

use cr_core::{CrCopy, ErrorKind};

#[test]
fn every_snapshot_input_is_compiled_here() {
    let this = include_str!("expand_inputs.rs");
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/expand")).expect("tests/expand") {
        let name = entry.expect("entry").file_name().into_string().expect("utf-8 name");
        if name.ends_with(".rs") && !name.ends_with(".expanded.rs") {
            let module = format!("#[path = \"expand/{name}\"]");
            assert!(
                this.contains(&module),
                "tests/expand/{name} is not compiled by tests/expand_inputs.rs"
            );
        }
    }
}

#[test]
fn every_key_round_trips_and_upgrades() {
    use cr_core::image::{Reader, Writer};
    let mut task = every_key::Task::default();
    task.regs.gprs[3] = 33;
    task.regs.ilc = 4;
    task.regs.psw.mask = every_key::USER_MASK;
    task.thread.per_info.single_step = true;
    task.thread.per_info.lowcore.access_id = 5;
    let mut hdr: every_key::EveryKey = cr_core::zerocopy::FromZeros::new_zeroed();
    hdr.save(&task);
    let mut back = every_key::Task::default();
    hdr.restore(&mut back).expect("a saved header restores");
    assert_eq!((back.regs.gprs[3], back.regs.ilc, back.loads), (33, 4, 1));
    assert!(back.thread.per_info.single_step);
    assert_eq!(back.thread.per_info.lowcore.access_id, 5);

    // A version-1 record is read through the `prev` chain; the new `skip` field gets its default.
    let v1 = every_key::EveryKeyV1 {
        copy: [7; 16],
        ..cr_core::zerocopy::FromZeros::new_zeroed()
    };
    let mut image = Writer::new(Vec::new(), 1).expect("head");
    image.write(0, &v1).expect("record");
    let bytes = image.finish().expect("end");
    let (_, upgraded) = Reader::new(&bytes, 1)
        .expect("head")
        .read::<every_key::EveryKey>()
        .expect("a version-1 record upgrades");
    assert_eq!((upgraded.copy, upgraded.skip), ([7; 16], 7));
}

#[test]
fn flags_nested_packed_and_view_headers_work() {
    let mm = flags_only::MmContext {
        noexec: true,
        has_pgste: false,
        alloc_pgste: true,
    };
    let mut flags = flags_only::MmFlags::default();
    flags.save(&mm);
    assert_eq!(
        flags.flags,
        flags_only::MmFlags::FLAGS_NOEXEC | flags_only::MmFlags::FLAGS_ALLOC
    );

    let mut sregs = nested::Sregs {
        cr0: 1,
        ..Default::default()
    };
    sregs.segs[2].dpl = 3;
    let mut hdr = nested::SregsHeader::default();
    hdr.save(&sregs);
    hdr.segs[2].dpl = 4;
    let err = hdr.restore(&mut sregs).expect_err("dpl has two bits");
    assert_eq!(err.kind(), ErrorKind::MaskViolation { bits: 4 });
    assert_eq!(
        err.to_string(),
        "header field `segs[2].dpl` (live `segs[2].dpl`) has bits 0x4 set outside its strict mask"
    );

    let device = packed::Device {
        id: 2,
        irq: 9,
        ..Default::default()
    };
    let mut hdr = packed::DeviceHeader::default();
    hdr.save(&device);
    let mut back = packed::Device::default();
    hdr.restore(&mut back).expect("a saved device restores");
    assert_eq!((back.id, { back.irq }), (2, 9));

    let (mut regs, mut thread) = (view::PtRegs::default(), view::ThreadStruct::default());
    regs.psw.addr = 0x4000;
    let mut per = view::PerHdr::default();
    per.save(&view::TaskView {
        regs: &mut regs,
        thread: &mut thread,
    });
    let (mut regs2, mut thread2) = (view::PtRegs::default(), view::ThreadStruct::default());
    per.restore(&mut view::TaskView {
        regs: &mut regs2,
        thread: &mut thread2,
    })
    .expect("a view restores");
    assert_eq!(regs2.psw.addr, 0x4000);
}

#[test]
fn every_key_variants_unions_and_an_accessor_flag() {
    let mut task = every_key::Task::default();
    task.chip.id = 2;
    task.chip.state.ioapic = 0x0102_0304_0506_0708; // a write to a union field is safe Rust
    task.irq.irq = 7;
    task.control.set_single_step(1);
    let mut hdr: every_key::EveryKey = cr_core::zerocopy::FromZeros::new_zeroed();
    hdr.save(&task);
    assert_eq!(
        (hdr.chip_id, hdr.ioapic, hdr.pic, hdr.irq),
        (2, 0x0102_0304_0506_0708, [0; 8], 7)
    );
    assert_eq!(hdr.control, every_key::EveryKey::CONTROL_SINGLE_STEP);

    // Restored into a fresh task and saved again: the same header.
    let mut back = every_key::Task::default();
    hdr.restore(&mut back).expect("a saved header restores");
    assert_eq!((back.chip.id, back.control.single_step()), (2, 1));
    let mut again: every_key::EveryKey = cr_core::zerocopy::FromZeros::new_zeroed();
    again.save(&back);
    assert_eq!((again.ioapic, again.irq, again.pic), (hdr.ioapic, hdr.irq, hdr.pic));

    // The other variant: the PIC's bytes, the IOAPIC's saved as zeros.
    task.chip.id = 1;
    task.chip.state.pic = [9; 8];
    hdr.save(&task);
    assert_eq!((hdr.pic, hdr.ioapic), ([9; 8], 0));

    let mut tampered = hdr;
    tampered.chip_id = 5;
    let err = tampered.restore(&mut back).expect_err("no variant has tag 5");
    assert_eq!(
        err.kind(),
        ErrorKind::UnknownVariant {
            tag: cr_core::Value::Unsigned(5)
        }
    );
    assert_eq!((err.field(), err.path()), (Some("chip_id"), Some("chip.id")));
    assert_eq!(
        err.to_string(),
        "header field `chip_id` (live `chip.id`) holds 5 (0x5), which selects no variant"
    );
    let mut tampered = hdr;
    tampered.ioapic = 1;
    let err = tampered
        .restore(&mut back)
        .expect_err("the inactive IOAPIC variant carries data");
    assert_eq!(
        err.kind(),
        ErrorKind::InactiveVariant {
            tag: cr_core::Value::Unsigned(1)
        }
    );
    assert_eq!(err.field(), Some("ioapic"));
    // Nothing was written: `back` still holds the IOAPIC variant restored above.
    assert_eq!(back.chip.id, 2);
}
