//! The nested benchmark subject: x86 special registers in the shape of KVM's `struct kvm_sregs`
//! (312 bytes): eight segment headers and two descriptor-table headers, each a `nested` derived
//! header of its own, then the control registers and the pending-interrupt bitmap. The headers
//! mirror `struct kvm_segment` and `struct kvm_dtable` field for field; the live structs are this
//! file's own (no kvm-bindings dependency). Benchmark fixture only: the checks are the kind a VMM
//! would make (reserved bits of the control registers, the 2-bit DPL, the 4-bit segment type, zero
//! padding), not the whole of the architecture's rules.

use cr_core::CrCopy;
use serde::{Deserialize, Serialize};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// A segment's type field: 4 bits.
pub const SEG_TYPE_VALID: u8 = 0x0F;
/// A segment's descriptor privilege level: 2 bits.
pub const SEG_DPL_VALID: u8 = 0x03;
/// A one-bit byte (`present`, `unusable`).
pub const SEG_BOOL: u8 = 0x01;
/// The defined bits of CR0: PE MP EM TS ET NE (0-5), WP (16), AM (18), NW CD PG (29-31).
pub const CR0_VALID: u64 = 0xE005_003F;
/// The defined bits of CR4: VME .. SMXE (0-14), FSGSBASE .. PKS (16-24).
pub const CR4_VALID: u64 = 0x01FF_7FFF;
/// The defined bits of EFER: SCE (0), LME (8), LMA (10), NXE SVME LMSLE FFXSR TCE (11-15),
/// AUTOIBRS (21).
pub const EFER_VALID: u64 = 0x0020_FD01;

/// A segment register as the VMM keeps it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub base: u64,
    pub limit: u32,
    pub selector: u16,
    pub type_: u8,
    pub present: u8,
    pub dpl: u8,
    pub db: u8,
    pub s: u8,
    pub l: u8,
    pub g: u8,
    pub avl: u8,
    pub unusable: u8,
}

/// A descriptor-table register (GDTR, IDTR).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dtable {
    pub base: u64,
    pub limit: u16,
}

/// The special registers as the VMM keeps them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sregs {
    pub cs: Segment,
    pub ds: Segment,
    pub es: Segment,
    pub fs: Segment,
    pub gs: Segment,
    pub ss: Segment,
    pub tr: Segment,
    pub ldt: Segment,
    pub gdt: Dtable,
    pub idt: Dtable,
    pub cr0: u64,
    pub cr2: u64,
    pub cr3: u64,
    pub cr4: u64,
    pub cr8: u64,
    pub efer: u64,
    pub apic_base: u64,
    pub interrupt_bitmap: [u64; 4],
}

/// `struct kvm_segment`: 24 bytes.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = Segment)]
pub struct SegmentHeader {
    #[cr(path = "base")]
    pub base: u64,
    #[cr(path = "limit")]
    pub limit: u32,
    #[cr(path = "selector")]
    pub selector: u16,
    #[cr(path = "type_", strict_mask = SEG_TYPE_VALID)]
    pub type_: u8,
    #[cr(path = "present", strict_mask = SEG_BOOL)]
    pub present: u8,
    #[cr(path = "dpl", strict_mask = SEG_DPL_VALID)]
    pub dpl: u8,
    #[cr(path = "db")]
    pub db: u8,
    #[cr(path = "s")]
    pub s: u8,
    #[cr(path = "l")]
    pub l: u8,
    #[cr(path = "g")]
    pub g: u8,
    #[cr(path = "avl")]
    pub avl: u8,
    #[cr(path = "unusable", strict_mask = SEG_BOOL)]
    pub unusable: u8,
    #[cr(reserved)]
    pub padding: u8,
}

/// `struct kvm_dtable`: 16 bytes.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = Dtable)]
pub struct DtableHeader {
    #[cr(path = "base")]
    pub base: u64,
    #[cr(path = "limit")]
    pub limit: u16,
    #[cr(reserved)]
    pub padding: [u16; 3],
}

/// `struct kvm_sregs`: 312 bytes, eight nested segments and two nested descriptor tables.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = Sregs)]
pub struct SregsHeader {
    #[cr(path = "cs", nested)]
    pub cs: SegmentHeader,
    #[cr(path = "ds", nested)]
    pub ds: SegmentHeader,
    #[cr(path = "es", nested)]
    pub es: SegmentHeader,
    #[cr(path = "fs", nested)]
    pub fs: SegmentHeader,
    #[cr(path = "gs", nested)]
    pub gs: SegmentHeader,
    #[cr(path = "ss", nested)]
    pub ss: SegmentHeader,
    #[cr(path = "tr", nested)]
    pub tr: SegmentHeader,
    #[cr(path = "ldt", nested)]
    pub ldt: SegmentHeader,
    #[cr(path = "gdt", nested)]
    pub gdt: DtableHeader,
    #[cr(path = "idt", nested)]
    pub idt: DtableHeader,
    #[cr(path = "cr0", strict_mask = CR0_VALID)]
    pub cr0: u64,
    #[cr(path = "cr2")]
    pub cr2: u64,
    #[cr(path = "cr3")]
    pub cr3: u64,
    #[cr(path = "cr4", strict_mask = CR4_VALID)]
    pub cr4: u64,
    #[cr(path = "cr8")]
    pub cr8: u64,
    #[cr(path = "efer", strict_mask = EFER_VALID)]
    pub efer: u64,
    #[cr(path = "apic_base")]
    pub apic_base: u64,
    #[cr(path = "interrupt_bitmap")]
    pub interrupt_bitmap: [u64; 4],
}

const _: () = assert!(core::mem::size_of::<SegmentHeader>() == 24);
const _: () = assert!(core::mem::size_of::<DtableHeader>() == 16);
const _: () = assert!(core::mem::size_of::<SregsHeader>() == 312);

/// A 64-bit code or data segment (`type_` as in the descriptor, `s` = 1).
const fn segment(base: u64, selector: u16, type_: u8, dpl: u8, l: u8) -> Segment {
    Segment {
        base,
        limit: 0xFFFF_FFFF,
        selector,
        type_,
        present: 1,
        dpl,
        db: 1 - l,
        s: 1,
        l,
        g: 1,
        avl: 0,
        unusable: 0,
    }
}

/// A long-mode guest in user space: every segment distinct, every checked byte valid.
pub fn sample_sregs() -> Sregs {
    Sregs {
        cs: segment(0, 0x33, 0xB, 3, 1),
        ds: segment(0, 0x2B, 0x3, 3, 0),
        es: segment(0, 0x2B, 0x3, 3, 0),
        fs: segment(0x7F12_3456_7000, 0, 0x3, 3, 0),
        gs: segment(0xFFFF_8880_3FA0_0000, 0, 0x3, 0, 0),
        ss: segment(0, 0x2B, 0x3, 3, 0),
        tr: Segment {
            base: 0xFFFF_FE00_0000_3000,
            limit: 0x4087,
            selector: 0x40,
            type_: 0xB,
            present: 1,
            dpl: 0,
            db: 0,
            s: 0,
            l: 0,
            g: 0,
            avl: 0,
            unusable: 0,
        },
        ldt: Segment {
            unusable: 1,
            present: 0,
            type_: 0x2,
            ..Segment::default()
        },
        gdt: Dtable {
            base: 0xFFFF_FE00_0000_1000,
            limit: 0x7F,
        },
        idt: Dtable {
            base: 0xFFFF_FE00_0000_0000,
            limit: 0xFFF,
        },
        cr0: 0x8005_0033,
        cr2: 0x7F12_3400_0010,
        cr3: 0x0000_0001_2345_6000,
        cr4: 0x0037_06F0,
        cr8: 0,
        efer: 0xD01,
        apic_base: 0xFEE0_0900,
        interrupt_bitmap: [0, 1 << 32, 0, 1 << 63],
    }
}
