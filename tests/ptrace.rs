//! Checkpoint/restart of a live process through ptrace, as `examples/ptrace_x86_64.rs` does it, plus the
//! kernel-grade validation of the x86-64 register headers and their image without ptrace. Where the kernel
//! forbids ptrace (EPERM) the live tests say why on stderr and skip; wherever ptrace works they assert
//! everything.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use cr::ptrace_x86_64::{self as pt, Checkpoint, CrHdrFpregs, CrHdrRegs, Failure, Scope};
use cr_core::image::Writer;
use cr_core::{CrCopy, ErrorKind};
use std::process::Command;
use zerocopy::FromZeros;

/// The image format's fixed parts (README, "Images"): the head, and the header in front of each record.
const HEAD: usize = cr_core::image::HEAD_SIZE;
const RECORD: usize = cr_core::image::RECORD_HEADER_SIZE;
/// Where the FP record starts: after the head and the general-register record.
const FP_RECORD: usize = HEAD + RECORD + size_of::<CrHdrRegs>();
/// Where its payload starts.
const FP_PAYLOAD: usize = FP_RECORD + RECORD;

/// Set in the environment of the traced child, a copy of this test binary running only [`child_entry`].
const CHILD_ENV: &str = "CR_PTRACE_TEST_CHILD";

/// The traced child's program, not a test: it computes only when [`child_command`] runs it.
#[test]
#[ignore = "the child traced by the live tests; computes only when CR_PTRACE_TEST_CHILD is set"]
fn child_entry() {
    if std::env::var_os(CHILD_ENV).is_some() {
        pt::child_main();
    }
}

/// This test binary, running [`child_entry`] alone with its output uncaptured.
fn child_command() -> Command {
    let mut cmd = Command::new(std::env::current_exe().expect("the path of this test binary"));
    cmd.args([
        "child_entry",
        "--exact",
        "--include-ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD_ENV, "1");
    cmd
}

/// Runs the whole path; `None` (after saying why) where the kernel forbids ptrace.
fn run(scope: Scope) -> Option<pt::Outcome> {
    match pt::checkpoint_restart(&child_command, scope, &mut |line| eprintln!("{line}")) {
        Ok(outcome) => Some(outcome),
        Err(Failure::PtraceDenied(errno)) => {
            eprintln!(
                "SKIPPED: ptrace is not permitted in this environment (PTRACE_SEIZE of our own child failed with \
                 {errno}; Yama ptrace_scope, a seccomp profile or a container without CAP_SYS_PTRACE)"
            );
            None
        }
        Err(e) => panic!("checkpoint/restart failed: {e}"),
    }
}

#[test]
fn restored_process_prints_the_untraced_result() {
    let Some(outcome) = run(Scope::All) else { return };
    assert_eq!(outcome.restored, outcome.untraced);
    assert!(outcome.untraced.starts_with("acc=0x"), "{}", outcome.untraced);
    assert!(!outcome.in_syscall, "stopped in a system call, not mid-computation");
    assert!(!outcome.image_path.exists(), "the image file is removed once read back");

    // The image as written: head, two records, end record; both records belong to the stopped thread.
    assert_eq!(outcome.image.len(), FP_PAYLOAD + size_of::<CrHdrFpregs>() + RECORD);
    let image = pt::read_image(&outcome.image).expect("the image reads back");
    assert_eq!(image.tid, outcome.tid as u32);
    assert_eq!(image.regs, saved(&outcome.saved));

    // The tampered images were refused, each naming its field (the corrupted one its offset), before any
    // register was written.
    let refused: Vec<_> = outcome
        .rejections
        .iter()
        .map(|r| (r.tamper, r.error.field(), r.error.kind(), r.error.offset()))
        .collect();
    let invalid = |reason| ErrorKind::Invalid { reason };
    assert_eq!(
        refused,
        [
            (
                "kernel code segment (cs 0x10, RPL 0) and IOPL 3",
                Some("cs"),
                invalid("RPL is not 3: a kernel-privilege selector"),
                None
            ),
            (
                "IOPL 3 in eflags",
                Some("eflags"),
                invalid("IOPL is not 0: a user task never runs with I/O privilege"),
                None
            ),
            (
                "null ss",
                Some("ss"),
                invalid("null selector: a user task's cs and ss are never null"),
                None
            ),
            (
                "fs_base at TASK_SIZE_MAX",
                Some("fs_base"),
                invalid("not below TASK_SIZE_MAX (0x7fff_ffff_f000): not a user address"),
                None
            ),
            (
                "selector wider than 16 bits",
                Some("ds"),
                ErrorKind::MaskViolation { bits: 1 << 16 },
                None
            ),
            ("reserved word set", Some("reserved"), ErrorKind::ReservedNotZero, None),
            (
                "MXCSR reserved bit 16",
                Some("mxcsr"),
                ErrorKind::MaskViolation { bits: 1 << 16 },
                None
            ),
            (
                "FP reserved bytes set",
                Some("fx_reserved"),
                ErrorKind::ReservedNotZero,
                None
            ),
            // The payload checksum of the FP record: the (valid) general registers are not written either.
            (
                "one bit of mxcsr flipped in the file",
                None,
                ErrorKind::Corrupt,
                Some(FP_PAYLOAD as u64)
            ),
        ]
    );
}

/// Restoring the general registers but not the FP state must change the result: the clobbering is
/// real, so the equal result above is evidence of a complete restore.
#[test]
fn control_without_fp_restore_changes_the_result() {
    let Some(outcome) = run(Scope::GeneralOnly) else { return };
    assert_ne!(outcome.restored, outcome.untraced);
}

// ---------------------------------------------------------------------------------------------
// Validation without ptrace.
// ---------------------------------------------------------------------------------------------

/// The registers of a 64-bit user task stopped in its computation.
fn user_task() -> libc::user_regs_struct {
    libc::user_regs_struct {
        r15: 15,
        r14: 14,
        r13: 13,
        r12: 12,
        rbp: 0x7ffc_0000_1000,
        rbx: 0x0123_4567_89ab_cdef,
        r11: 11,
        r10: 10,
        r9: 9,
        r8: 8,
        rax: 0xfeed,
        rcx: 0xc,
        rdx: 0xd,
        rsi: 0x51,
        rdi: 0xd1,
        orig_rax: u64::MAX,
        rip: 0x5555_5555_4321,
        cs: 0x33,
        eflags: pt::X86_EFLAGS_FIXED | pt::X86_EFLAGS_IF | pt::X86_EFLAGS_ZF | pt::X86_EFLAGS_PF,
        rsp: 0x7ffc_0000_0f00,
        ss: 0x2b,
        fs_base: 0x7f12_3456_7740,
        gs_base: 0,
        ds: 0,
        es: 0,
        fs: 0,
        gs: 0,
    }
}

fn saved(task: &libc::user_regs_struct) -> CrHdrRegs {
    let mut hdr = CrHdrRegs::new_zeroed();
    hdr.save(task);
    hdr
}

/// A live struct unlike the task in every field, as after the clobbering.
fn other_live() -> libc::user_regs_struct {
    let mut live = user_task();
    live.rip = 0xdead;
    live.rsp = 0xbeef;
    live.fs_base = 0x1000;
    live.rax = 0;
    live.eflags = pt::X86_EFLAGS_FIXED | pt::X86_EFLAGS_IF | pt::X86_EFLAGS_ID | pt::FLAG_MASK;
    live
}

/// Restores `hdr` into [`other_live`] expecting a refusal; asserts the live struct is untouched.
fn refusal(hdr: &CrHdrRegs) -> cr_core::Error {
    let before = other_live();
    let mut live = before;
    let err = hdr.restore(&mut live).expect_err("tampered header accepted");
    assert_eq!(live, before, "a refused restore wrote to the live struct");
    err
}

#[test]
fn a_saved_user_task_restores_exactly() {
    let task = user_task();
    let hdr = saved(&task);
    let mut live = other_live();
    live.eflags &= !pt::X86_EFLAGS_ID;
    hdr.restore(&mut live).expect("a user task's registers restore");
    assert_eq!(live, task);
}

#[test]
fn eflags_outside_flag_mask_keep_the_live_value() {
    let mut task = user_task();
    task.eflags |= pt::X86_EFLAGS_TF | pt::X86_EFLAGS_DF | pt::X86_EFLAGS_ID;
    let hdr = saved(&task);
    let mut live = other_live();
    live.eflags = pt::X86_EFLAGS_FIXED | pt::X86_EFLAGS_IF;
    hdr.restore(&mut live).unwrap();
    // TF and DF come from the image; ID is the kernel's, as in set_flags(): the live one (clear) stays.
    assert_eq!(
        live.eflags,
        pt::X86_EFLAGS_FIXED
            | pt::X86_EFLAGS_IF
            | pt::X86_EFLAGS_ZF
            | pt::X86_EFLAGS_PF
            | pt::X86_EFLAGS_TF
            | pt::X86_EFLAGS_DF
    );
}

#[test]
fn kernel_cs_is_refused_naming_cs() {
    for cs in [0x10, 0x08, 0x32, 0x31] {
        let mut hdr = saved(&user_task());
        hdr.cs = cs;
        let err = refusal(&hdr);
        assert_eq!(err.field(), Some("cs"), "cs {cs:#x}");
        assert_eq!(
            err.kind(),
            ErrorKind::Invalid {
                reason: "RPL is not 3: a kernel-privilege selector"
            }
        );
    }
}

#[test]
fn null_cs_or_ss_is_refused() {
    for field in ["cs", "ss"] {
        let mut hdr = saved(&user_task());
        *if field == "cs" { &mut hdr.cs } else { &mut hdr.ss } = 0;
        let err = refusal(&hdr);
        assert_eq!(err.field(), Some(field));
        assert_eq!(
            err.kind(),
            ErrorKind::Invalid {
                reason: "null selector: a user task's cs and ss are never null"
            }
        );
    }
}

#[test]
fn data_selectors_may_be_null_but_not_kernel() {
    let mut hdr = saved(&user_task());
    hdr.ds = 0x2b;
    hdr.gs = 0x63;
    let mut live = other_live();
    hdr.restore(&mut live).expect("RPL 3 data selectors restore");

    for (field, sel) in [("ds", 0x18), ("es", 0x10), ("fs", 0x01), ("gs", 0x62)] {
        let mut hdr = saved(&user_task());
        match field {
            "ds" => hdr.ds = sel,
            "es" => hdr.es = sel,
            "fs" => hdr.fs = sel,
            _ => hdr.gs = sel,
        }
        let err = refusal(&hdr);
        assert_eq!(err.field(), Some(field));
        assert_eq!(
            err.kind(),
            ErrorKind::Invalid {
                reason: "RPL is not 3: a kernel-privilege selector"
            }
        );
    }
}

#[test]
fn selector_wider_than_16_bits_is_a_mask_violation() {
    let mut hdr = saved(&user_task());
    hdr.ss = 0x2b | 0xffff_0000;
    let err = refusal(&hdr);
    assert_eq!(err.field(), Some("ss"));
    assert_eq!(err.path(), Some("ss"));
    assert_eq!(err.kind(), ErrorKind::MaskViolation { bits: 0xffff_0000 });
}

#[test]
fn eflags_a_user_task_cannot_hold_are_refused() {
    let cases: [(u64, &str); 5] = [
        (
            pt::X86_EFLAGS_IOPL,
            "IOPL is not 0: a user task never runs with I/O privilege",
        ),
        (1 << 12, "IOPL is not 0: a user task never runs with I/O privilege"),
        (
            pt::X86_EFLAGS_VM,
            "virtual-8086 flags (VM, VIF, VIP) set: not a 64-bit user task",
        ),
        (
            pt::X86_EFLAGS_VIP,
            "virtual-8086 flags (VM, VIF, VIP) set: not a 64-bit user task",
        ),
        (1 << 40, "reserved bits set"),
    ];
    for (bits, reason) in cases {
        let mut hdr = saved(&user_task());
        hdr.eflags |= bits;
        let err = refusal(&hdr);
        assert_eq!(err.field(), Some("eflags"), "bits {bits:#x}");
        assert_eq!(err.kind(), ErrorKind::Invalid { reason });
    }
    let mut hdr = saved(&user_task());
    hdr.eflags &= !pt::X86_EFLAGS_IF;
    assert_eq!(
        refusal(&hdr).kind(),
        ErrorKind::Invalid {
            reason: "bit 1 or IF clear: every user task runs with both set"
        }
    );
}

#[test]
fn the_tampered_image_of_the_example_names_cs_first() {
    let mut hdr = saved(&user_task());
    hdr.cs = 0x10;
    hdr.eflags |= pt::X86_EFLAGS_IOPL;
    let err = refusal(&hdr);
    assert_eq!(err.field(), Some("cs"));
    let shown = err.to_string();
    assert!(shown.starts_with("header field `cs`"), "{shown}");
    assert!(
        shown.ends_with("is invalid: RPL is not 3: a kernel-privilege selector"),
        "{shown}"
    );
}

#[test]
fn segment_bases_must_be_below_task_size_max() {
    assert_eq!(pt::TASK_SIZE_MAX, 0x0000_7fff_ffff_f000);
    for (field, base, ok) in [
        ("fs_base", pt::TASK_SIZE_MAX - 1, true),
        ("fs_base", pt::TASK_SIZE_MAX, false),
        ("fs_base", 0x0000_7fff_ffff_ffff, false),
        ("gs_base", 0x0000_8000_0000_0000, false),
        ("gs_base", 0xffff_8000_0000_0000, false),
        ("gs_base", 0, true),
    ] {
        let mut hdr = saved(&user_task());
        if field == "fs_base" {
            hdr.fs_base = base;
        } else {
            hdr.gs_base = base;
        }
        if ok {
            let mut live = other_live();
            hdr.restore(&mut live)
                .unwrap_or_else(|e| panic!("{field} {base:#x}: {e}"));
        } else {
            let err = refusal(&hdr);
            assert_eq!(err.field(), Some(field), "{base:#x}");
            assert_eq!(
                err.kind(),
                ErrorKind::Invalid {
                    reason: "not below TASK_SIZE_MAX (0x7fff_ffff_f000): not a user address"
                }
            );
        }
    }
}

#[test]
fn reserved_word_must_be_zero() {
    let mut hdr = saved(&user_task());
    hdr.reserved = 1 << 63;
    let err = refusal(&hdr);
    assert_eq!(err.field(), Some("reserved"));
    assert_eq!(err.kind(), ErrorKind::ReservedNotZero);
}

#[test]
fn headers_have_the_kernel_layout() {
    // The kernel's 27 words, then the reserved word.
    assert_eq!(size_of::<CrHdrRegs>(), size_of::<libc::user_regs_struct>() + 8);
    assert_eq!(size_of::<libc::user_regs_struct>(), 27 * 8);
    assert_eq!(size_of::<pt::CrHdrFpregs>(), size_of::<libc::user_fpregs_struct>());
    assert_eq!(size_of::<pt::CrHdrFpregs>(), 512);
}

// ---------------------------------------------------------------------------------------------
// The image, without ptrace.
// ---------------------------------------------------------------------------------------------

/// A checkpoint of [`user_task`] with recognisable FP state.
fn checkpoint() -> Checkpoint {
    let mut fpregs = CrHdrFpregs::new_zeroed();
    fpregs.cwd = 0x037f;
    fpregs.mxcsr = 0x1fa0;
    fpregs.mxcr_mask = 0xffff;
    fpregs.xmm[3] = 0x3ff0_0000_0000_0000;
    Checkpoint {
        tid: 4242,
        regs: saved(&user_task()),
        fpregs,
    }
}

/// Reads `image` expecting a refusal; returns its kind and offset.
fn image_refusal(image: &[u8]) -> (ErrorKind, Option<u64>) {
    let err = pt::read_image(image).expect_err("a damaged image was read");
    (err.kind(), err.offset())
}

#[test]
fn image_round_trips_through_writer_and_reader() {
    let checkpoint = checkpoint();
    let image = pt::write_image(&checkpoint);
    assert_eq!(image.len(), FP_PAYLOAD + size_of::<CrHdrFpregs>() + RECORD);
    assert_eq!(pt::read_image(&image), Ok(checkpoint));

    // Both records have the thread as parent, in this order, and nothing else is in the image.
    let mut reader = cr_core::image::Reader::new(&image, pt::ARCH_X86_64).expect("head");
    let regs = reader.skip().expect("regs").expect("a record");
    let fpregs = reader.skip().expect("fpregs").expect("a record");
    assert_eq!(
        (regs.ty, regs.parent, regs.offset),
        (pt::CR_HDR_X86_64_REGS, 4242, HEAD as u64)
    );
    assert_eq!(
        (fpregs.ty, fpregs.parent, fpregs.offset),
        (pt::CR_HDR_X86_64_FPREGS, 4242, FP_RECORD as u64)
    );
    assert_eq!(reader.skip(), Ok(None));
    reader.finish().expect("the end record, and nothing after it");

    // What was read restores the task exactly.
    let mut live = other_live();
    live.eflags &= !pt::X86_EFLAGS_ID;
    pt::read_image(&image).unwrap().regs.restore(&mut live).unwrap();
    assert_eq!(live, user_task());
}

#[test]
fn the_image_dumps_both_headers_by_name() {
    let image = pt::write_image(&checkpoint());
    let mut out = String::new();
    cr_core::dump::dump(&image, pt::ARCH_X86_64, &pt::KINDS, &mut out).expect("dump");
    let lines: Vec<&str> = out.lines().collect();
    let has = |words: &[&str]| lines.iter().any(|l| l.split_whitespace().eq(words.iter().copied()));
    assert_eq!(
        lines[0],
        "cr image, format 3, arch 0x78383634, little-endian, 856 bytes"
    );
    assert_eq!(
        lines[1],
        "@24     type 1 (CrHdrRegs), version 1, parent 4242, 224 bytes"
    );
    assert!(has(&["cs", "cs", "0x33"]), "{out}");
    assert!(has(&["eflags", "eflags", "0x246"]), "{out}");
    assert!(has(&["reserved", "-", "0x0"]), "{out}");
    assert!(
        lines.contains(&"@280    type 2 (CrHdrFpregs), version 1, parent 4242, 512 bytes"),
        "{out}"
    );
    assert!(has(&["mxcsr", "mxcsr", "0x1fa0"]), "{out}");
    assert!(has(&["fx_reserved", "-", "[0x0", "x24]"]), "{out}");
    assert_eq!(lines.last(), Some(&"@824    end"));
}

#[test]
fn the_arch_tag_and_record_types() {
    use cr_core::image::Record;
    assert_eq!(pt::ARCH_X86_64.to_be_bytes(), *b"x864");
    assert_eq!(CrHdrRegs::TYPE, pt::CR_HDR_X86_64_REGS);
    assert_eq!(CrHdrFpregs::TYPE, pt::CR_HDR_X86_64_FPREGS);
    assert_ne!(pt::CR_HDR_X86_64_REGS, pt::CR_HDR_X86_64_FPREGS);
}

#[test]
fn a_flipped_bit_is_refused_as_corrupt_with_its_offset() {
    let image = pt::write_image(&checkpoint());
    let flip = |at: usize| {
        let mut bad = image.clone();
        bad[at] ^= 0x10;
        image_refusal(&bad)
    };
    let corrupt_at = |offset: usize| (ErrorKind::Corrupt, Some(offset as u64));
    // In a payload: that record's payload checksum, at the payload's start.
    assert_eq!(
        flip(HEAD + RECORD + std::mem::offset_of!(CrHdrRegs, rip)),
        corrupt_at(HEAD + RECORD)
    );
    assert_eq!(
        flip(FP_PAYLOAD + std::mem::offset_of!(CrHdrFpregs, mxcsr)),
        corrupt_at(FP_PAYLOAD)
    );
    // In a record header (the FP record's parent): its own checksum, at the record.
    assert_eq!(flip(FP_RECORD + 8), corrupt_at(FP_RECORD));
    // In the head's architecture tag: the head's checksum comes first.
    assert_eq!(flip(12), corrupt_at(0));

    // Every bit, anywhere: refused as an image fault found at or before the flipped byte.
    for at in 0..image.len() {
        for bit in 0..8 {
            let mut bad = image.clone();
            bad[at] ^= 1 << bit;
            let err = pt::read_image(&bad).expect_err("a flipped bit was read");
            assert!(err.kind().is_image(), "byte {at} bit {bit}: {err}");
            assert!(
                err.offset().is_some_and(|o| o <= at as u64),
                "byte {at} bit {bit}: {err}"
            );
        }
    }
}

#[test]
fn a_truncated_image_is_refused_with_its_offset() {
    let image = pt::write_image(&checkpoint());
    // Cut inside the FP payload: found where that payload starts.
    assert_eq!(
        image_refusal(&image[..FP_PAYLOAD + 100]),
        (ErrorKind::Truncated, Some(FP_PAYLOAD as u64))
    );
    // The end record missing: found where it should be.
    let end = image.len() - RECORD;
    assert_eq!(image_refusal(&image[..end]), (ErrorKind::Truncated, Some(end as u64)));
    // Any cut at all.
    for len in 0..image.len() {
        let err = pt::read_image(&image[..len]).expect_err("a truncated image was read");
        assert!(err.offset().is_some(), "{len} bytes: {err}");
    }
    // And one byte too many.
    let mut long = image.clone();
    long.push(0);
    assert_eq!(
        image_refusal(&long),
        (ErrorKind::TrailingData, Some(image.len() as u64))
    );
}

#[test]
fn images_of_another_kind_are_refused() {
    let checkpoint = checkpoint();
    // An s390 image: another architecture.
    let s390 = cr::s390::checkpoint_image(&cr::s390::sample_task());
    assert_eq!(
        image_refusal(&s390),
        (
            ErrorKind::ArchMismatch {
                expected: pt::ARCH_X86_64,
                found: cr::s390::ARCH_S390X
            },
            Some(12)
        )
    );
    // The ad-hoc format this example used to write.
    let mut old = b"CRX86REG".to_vec();
    old.resize(FP_PAYLOAD + size_of::<CrHdrFpregs>(), 0);
    assert_eq!(image_refusal(&old), (ErrorKind::BadMagic, Some(0)));

    let image = |records: &dyn Fn(&mut Writer<Vec<u8>>)| {
        let mut w = Writer::new(Vec::new(), pt::ARCH_X86_64).expect("head");
        records(&mut w);
        w.finish().expect("end")
    };
    // The records in the wrong order.
    let swapped = image(&|w| {
        w.write(4242, &checkpoint.fpregs).unwrap();
        w.write(4242, &checkpoint.regs).unwrap();
    });
    let wrong = |expected, found| ErrorKind::WrongRecord { expected, found };
    assert_eq!(
        image_refusal(&swapped),
        (
            wrong(pt::CR_HDR_X86_64_REGS, pt::CR_HDR_X86_64_FPREGS),
            Some(HEAD as u64)
        )
    );
    // The FP record missing.
    let regs_only = image(&|w| w.write(4242, &checkpoint.regs).unwrap());
    assert_eq!(
        image_refusal(&regs_only),
        (wrong(pt::CR_HDR_X86_64_FPREGS, 0), Some(FP_RECORD as u64))
    );
    // The two records from different threads.
    let mixed = image(&|w| {
        w.write(4242, &checkpoint.regs).unwrap();
        w.write(4243, &checkpoint.fpregs).unwrap();
    });
    assert_eq!(
        image_refusal(&mixed),
        (
            ErrorKind::WrongParent {
                expected: 4242,
                found: 4243
            },
            Some(FP_RECORD as u64 + 8)
        )
    );
}
