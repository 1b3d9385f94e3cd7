//! Integration tests on the s390 pair, written as a user of cr would: the fixture headers
//! `CrHdrCpu` and `CrHdrMmContext`, plus headers declared here for what the fixtures do not
//! show (a view over several objects, `crate = "..."` through a re-export, a flags-only word).
//! Every restore error is checked for its exact kind, field, path and message, with the
//! target compared to a copy taken before the call.

use cr::s390::*;
use cr_core::{CrCopy, Error, ErrorKind, Value};
use std::cell::RefCell;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A task with its floating-point registers replaced by their bits, so that comparing two tasks
/// is bitwise (a NaN equals itself, `-0.0` differs from `0.0`).
fn bitwise(task: &Task) -> (Task, [u64; 16]) {
    let mut plain = *task;
    let fprs = plain.thread.fp_regs.fprs.map(f64::to_bits);
    plain.thread.fp_regs.fprs = [0.0; 16];
    (plain, fprs)
}

/// A task that differs from `sample_task()` in every field any header here maps.
fn other_task() -> Task {
    let mut task = Task::default();
    task.regs.args = [0x5A5A];
    task.regs.psw = psw_t {
        mask: PSW_USER_BITS | 0x0000_0C00_0000_0000,
        addr: 0x0000_0000_0000_1234,
    };
    for (i, g) in task.regs.gprs.iter_mut().enumerate() {
        *g = 0x9000 + i as u64;
    }
    task.regs.orig_gpr2 = 7;
    task.regs.ilc = 2;
    task.regs.svcnr = 1;
    task.thread.fp_regs.fpc = 0x0000_0003;
    for (i, f) in task.thread.fp_regs.fprs.iter_mut().enumerate() {
        *f = -2.25 * (i as f64 + 1.0);
    }
    for (i, a) in task.thread.acrs.iter_mut().enumerate() {
        *a = 0xbb00 + i as u32;
    }
    task.thread.ksp = 0x1111;
    task.thread.ieee_instruction_pointer = 0x2222;
    let per = &mut task.thread.per_info;
    per.control_regs.words.cr = [1, 2, 3];
    per.set_single_step(0);
    per.set_instruction_fetch(1);
    per.starting_addr = 0x10;
    per.ending_addr = 0x20;
    per.lowcore.words.perc_atmid = 0x99;
    per.lowcore.words.address = 0x30;
    per.lowcore.words.access_id = 9;
    task.mm = mm_context_t {
        vdso_base: 0x1000,
        noexec: 0,
        has_pgste: 1,
        alloc_pgste: 0,
        asce_bits: 0x3,
        asce_limit: 1 << 31,
    };
    task.cpu = Cpu {
        acrs: [0xcc; 16],
        acr_loads: 41,
    };
    task
}

fn mm_header(mm: &mm_context_t) -> CrHdrMmContext {
    let mut hdr = CrHdrMmContext::default();
    hdr.save(mm);
    hdr
}

/// Restores `hdr` into a copy of `task`, expects a refusal and checks that the copy is untouched.
fn refuse_task(hdr: &impl CrCopy<Task>, task: &Task) -> Error {
    let mut target = *task;
    let err = hdr.restore(&mut target).expect_err("restore must refuse this header");
    assert_eq!(bitwise(&target), bitwise(task), "a refused restore changed the task");
    err
}

/// Restores `hdr` into a copy of `mm`, expects a refusal and checks that the copy is untouched.
fn refuse_mm(hdr: &impl CrCopy<mm_context_t>, mm: &mm_context_t) -> Error {
    let mut target = *mm;
    let err = hdr.restore(&mut target).expect_err("restore must refuse this header");
    assert_eq!(target, *mm, "a refused restore changed the mm context");
    err
}

fn assert_error(err: Error, kind: ErrorKind, field: &str, path: Option<&str>, message: &str) {
    assert_eq!(err.kind(), kind);
    assert_eq!(err.field(), Some(field));
    assert_eq!(err.path(), path);
    assert_eq!(err.to_string(), message);
}

// ---------------------------------------------------------------------------------------------
// CrHdrCpu: save
// ---------------------------------------------------------------------------------------------

#[test]
fn save_copies_every_mapped_field_of_the_task() {
    let task = sample_task();
    let hdr = checkpoint_cpu(&task);

    assert_eq!(hdr.args, [0xA5A5]);
    // A mask only filters restore: save records the whole live word.
    assert_eq!(hdr.psw.mask, PSW_USER_BITS | 0x0000_3000_8000_0000);
    assert_eq!(hdr.psw.addr, 0x8040_1000);
    assert_eq!(hdr.gprs, core::array::from_fn(|i| 0x1000 + i as u64));
    assert_eq!(hdr.orig_gpr2, 0xdead_0002);
    assert_eq!(hdr.ilc, 4u32);
    assert_eq!(hdr.svcnr, 93u32);
    assert_eq!(hdr.fpc, 0x0800_0000);
    assert_eq!(hdr.per_atmid, 0x40);
    assert_eq!(hdr.per_access_id, 3);
    assert_eq!(hdr.em_instr, CrHdrCpu::EM_INSTR_SINGLE_STEP);
    assert_eq!(hdr.fprs, core::array::from_fn(|i| (1.5 * i as f64).to_bits()));
    assert_eq!(hdr.acrs, core::array::from_fn(|i| 0xac00 + i as u32));
    assert_eq!(hdr.ksp, 0xffff_8000_0001_0000, "save_only fields are saved");
    assert_eq!(hdr.ieee_instruction_pointer, 0x0040_2000);
    assert_eq!(hdr.per_control_regs, [0x4000_0000, 0x0040_0000, 0x0040_ffff]);
    assert_eq!(hdr.per_starting_addr, 0x0040_0000);
    assert_eq!(hdr.per_ending_addr, 0x0040_ffff);
    assert_eq!(hdr.per_address, 0x0040_1234);
    assert_eq!(hdr.reserved, 0);
}

#[test]
fn save_overwrites_every_field_of_a_dirty_header() {
    let task = sample_task();
    let mut dirty = CrHdrCpu {
        em_instr: 0xFF,
        reserved: u64::MAX,
        ksp: 5,
        ilc: u32::MAX,
        fpc: u32::MAX,
        fprs: [u64::MAX; 16],
        ..CrHdrCpu::default()
    };
    dirty.save(&task);
    assert_eq!(
        dirty.em_instr,
        CrHdrCpu::EM_INSTR_SINGLE_STEP,
        "stale flag bits are cleared"
    );
    assert_eq!(dirty.reserved, 0, "reserved is saved as zero");
    assert_eq!(dirty, checkpoint_cpu(&task));
}

// ---------------------------------------------------------------------------------------------
// CrHdrCpu: restore, key by key
// ---------------------------------------------------------------------------------------------

#[test]
fn restore_writes_every_restored_field_and_keeps_the_rest() {
    let sample = sample_task();
    let hdr = checkpoint_cpu(&sample);
    let before = other_task();
    let mut task = before;
    hdr.restore(&mut task).expect("a saved header restores");

    assert_eq!(task.regs.args, sample.regs.args);
    assert_eq!(
        task.regs.psw.mask,
        (before.regs.psw.mask & !PSW_MASK_USER) | (sample.regs.psw.mask & PSW_MASK_USER)
    );
    assert_eq!(
        task.regs.psw.addr,
        (before.regs.psw.addr & !PSW_ADDR_INSN) | (sample.regs.psw.addr & PSW_ADDR_INSN)
    );
    assert_eq!(task.regs.gprs, sample.regs.gprs);
    assert_eq!(task.regs.orig_gpr2, sample.regs.orig_gpr2);
    assert_eq!(task.regs.ilc, 4);
    assert_eq!(task.regs.svcnr, 93);
    assert_eq!(task.thread.fp_regs.fpc, sample.thread.fp_regs.fpc);
    assert_eq!(
        task.thread.fp_regs.fprs.map(f64::to_bits),
        sample.thread.fp_regs.fprs.map(f64::to_bits)
    );
    assert_eq!(task.thread.acrs, sample.thread.acrs);
    assert_eq!(
        task.thread.ieee_instruction_pointer,
        sample.thread.ieee_instruction_pointer
    );
    // `per_info` is mapped field by field, flags included: it must equal the sample's.
    assert!(per_eq(&task.thread.per_info, &sample.thread.per_info));
    // Not mapped, or save_only: the target's own values.
    assert_eq!(task.thread.ksp, before.thread.ksp, "save_only is never restored");
    assert_eq!(task.mm, before.mm);
    // after_restore loaded the restored access registers, once.
    assert_eq!(task.cpu.acrs, sample.thread.acrs);
    assert_eq!(task.cpu.acr_loads, before.cpu.acr_loads + 1);
}

#[test]
fn mask_keeps_live_bits_outside_the_mask() {
    let mut hdr = checkpoint_cpu(&sample_task());
    hdr.psw.addr = 0xAAAA_AAAA_0040_1000;
    hdr.psw.mask = PSW_USER_BITS | 0x0000_3000_0000_0000;
    let mut task = other_task();
    task.regs.psw.addr = 0xFFFF_FFFF_FFFF_FFFF;
    task.regs.psw.mask = u64::MAX;
    hdr.restore(&mut task).unwrap();
    // (live & !M) | (image & M): zero bits inside the mask are written too.
    assert_eq!(task.regs.psw.addr, 0xFFFF_FFFF_8040_1000);
    assert_eq!(task.regs.psw.mask, !PSW_MASK_USER | 0x0000_3000_0000_0000);

    task.regs.psw.addr = 0;
    task.regs.psw.mask = 0;
    hdr.restore(&mut task).unwrap();
    assert_eq!(
        task.regs.psw.addr, 0x0040_1000,
        "image bits outside the mask are dropped"
    );
    assert_eq!(task.regs.psw.mask, 0x0000_3000_0000_0000);
}

#[test]
fn strict_mask_accepts_and_writes_every_bit_inside_the_mask() {
    let mut hdr = checkpoint_cpu(&sample_task());
    for fpc in [0, FPC_VALID_MASK, 0x8000_0001, 0x0008_0100] {
        hdr.fpc = fpc;
        let mut task = other_task();
        hdr.restore(&mut task).unwrap();
        assert_eq!(task.thread.fp_regs.fpc, fpc);
    }
}

#[test]
fn convert_widens_on_save_and_narrows_on_restore() {
    let mut task = sample_task();
    task.regs.ilc = u16::MAX;
    task.regs.svcnr = 0;
    let mut hdr = checkpoint_cpu(&task);
    assert_eq!(hdr.ilc, 0xFFFF_u32);
    assert_eq!(hdr.svcnr, 0_u32);

    hdr.ilc = 0xFFFF;
    hdr.svcnr = 0x1234;
    let mut target = other_task();
    hdr.restore(&mut target).unwrap();
    assert_eq!(target.regs.ilc, u16::MAX);
    assert_eq!(target.regs.svcnr, 0x1234);
}

#[test]
fn bits_reinterprets_floating_point_registers_exactly() {
    let patterns: [u64; 16] = [
        0x7FF8_DEAD_BEEF_0001, // quiet NaN with a payload
        0xFFF8_0000_0000_0000, // negative quiet NaN
        0x8000_0000_0000_0000, // -0.0
        0x0000_0000_0000_0001, // smallest subnormal
        0x7FF0_0000_0000_0000, // +inf
        0xFFF0_0000_0000_0000, // -inf
        1.0f64.to_bits(),
        (-1.5f64).to_bits(),
        f64::MAX.to_bits(),
        f64::MIN_POSITIVE.to_bits(),
        0,
        0x0123_4567_89AB_CDEF,
        0xFEDC_BA98_7654_3210,
        u64::MAX,
        0x4000_0000_0000_0000,
        0x3FF0_0000_0000_0001,
    ];
    let mut task = sample_task();
    task.thread.fp_regs.fprs = patterns.map(f64::from_bits);
    let hdr = checkpoint_cpu(&task);
    assert_eq!(hdr.fprs, patterns);

    let mut target = other_task();
    hdr.restore(&mut target).unwrap();
    assert_eq!(target.thread.fp_regs.fprs.map(f64::to_bits), patterns);
}

#[test]
fn save_only_is_saved_but_never_restored_nor_checked() {
    let sample = sample_task();
    let mut hdr = checkpoint_cpu(&sample);
    assert_eq!(hdr.ksp, sample.thread.ksp);
    for ksp in [0, 0xdead, u64::MAX] {
        hdr.ksp = ksp;
        let mut task = other_task();
        hdr.restore(&mut task).unwrap();
        assert_eq!(task.thread.ksp, 0x1111);
    }
}

#[test]
fn flag_constants_are_single_bits_and_all_is_their_or() {
    let single: u8 = CrHdrCpu::EM_INSTR_SINGLE_STEP;
    let fetch: u8 = CrHdrCpu::EM_INSTR_INSTRUCTION_FETCH;
    let all: u8 = CrHdrCpu::EM_INSTR_ALL;
    assert_eq!((single, fetch, all), (1 << 0, 1 << 1, 0b11));
    assert_eq!(all, single | fetch);

    let noexec: u32 = CrHdrMmContext::FLAGS_NOEXEC;
    let has_pgste: u32 = CrHdrMmContext::FLAGS_HAS_PGSTE;
    let alloc_pgste: u32 = CrHdrMmContext::FLAGS_ALLOC_PGSTE;
    let all: u32 = CrHdrMmContext::FLAGS_ALL;
    assert_eq!((noexec, has_pgste, alloc_pgste, all), (1, 2, 4, 7));
    assert_eq!(all, noexec | has_pgste | alloc_pgste);
}

#[test]
fn flags_save_sets_each_bit_iff_its_bool_is_true() {
    for (single_step, instruction_fetch, word) in
        [(false, false, 0), (true, false, 1), (false, true, 2), (true, true, 3)]
    {
        let mut task = sample_task();
        task.thread.per_info.set_single_step(u32::from(single_step));
        task.thread.per_info.set_instruction_fetch(u32::from(instruction_fetch));
        let mut hdr = CrHdrCpu {
            em_instr: !word,
            ..CrHdrCpu::default()
        };
        hdr.save(&task);
        assert_eq!(
            hdr.em_instr, word,
            "single_step={single_step} instruction_fetch={instruction_fetch}"
        );
    }
}

#[test]
fn flags_restore_sets_and_clears_each_bool() {
    let mut hdr = checkpoint_cpu(&sample_task());
    for word in 0..=CrHdrCpu::EM_INSTR_ALL {
        for start in [false, true] {
            hdr.em_instr = word;
            let mut task = other_task();
            task.thread.per_info.set_single_step(u32::from(start));
            task.thread.per_info.set_instruction_fetch(u32::from(start));
            hdr.restore(&mut task).unwrap();
            assert_eq!(
                task.thread.per_info.single_step(),
                u32::from(word & 1 != 0),
                "word {word:#x}, start {start}"
            );
            assert_eq!(
                task.thread.per_info.instruction_fetch(),
                u32::from(word & 2 != 0),
                "word {word:#x}, start {start}"
            );
        }
    }
}

#[test]
fn after_restore_runs_once_after_the_writes() {
    let sample = sample_task();
    let hdr = checkpoint_cpu(&sample);
    let mut task = other_task();
    task.cpu.acr_loads = 0;
    hdr.restore(&mut task).unwrap();
    // restore_access_regs copies thread.acrs: it saw the restored ones, not the old ones.
    assert_eq!(task.cpu.acrs, sample.thread.acrs);
    assert_eq!(task.cpu.acr_loads, 1);
    hdr.restore(&mut task).unwrap();
    assert_eq!(task.cpu.acr_loads, 2);
}

// ---------------------------------------------------------------------------------------------
// CrHdrCpu: refusals
// ---------------------------------------------------------------------------------------------

#[test]
fn unknown_flag_bits_are_refused_with_exactly_those_bits() {
    let mut hdr = checkpoint_cpu(&sample_task());
    hdr.em_instr = 0b1010_0101;
    let err = refuse_task(&hdr, &other_task());
    assert_error(
        err,
        ErrorKind::UnknownFlags { bits: 0b1010_0100 },
        "em_instr",
        None,
        "header field `em_instr` has flag bits 0xa4 set that no flag declares",
    );

    hdr.em_instr = 0x80;
    let err = refuse_task(&hdr, &sample_task());
    assert_eq!(err.kind(), ErrorKind::UnknownFlags { bits: 0x80 });
}

#[test]
fn strict_mask_violation_is_refused_with_exactly_the_bits_outside() {
    let mut hdr = checkpoint_cpu(&sample_task());
    hdr.fpc = 0x0800_0000 | 0x0100_0010;
    let err = refuse_task(&hdr, &other_task());
    assert_error(
        err,
        ErrorKind::MaskViolation { bits: 0x0100_0010 },
        "fpc",
        Some("thread.fp_regs.fpc"),
        "header field `fpc` (live `thread.fp_regs.fpc`) has bits 0x1000010 set outside its strict mask",
    );

    hdr.fpc = u32::MAX;
    let err = refuse_task(&hdr, &other_task());
    assert_eq!(
        err.kind(),
        ErrorKind::MaskViolation {
            bits: u64::from(!FPC_VALID_MASK)
        }
    );
}

#[test]
fn nonzero_reserved_is_refused() {
    let mut hdr = checkpoint_cpu(&sample_task());
    for reserved in [1, 1 << 63, u64::MAX] {
        hdr.reserved = reserved;
        let err = refuse_task(&hdr, &other_task());
        assert_error(
            err,
            ErrorKind::ReservedNotZero,
            "reserved",
            None,
            "header field `reserved` is reserved but not zero",
        );
    }
}

#[test]
fn out_of_range_conversions_are_refused() {
    let mut hdr = checkpoint_cpu(&sample_task());
    hdr.ilc = 0x1_0000;
    let err = refuse_task(&hdr, &other_task());
    assert_error(
        err,
        ErrorKind::OutOfRange {
            value: Value::Unsigned(0x1_0000),
            live_type: "u16",
        },
        "ilc",
        Some("regs.ilc"),
        "header field `ilc` (live `regs.ilc`) holds 65536 (0x10000), which does not fit the live type `u16`",
    );

    let mut hdr = checkpoint_cpu(&sample_task());
    hdr.svcnr = u32::MAX;
    let err = refuse_task(&hdr, &other_task());
    assert_error(
        err,
        ErrorKind::OutOfRange { value: Value::Unsigned(0xffff_ffff), live_type: "u16" },
        "svcnr",
        Some("regs.svcnr"),
        "header field `svcnr` (live `regs.svcnr`) holds 4294967295 (0xffffffff), which does not fit the live type `u16`",
    );
}

const PSW_REASON: &str = "system bits differ from PSW_USER_BITS (supervisor state or masked interrupts)";

#[test]
fn validator_refusal_gets_the_live_path_of_its_field() {
    let mut hdr = checkpoint_cpu(&sample_task());
    hdr.psw.mask &= !PSW_MASK_PSTATE;
    let err = refuse_task(&hdr, &other_task());
    // The PSW is a nested header: its validator's refusal is routed through `psw`.
    assert_error(
        err,
        ErrorKind::Invalid { reason: PSW_REASON },
        "psw",
        Some("regs.psw"),
        &format!("header field `psw.mask` (live `regs.psw.mask`) is invalid: {PSW_REASON}"),
    );
    assert_eq!((err.leaf_field(), err.leaf_path()), (Some("mask"), Some("mask")));

    // A system bit the user may not set, even though psw.mask only restores user bits.
    let mut hdr = checkpoint_cpu(&sample_task());
    hdr.psw.mask |= 0x0000_0000_0000_0001;
    let err = refuse_task(&hdr, &other_task());
    assert_eq!(err.kind(), ErrorKind::Invalid { reason: PSW_REASON });
}

#[test]
fn checks_run_in_field_order_nested_validators_included() {
    // Every check fails; fixing them one at a time shows the next, in field order: the nested
    // PSW header's validator runs at the PSW's place, before the fields after it.
    let good = checkpoint_cpu(&sample_task());
    let mut hdr = CrHdrCpu {
        psw: PswHeader { mask: 0, ..good.psw }, // its validator refuses this
        ilc: 1 << 16,
        svcnr: 1 << 16,
        fpc: 0x4,
        em_instr: 0x4,
        reserved: 1,
        ..good
    };
    let task = other_task();
    let mut seen = Vec::new();
    loop {
        let mut scratch = task;
        if hdr.restore(&mut scratch).is_ok() {
            break;
        }
        assert!(seen.len() < 6, "the same refusal came back: {seen:?}");
        let err = refuse_task(&hdr, &task);
        seen.push((err.field().unwrap(), err.kind()));
        match err.field().unwrap() {
            "ilc" => hdr.ilc = good.ilc,
            "svcnr" => hdr.svcnr = good.svcnr,
            "fpc" => hdr.fpc = good.fpc,
            "em_instr" => hdr.em_instr = good.em_instr,
            "reserved" => hdr.reserved = 0,
            "psw" => hdr.psw = good.psw,
            other => panic!("unexpected field {other}"),
        }
    }
    assert_eq!(
        seen,
        [
            ("psw", ErrorKind::Invalid { reason: PSW_REASON }),
            (
                "ilc",
                ErrorKind::OutOfRange {
                    value: Value::Unsigned(1 << 16),
                    live_type: "u16"
                }
            ),
            (
                "svcnr",
                ErrorKind::OutOfRange {
                    value: Value::Unsigned(1 << 16),
                    live_type: "u16"
                }
            ),
            ("fpc", ErrorKind::MaskViolation { bits: 0x4 }),
            ("em_instr", ErrorKind::UnknownFlags { bits: 0x4 }),
            ("reserved", ErrorKind::ReservedNotZero),
        ]
    );
    assert_eq!(hdr, good);
}

#[test]
fn a_refused_restore_does_not_run_after_restore() {
    let mut hdr = checkpoint_cpu(&sample_task());
    hdr.ilc = u32::MAX;
    let task = other_task();
    let mut target = task;
    let err = hdr.restore(&mut target).unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (
            ErrorKind::OutOfRange {
                value: Value::Unsigned(u64::from(u32::MAX)),
                live_type: "u16"
            },
            Some("ilc")
        )
    );
    assert_eq!(target.cpu.acr_loads, task.cpu.acr_loads);
    assert_eq!(target.cpu.acrs, task.cpu.acrs);
}

// ---------------------------------------------------------------------------------------------
// CrHdrMmContext: skip, reserved, flags
// ---------------------------------------------------------------------------------------------

#[test]
fn mm_save_records_flags_and_asce_and_skips_vdso_base() {
    let mm = sample_task().mm;
    let mut hdr = CrHdrMmContext {
        vdso_base: 0x1234,
        flags: u32::MAX,
        reserved: u32::MAX,
        ..CrHdrMmContext::default()
    };
    hdr.save(&mm);
    assert_eq!(
        hdr,
        CrHdrMmContext {
            vdso_base: 0,
            flags: CrHdrMmContext::FLAGS_NOEXEC | CrHdrMmContext::FLAGS_ALLOC_PGSTE,
            reserved: 0,
            asce_bits: 0x0c,
            asce_limit: 1 << 42,
        }
    );
}

#[test]
fn mm_restore_ignores_skip_and_sets_every_flag() {
    let hdr = CrHdrMmContext {
        vdso_base: 0xAAAA,
        flags: CrHdrMmContext::FLAGS_HAS_PGSTE,
        reserved: 0,
        asce_bits: 0x77,
        asce_limit: 0x88,
    };
    let mut mm = mm_context_t {
        vdso_base: 0x5000,
        noexec: 1,
        has_pgste: 0,
        alloc_pgste: 1,
        asce_bits: 1,
        asce_limit: 2,
    };
    hdr.restore(&mut mm).unwrap();
    assert_eq!(
        mm,
        mm_context_t {
            vdso_base: 0x5000,
            noexec: 0,
            has_pgste: 1,
            alloc_pgste: 0,
            asce_bits: 0x77,
            asce_limit: 0x88,
        }
    );
}

#[test]
fn mm_refusals_leave_the_context_untouched() {
    let mm = other_task().mm;
    let good = mm_header(&sample_task().mm);

    let hdr = CrHdrMmContext {
        flags: 0x8000_0009,
        ..good
    };
    assert_error(
        refuse_mm(&hdr, &mm),
        ErrorKind::UnknownFlags { bits: 0x8000_0008 },
        "flags",
        None,
        "header field `flags` has flag bits 0x80000008 set that no flag declares",
    );

    let hdr = CrHdrMmContext {
        reserved: 0x100,
        ..good
    };
    assert_error(
        refuse_mm(&hdr, &mm),
        ErrorKind::ReservedNotZero,
        "reserved",
        None,
        "header field `reserved` is reserved but not zero",
    );
}

// ---------------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------------

#[test]
fn round_trip_into_a_default_task() {
    let sample = sample_task();
    let cpu = checkpoint_cpu(&sample);
    let mm = mm_header(&sample.mm);

    let mut task = Task::default();
    cpu.restore(&mut task).unwrap();
    mm.restore(&mut task.mm).unwrap();

    let (r, s) = (&task.regs, &sample.regs);
    assert_eq!(r.args, s.args);
    assert_eq!(
        r.psw.mask,
        s.psw.mask & PSW_MASK_USER,
        "system bits stay those of the default task"
    );
    assert_eq!(
        r.psw.addr,
        s.psw.addr & PSW_ADDR_INSN,
        "the addressing mode stays that of the default task"
    );
    assert_eq!(r.gprs, s.gprs);
    assert_eq!(r.orig_gpr2, s.orig_gpr2);
    assert_eq!(r.ilc, s.ilc);
    assert_eq!(r.svcnr, s.svcnr);
    let (t, u) = (&task.thread, &sample.thread);
    assert_eq!(t.fp_regs.fpc, u.fp_regs.fpc);
    assert_eq!(t.fp_regs.fprs.map(f64::to_bits), u.fp_regs.fprs.map(f64::to_bits));
    assert_eq!(t.acrs, u.acrs);
    assert_eq!(t.ksp, 0, "save_only");
    assert_eq!(t.ieee_instruction_pointer, u.ieee_instruction_pointer);
    assert!(per_eq(&t.per_info, &u.per_info));
    assert_eq!(task.mm.vdso_base, 0, "skip");
    assert_eq!((task.mm.noexec, task.mm.has_pgste, task.mm.alloc_pgste), (1, 0, 1));
    assert_eq!(
        (task.mm.asce_bits, task.mm.asce_limit),
        (sample.mm.asce_bits, sample.mm.asce_limit)
    );
    assert_eq!(
        task.cpu,
        Cpu {
            acrs: u.acrs,
            acr_loads: 1
        }
    );

    // Saving the restored task gives the image back, except where restore kept live state.
    let again = checkpoint_cpu(&task);
    assert_eq!(
        again,
        CrHdrCpu {
            psw: PswHeader {
                mask: cpu.psw.mask & PSW_MASK_USER,
                addr: cpu.psw.addr & PSW_ADDR_INSN,
            },
            ksp: 0,
            ..cpu
        }
    );
    assert_eq!(mm_header(&task.mm), mm);
}

#[test]
fn round_trip_into_a_fresh_task_reproduces_the_task() {
    let sample = sample_task();
    let cpu = checkpoint_cpu(&sample);
    let mm = mm_header(&sample.mm);

    // What the kernel set up before restart: system bits, addressing mode, stack, vdso.
    let mut task = Task::default();
    task.regs.psw = psw_t {
        mask: PSW_USER_BITS,
        addr: 0x8000_0000,
    };
    task.thread.ksp = sample.thread.ksp;
    task.mm.vdso_base = sample.mm.vdso_base;
    cpu.restore(&mut task).unwrap();
    mm.restore(&mut task.mm).unwrap();

    let expected = Task {
        cpu: Cpu {
            acrs: sample.thread.acrs,
            acr_loads: 1,
        },
        ..sample
    };
    assert_eq!(bitwise(&task), bitwise(&expected));
}

// ---------------------------------------------------------------------------------------------
// A header with a validator and an after_restore hook that record what they saw, and keys in
// shapes the fixtures do not use: array elements, a signed convert, a mask expression, named
// flags in a u16, a skipped non-integer, a reserved byte array.
// ---------------------------------------------------------------------------------------------

thread_local! {
    static SEEN: RefCell<Vec<(&'static str, Task)>> = const { RefCell::new(Vec::new()) };
}

fn take_seen() -> Vec<(&'static str, Task)> {
    SEEN.with(|seen| seen.take())
}

/// Records the target it sees; refuses according to a magic value in `gpr2`, naming various fields.
fn probe_validate(hdr: &Probe, task: &Task) -> Result<(), Error> {
    SEEN.with(|seen| seen.borrow_mut().push(("validate", *task)));
    match hdr.gpr2 {
        0xBAD => Err(Error::invalid("gpr2", "r2 is poisoned")),
        0xBAD1 => Err(Error::invalid("fpr1", "fpr1 is poisoned")),
        0xBAD2 => Err(Error::invalid("mm_flags", "flags disagree")),
        0xBAD3 => Err(Error::invalid("note", "a skipped field")),
        0xBAD4 => Err(Error::invalid("no_such_field", "not a header field")),
        0xBAD5 => Err(Error::new(ErrorKind::Invalid {
            reason: "the whole header",
        })),
        _ => Ok(()),
    }
}

fn probe_after(task: &mut Task) {
    SEEN.with(|seen| seen.borrow_mut().push(("after_restore", *task)));
}

#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cr(target = Task, validate = probe_validate, after_restore = probe_after)]
struct Probe {
    #[cr(path = "regs.gprs[2]")]
    gpr2: u64,
    #[cr(path = "thread.fp_regs.fprs[1]", bits)]
    fpr1: u64,
    #[cr(path = "regs.svcnr", convert)]
    svcnr: i64,
    #[cr(path = "mm.asce_bits", strict_mask = 0xFFF)]
    asce_bits: u64,
    #[cr(path = "mm.asce_limit", mask = !0xFFF)]
    asce_limit: u64,
    #[cr(
        flag(bit = 7, path = "mm.noexec", name = "NX"),
        flag(bit = 15, path = "mm.has_pgste")
    )]
    mm_flags: u16,
    #[cr(path = "cpu.acr_loads", save_only)]
    loads: u32,
    #[cr(skip)]
    note: u32,
    #[cr(reserved)]
    pad: [u8; 6],
}

fn good_probe() -> Probe {
    Probe {
        gpr2: 0x2222,
        fpr1: (-0.0f64).to_bits(),
        svcnr: 0xFFFF,
        asce_bits: 0xABC,
        asce_limit: 0x1234_5678,
        mm_flags: Probe::MM_FLAGS_NX,
        loads: 99,
        note: 7,
        pad: [0; 6],
    }
}

#[test]
fn probe_constants_follow_the_flag_names() {
    let nx: u16 = Probe::MM_FLAGS_NX;
    let pgste: u16 = Probe::MM_FLAGS_HAS_PGSTE;
    let all: u16 = Probe::MM_FLAGS_ALL;
    assert_eq!((nx, pgste, all), (0x80, 0x8000, 0x8080));
    assert_eq!(all, nx | pgste);
}

#[test]
fn probe_save_reads_elements_widens_and_saves_defaults() {
    let mut task = other_task();
    task.thread.fp_regs.fprs[1] = f64::from_bits(0x7FF8_0000_0000_0042);
    task.mm.noexec = 1;
    task.mm.has_pgste = 0;
    let mut hdr = Probe {
        note: 3,
        pad: [0xFF; 6],
        mm_flags: 0xFFFF,
        ..Probe::default()
    };
    hdr.save(&task);
    assert_eq!(
        hdr,
        Probe {
            gpr2: 0x9002,
            fpr1: 0x7FF8_0000_0000_0042,
            svcnr: 1,
            asce_bits: 0x3,
            asce_limit: 1 << 31,
            mm_flags: Probe::MM_FLAGS_NX,
            loads: 41,
            note: 0,
            pad: [0; 6],
        }
    );
}

#[test]
fn validate_sees_the_untouched_target_and_after_restore_sees_every_write() {
    take_seen();
    let hdr = good_probe();
    let before = other_task();
    let mut task = before;
    hdr.restore(&mut task).unwrap();

    let mut expected = before;
    expected.regs.gprs[2] = 0x2222;
    expected.thread.fp_regs.fprs[1] = -0.0;
    expected.regs.svcnr = 0xFFFF;
    expected.mm.asce_bits = 0xABC;
    expected.mm.asce_limit = (before.mm.asce_limit & 0xFFF) | (0x1234_5678 & !0xFFF);
    expected.mm.noexec = 1;
    expected.mm.has_pgste = 0;
    assert_eq!(bitwise(&task), bitwise(&expected));

    let seen = take_seen();
    assert_eq!(seen.len(), 2, "validate once, then after_restore once: {seen:?}");
    assert_eq!(seen[0].0, "validate");
    assert_eq!(bitwise(&seen[0].1), bitwise(&before), "validate ran before any write");
    assert_eq!(seen[1].0, "after_restore");
    assert_eq!(
        bitwise(&seen[1].1),
        bitwise(&expected),
        "after_restore ran after every write"
    );
}

#[test]
fn probe_validator_refusal_skips_writes_and_after_restore() {
    take_seen();
    let hdr = Probe {
        gpr2: 0xBAD,
        ..good_probe()
    };
    let before = other_task();
    let err = refuse_task(&hdr, &before);
    assert_error(
        err,
        ErrorKind::Invalid {
            reason: "r2 is poisoned",
        },
        "gpr2",
        Some("regs.gprs[2]"),
        "header field `gpr2` (live `regs.gprs[2]`) is invalid: r2 is poisoned",
    );
    let seen = take_seen();
    assert_eq!(seen.len(), 1, "only the validator ran: {seen:?}");
    assert_eq!(seen[0].0, "validate");
    assert_eq!(bitwise(&seen[0].1), bitwise(&before));
}

#[test]
fn validator_errors_get_a_live_path_only_for_fields_that_have_one() {
    let cases: [(u64, Option<&str>, Option<&str>, &str); 4] = [
        (
            0xBAD1,
            Some("fpr1"),
            Some("thread.fp_regs.fprs[1]"),
            "header field `fpr1` (live `thread.fp_regs.fprs[1]`) is invalid: fpr1 is poisoned",
        ),
        (
            0xBAD2,
            Some("mm_flags"),
            None,
            "header field `mm_flags` is invalid: flags disagree",
        ),
        (
            0xBAD3,
            Some("note"),
            None,
            "header field `note` is invalid: a skipped field",
        ),
        (
            0xBAD4,
            Some("no_such_field"),
            None,
            "header field `no_such_field` is invalid: not a header field",
        ),
    ];
    for (gpr2, field, path, message) in cases {
        let hdr = Probe { gpr2, ..good_probe() };
        let err = refuse_task(&hdr, &other_task());
        assert!(matches!(err.kind(), ErrorKind::Invalid { .. }));
        assert_eq!((err.field(), err.path()), (field, path));
        assert_eq!(err.to_string(), message);
    }

    // An error about no field in particular keeps neither; its message names no field.
    let hdr = Probe {
        gpr2: 0xBAD5,
        ..good_probe()
    };
    let err = refuse_task(&hdr, &other_task());
    assert_eq!(
        (err.kind(), err.field(), err.path()),
        (
            ErrorKind::Invalid {
                reason: "the whole header"
            },
            None,
            None
        )
    );
    assert_eq!(err.to_string(), "header is invalid: the whole header");
}

#[test]
fn probe_failed_checks_skip_the_validator() {
    let task = other_task();
    let cases: [(Probe, ErrorKind, &str, Option<&str>, &str); 5] = [
        (
            Probe {
                svcnr: -1,
                ..good_probe()
            },
            ErrorKind::OutOfRange {
                value: Value::Signed(-1),
                live_type: "u16",
            },
            "svcnr",
            Some("regs.svcnr"),
            "header field `svcnr` (live `regs.svcnr`) holds -1, which does not fit the live type `u16`",
        ),
        (
            Probe {
                svcnr: 0x1_0000,
                ..good_probe()
            },
            ErrorKind::OutOfRange {
                value: Value::Signed(0x1_0000),
                live_type: "u16",
            },
            "svcnr",
            Some("regs.svcnr"),
            "header field `svcnr` (live `regs.svcnr`) holds 65536, which does not fit the live type `u16`",
        ),
        (
            Probe {
                asce_bits: 0xF000_1ABC,
                ..good_probe()
            },
            ErrorKind::MaskViolation { bits: 0xF000_1000 },
            "asce_bits",
            Some("mm.asce_bits"),
            "header field `asce_bits` (live `mm.asce_bits`) has bits 0xf0001000 set outside its strict mask",
        ),
        (
            Probe {
                mm_flags: 0x8181,
                ..good_probe()
            },
            ErrorKind::UnknownFlags { bits: 0x0101 },
            "mm_flags",
            None,
            "header field `mm_flags` has flag bits 0x101 set that no flag declares",
        ),
        (
            Probe {
                pad: [0, 0, 0, 0, 0, 1],
                ..good_probe()
            },
            ErrorKind::ReservedNotZero,
            "pad",
            None,
            "header field `pad` is reserved but not zero",
        ),
    ];
    for (hdr, kind, field, path, message) in cases {
        take_seen();
        let err = refuse_task(&hdr, &task);
        assert_error(err, kind, field, path, message);
        assert!(
            take_seen().is_empty(),
            "{field}: neither validate nor after_restore may run"
        );
    }
}

#[test]
fn probe_save_only_is_not_restored_and_skip_is_ignored() {
    let hdr = Probe {
        note: 1,
        loads: u32::MAX,
        ..good_probe()
    };
    let mut task = other_task();
    hdr.restore(&mut task).unwrap();
    assert_eq!(task.cpu.acr_loads, 41);
}

// ---------------------------------------------------------------------------------------------
// A view: the target borrows several objects at once.
// ---------------------------------------------------------------------------------------------

struct TaskView<'a> {
    regs: &'a mut pt_regs,
    thread: &'a mut thread_struct,
}

fn view_validate(hdr: &ViewHdr, view: &TaskView<'_>) -> Result<(), Error> {
    if hdr.gprs[15] == 0 {
        return Err(Error::invalid("gprs", "r15 (the stack pointer) is zero"));
    }
    // A probe: in these tests the target's registers always differ from the image's, so equal
    // registers would mean restore wrote before validating.
    if view.regs.gprs == hdr.gprs {
        return Err(Error::invalid("gprs", "validate saw registers already written"));
    }
    Ok(())
}

fn view_after(view: &mut TaskView<'_>) {
    view.regs.args[0] = view.regs.args[0].wrapping_add(1);
    view.thread.ieee_instruction_pointer = view.regs.psw.addr;
}

#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cr(target = TaskView<'_>, validate = view_validate, after_restore = view_after)]
struct ViewHdr {
    #[cr(path = "regs.psw.addr", mask = PSW_ADDR_INSN)]
    psw_addr: u64,
    #[cr(path = "regs.gprs")]
    gprs: [u64; 16],
    #[cr(path = "regs.ilc", convert)]
    ilc: u64,
    #[cr(path = "thread.fp_regs.fpc", strict_mask = FPC_VALID_MASK)]
    fpc: u32,
    #[cr(path = "thread.fp_regs.fprs", bits)]
    fprs: [u64; 16],
    #[cr(
        flag(bit = 0, path = "thread.per_info.single_step()"),
        flag(bit = 4, path = "thread.per_info.instruction_fetch()", name = "IFETCH")
    )]
    trace: u16,
    #[cr(path = "thread.ksp", save_only)]
    ksp: u64,
    #[cr(reserved)]
    reserved: u32,
}

fn view_header(task: &mut Task) -> ViewHdr {
    let view = TaskView {
        regs: &mut task.regs,
        thread: &mut task.thread,
    };
    let mut hdr = ViewHdr::default();
    hdr.save(&view);
    hdr
}

#[test]
fn view_save_reads_through_every_reference() {
    let mut task = sample_task();
    task.thread.per_info.set_instruction_fetch(u32::from(true));
    let hdr = view_header(&mut task);
    assert_eq!(
        hdr,
        ViewHdr {
            psw_addr: 0x8040_1000,
            gprs: task.regs.gprs,
            ilc: 4,
            fpc: 0x0800_0000,
            fprs: task.thread.fp_regs.fprs.map(f64::to_bits),
            trace: ViewHdr::TRACE_SINGLE_STEP | ViewHdr::TRACE_IFETCH,
            ksp: task.thread.ksp,
            reserved: 0,
        }
    );
    assert_eq!(
        (ViewHdr::TRACE_SINGLE_STEP, ViewHdr::TRACE_IFETCH, ViewHdr::TRACE_ALL),
        (1, 16, 17)
    );
}

#[test]
fn view_restore_writes_through_every_reference() {
    let mut source = sample_task();
    let hdr = view_header(&mut source);
    let mut target = other_task();
    let before = target;
    {
        let mut view = TaskView {
            regs: &mut target.regs,
            thread: &mut target.thread,
        };
        hdr.restore(&mut view).unwrap();
    }
    let mut expected = before;
    expected.regs.psw.addr = 0x0040_1000; // before: 0x1234, addressing mode bit clear
    expected.regs.gprs = source.regs.gprs;
    expected.regs.ilc = 4;
    expected.thread.fp_regs = source.thread.fp_regs;
    expected.thread.per_info.set_single_step(u32::from(true));
    expected.thread.per_info.set_instruction_fetch(u32::from(false));
    // after_restore, once, after the writes:
    expected.regs.args[0] = before.regs.args[0] + 1;
    expected.thread.ieee_instruction_pointer = 0x0040_1000;
    assert_eq!(bitwise(&target), bitwise(&expected));
}

#[test]
fn view_refusals_leave_every_referenced_object_untouched() {
    let mut source = sample_task();
    let good = view_header(&mut source);
    let cases: [(ViewHdr, ErrorKind, &str, Option<&str>); 5] = [
        (
            ViewHdr { trace: 0x0102, ..good },
            ErrorKind::UnknownFlags { bits: 0x0102 },
            "trace",
            None,
        ),
        (
            ViewHdr { ilc: 1 << 16, ..good },
            ErrorKind::OutOfRange {
                value: Value::Unsigned(1 << 16),
                live_type: "u16",
            },
            "ilc",
            Some("regs.ilc"),
        ),
        (
            ViewHdr { fpc: 0x4, ..good },
            ErrorKind::MaskViolation { bits: 0x4 },
            "fpc",
            Some("thread.fp_regs.fpc"),
        ),
        (
            ViewHdr { reserved: 1, ..good },
            ErrorKind::ReservedNotZero,
            "reserved",
            None,
        ),
        (
            ViewHdr { gprs: [0; 16], ..good },
            ErrorKind::Invalid {
                reason: "r15 (the stack pointer) is zero",
            },
            "gprs",
            Some("regs.gprs"),
        ),
    ];
    for (hdr, kind, field, path) in cases {
        let before = other_task();
        let mut target = before;
        let err = {
            let mut view = TaskView {
                regs: &mut target.regs,
                thread: &mut target.thread,
            };
            hdr.restore(&mut view).expect_err("restore must refuse this header")
        };
        assert_eq!((err.kind(), err.field(), err.path()), (kind, Some(field), path));
        assert_eq!(
            bitwise(&target),
            bitwise(&before),
            "{field}: the view's objects changed"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// `crate = "..."`: the derive reaches cr-core through a re-export.
// ---------------------------------------------------------------------------------------------

/// What a crate that wraps cr-core would export.
mod runtime {
    pub use ::cr_core as checkpoint;
}

mod through_reexport {
    use crate::runtime::checkpoint::CrCopy;
    use cr::s390::mm_context_t;

    /// `bits` and `reserved` name zerocopy through the crate path, the checks name `Error`.
    #[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq)]
    #[cr(target = mm_context_t, crate = "crate::runtime::checkpoint")]
    pub struct MmTail {
        #[cr(path = "asce_bits", bits)]
        pub asce_bits: i64,
        #[cr(path = "asce_limit", strict_mask = 0xFFFF_FFFF_0000_0000)]
        pub asce_limit: u64,
        #[cr(flag(bit = 31, path = "noexec", name = "NX"))]
        pub flags: u32,
        #[cr(reserved)]
        pub pad: [u16; 2],
    }
}

use through_reexport::MmTail;

#[test]
fn crate_path_through_a_reexport() {
    use runtime::checkpoint::CrCopy as _;

    let mm = mm_context_t {
        vdso_base: 1,
        noexec: 1,
        has_pgste: 1,
        alloc_pgste: 1,
        asce_bits: u64::MAX,
        asce_limit: 1 << 42,
    };
    let mut hdr = MmTail::default();
    hdr.save(&mm);
    assert_eq!(
        hdr,
        MmTail {
            asce_bits: -1,
            asce_limit: 1 << 42,
            flags: 1 << 31,
            pad: [0; 2],
        }
    );
    assert_eq!((MmTail::FLAGS_NX, MmTail::FLAGS_ALL), (0x8000_0000, 0x8000_0000));

    let mut target = mm_context_t::default();
    hdr.restore(&mut target).unwrap();
    assert_eq!(
        target,
        mm_context_t {
            asce_bits: u64::MAX,
            asce_limit: 1 << 42,
            noexec: 1,
            ..mm_context_t::default()
        }
    );

    let bad = MmTail {
        asce_limit: 0x1_0001,
        ..hdr
    };
    let err: runtime::checkpoint::Error = refuse_mm(&bad, &target);
    assert_eq!(
        err.kind(),
        runtime::checkpoint::ErrorKind::MaskViolation { bits: 0x1_0001 }
    );
    assert_eq!((err.field(), err.path()), (Some("asce_limit"), Some("asce_limit")));

    let bad = MmTail { pad: [0, 0x100], ..hdr };
    assert_eq!(refuse_mm(&bad, &target).kind(), ErrorKind::ReservedNotZero);
}

// ---------------------------------------------------------------------------------------------
// A header that is one flag word, with sparse bits and a renamed flag.
// ---------------------------------------------------------------------------------------------

#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cr(target = mm_context_t)]
struct MmFlags {
    #[cr(
        flag(bit = 0, path = "noexec"),
        flag(bit = 3, path = "has_pgste"),
        flag(bit = 9, path = "alloc_pgste", name = "ALLOC")
    )]
    flags: u16,
}

/// The flags are C `int`s: 1 for true.
fn mm_with(noexec: bool, has_pgste: bool, alloc_pgste: bool) -> mm_context_t {
    mm_context_t {
        vdso_base: 0x7000,
        noexec: noexec.into(),
        has_pgste: has_pgste.into(),
        alloc_pgste: alloc_pgste.into(),
        asce_bits: 0x11,
        asce_limit: 0x22,
    }
}

#[test]
fn flags_only_constants() {
    let (noexec, pgste, alloc, all): (u16, u16, u16, u16) = (
        MmFlags::FLAGS_NOEXEC,
        MmFlags::FLAGS_HAS_PGSTE,
        MmFlags::FLAGS_ALLOC,
        MmFlags::FLAGS_ALL,
    );
    assert_eq!((noexec, pgste, alloc, all), (0x001, 0x008, 0x200, 0x209));
    assert_eq!(all, noexec | pgste | alloc);
}

#[test]
fn flags_only_save_and_restore_every_combination() {
    for word in 0..8u16 {
        let (a, b, c) = (word & 1 != 0, word & 2 != 0, word & 4 != 0);
        let expected = [
            (a, MmFlags::FLAGS_NOEXEC),
            (b, MmFlags::FLAGS_HAS_PGSTE),
            (c, MmFlags::FLAGS_ALLOC),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .fold(0, |acc, (_, bit)| acc | bit);
        let mut hdr = MmFlags { flags: 0xFFFF };
        hdr.save(&mm_with(a, b, c));
        assert_eq!(hdr.flags, expected, "save of {a} {b} {c}");

        for start in [false, true] {
            let mut mm = mm_with(start, start, start);
            hdr.restore(&mut mm).unwrap();
            assert_eq!(mm, mm_with(a, b, c), "restore of {:#x} over {start}", hdr.flags);
        }
    }
}

/// C's truth: any non-zero `int` is a set flag (the kernel writes 1, but `-1` and `2` are true in
/// C too); restore writes 1, and clears to 0.
#[test]
fn flags_over_c_ints_save_any_non_zero_and_restore_one() {
    let mut mm = mm_with(false, false, false);
    (mm.noexec, mm.has_pgste, mm.alloc_pgste) = (-1, 2, i32::MIN);
    let mut hdr = MmFlags::default();
    hdr.save(&mm);
    assert_eq!(hdr.flags, MmFlags::FLAGS_ALL);
    hdr.flags = MmFlags::FLAGS_HAS_PGSTE;
    hdr.restore(&mut mm).unwrap();
    assert_eq!((mm.noexec, mm.has_pgste, mm.alloc_pgste), (0, 1, 0));
}

#[test]
fn flags_only_unknown_bits() {
    let mm = mm_with(true, false, true);
    let err = refuse_mm(&MmFlags { flags: 0xFFFF }, &mm);
    assert_error(
        err,
        ErrorKind::UnknownFlags { bits: 0xFDF6 },
        "flags",
        None,
        "header field `flags` has flag bits 0xfdf6 set that no flag declares",
    );
    let err = refuse_mm(&MmFlags { flags: 0x0002 }, &mm);
    assert_eq!(err.kind(), ErrorKind::UnknownFlags { bits: 0x0002 });
}

// ---------------------------------------------------------------------------------------------
// `cover` over bindgen's shapes: accessor paths, and a struct behind a union.
// ---------------------------------------------------------------------------------------------

/// `per_struct` alone, covered whole and into its lowcore union's `words`: the accessors reach no
/// field of their own (their storage, `_bitfield_1`, is ignored by name), and the covered member
/// behind the union is read as save reads it.
#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cr(target = per_struct, union = "control_regs", union = "lowcore")]
#[cr(cover(
    per_struct = "",
    per_lowcore_words = "lowcore.words",
    per_cr_words = "control_regs.words"
))]
#[cr(ignore = "_bitfield_1", ignore = "starting_addr", ignore = "ending_addr")]
struct PerOnly {
    #[cr(flag(bit = 0, path = "single_step()"), flag(bit = 1, path = "instruction_fetch()"))]
    flags: u8,
    #[cr(path = "lowcore.words.perc_atmid")]
    perc_atmid: u16,
    #[cr(path = "lowcore.words.address")]
    address: u64,
    #[cr(path = "lowcore.words.access_id", strict_mask = 0xf)]
    access_id: u8,
    #[cr(path = "control_regs.words.cr[1]")]
    cr10: u64,
}

// SAFETY: as for `CrHdrCpu` (`src/s390.rs`): every `per_struct` here starts zero-filled
// (`sample_task`, `Task::default`), and every member of either union has its data in the bytes of
// `words`'s fields, so `words`, the member read, stays initialized.
#[allow(unsafe_code)]
unsafe impl cr_core::InitializedUnion<PerOnly> for PerControlRegs {}
#[allow(unsafe_code)]
unsafe impl cr_core::InitializedUnion<PerOnly> for PerLowcore {}

#[test]
fn cover_through_accessors_and_a_union_member_round_trips() {
    let sample = sample_task().thread.per_info;
    let mut hdr = PerOnly::default();
    hdr.save(&sample);
    assert_eq!(
        hdr,
        PerOnly {
            flags: PerOnly::FLAGS_SINGLE_STEP,
            perc_atmid: 0x40,
            address: 0x0040_1234,
            access_id: 3,
            cr10: 0x0040_0000,
        }
    );
    let mut per = Task::default().thread.per_info;
    per.set_instruction_fetch(1);
    hdr.restore(&mut per).unwrap();
    assert_eq!((per.single_step(), per.instruction_fetch()), (1, 0));
    assert_eq!(PerWords::of(&per).control_regs, [0, 0x0040_0000, 0]);
    assert_eq!(PerOnly::of_saved(&per), hdr);
}

impl PerOnly {
    fn of_saved(per: &per_struct) -> Self {
        let mut hdr = Self::default();
        hdr.save(per);
        hdr
    }
}
