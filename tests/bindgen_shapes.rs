//! The shapes bindgen emits, mapped with no `unsafe` beyond the one promise a padded union needs: an
//! accessor pair, a field behind a union, an array element behind a union (which Rust lets no one borrow
//! or index in place: the member is copied, written and assigned back), a setter behind a union, an
//! anonymous union (`__bindgen_anon_1`), and kvm-bindings' own `kvm_irq_level`.

use cr_core::zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes};
use cr_core::CrCopy;

/// bindgen's bitfield struct, reduced: the storage and its accessors.
#[derive(Clone, Copy, Default, Debug, PartialEq, FromBytes, IntoBytes, Immutable)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
pub struct Entry {
    pub vector: u8,
    pub _bitfield_1: u8,
    pub regs: [u16; 3],
}

impl Entry {
    pub fn mode(&self) -> u8 {
        self._bitfield_1 & 7
    }
    pub fn set_mode(&mut self, v: u8) {
        self._bitfield_1 = (self._bitfield_1 & !7) | (v & 7);
    }
}

#[derive(Clone, Copy, FromZeros)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
pub union Slot {
    pub raw: u64,
    pub entry: Entry,
}

#[derive(Clone, Copy, FromZeros)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
pub struct Device {
    pub id: u32,
    pub __bindgen_anon_1: Slot,
}

// SAFETY: every `Slot` of these tests is zero-filled first and then written field by field; `Entry` has
// no padding anyway, and neither member holds an `UnsafeCell`.
#[allow(unsafe_code)]
unsafe impl cr_core::InitializedUnion<DeviceHeader> for Slot {}

#[derive(CrCopy, Clone, Copy, Default, Debug, PartialEq)]
#[cr(target = Device, union = "__bindgen_anon_1")]
pub struct DeviceHeader {
    #[cr(path = "id")]
    pub id: u32,
    #[cr(path = "__bindgen_anon_1.entry.vector")]
    pub vector: u8,
    #[cr(path = "__bindgen_anon_1.entry.mode()", strict_mask = 7)]
    pub mode: u8,
    #[cr(path = "__bindgen_anon_1.entry.regs[2]", mask = 0x0fff)]
    pub reg2: u16,
    #[cr(path = "__bindgen_anon_1.entry.regs[0]", convert)]
    pub reg0: u32,
}

fn entry_of(device: &Device) -> Entry {
    Entry::read_from_prefix(&device.__bindgen_anon_1_bytes()[..])
        .expect("8 bytes")
        .0
}

trait Bytes {
    fn __bindgen_anon_1_bytes(&self) -> [u8; 8];
}

impl Bytes for Device {
    /// The union's bytes, read through the same promise (a test's way to look, without `unsafe`).
    fn __bindgen_anon_1_bytes(&self) -> [u8; 8] {
        let mut hdr = RawHeader::default();
        hdr.save(self);
        hdr.raw.to_ne_bytes()
    }
}

#[derive(CrCopy, Default)]
#[cr(target = Device, union = "__bindgen_anon_1")]
struct RawHeader {
    #[cr(path = "__bindgen_anon_1.raw")]
    raw: u64,
}

#[allow(unsafe_code)]
// SAFETY: as for `DeviceHeader`.
unsafe impl cr_core::InitializedUnion<RawHeader> for Slot {}

fn device() -> Device {
    let mut d = Device::new_zeroed();
    d.id = 9;
    let mut e = Entry {
        vector: 0x31,
        ..Entry::default()
    };
    e.set_mode(5);
    e.regs = [0x0102, 0x0304, 0xabcd];
    d.__bindgen_anon_1.entry = e; // a write to a union field is safe Rust
    d
}

#[test]
fn every_shape_round_trips() {
    let d = device();
    let mut hdr = DeviceHeader::default();
    hdr.save(&d);
    assert_eq!(
        hdr,
        DeviceHeader {
            id: 9,
            vector: 0x31,
            mode: 5,
            reg2: 0xabcd,
            reg0: 0x0102,
        }
    );
    let mut back = Device::new_zeroed();
    back.__bindgen_anon_1.entry = Entry {
        regs: [0, 0, 0xf000],
        ..Entry::default()
    };
    hdr.restore(&mut back).expect("a saved header restores");
    let e = entry_of(&back);
    // The mask keeps the live top nibble of regs[2]: 0xf000 | (0xabcd & 0x0fff).
    assert_eq!((back.id, e.vector, e.mode(), e.regs), (9, 0x31, 5, [0x0102, 0, 0xfbcd]));
}

#[test]
fn a_refused_restore_leaves_the_union_untouched() {
    let d = device();
    let mut hdr = DeviceHeader::default();
    hdr.save(&d);
    hdr.reg0 = 0x1_0000; // does not fit the live u16
    let mut back = device();
    back.id = 1;
    let before = back.__bindgen_anon_1_bytes();
    let err = hdr.restore(&mut back).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header field `reg0` (live `__bindgen_anon_1.entry.regs[0]`) holds 65536 (0x10000), which does not fit the live type `u16`"
    );
    assert_eq!((back.id, back.__bindgen_anon_1_bytes()), (1, before));
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod kvm_irq_level {
    use cr_core::CrCopy;
    use kvm_bindings::{kvm_irq_level, kvm_irq_level__bindgen_ty_1};

    /// `KVM_IRQ_LINE`'s argument: an anonymous union (`irq`, or `status` on return) and the level.
    #[derive(CrCopy, Clone, Copy, Default, Debug, PartialEq)]
    #[cr(target = kvm_irq_level, union = "__bindgen_anon_1", cover(kvm_irq_level = ""))]
    pub struct IrqLevelHeader {
        #[cr(path = "__bindgen_anon_1.irq")]
        pub irq: u32,
        #[cr(path = "level", strict_mask = 1)]
        pub level: u32,
    }

    // SAFETY: both members are 32-bit integers, so any write of either initializes all four bytes, and
    // neither holds an `UnsafeCell`. kvm-bindings gives this union no zerocopy impls, so the promise is
    // the way to read it.
    #[allow(unsafe_code)]
    unsafe impl cr_core::InitializedUnion<IrqLevelHeader> for kvm_irq_level__bindgen_ty_1 {}

    #[test]
    fn kvm_irq_level_through_its_anonymous_union() {
        let live = kvm_irq_level {
            __bindgen_anon_1: kvm_irq_level__bindgen_ty_1 { irq: 4 },
            level: 1,
        };
        let mut hdr = IrqLevelHeader::default();
        hdr.save(&live);
        assert_eq!(hdr, IrqLevelHeader { irq: 4, level: 1 });
        let mut back = kvm_irq_level {
            __bindgen_anon_1: kvm_irq_level__bindgen_ty_1 { status: -1 },
            level: 0,
        };
        hdr.restore(&mut back).unwrap();
        let mut again = IrqLevelHeader::default();
        again.save(&back);
        assert_eq!(again, hdr);
    }
}
