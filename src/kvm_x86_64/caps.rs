//! The restoring vCPU's capabilities, which KVM's own checks depend on: the physical-address width, the
//! CR4 bits and XCR0 components its CPUID offers, x2APIC, and whether KVM has SMM. Gathered from the CPUID
//! a VMM gives the vCPU (`KVM_SET_CPUID2`) and `KVM_CHECK_EXTENSION`; the validators of [`super`] read
//! them through the view targets ([`super::SregsOn`] and its siblings). This file gathers and names; the
//! rules that use the capabilities stay with the headers.

use kvm_bindings::{kvm_cpuid_entry2, CpuId};
use kvm_ioctls::{Cap, Kvm};
use std::sync::OnceLock;

/// What a vCPU can hold, as KVM judges a state handed to it. Two hosts that differ here (a snapshot from
/// a host with AVX-512 restored on one without) are told apart before any ioctl: the validators refuse a
/// state the restoring vCPU cannot take, with the field named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VcpuCaps {
    /// MAXPHYADDR, the physical-address width (CPUID `0x8000_0008` EAX\[7:0\]): CR3 and APIC-base bits
    /// from here up are reserved (`kvm_vcpu_is_legal_cr3()`, `kvm_apic_set_base()`).
    pub maxphyaddr: u8,
    /// The CR4 bits the vCPU may set: the ones KVM knows ([`super::CR4_VALID`]) less those whose CPUID
    /// feature the vCPU lacks (`cr4_guest_rsvd_bits`).
    pub cr4: u64,
    /// The XCR0 state components the vCPU supports (CPUID `0xd.0` EDX:EAX, x87 always): KVM's
    /// `guest_supported_xcr0`, which bounds both `KVM_SET_XCRS` and the XSAVE header of `KVM_SET_XSAVE`.
    pub xcr0: u64,
    /// x2APIC in CPUID (leaf 1 ECX bit 21): without it the APIC base's bit 10 is reserved.
    pub x2apic: bool,
    /// `KVM_CAP_X86_SMM`: a kernel without SMM refuses any SMM state in `kvm_vcpu_events`.
    pub smm: bool,
    /// Whether KVM runs a vCPU with paging outside long mode (CR0.PG without EFER.LME: 32-bit or PAE
    /// paging). Hardware-assisted KVM does; KVM on PVM (software virtualisation, 64-bit guests only)
    /// accepts such `kvm_sregs`, clears CR0.PG and leaves a triple fault pending. Probed once per process
    /// on a scratch vCPU ([`VcpuCaps::of`]).
    pub legacy_paging: bool,
}

/// A CPUID feature bit: leaf, subleaf, register, bit.
#[derive(Clone, Copy, Debug)]
struct Feature {
    leaf: u32,
    index: u32,
    reg: Reg,
    bit: u32,
}

#[derive(Clone, Copy, Debug)]
enum Reg {
    Ebx,
    Ecx,
    Edx,
    Eax,
}

const fn feature(leaf: u32, index: u32, reg: Reg, bit: u32) -> Feature {
    Feature { leaf, index, reg, bit }
}

/// CPUID.1:ECX.VMX.
const VMX: Feature = feature(1, 0, Reg::Ecx, 5);
/// CPUID.1:ECX.PCID.
const PCID: Feature = feature(1, 0, Reg::Ecx, 17);
/// CPUID.1:ECX.X2APIC.
const X2APIC: Feature = feature(1, 0, Reg::Ecx, 21);
/// CPUID.1:ECX.XSAVE.
const XSAVE: Feature = feature(1, 0, Reg::Ecx, 26);
/// CPUID.7.0:EBX.FSGSBASE.
const FSGSBASE: Feature = feature(7, 0, Reg::Ebx, 0);
/// CPUID.7.0:EBX.SMEP.
const SMEP: Feature = feature(7, 0, Reg::Ebx, 7);
/// CPUID.7.0:EBX.SMAP.
const SMAP: Feature = feature(7, 0, Reg::Ebx, 20);
/// CPUID.7.0:ECX.UMIP.
const UMIP: Feature = feature(7, 0, Reg::Ecx, 2);
/// CPUID.7.0:ECX.PKU.
const PKU: Feature = feature(7, 0, Reg::Ecx, 3);
/// CPUID.7.0:ECX.CET_SS (shadow stacks).
const SHSTK: Feature = feature(7, 0, Reg::Ecx, 7);
/// CPUID.7.0:ECX.LA57.
const LA57: Feature = feature(7, 0, Reg::Ecx, 16);
/// CPUID.7.0:ECX.PKS.
const PKS: Feature = feature(7, 0, Reg::Ecx, 31);
/// CPUID.7.0:EDX.CET_IBT.
const IBT: Feature = feature(7, 0, Reg::Edx, 20);
/// CPUID.7.1:EAX.LAM.
const LAM: Feature = feature(7, 1, Reg::Eax, 26);

/// Each CR4 bit that needs a CPUID feature, with the features that allow it (any of them) and the
/// reason a validator gives when the vCPU has none: KVM's `__cr4_reserved_bits()`, plus PKS.
pub const CR4_FEATURES: [(u64, &str); 12] = [
    (1 << 11, "CR4.UMIP, which the restoring vCPU's CPUID lacks"),
    (
        1 << 12,
        "CR4.LA57 (5-level paging), which the restoring vCPU's CPUID lacks",
    ),
    (1 << 13, "CR4.VMXE (VMX), which the restoring vCPU's CPUID lacks"),
    (1 << 16, "CR4.FSGSBASE, which the restoring vCPU's CPUID lacks"),
    (1 << 17, "CR4.PCIDE, which the restoring vCPU's CPUID lacks"),
    (1 << 18, "CR4.OSXSAVE, which the restoring vCPU's CPUID lacks"),
    (1 << 20, "CR4.SMEP, which the restoring vCPU's CPUID lacks"),
    (1 << 21, "CR4.SMAP, which the restoring vCPU's CPUID lacks"),
    (
        1 << 22,
        "CR4.PKE (protection keys), which the restoring vCPU's CPUID lacks",
    ),
    (1 << 23, "CR4.CET, which the restoring vCPU's CPUID lacks"),
    (1 << 24, "CR4.PKS, which the restoring vCPU's CPUID lacks"),
    (1 << 28, "CR4.LAM_SUP, which the restoring vCPU's CPUID lacks"),
];

/// The features behind each entry of [`CR4_FEATURES`], in its order.
const CR4_NEEDS: [&[Feature]; 12] = [
    &[UMIP],
    &[LA57],
    &[VMX],
    &[FSGSBASE],
    &[PCID],
    &[XSAVE],
    &[SMEP],
    &[SMAP],
    &[PKU],
    &[SHSTK, IBT],
    &[PKS],
    &[LAM],
];

/// XCR0 state components by group, each with the reason a validator gives when the vCPU lacks it.
pub const XCR0_FEATURES: [(u64, &str); 6] = [
    (
        1 << 2,
        "AVX state, which the restoring vCPU does not support (CPUID leaf 0xd)",
    ),
    (
        super::XFEATURE_MPX,
        "MPX state, which the restoring vCPU does not support (CPUID leaf 0xd)",
    ),
    (
        super::XFEATURE_AVX512,
        "AVX-512 state, which the restoring vCPU does not support (CPUID leaf 0xd)",
    ),
    (
        1 << 9,
        "PKRU state, which the restoring vCPU does not support (CPUID leaf 0xd)",
    ),
    (
        super::XFEATURE_AMX,
        "AMX state, which the restoring vCPU does not support (CPUID leaf 0xd)",
    ),
    (
        !0,
        "state components the restoring vCPU does not support (CPUID leaf 0xd)",
    ),
];

impl VcpuCaps {
    /// The widest vCPU the architecture allows: MAXPHYADDR 52, every CR4 bit KVM knows, every user XCR0
    /// component, x2APIC and SMM. Restoring against it checks what holds on any host (what the
    /// validators checked before they knew the destination); saving reads no capability and uses it.
    pub const ARCHITECTURAL: VcpuCaps = VcpuCaps {
        maxphyaddr: 52,
        cr4: super::CR4_VALID,
        xcr0: super::XFEATURES_USER,
        x2apic: true,
        smm: true,
        legacy_paging: true,
    };

    /// The capabilities of a vCPU given `cpuid` (its `KVM_SET_CPUID2` entries) on a kernel with or
    /// without SMM and legacy paging.
    pub fn from_cpuid(cpuid: &[kvm_cpuid_entry2], smm: bool, legacy_paging: bool) -> VcpuCaps {
        let has = |f: Feature| {
            cpuid
                .iter()
                .find(|e| e.function == f.leaf && e.index == f.index)
                .is_some_and(|e| {
                    let reg = match f.reg {
                        Reg::Eax => e.eax,
                        Reg::Ebx => e.ebx,
                        Reg::Ecx => e.ecx,
                        Reg::Edx => e.edx,
                    };
                    reg >> f.bit & 1 == 1
                })
        };
        let leaf = |leaf: u32, index: u32| cpuid.iter().find(|e| e.function == leaf && e.index == index);
        // Without leaf 0x80000008 the architecture's default is 36 bits.
        let maxphyaddr = leaf(0x8000_0008, 0).map_or(36, |e| (e.eax & 0xff) as u8);
        let mut cr4 = super::CR4_VALID;
        for ((bit, _), needs) in CR4_FEATURES.iter().zip(CR4_NEEDS) {
            if !needs.iter().any(|f| has(*f)) {
                cr4 &= !bit;
            }
        }
        let xcr0 = leaf(0xd, 0).map_or(0, |e| u64::from(e.eax) | u64::from(e.edx) << 32);
        VcpuCaps {
            maxphyaddr,
            cr4,
            xcr0: (xcr0 & super::XFEATURES_USER) | super::XFEATURE_FP,
            x2apic: has(X2APIC),
            smm,
            legacy_paging,
        }
    }

    /// The capabilities of a vCPU of this kernel (`kvm`) given `cpuid`: CPUID, `KVM_CHECK_EXTENSION`, and
    /// the legacy-paging probe (its first call in a process creates a scratch VM).
    pub fn of(kvm: &Kvm, cpuid: &CpuId) -> VcpuCaps {
        static LEGACY_PAGING: OnceLock<bool> = OnceLock::new();
        let legacy_paging = *LEGACY_PAGING.get_or_init(|| probe_legacy_paging(kvm, cpuid).unwrap_or(false));
        VcpuCaps::from_cpuid(cpuid.as_slice(), kvm.check_extension(Cap::X86Smm), legacy_paging)
    }

    /// The reason to refuse CR4 bits `cr4` on this vCPU, if any (the first bit it lacks).
    pub fn cr4_refusal(&self, cr4: u64) -> Option<&'static str> {
        let missing = cr4 & super::CR4_VALID & !self.cr4;
        CR4_FEATURES
            .iter()
            .find(|(bit, _)| missing & bit != 0)
            .map(|(_, why)| *why)
    }

    /// The reason to refuse XCR0 or XSAVE components `xcr0` on this vCPU, if any.
    pub fn xcr0_refusal(&self, xcr0: u64) -> Option<&'static str> {
        let missing = xcr0 & !self.xcr0;
        XCR0_FEATURES
            .iter()
            .find(|(bits, _)| missing & bits != 0)
            .map(|(_, why)| *why)
    }

    /// Whether `addr` has bits at or above MAXPHYADDR.
    pub fn beyond_maxphyaddr(&self, addr: u64) -> bool {
        addr.checked_shr(u32::from(self.maxphyaddr)).unwrap_or(0) != 0
    }
}

/// Whether a vCPU keeps CR0.PG in protected mode without long mode: `KVM_SET_SREGS` of 32-bit paging on a
/// scratch vCPU, then `KVM_GET_SREGS`. An ioctl that fails is `Err` (and the caller assumes it does not).
pub fn probe_legacy_paging(kvm: &Kvm, cpuid: &CpuId) -> Result<bool, kvm_ioctls::Error> {
    let vm = kvm.create_vm()?;
    let vcpu = vm.create_vcpu(0)?;
    vcpu.set_cpuid2(cpuid)?;
    let mut sregs = vcpu.get_sregs()?;
    sregs.cr0 = super::CR0_PE | super::CR0_ET | super::CR0_PG;
    (sregs.cr4, sregs.efer, sregs.cs.l) = (0, 0, 0);
    vcpu.set_sregs(&sregs)?;
    Ok(vcpu.get_sregs()?.cr0 & super::CR0_PG != 0)
}
