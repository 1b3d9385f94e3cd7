//! Snapshot and restore of a KVM virtual machine (Linux x86-64) on rust-vmm's own structs: image headers
//! derived over `kvm-bindings`' `kvm_regs`, `kvm_sregs` (its segments and descriptor tables as `nested`
//! headers), `kvm_xsave`, `kvm_xcrs`, `kvm_debugregs`, `kvm_vcpu_events`, `kvm_mp_state`, a list of
//! `kvm_msr_entry` and the guest memory, validated as KVM validates them (`kvm_is_valid_sregs()`,
//! `kvm_is_valid_cr0()`/`kvm_is_valid_cr4()`, the EFER, XCR0, debug-register and event rules of
//! `arch/x86/kvm/x86.c`) or stricter where KVM would accept a value silently, so that a tampered
//! image is refused with the field at fault before any ioctl.
//!
//! The interrupt controllers' headers (`kvm_irqchip`) are here too; the other VM-level and device headers
//! (each vCPU's LAPIC, the PIT, the clock, a vm-superio serial port) are in [`vm_level`].
//!
//! This module is pure: it writes and reads a vCPU's records and restores headers into `kvm-bindings`
//! structs, without touching `/dev/kvm` (but for [`caps`], which asks KVM what a vCPU can hold, and the
//! differential test [`kernelcheck`], which asks KVM for its verdicts). The VMM that runs a guest, snapshots
//! it and restores it with `kvm-ioctls` is a crate of its own, `cr-vmm` (`vmm/`).

pub mod caps;
pub mod kernelcheck;
pub mod vm_level;

pub use caps::VcpuCaps;
pub use vm_level::{
    restore_clock, restore_lapic, restore_pit, restore_serial, save_clock, save_lapic, save_pit, save_serial,
    CrHdrKvmClock, CrHdrKvmLapic, CrHdrKvmPitState2, CrHdrSerial, LapicOn, SerialPort,
};

use cr_core::dump::Kind;
use cr_core::image::{BytesType, Reader, Sink, Writer};
use cr_core::{CrCopy, CrLayout, Error, ErrorKind};
use kvm_bindings::{
    kvm_cpuid_entry2, kvm_ioapic_state, kvm_ioapic_state__bindgen_ty_1, kvm_irqchip, kvm_pic_state, KVM_IRQCHIP_IOAPIC,
    KVM_IRQCHIP_PIC_MASTER, KVM_IRQCHIP_PIC_SLAVE,
};
use kvm_bindings::{
    kvm_debugregs, kvm_dtable, kvm_mp_state, kvm_msr_entry, kvm_regs, kvm_segment, kvm_sregs,
    kvm_userspace_memory_region, kvm_vcpu_events, kvm_vcpu_events__bindgen_ty_1, kvm_vcpu_events__bindgen_ty_2,
    kvm_vcpu_events__bindgen_ty_3, kvm_vcpu_events__bindgen_ty_4, kvm_vcpu_events__bindgen_ty_5, kvm_xcr, kvm_xcrs,
    kvm_xsave,
};
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout};

// ---------------------------------------------------------------------------------------------
// Architectural bits (Intel SDM vol. 3, AMD APM vol. 2; the kernel's names).
// ---------------------------------------------------------------------------------------------

/// CR0: protection enable.
pub const CR0_PE: u64 = 1 << 0;
/// CR0: monitor coprocessor.
pub const CR0_MP: u64 = 1 << 1;
/// CR0: emulation (no x87/SSE).
pub const CR0_EM: u64 = 1 << 2;
/// CR0: task switched.
pub const CR0_TS: u64 = 1 << 3;
/// CR0: extension type (always 1).
pub const CR0_ET: u64 = 1 << 4;
/// CR0: numeric error.
pub const CR0_NE: u64 = 1 << 5;
/// CR0: write protect.
pub const CR0_WP: u64 = 1 << 16;
/// CR0: alignment mask.
pub const CR0_AM: u64 = 1 << 18;
/// CR0: not write-through.
pub const CR0_NW: u64 = 1 << 29;
/// CR0: cache disable.
pub const CR0_CD: u64 = 1 << 30;
/// CR0: paging.
pub const CR0_PG: u64 = 1 << 31;
/// The CR0 bits that exist: KVM's `CR0_RESERVED_BITS` is the complement. KVM_SET_SREGS refuses bits 63:32
/// (`kvm_is_valid_cr0()`) but hands the low reserved bits to the vendor code unchecked.
pub const CR0_VALID: u64 =
    CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG;

/// CR4: physical address extension.
pub const CR4_PAE: u64 = 1 << 5;
/// CR4: 57-bit linear addresses (5-level paging).
pub const CR4_LA57: u64 = 1 << 12;
/// CR4: process-context identifiers.
pub const CR4_PCIDE: u64 = 1 << 17;
/// The CR4 bits KVM knows (the complement of its `CR4_RESERVED_BITS`): VME, PVI, TSD, DE, PSE, PAE, MCE,
/// PGE, PCE, OSFXSR, OSXMMEXCPT, UMIP, LA57, VMXE, FSGSBASE, PCIDE, OSXSAVE, SMEP, SMAP, PKE, CET, PKS,
/// LAM_SUP. Which of them a guest may set also depends on its CPUID (`cr4_guest_rsvd_bits`); that part is
/// the restoring host's business and is left to KVM.
pub const CR4_VALID: u64 = 0x1fff | (1 << 13) | (1 << 16) | CR4_PCIDE | (1 << 18) | (0xf << 20) | (1 << 24) | (1 << 28);

/// EFER: system-call extensions.
pub const EFER_SCE: u64 = 1 << 0;
/// EFER: long mode enable.
pub const EFER_LME: u64 = 1 << 8;
/// EFER: long mode active.
pub const EFER_LMA: u64 = 1 << 10;
/// EFER: no-execute enable.
pub const EFER_NX: u64 = 1 << 11;
/// The EFER bits this VMM's guests may hold. KVM_SET_SREGS passes EFER to the vendor code without
/// `kvm_valid_efer()`, so SVME, LMSLE, FFXSR, TCE or AUTOIBRS, which need CPU features or nested
/// virtualisation this VMM does not give, would be accepted: the image refuses them.
pub const EFER_VALID: u64 = EFER_SCE | EFER_LME | EFER_LMA | EFER_NX;

/// RFLAGS bit 1: reserved, always 1.
pub const RFLAGS_FIXED: u64 = 1 << 1;
/// The RFLAGS bits that exist (0 to 21 less the reserved bits 3, 5 and 15).
pub const RFLAGS_VALID: u64 = ((1 << 22) - 1) & !((1 << 3) | (1 << 5) | (1 << 15));

/// XCR0 state components a user (uabi) XSAVE buffer may carry: x87, SSE, AVX, MPX (2), AVX-512 (3),
/// PKRU, AMX (2). The supervisor components (8, 10 to 16) never appear in KVM's user buffers.
pub const XFEATURES_USER: u64 = 0xff | (1 << 9) | (1 << 17) | (1 << 18);
/// XCR0: x87.
pub const XFEATURE_FP: u64 = 1 << 0;
/// XCR0: SSE.
pub const XFEATURE_SSE: u64 = 1 << 1;
/// XCR0: AVX.
pub const XFEATURE_YMM: u64 = 1 << 2;
/// XCR0: MPX bound registers and configuration (both or neither).
pub const XFEATURE_MPX: u64 = (1 << 3) | (1 << 4);
/// XCR0: AVX-512 opmask, ZMM_Hi256, Hi16_ZMM (all or none).
pub const XFEATURE_AVX512: u64 = (1 << 5) | (1 << 6) | (1 << 7);
/// XCR0: AMX tile configuration and data (both or neither).
pub const XFEATURE_AMX: u64 = (1 << 17) | (1 << 18);

/// The MXCSR mask `fxsave` reports as 0 stands for: all bits but DAZ.
pub const MXCSR_DEFAULT_MASK: u32 = 0xffbf;

/// `IA32_SYSENTER_CS`.
pub const MSR_IA32_SYSENTER_CS: u32 = 0x174;
/// `IA32_SYSENTER_ESP`: an address.
pub const MSR_IA32_SYSENTER_ESP: u32 = 0x175;
/// `IA32_SYSENTER_EIP`: an address.
pub const MSR_IA32_SYSENTER_EIP: u32 = 0x176;
/// `IA32_PAT`: eight memory types.
pub const MSR_IA32_CR_PAT: u32 = 0x277;
/// `STAR`: the `syscall` selectors (the guest of [`vm`] folds its hash into it).
pub const MSR_STAR: u32 = 0xc000_0081;
/// `LSTAR`: the 64-bit `syscall` entry, an address.
pub const MSR_LSTAR: u32 = 0xc000_0082;
/// `CSTAR`: the compatibility-mode `syscall` entry, an address.
pub const MSR_CSTAR: u32 = 0xc000_0083;
/// `SFMASK`: the RFLAGS mask of `syscall`.
pub const MSR_SYSCALL_MASK: u32 = 0xc000_0084;
/// `KERNEL_GS_BASE`: the `swapgs` base, an address.
pub const MSR_KERNEL_GS_BASE: u32 = 0xc000_0102;
/// `IA32_TSC`.
pub const MSR_IA32_TSC: u32 = 0x10;

/// The MSRs this VMM saves and restores: those a 64-bit guest writes that are not in another struct
/// (FS/GS base and EFER are in `kvm_sregs`). An image with any other index is refused.
pub const SAVED_MSRS: [u32; 10] = [
    MSR_IA32_TSC,
    MSR_IA32_SYSENTER_CS,
    MSR_IA32_SYSENTER_ESP,
    MSR_IA32_SYSENTER_EIP,
    MSR_IA32_CR_PAT,
    MSR_STAR,
    MSR_LSTAR,
    MSR_CSTAR,
    MSR_SYSCALL_MASK,
    MSR_KERNEL_GS_BASE,
];

/// Whether `addr` is canonical with 48-bit linear addresses (bits 63:47 all equal): what every base and
/// entry point must be with 4-level paging. An image is checked against the 4-level rule so that it
/// restores on any host.
pub const fn is_canonical(addr: u64) -> bool {
    ((addr as i64) << 16 >> 16) as u64 == addr
}

fn canonical(field: &'static str, addr: u64) -> Result<(), Error> {
    if is_canonical(addr) {
        Ok(())
    } else {
        Err(Error::invalid(field, "non-canonical address (bits 63:47 differ)"))
    }
}

// ---------------------------------------------------------------------------------------------
// View targets: a kvm-bindings struct with the restoring vCPU's capabilities.
// ---------------------------------------------------------------------------------------------

macro_rules! view {
    ($(#[$doc:meta])* $view:ident, $field:ident: $ty:ty) => {
        $(#[$doc])*
        ///
        /// A view target (`#[cr(target = ...<'_>)]`): the header's paths start at the struct's name, so
        /// errors read like the [`VcpuState`] field (`sregs.cr0`), and its validator reads `caps`.
        #[derive(Debug)]
        pub struct $view<'a> {
            pub $field: &'a mut $ty,
            /// What the restoring vCPU can hold.
            pub caps: &'a VcpuCaps,
        }
    };
}

view!(
    /// `kvm_sregs` on a vCPU: CR3 and the APIC base against its MAXPHYADDR, CR4 against its CPUID,
    /// x2APIC against its CPUID.
    SregsOn, sregs: kvm_sregs
);
view!(
    /// `kvm_xsave` on a vCPU: the XSAVE header's components against its supported XCR0.
    XsaveOn, xsave: kvm_xsave
);
view!(
    /// `kvm_xcrs` on a vCPU: XCR0 against its supported XCR0.
    XcrsOn, xcrs: kvm_xcrs
);
view!(
    /// `kvm_vcpu_events` on a vCPU: SMM state against the kernel's SMM support.
    EventsOn, events: kvm_vcpu_events
);

// ---------------------------------------------------------------------------------------------
// Record types. The arch tag is the ptrace example's: x86-64; a VM image uses other record types.
// ---------------------------------------------------------------------------------------------

/// The architecture tag of x86-64 images (`"x864"`), shared with [`crate::ptrace_x86_64`].
pub const ARCH_X86_64: u32 = crate::ptrace_x86_64::ARCH_X86_64;
/// [`CrHdrKvmMemRegion`].
pub const CR_HDR_KVM_MEM_REGION: u32 = 0x10;
/// [`CrHdrKvmRegs`].
pub const CR_HDR_KVM_REGS: u32 = 0x20;
/// [`CrHdrKvmSregs`].
pub const CR_HDR_KVM_SREGS: u32 = 0x21;
/// [`CrHdrKvmXsave`].
pub const CR_HDR_KVM_XSAVE: u32 = 0x22;
/// [`CrHdrKvmXcrs`].
pub const CR_HDR_KVM_XCRS: u32 = 0x23;
/// [`CrHdrKvmDebugregs`].
pub const CR_HDR_KVM_DEBUGREGS: u32 = 0x24;
/// [`CrHdrKvmVcpuEvents`].
pub const CR_HDR_KVM_VCPU_EVENTS: u32 = 0x25;
/// [`CrHdrKvmMpState`].
pub const CR_HDR_KVM_MP_STATE: u32 = 0x26;
/// [`CrHdrKvmMsr`], one entry of the MSR list (the list record's type is `LIST + 0x27`).
pub const CR_HDR_KVM_MSR: u32 = 0x27;
/// [`CrHdrKvmCpuidEntry`], one entry of the CPUID list (the list record's type is `LIST + 0x29`).
pub const CR_HDR_KVM_CPUID_ENTRY: u32 = 0x29;
/// [`CrHdrKvmIrqchip`], one per interrupt controller of the VM (PIC master, PIC slave, IOAPIC).
pub const CR_HDR_KVM_IRQCHIP: u32 = 0x30;
/// The guest memory of one slot: a bulk-bytes record (type `BYTES + 1`) whose parent is the slot.
pub const GUEST_MEMORY: BytesType = BytesType::new(1).unwrap();

/// The record kinds of a VM image, for [`cr_core::dump::dump`].
pub const KINDS: [Kind; 15] = [
    Kind::of::<CrHdrKvmMemRegion>(),
    Kind::of::<CrHdrKvmRegs>(),
    Kind::of::<CrHdrKvmSregs>(),
    Kind::of::<CrHdrKvmXsave>(),
    Kind::of::<CrHdrKvmXcrs>(),
    Kind::of::<CrHdrKvmDebugregs>(),
    Kind::of::<CrHdrKvmVcpuEvents>(),
    Kind::of::<CrHdrKvmMpState>(),
    Kind::of::<CrHdrKvmMsr>(),
    Kind::of::<CrHdrKvmIrqchip>(),
    Kind::of::<CrHdrKvmCpuidEntry>(),
    vm_level::KINDS[0],
    vm_level::KINDS[1],
    vm_level::KINDS[2],
    vm_level::KINDS[3],
];

// ---------------------------------------------------------------------------------------------
// Guest memory.
// ---------------------------------------------------------------------------------------------

/// A memory slot (`kvm_userspace_memory_region`). The host address is the restoring process's own.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_userspace_memory_region, record = CR_HDR_KVM_MEM_REGION, validate = validate_region)]
#[cr(cover(kvm_userspace_memory_region = ""), ignore = "userspace_addr")]
pub struct CrHdrKvmMemRegion {
    #[cr(path = "slot")]
    pub slot: u32,
    /// `KVM_MEM_LOG_DIRTY_PAGES` and `KVM_MEM_READONLY`: this VMM maps plain RAM only.
    #[cr(path = "flags", strict_mask = 0)]
    pub flags: u32,
    #[cr(path = "guest_phys_addr")]
    pub guest_phys_addr: u64,
    #[cr(path = "memory_size")]
    pub memory_size: u64,
}

/// The slot must be the one the restoring VM has: same slot, address and size (the image's memory is
/// copied into it byte for byte).
pub fn validate_region(hdr: &CrHdrKvmMemRegion, live: &kvm_userspace_memory_region) -> Result<(), Error> {
    if hdr.slot != live.slot {
        return Err(Error::invalid("slot", "not a slot of the restoring VM"));
    }
    if hdr.guest_phys_addr != live.guest_phys_addr {
        return Err(Error::invalid(
            "guest_phys_addr",
            "not where the restoring VM's slot is",
        ));
    }
    if hdr.memory_size != live.memory_size {
        return Err(Error::invalid(
            "memory_size",
            "not the size of the restoring VM's memory",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// kvm_regs.
// ---------------------------------------------------------------------------------------------

/// The general registers (`KVM_GET_REGS`).
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_regs, record = CR_HDR_KVM_REGS, validate = validate_regs, cover(kvm_regs = ""))]
pub struct CrHdrKvmRegs {
    #[cr(path = "rax")]
    pub rax: u64,
    #[cr(path = "rbx")]
    pub rbx: u64,
    #[cr(path = "rcx")]
    pub rcx: u64,
    #[cr(path = "rdx")]
    pub rdx: u64,
    #[cr(path = "rsi")]
    pub rsi: u64,
    #[cr(path = "rdi")]
    pub rdi: u64,
    #[cr(path = "rsp")]
    pub rsp: u64,
    #[cr(path = "rbp")]
    pub rbp: u64,
    #[cr(path = "r8")]
    pub r8: u64,
    #[cr(path = "r9")]
    pub r9: u64,
    #[cr(path = "r10")]
    pub r10: u64,
    #[cr(path = "r11")]
    pub r11: u64,
    #[cr(path = "r12")]
    pub r12: u64,
    #[cr(path = "r13")]
    pub r13: u64,
    #[cr(path = "r14")]
    pub r14: u64,
    #[cr(path = "r15")]
    pub r15: u64,
    #[cr(path = "rip")]
    pub rip: u64,
    /// KVM_SET_REGS takes any value here; a reserved bit makes the next VM entry fail.
    #[cr(path = "rflags", strict_mask = RFLAGS_VALID)]
    pub rflags: u64,
}

/// RFLAGS bit 1 is always set.
pub fn validate_regs(hdr: &CrHdrKvmRegs, _live: &kvm_regs) -> Result<(), Error> {
    if hdr.rflags & RFLAGS_FIXED == 0 {
        return Err(Error::invalid("rflags", "bit 1 is clear: it is always set"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// kvm_sregs: segments and descriptor tables are nested headers.
// ---------------------------------------------------------------------------------------------

/// One segment register's hidden part (`kvm_segment`), declared once and nested eight times.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_segment, validate = validate_segment, cover(kvm_segment = ""), ignore = "padding")]
pub struct CrHdrKvmSegment {
    #[cr(path = "base")]
    pub base: u64,
    #[cr(path = "limit")]
    pub limit: u32,
    #[cr(path = "selector")]
    pub selector: u16,
    /// The 4-bit descriptor type.
    #[cr(path = "type_", strict_mask = 0xf)]
    pub type_: u8,
    #[cr(path = "present", strict_mask = 1)]
    pub present: u8,
    #[cr(path = "dpl", strict_mask = 3)]
    pub dpl: u8,
    #[cr(path = "db", strict_mask = 1)]
    pub db: u8,
    #[cr(path = "s", strict_mask = 1)]
    pub s: u8,
    #[cr(path = "l", strict_mask = 1)]
    pub l: u8,
    #[cr(path = "g", strict_mask = 1)]
    pub g: u8,
    #[cr(path = "avl", strict_mask = 1)]
    pub avl: u8,
    #[cr(path = "unusable", strict_mask = 1)]
    pub unusable: u8,
    #[cr(reserved)]
    pub padding: u8,
}

/// A base must be canonical; a code segment is not both 64-bit (L) and 32-bit (D).
pub fn validate_segment(hdr: &CrHdrKvmSegment, _live: &kvm_segment) -> Result<(), Error> {
    canonical("base", hdr.base)?;
    if hdr.l == 1 && hdr.db == 1 {
        return Err(Error::invalid("l", "L and D/B both set: a reserved combination"));
    }
    Ok(())
}

/// The GDT or IDT register (`kvm_dtable`).
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_dtable, validate = validate_dtable, cover(kvm_dtable = ""), ignore = "padding")]
pub struct CrHdrKvmDtable {
    #[cr(path = "base")]
    pub base: u64,
    #[cr(path = "limit")]
    pub limit: u16,
    #[cr(reserved)]
    pub padding: [u16; 3],
}

/// A table base must be canonical (`lgdt` and `lidt` fault on anything else).
pub fn validate_dtable(hdr: &CrHdrKvmDtable, _live: &kvm_dtable) -> Result<(), Error> {
    canonical("base", hdr.base)
}

/// The system registers (`KVM_GET_SREGS`).
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = SregsOn<'_>, record = CR_HDR_KVM_SREGS, validate = validate_sregs)]
#[cr(cover(kvm_sregs = "sregs"))]
pub struct CrHdrKvmSregs {
    #[cr(path = "sregs.cs", nested)]
    pub cs: CrHdrKvmSegment,
    #[cr(path = "sregs.ds", nested)]
    pub ds: CrHdrKvmSegment,
    #[cr(path = "sregs.es", nested)]
    pub es: CrHdrKvmSegment,
    #[cr(path = "sregs.fs", nested)]
    pub fs: CrHdrKvmSegment,
    #[cr(path = "sregs.gs", nested)]
    pub gs: CrHdrKvmSegment,
    #[cr(path = "sregs.ss", nested)]
    pub ss: CrHdrKvmSegment,
    #[cr(path = "sregs.tr", nested)]
    pub tr: CrHdrKvmSegment,
    #[cr(path = "sregs.ldt", nested)]
    pub ldt: CrHdrKvmSegment,
    #[cr(path = "sregs.gdt", nested)]
    pub gdt: CrHdrKvmDtable,
    #[cr(path = "sregs.idt", nested)]
    pub idt: CrHdrKvmDtable,
    #[cr(path = "sregs.cr0", strict_mask = CR0_VALID)]
    pub cr0: u64,
    #[cr(path = "sregs.cr2")]
    pub cr2: u64,
    #[cr(path = "sregs.cr3")]
    pub cr3: u64,
    #[cr(path = "sregs.cr4", strict_mask = CR4_VALID)]
    pub cr4: u64,
    /// The task-priority register: 4 bits (`kvm_set_cr8()` refuses more).
    #[cr(path = "sregs.cr8", strict_mask = 0xf)]
    pub cr8: u64,
    #[cr(path = "sregs.efer", strict_mask = EFER_VALID)]
    pub efer: u64,
    #[cr(path = "sregs.apic_base")]
    pub apic_base: u64,
    /// A pending external interrupt, as a 256-bit vector bitmap.
    #[cr(path = "sregs.interrupt_bitmap")]
    pub interrupt_bitmap: [u64; 4],
}

/// `kvm_is_valid_sregs()`, `kvm_is_valid_cr0()`/`kvm_is_valid_cr4()` and the APIC base rules of
/// `kvm_apic_set_base()`, on the restoring vCPU: its MAXPHYADDR bounds CR3 and the APIC base, its CPUID
/// the CR4 bits and x2APIC.
pub fn validate_sregs(hdr: &CrHdrKvmSregs, on: &SregsOn<'_>) -> Result<(), Error> {
    let (cr0, cr4, efer, caps) = (hdr.cr0, hdr.cr4, hdr.efer, on.caps);
    if let Some(why) = caps.cr4_refusal(cr4) {
        return Err(Error::invalid("cr4", why));
    }
    if cr0 & CR0_PG != 0 && cr0 & CR0_PE == 0 {
        return Err(Error::invalid("cr0", "paging (PG) without protection (PE)"));
    }
    if cr0 & CR0_NW != 0 && cr0 & CR0_CD == 0 {
        return Err(Error::invalid(
            "cr0",
            "not-write-through (NW) without cache-disable (CD)",
        ));
    }
    if efer & EFER_LME != 0 && cr0 & CR0_PG != 0 {
        // 64-bit mode: PAE paging and LMA, a CR3 within the physical-address width.
        if cr4 & CR4_PAE == 0 {
            return Err(Error::invalid("cr4", "long mode (EFER.LME and CR0.PG) without PAE"));
        }
        if efer & EFER_LMA == 0 {
            return Err(Error::invalid("efer", "LME and CR0.PG set but LMA clear"));
        }
        if caps.beyond_maxphyaddr(hdr.cr3) {
            return Err(Error::invalid(
                "cr3",
                "bits at or above the restoring vCPU's MAXPHYADDR",
            ));
        }
    } else {
        if efer & EFER_LMA != 0 {
            return Err(Error::invalid("efer", "LMA set without LME and CR0.PG"));
        }
        if hdr.cs.l != 0 {
            return Err(Error::invalid("cs", "a 64-bit code segment outside long mode"));
        }
        if cr4 & CR4_PCIDE != 0 {
            return Err(Error::invalid("cr4", "PCIDE outside long mode"));
        }
        if cr0 & CR0_PG != 0 && efer & EFER_LME == 0 && !caps.legacy_paging {
            return Err(Error::invalid(
                "cr0",
                "paging outside long mode (CR0.PG without EFER.LME), which the restoring KVM cannot run: \
                 it would clear PG and leave a triple fault pending",
            ));
        }
    }
    if cr4 & CR4_LA57 != 0 && cr0 & CR0_PG != 0 && efer & EFER_LMA == 0 {
        return Err(Error::invalid("cr4", "LA57 outside long mode"));
    }
    // APIC base: bits 0-7 and 9 reserved, the address below MAXPHYADDR, x2APIC only where CPUID has it
    // and with the xAPIC enabled.
    let apic = hdr.apic_base;
    if apic & 0x2ff != 0 {
        return Err(Error::invalid("apic_base", "reserved bits set"));
    }
    if caps.beyond_maxphyaddr(apic) {
        return Err(Error::invalid(
            "apic_base",
            "bits at or above the restoring vCPU's MAXPHYADDR",
        ));
    }
    if apic & (1 << 10) != 0 && !caps.x2apic {
        return Err(Error::invalid(
            "apic_base",
            "x2APIC enabled, which the restoring vCPU's CPUID lacks",
        ));
    }
    if apic & (1 << 10) != 0 && apic & (1 << 11) == 0 {
        return Err(Error::invalid("apic_base", "x2APIC enabled with the APIC disabled"));
    }
    if hdr.interrupt_bitmap.iter().map(|w| w.count_ones()).sum::<u32>() > 1 {
        return Err(Error::invalid(
            "interrupt_bitmap",
            "more than one pending interrupt: KVM queues only the first",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// kvm_xsave.
// ---------------------------------------------------------------------------------------------

/// The 4096-byte XSAVE area of `kvm_xsave.region` (`[u32; 1024]`), in the standard (non-compacted)
/// format KVM uses: the legacy FXSAVE region, the XSAVE header, the extended state components.
/// An image-only layout (`CrLayout`): its format is part of `cr_hdr_kvm_xsave`'s fingerprint.
#[derive(CrLayout, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
pub struct XsaveArea {
    pub fcw: u16,
    pub fsw: u16,
    /// The abridged tag word.
    pub ftw: u8,
    pub reserved1: u8,
    pub fop: u16,
    pub fip: u64,
    pub fdp: u64,
    pub mxcsr: u32,
    pub mxcsr_mask: u32,
    /// ST0-ST7, 80 bits in 16-byte slots.
    pub st: [u128; 8],
    pub xmm: [u128; 16],
    pub reserved2: [u8; 48],
    /// Bytes 464-511: left to software; KVM carries them.
    pub available: [u8; 48],
    /// Which state components the area holds.
    pub xstate_bv: u64,
    /// 0 in the standard format; KVM refuses a compacted area.
    pub xcomp_bv: u64,
    pub header_reserved: [u64; 6],
    /// AVX (YMM upper halves) and the later components, at their CPUID-given offsets.
    pub extended: [u8; 3520],
}

/// The FPU/SSE/AVX state (`KVM_GET_XSAVE`), as Firecracker and Cloud Hypervisor save it.
///
/// `kvm_xsave.region` is an opaque `[u32; 1024]` whose bytes are a structured area, and a `path` can name
/// an element (`region[6]`) but not a byte range inside it, so the header maps the whole array with `bits`
/// onto [`XsaveArea`] and the validator checks its parts by name (errors name the field `region`).
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = XsaveOn<'_>, record = CR_HDR_KVM_XSAVE, validate = validate_xsave)]
#[cr(cover(kvm_xsave = "xsave"), ignore = "xsave.extra")]
pub struct CrHdrKvmXsave {
    #[cr(path = "xsave.region", bits)]
    pub region: XsaveArea,
}

/// What `fpu_copy_uabi_to_guest_fpstate()` refuses with EINVAL: MXCSR bits outside the area's own MXCSR
/// mask, a compacted area (`xcomp_bv`), non-zero header reserved words, state components that are not
/// user components or that the restoring vCPU does not support (its `user_xfeatures`).
pub fn validate_xsave(hdr: &CrHdrKvmXsave, on: &XsaveOn<'_>) -> Result<(), Error> {
    let area = &hdr.region;
    let mask = match area.mxcsr_mask {
        0 => MXCSR_DEFAULT_MASK,
        mask => mask,
    };
    if area.mxcsr & !mask != 0 {
        return Err(Error::invalid("region", "MXCSR has bits outside the MXCSR mask"));
    }
    if area.xcomp_bv != 0 {
        return Err(Error::invalid(
            "region",
            "XSAVE header: compacted format (xcomp_bv not 0)",
        ));
    }
    if area.header_reserved != [0; 6] {
        return Err(Error::invalid("region", "XSAVE header: reserved words not zero"));
    }
    if area.xstate_bv & !XFEATURES_USER != 0 {
        return Err(Error::invalid(
            "region",
            "XSAVE header: xstate_bv names supervisor or unknown components",
        ));
    }
    match on.caps.xcr0_refusal(area.xstate_bv) {
        Some(why) => Err(Error::invalid("region", why)),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// kvm_xcrs.
// ---------------------------------------------------------------------------------------------

/// One extended control register (`kvm_xcr`).
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_xcr, cover(kvm_xcr = ""), ignore = "reserved")]
pub struct CrHdrKvmXcr {
    #[cr(path = "xcr")]
    pub xcr: u32,
    #[cr(reserved)]
    pub reserved: u32,
    #[cr(path = "value")]
    pub value: u64,
}

/// The extended control registers (`KVM_GET_XCRS`): XCR0 in practice.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = XcrsOn<'_>, record = CR_HDR_KVM_XCRS, validate = validate_xcrs)]
#[cr(cover(kvm_xcrs = "xcrs"), ignore = "xcrs.padding")]
pub struct CrHdrKvmXcrs {
    #[cr(path = "xcrs.nr_xcrs")]
    pub nr_xcrs: u32,
    /// KVM_SET_XCRS refuses any flag.
    #[cr(path = "xcrs.flags", strict_mask = 0)]
    pub flags: u32,
    #[cr(path = "xcrs.xcrs", nested)]
    pub xcrs: [CrHdrKvmXcr; 16],
    #[cr(reserved)]
    pub padding: [u64; 16],
}

/// `kvm_vcpu_ioctl_x86_set_xcrs()` and `__kvm_set_xcr()`: one to `KVM_MAX_XCRS` entries (with none KVM
/// keeps the vCPU's XCR0); KVM sets XCR0
/// and silently ignores any other index, so the image refuses one; XCR0 holds x87, AVX only with SSE, MPX
/// and AMX components in pairs, AVX-512's three together and only with AVX, user components only, and
/// only those the restoring vCPU supports (`guest_supported_xcr0`).
pub fn validate_xcrs(hdr: &CrHdrKvmXcrs, on: &XcrsOn<'_>) -> Result<(), Error> {
    let n = hdr.nr_xcrs as usize;
    if n > kvm_bindings::KVM_MAX_XCRS as usize {
        return Err(Error::invalid("nr_xcrs", "more than KVM_MAX_XCRS (16) entries"));
    }
    if n == 0 {
        return Err(Error::invalid("nr_xcrs", "no XCR0: KVM would keep the vCPU's own"));
    }
    let zero = CrHdrKvmXcr::new_zeroed();
    if hdr.xcrs[n..].iter().any(|x| *x != zero) {
        return Err(Error::invalid("xcrs", "an entry past nr_xcrs is not zero"));
    }
    for xcr in &hdr.xcrs[..n] {
        if xcr.xcr != 0 {
            return Err(Error::invalid("xcrs", "an XCR other than XCR0, which KVM would ignore"));
        }
        let v = xcr.value;
        let reason = if v & XFEATURE_FP == 0 {
            "XCR0 without x87"
        } else if v & XFEATURE_YMM != 0 && v & XFEATURE_SSE == 0 {
            "XCR0: AVX without SSE"
        } else if v & XFEATURE_MPX != 0 && v & XFEATURE_MPX != XFEATURE_MPX {
            "XCR0: one MPX component without the other"
        } else if v & XFEATURE_AVX512 != 0 && (v & XFEATURE_AVX512 != XFEATURE_AVX512 || v & XFEATURE_YMM == 0) {
            "XCR0: AVX-512 components not all set, or without AVX"
        } else if v & XFEATURE_AMX != 0 && v & XFEATURE_AMX != XFEATURE_AMX {
            "XCR0: one AMX component without the other"
        } else if v & !XFEATURES_USER != 0 {
            "XCR0: supervisor or unknown components"
        } else if let Some(why) = on.caps.xcr0_refusal(v) {
            why
        } else {
            continue;
        };
        return Err(Error::invalid("xcrs", reason));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// kvm_debugregs.
// ---------------------------------------------------------------------------------------------

/// The debug registers (`KVM_GET_DEBUGREGS`).
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_debugregs, record = CR_HDR_KVM_DEBUGREGS)]
#[cr(cover(kvm_debugregs = ""), ignore = "reserved")]
pub struct CrHdrKvmDebugregs {
    /// DR0-DR3: breakpoint addresses.
    #[cr(path = "db")]
    pub db: [u64; 4],
    /// `kvm_dr6_valid()`: bits 63:32 are reserved.
    #[cr(path = "dr6", strict_mask = 0xffff_ffff)]
    pub dr6: u64,
    /// `kvm_dr7_valid()`: bits 63:32 are reserved.
    #[cr(path = "dr7", strict_mask = 0xffff_ffff)]
    pub dr7: u64,
    /// KVM_SET_DEBUGREGS refuses any flag.
    #[cr(path = "flags", strict_mask = 0)]
    pub flags: u64,
    #[cr(reserved)]
    pub reserved: [u64; 9],
}

// ---------------------------------------------------------------------------------------------
// kvm_vcpu_events: its five anonymous sub-structs are nested headers.
// ---------------------------------------------------------------------------------------------

/// `kvm_vcpu_events.exception`.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_vcpu_events__bindgen_ty_1, cover(kvm_vcpu_events__bindgen_ty_1 = ""))]
pub struct CrHdrKvmException {
    #[cr(path = "injected", strict_mask = 1)]
    pub injected: u8,
    #[cr(path = "nr")]
    pub nr: u8,
    #[cr(path = "has_error_code", strict_mask = 1)]
    pub has_error_code: u8,
    #[cr(path = "pending", strict_mask = 1)]
    pub pending: u8,
    #[cr(path = "error_code")]
    pub error_code: u32,
}

/// `kvm_vcpu_events.interrupt`.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_vcpu_events__bindgen_ty_2, cover(kvm_vcpu_events__bindgen_ty_2 = ""))]
pub struct CrHdrKvmInterrupt {
    #[cr(path = "injected", strict_mask = 1)]
    pub injected: u8,
    #[cr(path = "nr")]
    pub nr: u8,
    #[cr(path = "soft", strict_mask = 1)]
    pub soft: u8,
    /// `KVM_X86_SHADOW_INT_MOV_SS | KVM_X86_SHADOW_INT_STI`.
    #[cr(path = "shadow", strict_mask = 3)]
    pub shadow: u8,
}

/// `kvm_vcpu_events.nmi`.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_vcpu_events__bindgen_ty_3, cover(kvm_vcpu_events__bindgen_ty_3 = ""), ignore = "pad")]
pub struct CrHdrKvmNmi {
    #[cr(path = "injected", strict_mask = 1)]
    pub injected: u8,
    /// KVM keeps at most two NMIs pending.
    #[cr(path = "pending", strict_mask = 3)]
    pub pending: u8,
    #[cr(path = "masked", strict_mask = 1)]
    pub masked: u8,
    #[cr(reserved)]
    pub pad: u8,
}

/// `kvm_vcpu_events.smi`.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_vcpu_events__bindgen_ty_4, cover(kvm_vcpu_events__bindgen_ty_4 = ""))]
pub struct CrHdrKvmSmi {
    #[cr(path = "smm", strict_mask = 1)]
    pub smm: u8,
    #[cr(path = "pending", strict_mask = 1)]
    pub pending: u8,
    #[cr(path = "smm_inside_nmi", strict_mask = 1)]
    pub smm_inside_nmi: u8,
    #[cr(path = "latched_init", strict_mask = 1)]
    pub latched_init: u8,
}

/// `kvm_vcpu_events.triple_fault`.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_vcpu_events__bindgen_ty_5, cover(kvm_vcpu_events__bindgen_ty_5 = ""))]
pub struct CrHdrKvmTripleFault {
    #[cr(path = "pending", strict_mask = 1)]
    pub pending: u8,
}

/// The flags of `kvm_vcpu_events` this VMM restores: NMI_PENDING, SIPI_VECTOR, SHADOW, SMM. PAYLOAD and
/// TRIPLE_FAULT need capabilities (`KVM_CAP_EXCEPTION_PAYLOAD`, `KVM_CAP_X86_TRIPLE_FAULT_EVENT`) that it
/// does not enable, so KVM would refuse them.
pub const VCPU_EVENTS_FLAGS: u32 = kvm_bindings::KVM_VCPUEVENT_VALID_NMI_PENDING
    | kvm_bindings::KVM_VCPUEVENT_VALID_SIPI_VECTOR
    | kvm_bindings::KVM_VCPUEVENT_VALID_SHADOW
    | kvm_bindings::KVM_VCPUEVENT_VALID_SMM;

/// Pending and injected events (`KVM_GET_VCPU_EVENTS`).
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = EventsOn<'_>, record = CR_HDR_KVM_VCPU_EVENTS, validate = validate_vcpu_events)]
#[cr(cover(kvm_vcpu_events = "events"), ignore = "events.reserved")]
pub struct CrHdrKvmVcpuEvents {
    #[cr(path = "events.exception", nested)]
    pub exception: CrHdrKvmException,
    #[cr(path = "events.interrupt", nested)]
    pub interrupt: CrHdrKvmInterrupt,
    #[cr(path = "events.nmi", nested)]
    pub nmi: CrHdrKvmNmi,
    /// An 8-bit vector.
    #[cr(path = "events.sipi_vector", strict_mask = 0xff)]
    pub sipi_vector: u32,
    #[cr(path = "events.flags", strict_mask = VCPU_EVENTS_FLAGS)]
    pub flags: u32,
    #[cr(path = "events.smi", nested)]
    pub smi: CrHdrKvmSmi,
    #[cr(path = "events.triple_fault", nested)]
    pub triple_fault: CrHdrKvmTripleFault,
    #[cr(reserved)]
    pub reserved: [u8; 26],
    #[cr(path = "events.exception_has_payload", strict_mask = 1)]
    pub exception_has_payload: u8,
    #[cr(path = "events.exception_payload")]
    pub exception_payload: u64,
}

/// `kvm_vcpu_ioctl_x86_set_vcpu_events()`: an exception vector above 31 or the NMI vector (2) is refused;
/// without the PAYLOAD flag KVM silently drops a pending exception and its payload, so the image refuses
/// them; a pending triple fault needs the TRIPLE_FAULT flag; KVM clamps pending NMIs to two and ignores SMM
/// state without the SMM flag, so the image refuses more or such state; SMM state needs a kernel with SMM
/// (`KVM_CAP_X86_SMM`), which KVM checks only after writing the other events.
pub fn validate_vcpu_events(hdr: &CrHdrKvmVcpuEvents, on: &EventsOn<'_>) -> Result<(), Error> {
    let e = &hdr.exception;
    if (e.injected != 0 || e.pending != 0) && (e.nr > 31 || e.nr == 2) {
        return Err(Error::invalid("exception", "vector above 31 or the NMI vector"));
    }
    if e.pending != 0 || hdr.exception_has_payload != 0 {
        return Err(Error::invalid(
            "exception",
            "a pending exception or a payload without the PAYLOAD flag: KVM would drop it",
        ));
    }
    if hdr.triple_fault.pending != 0 {
        return Err(Error::invalid("triple_fault", "pending without the TRIPLE_FAULT flag"));
    }
    if hdr.nmi.pending > 2 {
        return Err(Error::invalid(
            "nmi",
            "more than two pending NMIs: KVM keeps at most two",
        ));
    }
    let smi = &hdr.smi;
    let smm_state = smi.smm != 0 || smi.pending != 0 || smi.smm_inside_nmi != 0;
    if hdr.flags & kvm_bindings::KVM_VCPUEVENT_VALID_SMM == 0 && (smm_state || smi.latched_init != 0) {
        return Err(Error::invalid(
            "smi",
            "SMM state without the SMM flag: KVM would ignore it",
        ));
    }
    if hdr.flags & kvm_bindings::KVM_VCPUEVENT_VALID_SMM != 0 && smm_state && !on.caps.smm {
        // KVM refuses this only after it has written the exception, interrupt, NMI and shadow state.
        return Err(Error::invalid(
            "smi",
            "SMM state, and the restoring kernel has no SMM (KVM_CAP_X86_SMM)",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// kvm_mp_state.
// ---------------------------------------------------------------------------------------------

/// The vCPU's multiprocessing state (`KVM_GET_MP_STATE`).
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_mp_state, record = CR_HDR_KVM_MP_STATE, validate = validate_mp_state, cover(kvm_mp_state = ""))]
pub struct CrHdrKvmMpState {
    #[cr(path = "mp_state")]
    pub mp_state: u32,
    #[cr(reserved)]
    pub reserved: u32,
}

/// The states KVM_SET_MP_STATE accepts for an x86 vCPU with an in-kernel local APIC (the VMM creates
/// its VMs with one): RUNNABLE, UNINITIALIZED (an AP waiting for INIT), INIT_RECEIVED, HALTED and
/// SIPI_RECEIVED. AP_RESET_HOLD (SEV-ES guests only) and the other architectures' states are refused.
pub fn validate_mp_state(hdr: &CrHdrKvmMpState, _live: &kvm_mp_state) -> Result<(), Error> {
    use kvm_bindings::{
        KVM_MP_STATE_HALTED, KVM_MP_STATE_INIT_RECEIVED, KVM_MP_STATE_RUNNABLE, KVM_MP_STATE_SIPI_RECEIVED,
        KVM_MP_STATE_UNINITIALIZED,
    };
    match hdr.mp_state {
        KVM_MP_STATE_RUNNABLE
        | KVM_MP_STATE_UNINITIALIZED
        | KVM_MP_STATE_INIT_RECEIVED
        | KVM_MP_STATE_HALTED
        | KVM_MP_STATE_SIPI_RECEIVED => Ok(()),
        _ => Err(Error::invalid(
            "mp_state",
            "not a state of an x86 vCPU with an in-kernel APIC (RUNNABLE, UNINITIALIZED, INIT_RECEIVED, HALTED, SIPI_RECEIVED)",
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// MSRs: a list record of kvm_msr_entry.
// ---------------------------------------------------------------------------------------------

/// One MSR (`kvm_msr_entry`), an entry of the MSR list record.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_msr_entry, record = CR_HDR_KVM_MSR, validate = validate_msr)]
#[cr(cover(kvm_msr_entry = ""), max_entries = SAVED_MSRS.len(), unique = "index")]
pub struct CrHdrKvmMsr {
    #[cr(path = "index")]
    pub index: u32,
    /// Padding in both structs: declared once, zeroed on restore.
    #[cr(path = "reserved", reserved)]
    pub reserved: u32,
    #[cr(path = "data")]
    pub data: u64,
}

/// Only the MSRs of [`SAVED_MSRS`]; an address MSR must be canonical (KVM_SET_MSRS stops at such an entry
/// and reports success for the ones before it); PAT holds valid memory types only (`kvm_pat_valid()`).
pub fn validate_msr(hdr: &CrHdrKvmMsr, _live: &kvm_msr_entry) -> Result<(), Error> {
    match hdr.index {
        MSR_LSTAR | MSR_CSTAR | MSR_KERNEL_GS_BASE | MSR_IA32_SYSENTER_ESP | MSR_IA32_SYSENTER_EIP => {
            canonical("data", hdr.data)
        }
        MSR_IA32_CR_PAT => {
            // Each byte a type 0 (UC), 1 (WC), 4 (WT), 5 (WP), 6 (WB) or 7 (UC-).
            if hdr
                .data
                .to_le_bytes()
                .iter()
                .all(|t| matches!(t, 0 | 1 | 4 | 5 | 6 | 7))
            {
                Ok(())
            } else {
                Err(Error::invalid("data", "PAT holds a reserved memory type"))
            }
        }
        i if SAVED_MSRS.contains(&i) => Ok(()),
        _ => Err(Error::invalid("index", "not an MSR this VMM saves")),
    }
}

// ---------------------------------------------------------------------------------------------
// CPUID: a list record of kvm_cpuid_entry2, the entries of the flexible-array `kvm_cpuid2`.
// ---------------------------------------------------------------------------------------------

/// One CPUID leaf the guest sees (`kvm_cpuid_entry2`), an entry of the CPUID list: `kvm_cpuid2` / kvm-bindings'
/// `CpuId` through `Writer::write_fam` and `Reader::read_fam`. A list holds each (function, index) once and
/// at most `KVM_MAX_CPUID_ENTRIES` (80) entries, as `KVM_SET_CPUID2` takes them.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_cpuid_entry2, record = CR_HDR_KVM_CPUID_ENTRY, cover(kvm_cpuid_entry2 = ""))]
#[cr(max_entries = kvm_bindings::KVM_MAX_CPUID_ENTRIES, unique = "function", unique = "index")]
pub struct CrHdrKvmCpuidEntry {
    #[cr(path = "function")]
    pub function: u32,
    #[cr(path = "index")]
    pub index: u32,
    #[cr(
        path = "flags",
        flag(bit = 0, name = "SIGNIFICANT_INDEX"),
        flag(bit = 1, name = "STATEFUL_FUNC"),
        flag(bit = 2, name = "STATE_READ_NEXT")
    )]
    pub flags: u32,
    #[cr(path = "eax")]
    pub eax: u32,
    #[cr(path = "ebx")]
    pub ebx: u32,
    #[cr(path = "ecx")]
    pub ecx: u32,
    #[cr(path = "edx")]
    pub edx: u32,
    #[cr(path = "padding", reserved)]
    pub padding: [u32; 3],
}

// ---------------------------------------------------------------------------------------------
// The snapshot: the live kvm-bindings structs, and the image.
// ---------------------------------------------------------------------------------------------

/// Everything KVM holds for one vCPU that this VMM saves, as `kvm-bindings` structs. (`kvm_xsave` is the
/// one struct of them that is neither `Copy` nor `PartialEq`, for its flexible array member: `Clone` and
/// `PartialEq` here compare its 4096-byte region.)
#[derive(Debug)]
pub struct VcpuState {
    pub regs: kvm_regs,
    pub sregs: kvm_sregs,
    pub xsave: kvm_xsave,
    pub xcrs: kvm_xcrs,
    pub debugregs: kvm_debugregs,
    pub events: kvm_vcpu_events,
    pub mp_state: kvm_mp_state,
    /// The MSRs of [`SAVED_MSRS`], in that order.
    pub msrs: Vec<kvm_msr_entry>,
}

/// A copy of a `kvm_xsave` (its region; the flexible array is empty in the 4096-byte struct).
pub fn copy_xsave(xsave: &kvm_xsave) -> kvm_xsave {
    kvm_xsave {
        region: xsave.region,
        ..Default::default()
    }
}

impl Clone for VcpuState {
    fn clone(&self) -> Self {
        VcpuState {
            xsave: copy_xsave(&self.xsave),
            msrs: self.msrs.clone(),
            ..*self
        }
    }
}

impl PartialEq for VcpuState {
    fn eq(&self, other: &Self) -> bool {
        self.regs == other.regs
            && self.sregs == other.sregs
            && self.xsave.region == other.xsave.region
            && self.xcrs == other.xcrs
            && self.debugregs == other.debugregs
            && self.events == other.events
            && self.mp_state == other.mp_state
            && self.msrs == other.msrs
    }
}

/// The headers of one vCPU, saved from a [`VcpuState`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VcpuHeaders {
    pub regs: CrHdrKvmRegs,
    pub sregs: CrHdrKvmSregs,
    pub xsave: CrHdrKvmXsave,
    pub xcrs: CrHdrKvmXcrs,
    pub debugregs: CrHdrKvmDebugregs,
    pub events: CrHdrKvmVcpuEvents,
    pub mp_state: CrHdrKvmMpState,
    pub msrs: Vec<CrHdrKvmMsr>,
}

fn saved<H: CrCopy<T> + FromZeros, T>(live: &T) -> H {
    let mut hdr = H::new_zeroed();
    hdr.save(live);
    hdr
}

/// `hdr` restored into a zero-filled `T`, every check first: what a VMM hands KVM's `SET` ioctl.
fn restored<H: CrCopy<T>, T: FromZeros>(hdr: &H) -> Result<T, Error> {
    let mut live = T::new_zeroed();
    hdr.restore(&mut live)?;
    Ok(live)
}

/// Saves a struct whose header targets a view: save reads no capability, so the view carries
/// [`VcpuCaps::ARCHITECTURAL`] over a copy of the struct.
macro_rules! saved_on {
    ($view:ident, $field:ident, $live:expr) => {{
        let mut copy = $live;
        saved(&$view {
            $field: &mut copy,
            caps: &VcpuCaps::ARCHITECTURAL,
        })
    }};
}

impl VcpuHeaders {
    /// Saves every struct into its header.
    pub fn save(state: &VcpuState) -> VcpuHeaders {
        VcpuHeaders {
            regs: saved(&state.regs),
            sregs: saved_on!(SregsOn, sregs, state.sregs),
            xsave: saved_on!(XsaveOn, xsave, copy_xsave(&state.xsave)),
            xcrs: saved_on!(XcrsOn, xcrs, state.xcrs),
            debugregs: saved(&state.debugregs),
            events: saved_on!(EventsOn, events, state.events),
            mp_state: saved(&state.mp_state),
            msrs: state.msrs.iter().map(saved).collect(),
        }
    }

    /// Restores every header into fresh structs for a vCPU with capabilities `caps`: every check of
    /// every header runs before the state is returned.
    pub fn restore(&self, caps: &VcpuCaps) -> Result<VcpuState, Error> {
        let msrs = cr_core::image::restore_entries(&self.msrs)?;
        restore_vcpu(
            &self.regs,
            &self.sregs,
            &self.xsave,
            &self.xcrs,
            &self.debugregs,
            &self.events,
            &self.mp_state,
            msrs,
            caps,
        )
    }
}

/// The MSRs come restored, as a list of entries is (at most [`SAVED_MSRS`]'s count, each index once,
/// every entry's checks: [`CrHdrKvmMsr`]'s `max_entries` and `unique`).
#[allow(clippy::too_many_arguments)]
fn restore_vcpu(
    regs: &CrHdrKvmRegs,
    sregs: &CrHdrKvmSregs,
    xsave: &CrHdrKvmXsave,
    xcrs: &CrHdrKvmXcrs,
    debugregs: &CrHdrKvmDebugregs,
    events: &CrHdrKvmVcpuEvents,
    mp_state: &CrHdrKvmMpState,
    msrs: Vec<kvm_msr_entry>,
    caps: &VcpuCaps,
) -> Result<VcpuState, Error> {
    let mut state = VcpuState {
        regs: kvm_regs::default(),
        sregs: kvm_sregs::default(),
        xsave: kvm_xsave::default(),
        xcrs: kvm_xcrs::default(),
        debugregs: kvm_debugregs::default(),
        events: kvm_vcpu_events::default(),
        mp_state: kvm_mp_state::default(),
        msrs,
    };
    regs.restore(&mut state.regs)?;
    sregs.restore(&mut SregsOn {
        sregs: &mut state.sregs,
        caps,
    })?;
    xsave.restore(&mut XsaveOn {
        xsave: &mut state.xsave,
        caps,
    })?;
    xcrs.restore(&mut XcrsOn {
        xcrs: &mut state.xcrs,
        caps,
    })?;
    debugregs.restore(&mut state.debugregs)?;
    events.restore(&mut EventsOn {
        events: &mut state.events,
        caps,
    })?;
    mp_state.restore(&mut state.mp_state)?;
    Ok(state)
}

/// Writes the records of vCPU `vcpu` (their parent): seven headers and the MSR list.
pub fn write_vcpu<S: Sink>(w: &mut Writer<S>, vcpu: u32, headers: &VcpuHeaders) -> Result<(), Error> {
    w.write(vcpu, &headers.regs)?;
    w.write(vcpu, &headers.sregs)?;
    w.write(vcpu, &headers.xsave)?;
    w.write(vcpu, &headers.xcrs)?;
    w.write(vcpu, &headers.debugregs)?;
    w.write(vcpu, &headers.events)?;
    w.write(vcpu, &headers.mp_state)?;
    w.write_list(vcpu, &headers.msrs)
}

/// A record read at image offset `at` has parent `found` where `expected` belongs: `WrongParent`, at the
/// record header's parent word.
pub fn check_parent(expected: u32, found: u32, at: u64) -> Result<(), Error> {
    if expected == found {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::WrongParent { expected, found }).at_offset(at + 8))
    }
}

/// Reads the records of vCPU `vcpu` ([`write_vcpu`]) and restores them into fresh structs for a vCPU with
/// capabilities `caps`: every record's checks (their parent is `vcpu`), then every header's.
pub fn read_vcpu(r: &mut Reader<'_>, vcpu: u32, caps: &VcpuCaps) -> Result<VcpuState, Error> {
    macro_rules! vcpu_record {
        ($ty:ty) => {{
            let at = r.offset();
            let (p, hdr) = r.read::<$ty>()?;
            check_parent(vcpu, p, at)?;
            hdr
        }};
    }
    let regs = vcpu_record!(CrHdrKvmRegs);
    let sregs = vcpu_record!(CrHdrKvmSregs);
    let xsave = vcpu_record!(CrHdrKvmXsave);
    let xcrs = vcpu_record!(CrHdrKvmXcrs);
    let debugregs = vcpu_record!(CrHdrKvmDebugregs);
    let events = vcpu_record!(CrHdrKvmVcpuEvents);
    let mp_state = vcpu_record!(CrHdrKvmMpState);
    let at = r.offset();
    let (p, msrs) = r.read_entries::<CrHdrKvmMsr, kvm_msr_entry>()?;
    check_parent(vcpu, p, at)?;
    restore_vcpu(&regs, &sregs, &xsave, &xcrs, &debugregs, &events, &mp_state, msrs, caps)
}

// ---------------------------------------------------------------------------------------------
// Interrupt controllers (KVM_GET_IRQCHIP): kvm_irqchip's `chip` union, tagged by `chip_id`.
// ---------------------------------------------------------------------------------------------

/// An 8259A PIC's state (`kvm_pic_state`), as KVM's `i8259.c` keeps it. Restore refuses what
/// `KVM_SET_IRQCHIP` (a copy of the struct) would take silently: values no write to the chip can produce.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_pic_state, validate = validate_pic, cover(kvm_pic_state = ""))]
pub struct CrHdrKvmPic {
    #[cr(path = "last_irr")]
    pub last_irr: u8,
    #[cr(path = "irr")]
    pub irr: u8,
    #[cr(path = "imr")]
    pub imr: u8,
    #[cr(path = "isr")]
    pub isr: u8,
    /// The lowest priority's IRQ, 0 to 7.
    #[cr(path = "priority_add", strict_mask = 7)]
    pub priority_add: u8,
    /// ICW2: a multiple of 8.
    #[cr(path = "irq_base", strict_mask = 0xf8)]
    pub irq_base: u8,
    #[cr(path = "read_reg_select", strict_mask = 1)]
    pub read_reg_select: u8,
    #[cr(path = "poll", strict_mask = 1)]
    pub poll: u8,
    #[cr(path = "special_mask", strict_mask = 1)]
    pub special_mask: u8,
    /// Which initialization command word comes next: 0 to 3.
    #[cr(path = "init_state", strict_mask = 3)]
    pub init_state: u8,
    #[cr(path = "auto_eoi", strict_mask = 1)]
    pub auto_eoi: u8,
    #[cr(path = "rotate_on_auto_eoi", strict_mask = 1)]
    pub rotate_on_auto_eoi: u8,
    #[cr(path = "special_fully_nested_mode", strict_mask = 1)]
    pub special_fully_nested_mode: u8,
    #[cr(path = "init4", strict_mask = 1)]
    pub init4: u8,
    /// Edge/level control: the IRQs that are level-triggered.
    #[cr(path = "elcr")]
    pub elcr: u8,
    /// The IRQs that may be level-triggered (checked against the chip's by [`validate_irqchip`]).
    #[cr(path = "elcr_mask")]
    pub elcr_mask: u8,
}

/// The ELCR within its mask (KVM's `elcr_ioport_write()` keeps it there).
pub fn validate_pic(hdr: &CrHdrKvmPic, _live: &kvm_pic_state) -> Result<(), Error> {
    if hdr.elcr & !hdr.elcr_mask != 0 {
        return Err(Error::invalid(
            "elcr",
            "an IRQ level-triggered that the chip's ELCR mask does not allow",
        ));
    }
    Ok(())
}

/// One IOAPIC redirection entry: `kvm_ioapic_state.redirtbl[i]`, a union of `bits: u64` and bindgen's
/// bitfield struct `fields`, mapped through the bitfield accessors (`fields.delivery_mode()`). The union
/// is the target itself (`union = ""`); zerocopy vouches for its bytes (kvm-bindings' `serde` feature).
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_ioapic_state__bindgen_ty_1, union = "", validate = validate_redir)]
pub struct CrHdrKvmRedirEntry {
    #[cr(path = "fields.vector")]
    pub vector: u8,
    /// 0 fixed, 1 lowest priority, 2 SMI, 4 NMI, 5 INIT, 7 ExtINT; 3 and 6 are reserved.
    #[cr(path = "fields.delivery_mode()", strict_mask = 7)]
    pub delivery_mode: u8,
    /// The flags of the entry, one bit each.
    #[cr(
        flag(bit = 0, path = "fields.dest_mode()"),
        flag(bit = 1, path = "fields.delivery_status()"),
        flag(bit = 2, path = "fields.polarity()"),
        flag(bit = 3, path = "fields.remote_irr()"),
        flag(bit = 4, path = "fields.trig_mode()"),
        flag(bit = 5, path = "fields.mask()")
    )]
    pub flags: u8,
    /// Entry bits 23:17, reserved.
    #[cr(path = "fields.reserve()", strict_mask = 0)]
    pub reserve: u8,
    /// Entry bits 55:24, reserved (checked by [`validate_redir`]).
    #[cr(path = "fields.reserved")]
    pub reserved: [u8; 4],
    #[cr(path = "fields.dest_id")]
    pub dest_id: u8,
}

/// Reserved bits zero and no reserved delivery mode (3 or 6): KVM stores a guest's write of either as
/// written, and no IOAPIC has them.
pub fn validate_redir(hdr: &CrHdrKvmRedirEntry, _live: &kvm_ioapic_state__bindgen_ty_1) -> Result<(), Error> {
    if hdr.reserved != [0; 4] {
        return Err(Error::invalid("reserved", "reserved bits 55:24 set"));
    }
    if matches!(hdr.delivery_mode, 3 | 6) {
        return Err(Error::invalid("delivery_mode", "a reserved delivery mode (3 or 6)"));
    }
    Ok(())
}

/// The IOAPIC (`kvm_ioapic_state`): its registers and 24 redirection entries.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_ioapic_state, cover(kvm_ioapic_state = ""), ignore = "pad")]
pub struct CrHdrKvmIoapic {
    /// Where its registers are (checked against KVM's by [`validate_irqchip`]).
    #[cr(path = "base_address")]
    pub base_address: u64,
    /// The register the guest selected: 8 bits.
    #[cr(path = "ioregsel", strict_mask = 0xff)]
    pub ioregsel: u32,
    /// The IOAPIC's ID: 4 bits.
    #[cr(path = "id", strict_mask = 0xf)]
    pub id: u32,
    /// One bit a pin.
    #[cr(path = "irr", strict_mask = 0x00ff_ffff)]
    pub irr: u32,
    #[cr(reserved)]
    pub pad: u32,
    #[cr(path = "redirtbl", nested)]
    pub redirtbl: [CrHdrKvmRedirEntry; 24],
}

/// Where KVM puts the IOAPIC's registers (`IOAPIC_DEFAULT_BASE_ADDRESS`).
pub const IOAPIC_BASE: u64 = 0xfec0_0000;
/// The ELCR masks KVM gives the PIC master and slave (`kvm_pic_init`: IRQs 0-2, 8 and 13 are edge-only).
pub const ELCR_MASKS: [u8; 2] = [0xf8, 0xde];

/// An interrupt controller (`KVM_GET_IRQCHIP`): the tag `chip_id`, then the member of the `chip` union it
/// selects: the PIC state for chips 0 and 1, the IOAPIC's for chip 2 (tagged variants, `when`). Restore
/// refuses a tag no variant declares, data in the member the tag does not select (a tampered image cannot
/// smuggle bytes through a dead member), an ELCR mask other than the chip's and an IOAPIC that moved
/// (KVM would take its new base address and answer there).
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_irqchip, record = CR_HDR_KVM_IRQCHIP, validate = validate_irqchip)]
#[cr(cover(kvm_irqchip = ""), ignore = "pad")]
pub struct CrHdrKvmIrqchip {
    /// 0: PIC master, 1: PIC slave, 2: IOAPIC.
    #[cr(path = "chip_id")]
    pub chip_id: u32,
    #[cr(reserved)]
    pub pad: u32,
    #[cr(path = "chip.pic", nested, when(chip_id = KVM_IRQCHIP_PIC_MASTER | KVM_IRQCHIP_PIC_SLAVE))]
    pub pic: CrHdrKvmPic,
    #[cr(path = "chip.ioapic", nested, when(chip_id = KVM_IRQCHIP_IOAPIC))]
    pub ioapic: CrHdrKvmIoapic,
}

/// The chip's fixed facts: a PIC's ELCR mask is the one KVM gives that chip; the IOAPIC sits where KVM put
/// it. (The tag and each member's own checks ran before.)
pub fn validate_irqchip(hdr: &CrHdrKvmIrqchip, _live: &kvm_irqchip) -> Result<(), Error> {
    match hdr.chip_id {
        KVM_IRQCHIP_PIC_MASTER | KVM_IRQCHIP_PIC_SLAVE => {
            if hdr.pic.elcr_mask != ELCR_MASKS[hdr.chip_id as usize] {
                return Err(Error::invalid("pic", "an ELCR mask other than the chip's"));
            }
        }
        _ => {
            if hdr.ioapic.base_address != IOAPIC_BASE {
                return Err(Error::invalid(
                    "ioapic",
                    "an IOAPIC base address other than KVM's 0xfec00000",
                ));
            }
        }
    }
    Ok(())
}

/// Saves an interrupt controller (`KVM_GET_IRQCHIP` of chip 0, 1 or 2).
pub fn save_irqchip(live: &kvm_irqchip) -> CrHdrKvmIrqchip {
    saved(live)
}

/// Restores an interrupt controller into a fresh `kvm_irqchip`, every check first.
pub fn restore_irqchip(hdr: &CrHdrKvmIrqchip) -> Result<kvm_irqchip, Error> {
    restored(hdr)
}
