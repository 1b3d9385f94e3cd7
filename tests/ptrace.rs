//! Checkpoint/restart of a live process through ptrace, as `examples/ptrace_x86_64.rs` does it, plus the
//! kernel-grade validation of the x86-64 register headers without ptrace. Where the kernel forbids ptrace
//! (EPERM) the live tests say why on stderr and skip; wherever ptrace works they assert everything.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use cr::ptrace_x86_64::{self as pt, CrHdrRegs, Failure, Image, Scope};
use cr_core::{CrCopy, ErrorKind};
use std::process::Command;
use zerocopy::{FromZeros, IntoBytes};

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
    assert_eq!(outcome.image_len, size_of::<Image>());
    assert!(!outcome.image_path.exists(), "the image file is removed once read back");

    // The tampered images were refused, each naming its field, before any register was written.
    let refused: Vec<_> = outcome
        .rejections
        .iter()
        .map(|r| (r.tamper, r.error.field(), r.error.kind()))
        .collect();
    let invalid = |reason| ErrorKind::Invalid { reason };
    assert_eq!(
        refused,
        [
            (
                "kernel code segment (cs 0x10, RPL 0) and IOPL 3",
                Some("cs"),
                invalid("RPL is not 3: a kernel-privilege selector")
            ),
            (
                "IOPL 3 in eflags",
                Some("eflags"),
                invalid("IOPL is not 0: a user task never runs with I/O privilege")
            ),
            (
                "null ss",
                Some("ss"),
                invalid("null selector: a user task's cs and ss are never null")
            ),
            (
                "fs_base at TASK_SIZE_MAX",
                Some("fs_base"),
                invalid("not below TASK_SIZE_MAX (0x7fff_ffff_f000): not a user address")
            ),
            (
                "selector wider than 16 bits",
                Some("ds"),
                ErrorKind::MaskViolation { bits: 1 << 16 }
            ),
            ("reserved word set", Some("reserved"), ErrorKind::ReservedNotZero),
            (
                "MXCSR reserved bit 16",
                Some("mxcsr"),
                ErrorKind::MaskViolation { bits: 1 << 16 }
            ),
            ("FP reserved bytes set", Some("fx_reserved"), ErrorKind::ReservedNotZero),
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

#[test]
fn image_bytes_round_trip_and_foreign_bytes_are_refused() {
    let mut image = Image::new_zeroed();
    image.magic = pt::IMAGE_MAGIC;
    image.version = pt::IMAGE_VERSION;
    image.regs = saved(&user_task());
    let back = Image::from_bytes(image.as_bytes()).expect("an image reads back");
    assert_eq!(back, image);

    let mut bad = image;
    bad.magic = *b"NOTANIMG";
    assert!(matches!(Image::from_bytes(bad.as_bytes()), Err(Failure::Image(_))));
    let mut bad = image;
    bad.version = 2;
    assert!(matches!(Image::from_bytes(bad.as_bytes()), Err(Failure::Image(_))));
    assert!(matches!(
        Image::from_bytes(&image.as_bytes()[1..]),
        Err(Failure::Image(_))
    ));
}
