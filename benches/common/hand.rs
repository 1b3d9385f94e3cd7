//! The baseline of the runtime benchmarks: save and restore of every header written by hand, as
//! a careful engineer would write them without cr (the s390 pair is `cr::s390::hand`, in the
//! library beside its derived header). Same checks, masks, flags, validation, same
//! error values and the same order (every check before any write) as the derived code.

use super::sregs::*;
use super::vcpu::*;
use cr::s390::hand::out_of_range;
use cr_core::{Error, ErrorKind, Layout};

const TIMER_VIRT_ENABLE: u16 = 1 << 0;
const TIMER_VIRT_IMASK: u16 = 1 << 1;
const TIMER_VIRT_ISTATUS: u16 = 1 << 2;
const TIMER_PHYS_ENABLE: u16 = 1 << 8;
const TIMER_PHYS_IMASK: u16 = 1 << 9;
const TIMER_PHYS_ISTATUS: u16 = 1 << 10;
const TIMER_ALL: u16 = TIMER_VIRT_ENABLE
    | TIMER_VIRT_IMASK
    | TIMER_VIRT_ISTATUS
    | TIMER_PHYS_ENABLE
    | TIMER_PHYS_IMASK
    | TIMER_PHYS_ISTATUS;
const PSTATE_ALL: u8 = 0x7F;
const GIC_ALL: u8 = 0x07;
const MISC_ALL: u8 = 0x07;

/// The vCPU header, live -> header.
pub fn save_vcpu(h: &mut VcpuHeader, v: &Vcpu) {
    h.x = v.core.regs.x;
    h.pc = v.core.regs.pc;
    h.sp_el0 = v.core.sp_el0;
    h.sp_el1 = v.core.sp_el1;
    h.elr_el1 = v.core.elr_el1;
    h.spsr = v.core.spsr;
    h.vregs = zerocopy::transmute!(v.fpsimd.vregs);
    h.sctlr = v.sys.el1.ctl.sctlr;
    h.actlr = v.sys.el1.ctl.actlr;
    h.cpacr = v.sys.el1.ctl.cpacr;
    h.ttbr0 = v.sys.el1.mem.ttbr0;
    h.ttbr1 = v.sys.el1.mem.ttbr1;
    h.tcr = v.sys.el1.mem.tcr;
    h.mair = v.sys.el1.mem.mair;
    h.amair = v.sys.el1.mem.amair;
    h.esr = u64::from(v.sys.el1.fault.esr);
    h.far = v.sys.el1.fault.far;
    h.vbar = v.sys.el1.vbar;
    h.tpidr_el0 = v.sys.tls.tpidr_el0;
    h.tpidrro_el0 = v.sys.tls.tpidrro_el0;
    h.tpidr_el1 = v.sys.tls.tpidr_el1;
    h.par = v.sys.par;
    h.id_regs = v.sys.id_regs;
    h.tlb = v.mmu.tlb.entries;
    h.tlb_generation = v.mmu.tlb.generation;
    h.cntv_cval = v.timer.virt.cval;
    h.cntp_cval = v.timer.phys.cval;
    h.cntvoff = v.timer.cntvoff;
    h.gic_lr = v.gic.cpu_if.lr;
    h.dbg_bvr = v.debug.bvr;
    h.dbg_bxvr = v.debug.bxvr;
    h.dbg_wvr = v.debug.wvr;
    h.pmu_counters = v.pmu.counters;
    h.pmu_cycle = v.pmu.cycle;
    h.host_tsc = 0;
    h.reserved = [0; 32];
    h.nzcv = v.core.pstate.nzcv;
    h.daif = v.core.pstate.daif;
    h.el = u32::from(v.core.pstate.el);
    h.fpsr = v.fpsimd.fpsr;
    h.fpcr = v.fpsimd.fpcr;
    h.afsr0 = v.sys.el1.fault.afsr0;
    h.afsr1 = v.sys.el1.fault.afsr1;
    h.contextidr = v.sys.contextidr;
    h.cntkctl = v.sys.cntkctl;
    h.csselr = v.sys.csselr;
    h.vmid = u32::from(v.mmu.vmid);
    h.asid = u32::from(v.mmu.asid);
    h.gic_vmcr = v.gic.cpu_if.vmcr;
    h.gic_hcr = v.gic.cpu_if.hcr;
    h.gic_ap0r = v.gic.cpu_if.ap0r;
    h.gic_ap1r = v.gic.cpu_if.ap1r;
    h.gic_used_lrs = u32::from(v.gic.cpu_if.used_lrs);
    h.gic_pending = v.gic.pending;
    h.gic_active = v.gic.active;
    h.dbg_bcr = v.debug.bcr;
    h.dbg_wcr = v.debug.wcr;
    h.mdscr = v.debug.mdscr;
    h.pmu_evtyper = v.pmu.evtyper;
    h.pmcr = v.pmu.pmcr;
    h.pmu_cnten = v.pmu.cnten;
    h.pmu_inten = v.pmu.inten;
    h.pmu_ovs = v.pmu.ovs;
    h.tlb_asids = v.mmu.tlb.asids;
    let t = &v.timer;
    h.timer_flags = u16::from(t.virt.ctl.enable)
        | u16::from(t.virt.ctl.imask) << 1
        | u16::from(t.virt.ctl.istatus) << 2
        | u16::from(t.phys.ctl.enable) << 8
        | u16::from(t.phys.ctl.imask) << 9
        | u16::from(t.phys.ctl.istatus) << 10;
    h.gic_priority = v.gic.priority;
    let p = &v.core.pstate;
    h.pstate_flags = u8::from(p.ss)
        | u8::from(p.il) << 1
        | u8::from(p.pan) << 2
        | u8::from(p.uao) << 3
        | u8::from(p.dit) << 4
        | u8::from(p.ssbs) << 5
        | u8::from(p.tco) << 6;
    h.gic_flags = u8::from(v.gic.enabled) | u8::from(v.gic.grp0) << 1 | u8::from(v.gic.grp1) << 2;
    h.misc_flags = u8::from(v.debug.os_lock) | u8::from(v.debug.os_dlk) << 1 | u8::from(v.pmu.enabled) << 2;
    h.reserved_tail = [0; 79];
}

fn strict32(value: u32, valid: u32, field: &'static str, path: &'static str) -> Result<(), Error> {
    match value & !valid {
        0 => Ok(()),
        bits => Err(Error::new(ErrorKind::MaskViolation { bits: u64::from(bits) }).at(field, Some(path))),
    }
}

fn unknown_flags(bits: u64, field: &'static str) -> Error {
    Error::new(ErrorKind::UnknownFlags { bits }).at(field, None)
}

fn reserved_not_zero(field: &'static str) -> Error {
    Error::new(ErrorKind::ReservedNotZero).at(field, None)
}

/// The vCPU header, header -> live: every check in field order, then every write.
pub fn restore_vcpu(h: &VcpuHeader, v: &mut Vcpu) -> Result<(), Error> {
    if h.cpacr & !CPACR_VALID != 0 {
        let bits = h.cpacr & !CPACR_VALID;
        return Err(Error::new(ErrorKind::MaskViolation { bits }).at("cpacr", Some("sys.el1.ctl.cpacr")));
    }
    let esr = u32::try_from(h.esr).map_err(|_| out_of_range(h.esr, "u32", "esr", "sys.el1.fault.esr"))?;
    if h.reserved != [0; 32] {
        return Err(reserved_not_zero("reserved"));
    }
    strict32(h.nzcv, NZCV_MASK, "nzcv", "core.pstate.nzcv")?;
    let el = u8::try_from(h.el).map_err(|_| out_of_range(h.el, "u8", "el", "core.pstate.el"))?;
    strict32(h.fpsr, FPSR_VALID, "fpsr", "fpsimd.fpsr")?;
    strict32(h.fpcr, FPCR_VALID, "fpcr", "fpsimd.fpcr")?;
    strict32(h.csselr, CSSELR_VALID, "csselr", "sys.csselr")?;
    let vmid = u16::try_from(h.vmid).map_err(|_| out_of_range(h.vmid, "u16", "vmid", "mmu.vmid"))?;
    let asid = u16::try_from(h.asid).map_err(|_| out_of_range(h.asid, "u16", "asid", "mmu.asid"))?;
    strict32(h.gic_hcr, ICH_HCR_VALID, "gic_hcr", "gic.cpu_if.hcr")?;
    let used_lrs = u8::try_from(h.gic_used_lrs)
        .map_err(|_| out_of_range(h.gic_used_lrs, "u8", "gic_used_lrs", "gic.cpu_if.used_lrs"))?;
    strict32(h.mdscr, MDSCR_VALID, "mdscr", "debug.mdscr")?;
    strict32(h.pmu_cnten, PMU_COUNTERS, "pmu_cnten", "pmu.cnten")?;
    strict32(h.pmu_inten, PMU_COUNTERS, "pmu_inten", "pmu.inten")?;
    strict32(h.pmu_ovs, PMU_COUNTERS, "pmu_ovs", "pmu.ovs")?;
    if h.timer_flags & !TIMER_ALL != 0 {
        return Err(unknown_flags(u64::from(h.timer_flags & !TIMER_ALL), "timer_flags"));
    }
    if h.pstate_flags & !PSTATE_ALL != 0 {
        return Err(unknown_flags(u64::from(h.pstate_flags & !PSTATE_ALL), "pstate_flags"));
    }
    if h.gic_flags & !GIC_ALL != 0 {
        return Err(unknown_flags(u64::from(h.gic_flags & !GIC_ALL), "gic_flags"));
    }
    if h.misc_flags & !MISC_ALL != 0 {
        return Err(unknown_flags(u64::from(h.misc_flags & !MISC_ALL), "misc_flags"));
    }
    if h.reserved_tail != [0; 79] {
        return Err(reserved_not_zero("reserved_tail"));
    }

    v.core.regs.x = h.x;
    v.core.regs.pc = h.pc;
    v.core.sp_el0 = h.sp_el0;
    v.core.sp_el1 = h.sp_el1;
    v.core.elr_el1 = h.elr_el1;
    v.core.spsr = h.spsr;
    v.fpsimd.vregs = zerocopy::transmute!(h.vregs);
    v.sys.el1.ctl.sctlr = (v.sys.el1.ctl.sctlr & !SCTLR_USER_MASK) | (h.sctlr & SCTLR_USER_MASK);
    v.sys.el1.ctl.actlr = h.actlr;
    v.sys.el1.ctl.cpacr = h.cpacr;
    v.sys.el1.mem.ttbr0 = h.ttbr0;
    v.sys.el1.mem.ttbr1 = h.ttbr1;
    v.sys.el1.mem.tcr = (v.sys.el1.mem.tcr & !TCR_MASK) | (h.tcr & TCR_MASK);
    v.sys.el1.mem.mair = h.mair;
    v.sys.el1.mem.amair = h.amair;
    v.sys.el1.fault.esr = esr;
    v.sys.el1.fault.far = h.far;
    v.sys.el1.vbar = (v.sys.el1.vbar & !VBAR_MASK) | (h.vbar & VBAR_MASK);
    v.sys.tls.tpidr_el0 = h.tpidr_el0;
    v.sys.tls.tpidrro_el0 = h.tpidrro_el0;
    v.sys.tls.tpidr_el1 = h.tpidr_el1;
    v.sys.par = h.par;
    v.mmu.tlb.entries = h.tlb;
    v.timer.virt.cval = h.cntv_cval;
    v.timer.phys.cval = h.cntp_cval;
    v.timer.cntvoff = h.cntvoff;
    v.gic.cpu_if.lr = h.gic_lr;
    v.debug.bvr = h.dbg_bvr;
    v.debug.bxvr = h.dbg_bxvr;
    v.debug.wvr = h.dbg_wvr;
    v.pmu.counters = h.pmu_counters;
    v.pmu.cycle = h.pmu_cycle;
    v.core.pstate.nzcv = h.nzcv;
    v.core.pstate.daif = (v.core.pstate.daif & !DAIF_MASK) | (h.daif & DAIF_MASK);
    v.core.pstate.el = el;
    v.fpsimd.fpsr = h.fpsr;
    v.fpsimd.fpcr = h.fpcr;
    v.sys.el1.fault.afsr0 = h.afsr0;
    v.sys.el1.fault.afsr1 = h.afsr1;
    v.sys.contextidr = h.contextidr;
    v.sys.cntkctl = (v.sys.cntkctl & !CNTKCTL_MASK) | (h.cntkctl & CNTKCTL_MASK);
    v.sys.csselr = h.csselr;
    v.mmu.vmid = vmid;
    v.mmu.asid = asid;
    v.gic.cpu_if.vmcr = h.gic_vmcr;
    v.gic.cpu_if.hcr = h.gic_hcr;
    v.gic.cpu_if.ap0r = h.gic_ap0r;
    v.gic.cpu_if.ap1r = h.gic_ap1r;
    v.gic.cpu_if.used_lrs = used_lrs;
    v.gic.pending = h.gic_pending;
    v.gic.active = h.gic_active;
    v.debug.bcr = h.dbg_bcr;
    v.debug.wcr = h.dbg_wcr;
    v.debug.mdscr = h.mdscr;
    v.pmu.evtyper = h.pmu_evtyper;
    v.pmu.pmcr = (v.pmu.pmcr & !PMCR_MASK) | (h.pmcr & PMCR_MASK);
    v.pmu.cnten = h.pmu_cnten;
    v.pmu.inten = h.pmu_inten;
    v.pmu.ovs = h.pmu_ovs;
    v.mmu.tlb.asids = h.tlb_asids;
    let t = &mut v.timer;
    t.virt.ctl.enable = h.timer_flags & TIMER_VIRT_ENABLE != 0;
    t.virt.ctl.imask = h.timer_flags & TIMER_VIRT_IMASK != 0;
    t.virt.ctl.istatus = h.timer_flags & TIMER_VIRT_ISTATUS != 0;
    t.phys.ctl.enable = h.timer_flags & TIMER_PHYS_ENABLE != 0;
    t.phys.ctl.imask = h.timer_flags & TIMER_PHYS_IMASK != 0;
    t.phys.ctl.istatus = h.timer_flags & TIMER_PHYS_ISTATUS != 0;
    v.gic.priority = h.gic_priority;
    let p = &mut v.core.pstate;
    p.ss = h.pstate_flags & 1 != 0;
    p.il = h.pstate_flags & 1 << 1 != 0;
    p.pan = h.pstate_flags & 1 << 2 != 0;
    p.uao = h.pstate_flags & 1 << 3 != 0;
    p.dit = h.pstate_flags & 1 << 4 != 0;
    p.ssbs = h.pstate_flags & 1 << 5 != 0;
    p.tco = h.pstate_flags & 1 << 6 != 0;
    v.gic.enabled = h.gic_flags & 1 != 0;
    v.gic.grp0 = h.gic_flags & 1 << 1 != 0;
    v.gic.grp1 = h.gic_flags & 1 << 2 != 0;
    v.debug.os_lock = h.misc_flags & 1 != 0;
    v.debug.os_dlk = h.misc_flags & 1 << 1 != 0;
    v.pmu.enabled = h.misc_flags & 1 << 2 != 0;
    Ok(())
}

/// `strict_mask` on a `u64` (the segment bytes are widened: the bits outside are the same).
fn strict64(value: u64, valid: u64, field: &'static str, path: &'static str) -> Result<(), Error> {
    match value & !valid {
        0 => Ok(()),
        bits => Err(Error::new(ErrorKind::MaskViolation { bits }).at(field, Some(path))),
    }
}

/// `kvm_segment`, live -> header.
fn save_segment(h: &mut SegmentHeader, s: &Segment) {
    h.base = s.base;
    h.limit = s.limit;
    h.selector = s.selector;
    h.type_ = s.type_;
    h.present = s.present;
    h.dpl = s.dpl;
    h.db = s.db;
    h.s = s.s;
    h.l = s.l;
    h.g = s.g;
    h.avl = s.avl;
    h.unusable = s.unusable;
    h.padding = 0;
}

/// `kvm_dtable`, live -> header.
fn save_dtable(h: &mut DtableHeader, d: &Dtable) {
    h.base = d.base;
    h.limit = d.limit;
    h.padding = [0; 3];
}

/// `kvm_sregs`, live -> header.
pub fn save_sregs(h: &mut SregsHeader, s: &Sregs) {
    save_segment(&mut h.cs, &s.cs);
    save_segment(&mut h.ds, &s.ds);
    save_segment(&mut h.es, &s.es);
    save_segment(&mut h.fs, &s.fs);
    save_segment(&mut h.gs, &s.gs);
    save_segment(&mut h.ss, &s.ss);
    save_segment(&mut h.tr, &s.tr);
    save_segment(&mut h.ldt, &s.ldt);
    save_dtable(&mut h.gdt, &s.gdt);
    save_dtable(&mut h.idt, &s.idt);
    h.cr0 = s.cr0;
    h.cr2 = s.cr2;
    h.cr3 = s.cr3;
    h.cr4 = s.cr4;
    h.cr8 = s.cr8;
    h.efer = s.efer;
    h.apic_base = s.apic_base;
    h.interrupt_bitmap = s.interrupt_bitmap;
}

/// `kvm_segment`'s checks, in field order.
fn check_segment(h: &SegmentHeader) -> Result<(), Error> {
    strict64(u64::from(h.type_), u64::from(SEG_TYPE_VALID), "type_", "type_")?;
    strict64(u64::from(h.present), u64::from(SEG_BOOL), "present", "present")?;
    strict64(u64::from(h.dpl), u64::from(SEG_DPL_VALID), "dpl", "dpl")?;
    strict64(u64::from(h.unusable), u64::from(SEG_BOOL), "unusable", "unusable")?;
    if h.padding != 0 {
        return Err(reserved_not_zero("padding"));
    }
    Ok(())
}

/// `kvm_dtable`'s check.
fn check_dtable(h: &DtableHeader) -> Result<(), Error> {
    if h.padding != [0; 3] {
        return Err(reserved_not_zero("padding"));
    }
    Ok(())
}

/// `kvm_segment`, header -> live (after every check of the whole `kvm_sregs`).
fn write_segment(h: &SegmentHeader, s: &mut Segment) {
    s.base = h.base;
    s.limit = h.limit;
    s.selector = h.selector;
    s.type_ = h.type_;
    s.present = h.present;
    s.dpl = h.dpl;
    s.db = h.db;
    s.s = h.s;
    s.l = h.l;
    s.g = h.g;
    s.avl = h.avl;
    s.unusable = h.unusable;
}

/// `kvm_sregs`, header -> live: every check of every segment and table (errors carry the route
/// through the outer field, as cr's do), the control registers' checks, then every write.
pub fn restore_sregs(h: &SregsHeader, s: &mut Sregs) -> Result<(), Error> {
    // The route names the outer header's row for the nested field: cr's `Error` holds it as a
    // `&'static FieldInfo`, so the twin borrows the derived table for it (a pointer, no code).
    let rows = <SregsHeader as Layout>::FIELDS;
    check_segment(&h.cs).map_err(|e| cr_core::__private::route(e, &rows[0], None))?;
    check_segment(&h.ds).map_err(|e| cr_core::__private::route(e, &rows[1], None))?;
    check_segment(&h.es).map_err(|e| cr_core::__private::route(e, &rows[2], None))?;
    check_segment(&h.fs).map_err(|e| cr_core::__private::route(e, &rows[3], None))?;
    check_segment(&h.gs).map_err(|e| cr_core::__private::route(e, &rows[4], None))?;
    check_segment(&h.ss).map_err(|e| cr_core::__private::route(e, &rows[5], None))?;
    check_segment(&h.tr).map_err(|e| cr_core::__private::route(e, &rows[6], None))?;
    check_segment(&h.ldt).map_err(|e| cr_core::__private::route(e, &rows[7], None))?;
    check_dtable(&h.gdt).map_err(|e| cr_core::__private::route(e, &rows[8], None))?;
    check_dtable(&h.idt).map_err(|e| cr_core::__private::route(e, &rows[9], None))?;
    strict64(h.cr0, CR0_VALID, "cr0", "cr0")?;
    strict64(h.cr4, CR4_VALID, "cr4", "cr4")?;
    strict64(h.efer, EFER_VALID, "efer", "efer")?;

    write_segment(&h.cs, &mut s.cs);
    write_segment(&h.ds, &mut s.ds);
    write_segment(&h.es, &mut s.es);
    write_segment(&h.fs, &mut s.fs);
    write_segment(&h.gs, &mut s.gs);
    write_segment(&h.ss, &mut s.ss);
    write_segment(&h.tr, &mut s.tr);
    write_segment(&h.ldt, &mut s.ldt);
    s.gdt.base = h.gdt.base;
    s.gdt.limit = h.gdt.limit;
    s.idt.base = h.idt.base;
    s.idt.limit = h.idt.limit;
    s.cr0 = h.cr0;
    s.cr2 = h.cr2;
    s.cr3 = h.cr3;
    s.cr4 = h.cr4;
    s.cr8 = h.cr8;
    s.efer = h.efer;
    s.apic_base = h.apic_base;
    s.interrupt_bitmap = h.interrupt_bitmap;
    Ok(())
}
