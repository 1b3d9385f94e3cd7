//! The seed's pair for `cr_hdr_cpu` written by hand, as a careful engineer would write it without
//! cr: the same checks, masks, flags, validation, error values and order (every check before any
//! write) as the derived code. The baseline of the benchmarks, kept in this library beside the
//! derived header so that a benchmark calls both across a crate boundary, as a user's
//! checkpointer calls the headers of its own library crate. Without cr, reading a member of
//! `per_struct`'s unions is an `unsafe` read of a union field: one block, under the promise
//! `src/s390.rs` states for its `InitializedUnion` impls.

use super::{restore_access_regs, validate_psw, CrHdrCpu, Task, FPC_VALID_MASK, PSW_ADDR_INSN, PSW_MASK_USER};
use cr_core::{Error, ErrorKind, Layout, Value};

const EM_SINGLE_STEP: u8 = 1 << 0;
const EM_INSTRUCTION_FETCH: u8 = 1 << 1;
const EM_ALL: u8 = EM_SINGLE_STEP | EM_INSTRUCTION_FETCH;

/// `cr_hdr_cpu`, live -> header.
pub fn save_cpu(h: &mut CrHdrCpu, t: &Task) {
    let per = &t.thread.per_info;
    // SAFETY: the `words` member of both unions has its fields initialized, as the comment on
    // `src/s390.rs`'s `InitializedUnion` impls shows; the reads copy only those fields.
    #[allow(unsafe_code)]
    let (control_regs, lowcore) = unsafe { (per.control_regs.words, per.lowcore.words) };
    h.args = t.regs.args;
    h.psw.mask = t.regs.psw.mask;
    h.psw.addr = t.regs.psw.addr;
    h.gprs = t.regs.gprs;
    h.orig_gpr2 = t.regs.orig_gpr2;
    h.ilc = u32::from(t.regs.ilc);
    h.svcnr = u32::from(t.regs.svcnr);
    h.fpc = t.thread.fp_regs.fpc;
    h.per_atmid = lowcore.perc_atmid;
    h.per_access_id = lowcore.access_id;
    h.em_instr = u8::from(per.single_step() != 0) | u8::from(per.instruction_fetch() != 0) << 1;
    h.fprs = t.thread.fp_regs.fprs.map(f64::to_bits);
    h.acrs = t.thread.acrs;
    h.ksp = t.thread.ksp;
    h.ieee_instruction_pointer = t.thread.ieee_instruction_pointer;
    h.per_control_regs = control_regs.cr;
    h.per_starting_addr = per.starting_addr;
    h.per_ending_addr = per.ending_addr;
    h.per_address = lowcore.address;
    h.reserved = 0;
    h.last_break = t.thread.last_break;
}

/// `cr_hdr_cpu`, header -> live: every check, the validator, then every write.
pub fn restore_cpu(h: &CrHdrCpu, t: &mut Task) -> Result<(), Error> {
    // The PSW's own check first (its place in the header), its error routed through `psw`.
    validate_psw(&h.psw, &t.regs.psw).map_err(|e| match (e.field(), e.path()) {
        (Some("mask"), None) => cr_core::__private::route(e.at("mask", Some("mask")), &CrHdrCpu::FIELDS[1], None),
        _ => cr_core::__private::route(e, &CrHdrCpu::FIELDS[1], None),
    })?;
    let Ok(ilc) = u16::try_from(h.ilc) else {
        return Err(out_of_range(h.ilc, "u16", "ilc", "regs.ilc"));
    };
    let Ok(svcnr) = u16::try_from(h.svcnr) else {
        return Err(out_of_range(h.svcnr, "u16", "svcnr", "regs.svcnr"));
    };
    if h.fpc & !FPC_VALID_MASK != 0 {
        let bits = u64::from(h.fpc & !FPC_VALID_MASK);
        return Err(Error::new(ErrorKind::MaskViolation { bits }).at("fpc", Some("thread.fp_regs.fpc")));
    }
    if h.em_instr & !EM_ALL != 0 {
        let bits = u64::from(h.em_instr & !EM_ALL);
        return Err(Error::new(ErrorKind::UnknownFlags { bits }).at("em_instr", None));
    }
    if h.reserved != 0 {
        return Err(Error::new(ErrorKind::ReservedNotZero).at("reserved", None));
    }

    t.regs.args = h.args;
    t.regs.psw.mask = (t.regs.psw.mask & !PSW_MASK_USER) | (h.psw.mask & PSW_MASK_USER);
    t.regs.psw.addr = (t.regs.psw.addr & !PSW_ADDR_INSN) | (h.psw.addr & PSW_ADDR_INSN);
    t.regs.gprs = h.gprs;
    t.regs.orig_gpr2 = h.orig_gpr2;
    t.regs.ilc = ilc;
    t.regs.svcnr = svcnr;
    t.thread.fp_regs.fpc = h.fpc;
    t.thread.per_info.lowcore.words.perc_atmid = h.per_atmid;
    t.thread.per_info.lowcore.words.access_id = h.per_access_id;
    t.thread
        .per_info
        .set_single_step(u32::from(h.em_instr & EM_SINGLE_STEP != 0));
    t.thread
        .per_info
        .set_instruction_fetch(u32::from(h.em_instr & EM_INSTRUCTION_FETCH != 0));
    t.thread.fp_regs.fprs = h.fprs.map(f64::from_bits);
    t.thread.acrs = h.acrs;
    t.thread.ieee_instruction_pointer = h.ieee_instruction_pointer;
    t.thread.per_info.control_regs.words.cr = h.per_control_regs;
    t.thread.per_info.starting_addr = h.per_starting_addr;
    t.thread.per_info.ending_addr = h.per_ending_addr;
    t.thread.per_info.lowcore.words.address = h.per_address;
    t.thread.last_break = h.last_break;
    restore_access_regs(t);
    Ok(())
}

/// The refusal of a value that does not fit its live type (`OutOfRange`), out of line as the
/// derive's is.
#[cold]
#[inline(never)]
pub fn out_of_range(value: impl Into<u64>, live_type: &'static str, field: &'static str, path: &'static str) -> Error {
    let kind = ErrorKind::OutOfRange {
        value: Value::Unsigned(value.into()),
        live_type,
    };
    Error::new(kind).at(field, Some(path))
}
