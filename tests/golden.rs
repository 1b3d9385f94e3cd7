//! Golden images: image files written by every image format and header version this code has
//! produced, committed under `tests/golden/`, and restored by every later build, forever. A
//! change that can no longer read one fails here.
//!
//! `cargo test --test golden -- --ignored write_golden_images` writes the images of the current
//! format and header versions that are not there yet; it never overwrites a committed one.

use cr::s390::*;
use cr_core::image::Reader;
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

/// The name of the current build's s390 image: image format and record versions.
fn current_s390_name() -> String {
    use cr_core::image::Record;
    format!(
        "s390-format{}-cpu{}-mm{}.img",
        cr_core::image::VERSION,
        CrHdrCpu::VERSION,
        CrHdrMmContext::VERSION
    )
}

#[test]
#[ignore = "writes golden images; run by hand when a format or header version is added"]
fn write_golden_images() {
    let path = golden(&current_s390_name());
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
    for name in &names {
        let bytes = std::fs::read(golden(name)).expect("read golden image");
        let mut task = fresh_task();
        restart_from_image(&bytes, &mut task).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(task.regs, expected.regs, "{name}");
        assert_eq!(task.thread.acrs, expected.thread.acrs, "{name}");
        assert_eq!(task.thread.per_info, expected.thread.per_info, "{name}");
        assert_eq!(task.mm.asce_limit, expected.mm.asce_limit, "{name}");
        // And the reader took every record of it.
        let mut reader = Reader::new(&bytes, ARCH_S390X).expect(name);
        while reader.skip().expect(name).is_some() {}
    }
    assert!(
        names.contains(&current_s390_name()),
        "the current format's image is committed: {names:?}"
    );
}
