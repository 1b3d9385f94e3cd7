//! Property tests of `CrHdrCpu` and `CrHdrMmContext`: arbitrary headers (every field, valid or
//! not) restored into arbitrary targets. Restore must never panic, must refuse exactly the headers
//! a check or the validator refuses (with the first refusal in field order), must leave a refused
//! target bitwise untouched, and must otherwise write what a hand-written model of the header
//! says. Floating-point registers are compared by their bits throughout.

use cr::s390::*;
use cr_core::{CrCopy, ErrorKind, Value};
use proptest::prelude::*;

/// Enough cases to reach every refusal and many acceptances, few enough to run in about a second.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 2000,
        // A failure prints its minimal case; nothing is written next to the tests.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A task with its floating-point registers replaced by their bits: `==` on this is bitwise.
fn bitwise(task: &Task) -> (Task, [u64; 16]) {
    let mut plain = *task;
    let fprs = plain.thread.fp_regs.fprs.map(f64::to_bits);
    plain.thread.fp_regs.fprs = [0.0; 16];
    (plain, fprs)
}

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// Bit patterns of `f64`s that `==` gets wrong or that a float copy could alter.
const SPECIAL_FPRS: [u64; 8] = [
    0x7FF8_0000_0000_0000, // quiet NaN
    0x7FF8_DEAD_BEEF_0001, // quiet NaN with a payload
    0xFFF8_0000_0000_0001, // negative NaN with a payload
    0x7FF0_0000_0000_0001, // signalling NaN
    0x8000_0000_0000_0000, // -0.0
    0x0000_0000_0000_0001, // smallest subnormal
    0x7FF0_0000_0000_0000, // +inf
    0xFFF0_0000_0000_0000, // -inf
];

fn fpr_bits() -> impl Strategy<Value = u64> {
    prop_oneof![3 => any::<u64>(), 1 => prop::sample::select(&SPECIAL_FPRS[..])]
}

fn arb_regs() -> impl Strategy<Value = pt_regs> {
    (
        any::<[u64; 1]>(),
        any::<u64>(),
        any::<u64>(),
        any::<[u64; 16]>(),
        any::<u64>(),
        any::<u16>(),
        any::<u16>(),
    )
        .prop_map(|(args, mask, addr, gprs, orig_gpr2, ilc, svcnr)| pt_regs {
            args,
            psw: psw_t { mask, addr },
            gprs,
            orig_gpr2,
            ilc,
            svcnr,
        })
}

fn arb_per() -> impl Strategy<Value = per_struct> {
    (
        any::<[u64; 3]>(),
        any::<bool>(),
        any::<bool>(),
        any::<u64>(),
        any::<u64>(),
        any::<u16>(),
        any::<u64>(),
        any::<u8>(),
    )
        .prop_map(
            |(cr, single_step, instruction_fetch, starting_addr, ending_addr, perc_atmid, address, access_id)| {
                // Zero-filled, then written field by field (union members included), as the kernel does.
                let mut per = per_struct::default();
                per.control_regs.words.cr = cr;
                per.set_single_step(single_step.into());
                per.set_instruction_fetch(instruction_fetch.into());
                per.starting_addr = starting_addr;
                per.ending_addr = ending_addr;
                per.lowcore.words.perc_atmid = perc_atmid;
                per.lowcore.words.address = address;
                per.lowcore.words.access_id = access_id;
                per
            },
        )
}

fn arb_thread() -> impl Strategy<Value = thread_struct> {
    (
        any::<u32>(),
        prop::array::uniform16(fpr_bits()),
        any::<[u32; 16]>(),
        any::<u64>(),
        any::<u64>(),
        arb_per(),
        any::<u64>(),
    )
        .prop_map(
            |(fpc, fprs, acrs, ksp, ieee_instruction_pointer, per_info, last_break)| thread_struct {
                fp_regs: s390_fp_regs {
                    fpc,
                    fprs: fprs.map(f64::from_bits),
                },
                acrs,
                ksp,
                ieee_instruction_pointer,
                per_info,
                last_break,
            },
        )
}

fn arb_mm() -> impl Strategy<Value = mm_context_t> {
    (
        any::<u64>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<u64>(),
        any::<u64>(),
    )
        .prop_map(
            |(vdso_base, noexec, has_pgste, alloc_pgste, asce_bits, asce_limit)| mm_context_t {
                vdso_base,
                noexec: noexec.into(),
                has_pgste: has_pgste.into(),
                alloc_pgste: alloc_pgste.into(),
                asce_bits,
                asce_limit,
            },
        )
}

fn arb_task() -> impl Strategy<Value = Task> {
    // `acr_loads` stops one short of u32::MAX: the fixture's `restore_access_regs` adds 1 with `+=`,
    // which panics on overflow in a debug build. That is the hook's own arithmetic, not restore's.
    (arb_regs(), arb_thread(), arb_mm(), any::<[u32; 16]>(), 0..u32::MAX).prop_map(
        |(regs, thread, mm, acrs, acr_loads)| Task {
            regs,
            thread,
            mm,
            cpu: Cpu { acrs, acr_loads },
        },
    )
}

/// A checked field's value: mostly one that passes its check, sometimes one bit away from such a
/// value (a near miss, or still valid when the bit is inside what is allowed), sometimes anything.
fn mostly(valid: BoxedStrategy<u64>, width: u32) -> BoxedStrategy<u64> {
    let anything = match width {
        64 => any::<u64>().boxed(),
        _ => (0..1u64 << width).boxed(),
    };
    prop_oneof![
        6 => valid.clone(),
        1 => (valid, 0..width).prop_map(|(v, bit)| v ^ (1 << bit)),
        1 => anything,
    ]
    .boxed()
}

/// The checked fields of `CrHdrCpu`, as `(psw_mask, ilc, svcnr, fpc, em_instr, reserved)`.
type CpuChecked = (u64, u32, u32, u32, u8, u64);

fn valid_cpu_checked() -> impl Strategy<Value = CpuChecked> {
    (
        any::<u64>().prop_map(|m| PSW_USER_BITS | (m & PSW_MASK_USER)),
        0..=u32::from(u16::MAX),
        0..=u32::from(u16::MAX),
        any::<u32>().prop_map(|f| f & FPC_VALID_MASK),
        0..=CrHdrCpu::EM_INSTR_ALL,
        Just(0u64),
    )
}

fn arb_cpu_checked() -> impl Strategy<Value = CpuChecked> {
    (
        mostly(
            any::<u64>().prop_map(|m| PSW_USER_BITS | (m & PSW_MASK_USER)).boxed(),
            64,
        ),
        mostly((0..=u64::from(u16::MAX)).boxed(), 32).prop_map(|v| v as u32),
        mostly((0..=u64::from(u16::MAX)).boxed(), 32).prop_map(|v| v as u32),
        mostly(any::<u32>().prop_map(|f| u64::from(f & FPC_VALID_MASK)).boxed(), 32).prop_map(|v| v as u32),
        mostly((0..=u64::from(CrHdrCpu::EM_INSTR_ALL)).boxed(), 8).prop_map(|v| v as u8),
        mostly(Just(0).boxed(), 64),
    )
}

/// A `CrHdrCpu` whose checked fields come from `checked` and every other field is arbitrary.
fn cpu_header(checked: impl Strategy<Value = CpuChecked>) -> impl Strategy<Value = CrHdrCpu> {
    let free = (
        any::<[u64; 1]>(),
        any::<u64>(),
        any::<[u64; 16]>(),
        any::<u64>(),
        any::<u16>(),
        any::<u8>(),
        prop::array::uniform16(fpr_bits()),
        any::<[u32; 16]>(),
        any::<u64>(),
        any::<u64>(),
        any::<[u64; 3]>(),
        (any::<u64>(), any::<u64>(), any::<u64>(), any::<u64>()),
    );
    (checked, free).prop_map(
        |(
            (psw_mask, ilc, svcnr, fpc, em_instr, reserved),
            (
                args,
                psw_addr,
                gprs,
                orig_gpr2,
                per_atmid,
                per_access_id,
                fprs,
                acrs,
                ksp,
                ieee_instruction_pointer,
                per_control_regs,
                (per_starting_addr, per_ending_addr, per_address, last_break),
            ),
        )| CrHdrCpu {
            args,
            psw: PswHeader {
                mask: psw_mask,
                addr: psw_addr,
            },
            gprs,
            orig_gpr2,
            ilc,
            svcnr,
            fpc,
            per_atmid,
            per_access_id,
            em_instr,
            fprs,
            acrs,
            ksp,
            ieee_instruction_pointer,
            per_control_regs,
            per_starting_addr,
            per_ending_addr,
            per_address,
            reserved,
            last_break,
        },
    )
}

/// A `CrHdrMmContext` with `flags` and `reserved` from the given strategies, the rest arbitrary.
fn mm_header(
    flags: impl Strategy<Value = u32>,
    reserved: impl Strategy<Value = u32>,
) -> impl Strategy<Value = CrHdrMmContext> {
    (any::<u64>(), flags, reserved, any::<u64>(), any::<u64>()).prop_map(
        |(vdso_base, flags, reserved, asce_bits, asce_limit)| CrHdrMmContext {
            vdso_base,
            flags,
            reserved,
            asce_bits,
            asce_limit,
        },
    )
}

fn arb_mm_header() -> impl Strategy<Value = CrHdrMmContext> {
    mm_header(
        mostly((0..=u64::from(CrHdrMmContext::FLAGS_ALL)).boxed(), 32).prop_map(|v| v as u32),
        mostly(Just(0).boxed(), 32).prop_map(|v| v as u32),
    )
}

fn valid_mm_header() -> impl Strategy<Value = CrHdrMmContext> {
    mm_header(0..=CrHdrMmContext::FLAGS_ALL, Just(0))
}

// ---------------------------------------------------------------------------------------------
// Models: what restore must do, written out by hand from the attributes in src/s390.rs.
// ---------------------------------------------------------------------------------------------

/// One expected refusal: header field, live path, kind.
type Refusal = (&'static str, Option<&'static str>, ErrorKind);

const PSW_REASON: &str = "system bits differ from PSW_USER_BITS (supervisor state or masked interrupts)";

/// Every refusal `hdr` deserves, in field order: the nested PSW header's validator (routed
/// through `psw`), then the built-in checks of the fields after it.
fn cpu_refusals(hdr: &CrHdrCpu) -> Vec<Refusal> {
    let mut out = Vec::new();
    if (hdr.psw.mask ^ PSW_USER_BITS) & !PSW_MASK_USER != 0 {
        out.push(("psw", Some("regs.psw"), ErrorKind::Invalid { reason: PSW_REASON }));
    }
    if hdr.ilc > u32::from(u16::MAX) {
        out.push((
            "ilc",
            Some("regs.ilc"),
            ErrorKind::OutOfRange {
                value: Value::Unsigned(u64::from(hdr.ilc)),
                live_type: "u16",
            },
        ));
    }
    if hdr.svcnr > u32::from(u16::MAX) {
        out.push((
            "svcnr",
            Some("regs.svcnr"),
            ErrorKind::OutOfRange {
                value: Value::Unsigned(u64::from(hdr.svcnr)),
                live_type: "u16",
            },
        ));
    }
    if hdr.fpc & !FPC_VALID_MASK != 0 {
        let bits = u64::from(hdr.fpc & !FPC_VALID_MASK);
        out.push(("fpc", Some("thread.fp_regs.fpc"), ErrorKind::MaskViolation { bits }));
    }
    if hdr.em_instr & !CrHdrCpu::EM_INSTR_ALL != 0 {
        let bits = u64::from(hdr.em_instr & !CrHdrCpu::EM_INSTR_ALL);
        out.push(("em_instr", None, ErrorKind::UnknownFlags { bits }));
    }
    if hdr.reserved != 0 {
        out.push(("reserved", None, ErrorKind::ReservedNotZero));
    }
    out
}

/// The task after an accepted restore of `hdr` into `before`, `after_restore` included.
fn cpu_restored(hdr: &CrHdrCpu, before: &Task) -> Task {
    let mut t = *before;
    t.regs.args = hdr.args;
    t.regs.psw.mask = (before.regs.psw.mask & !PSW_MASK_USER) | (hdr.psw.mask & PSW_MASK_USER);
    t.regs.psw.addr = (before.regs.psw.addr & !PSW_ADDR_INSN) | (hdr.psw.addr & PSW_ADDR_INSN);
    t.regs.gprs = hdr.gprs;
    t.regs.orig_gpr2 = hdr.orig_gpr2;
    t.regs.ilc = hdr.ilc as u16;
    t.regs.svcnr = hdr.svcnr as u16;
    t.thread.fp_regs.fpc = hdr.fpc;
    t.thread.fp_regs.fprs = hdr.fprs.map(f64::from_bits);
    t.thread.acrs = hdr.acrs;
    // ksp: save_only, kept.
    t.thread.ieee_instruction_pointer = hdr.ieee_instruction_pointer;
    let per = &mut t.thread.per_info;
    per.control_regs.words.cr = hdr.per_control_regs;
    per.set_single_step(u32::from(hdr.em_instr & CrHdrCpu::EM_INSTR_SINGLE_STEP != 0));
    per.set_instruction_fetch(u32::from(hdr.em_instr & CrHdrCpu::EM_INSTR_INSTRUCTION_FETCH != 0));
    per.starting_addr = hdr.per_starting_addr;
    per.ending_addr = hdr.per_ending_addr;
    per.lowcore.words.perc_atmid = hdr.per_atmid;
    per.lowcore.words.address = hdr.per_address;
    per.lowcore.words.access_id = hdr.per_access_id;
    t.thread.last_break = hdr.last_break;
    // after_restore: restore_access_regs.
    t.cpu.acrs = hdr.acrs;
    t.cpu.acr_loads = before.cpu.acr_loads + 1;
    t
}

fn mm_refusals(hdr: &CrHdrMmContext) -> Vec<Refusal> {
    let mut out = Vec::new();
    if hdr.flags & !CrHdrMmContext::FLAGS_ALL != 0 {
        let bits = u64::from(hdr.flags & !CrHdrMmContext::FLAGS_ALL);
        out.push(("flags", None, ErrorKind::UnknownFlags { bits }));
    }
    if hdr.reserved != 0 {
        out.push(("reserved", None, ErrorKind::ReservedNotZero));
    }
    out
}

fn mm_restored(hdr: &CrHdrMmContext, before: &mm_context_t) -> mm_context_t {
    mm_context_t {
        vdso_base: before.vdso_base, // skip: kept
        noexec: (hdr.flags & CrHdrMmContext::FLAGS_NOEXEC != 0).into(),
        has_pgste: (hdr.flags & CrHdrMmContext::FLAGS_HAS_PGSTE != 0).into(),
        alloc_pgste: (hdr.flags & CrHdrMmContext::FLAGS_ALLOC_PGSTE != 0).into(),
        asce_bits: hdr.asce_bits,
        asce_limit: hdr.asce_limit,
    }
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// Any header into any task: no panic; refused exactly when the model refuses, with the first
    /// refusal in field order and the task bitwise untouched; accepted otherwise, writing exactly
    /// what the model writes. Then saving the restored task gives back `hdr` in every field except:
    /// `psw.mask` and `psw.addr`, which agree with `hdr` inside their masks and hold the task's
    /// previous bits outside them, and `ksp` (save_only), which holds the task's own `ksp`.
    /// (`reserved` and `em_instr` compare equal as they are: an accepted header has them zero and
    /// within `EM_INSTR_ALL`.)
    #[test]
    fn cpu_restore_is_all_or_nothing(hdr in cpu_header(arb_cpu_checked()), before in arb_task()) {
        let mut task = before;
        let result = hdr.restore(&mut task);
        let refusals = cpu_refusals(&hdr);
        match result {
            Err(err) => {
                prop_assert_eq!(bitwise(&task), bitwise(&before), "refused with {}, but the task changed", err);
                prop_assert!(!refusals.is_empty(), "refused a valid header: {}", err);
                prop_assert_eq!((err.field().unwrap(), err.path(), err.kind()), refusals[0]);
            }
            Ok(()) => {
                prop_assert!(refusals.is_empty(), "accepted a header that deserves {:?}", refusals);
                prop_assert_eq!(bitwise(&task), bitwise(&cpu_restored(&hdr, &before)));

                let resaved = checkpoint_cpu(&task);
                let expected = CrHdrCpu {
                    psw: PswHeader {
                        mask: (before.regs.psw.mask & !PSW_MASK_USER) | (hdr.psw.mask & PSW_MASK_USER),
                        addr: (before.regs.psw.addr & !PSW_ADDR_INSN) | (hdr.psw.addr & PSW_ADDR_INSN),
                    },
                    ksp: before.thread.ksp,
                    ..hdr
                };
                prop_assert_eq!(resaved, expected);
            }
        }
    }

    /// Any mm header into any mm context: refused exactly when the model refuses, untouched then;
    /// otherwise written as the model says. Saving it back gives `hdr` with `vdso_base` (skip) zero,
    /// `flags` and `reserved` as they were (an accepted header has them within `FLAGS_ALL` and zero).
    #[test]
    fn mm_restore_is_all_or_nothing(hdr in arb_mm_header(), before in arb_mm()) {
        let mut mm = before;
        let result = hdr.restore(&mut mm);
        let refusals = mm_refusals(&hdr);
        match result {
            Err(err) => {
                prop_assert_eq!(mm, before, "refused with {}, but the mm context changed", err);
                prop_assert!(!refusals.is_empty(), "refused a valid header: {}", err);
                prop_assert_eq!((err.field().unwrap(), err.path(), err.kind()), refusals[0]);
            }
            Ok(()) => {
                prop_assert!(refusals.is_empty(), "accepted a header that deserves {:?}", refusals);
                prop_assert_eq!(mm, mm_restored(&hdr, &before));

                let mut resaved = CrHdrMmContext::default();
                resaved.save(&mm);
                prop_assert_eq!(resaved, CrHdrMmContext { vdso_base: 0, ..hdr });
            }
        }
    }

    /// Headers built to pass every check and the validator are accepted by every task.
    #[test]
    fn valid_headers_are_always_accepted(
        cpu in cpu_header(valid_cpu_checked()),
        mm in valid_mm_header(),
        before in arb_task(),
    ) {
        let mut task = before;
        prop_assert_eq!(cpu.restore(&mut task), Ok(()));
        prop_assert_eq!(bitwise(&task), bitwise(&cpu_restored(&cpu, &before)));
        prop_assert_eq!(mm.restore(&mut task.mm), Ok(()));
        prop_assert_eq!(task.mm, mm_restored(&mm, &before.mm));
    }

    /// A checkpoint of any user task (system bits those of PSW_USER_BITS, fpc within its mask)
    /// restores into any task, which then holds every mapped field of the source: all of them
    /// exactly, except the masked psw words (source bits inside the mask, target bits outside).
    #[test]
    fn checkpoints_of_user_tasks_restore_anywhere(mut source in arb_task(), before in arb_task()) {
        source.regs.psw.mask = PSW_USER_BITS | (source.regs.psw.mask & PSW_MASK_USER);
        source.thread.fp_regs.fpc &= FPC_VALID_MASK;
        let cpu = checkpoint_cpu(&source);
        let mut mm = CrHdrMmContext::default();
        mm.save(&source.mm);

        let mut task = before;
        prop_assert_eq!(cpu.restore(&mut task), Ok(()));
        prop_assert_eq!(mm.restore(&mut task.mm), Ok(()));

        let mut expected = source;
        expected.regs.psw.mask = (before.regs.psw.mask & !PSW_MASK_USER) | (source.regs.psw.mask & PSW_MASK_USER);
        expected.regs.psw.addr = (before.regs.psw.addr & !PSW_ADDR_INSN) | (source.regs.psw.addr & PSW_ADDR_INSN);
        expected.thread.ksp = before.thread.ksp;
        expected.mm.vdso_base = before.mm.vdso_base;
        expected.cpu = Cpu {
            acrs: source.thread.acrs,
            acr_loads: before.cpu.acr_loads + 1,
        };
        prop_assert_eq!(bitwise(&task), bitwise(&expected));
    }

    /// Save is a function of the task alone: whatever the header held before, saving the same
    /// task gives the same header, with reserved fields zero and no stray flag bits.
    #[test]
    fn save_overwrites_every_header_field(
        dirty_cpu in cpu_header(arb_cpu_checked()),
        dirty_mm in arb_mm_header(),
        task in arb_task(),
    ) {
        let mut cpu = dirty_cpu;
        cpu.save(&task);
        prop_assert_eq!(cpu, checkpoint_cpu(&task));
        prop_assert_eq!(cpu.reserved, 0);
        prop_assert_eq!(cpu.em_instr & !CrHdrCpu::EM_INSTR_ALL, 0);
        let mut mm = dirty_mm;
        mm.save(&task.mm);
        let mut fresh = CrHdrMmContext::default();
        fresh.save(&task.mm);
        prop_assert_eq!(mm, fresh);
        prop_assert_eq!((mm.vdso_base, mm.reserved), (0, 0));
    }
}
