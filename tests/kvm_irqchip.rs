//! The interrupt controllers through cr, on kvm-bindings' own `kvm_irqchip`: a tagged union (`chip`,
//! selected by `chip_id`) whose IOAPIC member holds 24 redirection entries, each a union of a `u64` and
//! bindgen's bitfield struct, mapped through its accessors. Values come from a real VM where `/dev/kvm`
//! opens (`KVM_CREATE_IRQCHIP`, then `KVM_GET_IRQCHIP` of chips 0 to 2), and from constructed ones.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use cr::kvm_x86_64::{restore_irqchip, save_irqchip, CrHdrKvmIrqchip, CR_HDR_KVM_IRQCHIP};
use cr_core::image::{Reader, Writer};
use cr_core::{ErrorKind, Value};
use kvm_bindings::{kvm_irqchip, KVM_IRQCHIP_IOAPIC, KVM_IRQCHIP_PIC_MASTER, KVM_IRQCHIP_PIC_SLAVE};
use zerocopy::{FromZeros, IntoBytes};

/// The three chips of a fresh VM with an in-kernel irqchip, IOAPIC entry 7 programmed as a guest would
/// (vector 0x37, level-triggered, active low, to CPU 1) and the master PIC initialised; `None` (and a
/// loud line) without `/dev/kvm`.
fn chips_of_a_real_vm() -> Option<[kvm_irqchip; 3]> {
    let kvm = match kvm_ioctls::Kvm::new() {
        Ok(kvm) => kvm,
        Err(e) => {
            eprintln!("SKIPPED: /dev/kvm cannot be opened ({e}): the chips are constructed only");
            return None;
        }
    };
    let vm = kvm.create_vm().expect("KVM_CREATE_VM");
    vm.create_irq_chip().expect("KVM_CREATE_IRQCHIP");
    let mut chips = [
        kvm_irqchip::new_zeroed(),
        kvm_irqchip::new_zeroed(),
        kvm_irqchip::new_zeroed(),
    ];
    for (id, chip) in [KVM_IRQCHIP_PIC_MASTER, KVM_IRQCHIP_PIC_SLAVE, KVM_IRQCHIP_IOAPIC]
        .into_iter()
        .zip(chips.iter_mut())
    {
        chip.chip_id = id;
        vm.get_irqchip(chip).expect("KVM_GET_IRQCHIP");
    }
    // The IOAPIC's state out of the union (from its bytes), changed, and assigned back whole: writes to
    // union fields are safe Rust, reads (and borrows, and indexing behind one) are not.
    let mut ioapic = ioapic_of(&chips[2]);
    let mut entry = ioapic_entry(&chips[2], 7);
    entry.vector = 0x37;
    entry.dest_id = 1;
    entry.set_trig_mode(1);
    entry.set_polarity(1);
    entry.set_mask(0);
    ioapic.redirtbl[7].fields = entry;
    chips[2].chip.ioapic = ioapic;
    let mut pic = pic_of(&chips[0]);
    pic.irq_base = 0x20;
    pic.imr = 0xfe;
    chips[0].chip.pic = pic;
    for chip in &chips {
        vm.set_irqchip(chip)
            .expect("KVM_SET_IRQCHIP takes the programmed chips");
    }
    for chip in chips.iter_mut() {
        vm.get_irqchip(chip).expect("KVM_GET_IRQCHIP");
    }
    Some(chips)
}

/// The IOAPIC member, read from the union's bytes (no `unsafe`).
fn ioapic_of(chip: &kvm_irqchip) -> kvm_bindings::kvm_ioapic_state {
    zerocopy::FromBytes::read_from_prefix(&chip.as_bytes()[8..])
        .expect("the member")
        .0
}

/// The PIC member, read from the union's bytes.
fn pic_of(chip: &kvm_irqchip) -> kvm_bindings::kvm_pic_state {
    zerocopy::FromBytes::read_from_prefix(&chip.as_bytes()[8..])
        .expect("the member")
        .0
}

/// Redirection entry `i`'s bitfields, read from the union's bytes (no `unsafe`).
fn ioapic_entry(chip: &kvm_irqchip, i: usize) -> kvm_bindings::kvm_ioapic_state__bindgen_ty_1__bindgen_ty_1 {
    let offset = 8 + 24 + 8 * i;
    zerocopy::FromBytes::read_from_prefix(&chip.as_bytes()[offset..])
        .expect("8 bytes")
        .0
}

/// A chip the way a VM that was never run has it (master PIC, or the IOAPIC with every entry masked).
fn constructed(id: u32) -> kvm_irqchip {
    let mut chip = kvm_irqchip::new_zeroed();
    chip.chip_id = id;
    match id {
        KVM_IRQCHIP_IOAPIC => {
            let mut ioapic = kvm_bindings::kvm_ioapic_state::new_zeroed();
            ioapic.base_address = cr::kvm_x86_64::IOAPIC_BASE;
            for entry in ioapic.redirtbl.iter_mut() {
                entry.bits = 1 << 16;
            }
            chip.chip.ioapic = ioapic;
        }
        _ => {
            let mut pic = kvm_bindings::kvm_pic_state::new_zeroed();
            pic.elcr_mask = cr::kvm_x86_64::ELCR_MASKS[id as usize];
            chip.chip.pic = pic;
        }
    }
    chip
}

fn chips() -> [kvm_irqchip; 3] {
    chips_of_a_real_vm().unwrap_or_else(|| [0, 1, 2].map(constructed))
}

#[test]
fn every_chip_round_trips_byte_for_byte() {
    for chip in chips() {
        let hdr = save_irqchip(&chip);
        let back = restore_irqchip(&hdr).expect("a saved chip restores");
        // The tag and its member; the rest of the union is zero in both (KVM_GET_IRQCHIP fills it so).
        assert_eq!(back.as_bytes(), chip.as_bytes(), "chip {}", chip.chip_id);
    }
}

#[test]
fn the_inactive_member_is_saved_as_zeros() {
    let [pic, _, ioapic] = chips();
    let hdr = save_irqchip(&pic);
    assert!(hdr.ioapic.as_bytes().iter().all(|b| *b == 0));
    assert_eq!(hdr.pic.elcr_mask, cr::kvm_x86_64::ELCR_MASKS[0]);
    let hdr = save_irqchip(&ioapic);
    assert!(hdr.pic.as_bytes().iter().all(|b| *b == 0));
    assert_eq!(hdr.ioapic.base_address, cr::kvm_x86_64::IOAPIC_BASE);
    // Every entry masked but the one the guest programmed (a real VM's entry 7).
    assert_eq!(hdr.ioapic.redirtbl[0].flags, CrHdrKvmRedirEntryFlags::MASK);
}

/// The redirection entry's flag constants, by the name the derive gives them.
struct CrHdrKvmRedirEntryFlags;
impl CrHdrKvmRedirEntryFlags {
    const MASK: u8 = cr::kvm_x86_64::CrHdrKvmRedirEntry::FLAGS_MASK;
}

#[test]
fn an_irqchip_record_goes_through_an_image() {
    let [_, _, ioapic] = chips();
    let hdr = save_irqchip(&ioapic);
    let mut w = Writer::new(Vec::new(), cr::kvm_x86_64::ARCH_X86_64).unwrap();
    w.write(0, &hdr).unwrap();
    let bytes = w.finish().unwrap();
    let (_, back): (u32, CrHdrKvmIrqchip) = Reader::new(&bytes, cr::kvm_x86_64::ARCH_X86_64)
        .unwrap()
        .read()
        .unwrap();
    assert_eq!(back, hdr);
    assert_eq!(<CrHdrKvmIrqchip as cr_core::image::Record>::TYPE, CR_HDR_KVM_IRQCHIP);
}

#[test]
fn tampered_chips_are_refused_before_anything_is_written() {
    let [pic, _, ioapic] = chips();
    let pic_hdr = save_irqchip(&pic);
    let ioapic_hdr = save_irqchip(&ioapic);

    let mut h = pic_hdr;
    h.chip_id = 3;
    let e = restore_irqchip(&h).unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::UnknownVariant {
            tag: Value::Unsigned(3)
        }
    );
    assert_eq!(
        e.to_string(),
        "header field `chip_id` (live `chip_id`) holds 3 (0x3), which selects no variant"
    );

    // A PIC's record carrying bytes in the IOAPIC member.
    let mut h = pic_hdr;
    h.ioapic.irr = 1;
    let e = restore_irqchip(&h).unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::InactiveVariant {
            tag: Value::Unsigned(0)
        }
    );
    assert_eq!(e.field(), Some("ioapic"));

    // A reserved bit of redirection entry 7, through the bitfield accessor.
    let mut h = ioapic_hdr;
    h.ioapic.redirtbl[7].reserve = 0x10;
    let e = restore_irqchip(&h).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MaskViolation { bits: 0x10 });
    assert_eq!(
        e.to_string(),
        "header field `ioapic.redirtbl[7].reserve` (live `chip.ioapic.redirtbl[7].fields.reserve()`) has bits 0x10 set outside its strict mask"
    );

    let mut h = ioapic_hdr;
    h.ioapic.redirtbl[3].delivery_mode = 6;
    let e = restore_irqchip(&h).unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Invalid {
            reason: "a reserved delivery mode (3 or 6)"
        }
    );
    assert_eq!(e.leaf_field(), Some("delivery_mode"));

    let mut h = ioapic_hdr;
    h.ioapic.base_address = 0xfed0_0000;
    let e = restore_irqchip(&h).unwrap_err();
    assert_eq!(e.field(), Some("ioapic"));

    let mut h = pic_hdr;
    h.pic.elcr = 0x01;
    let e = restore_irqchip(&h).unwrap_err();
    assert_eq!(e.to_string(), "header field `pic.elcr` (live `chip.pic.elcr`) is invalid: an IRQ level-triggered that the chip's ELCR mask does not allow");
}

#[test]
fn a_bitfield_is_written_through_its_setter_inside_the_union() {
    let [_, _, ioapic] = chips();
    let mut hdr = save_irqchip(&ioapic);
    let f = cr::kvm_x86_64::CrHdrKvmRedirEntry::FLAGS_TRIG_MODE | cr::kvm_x86_64::CrHdrKvmRedirEntry::FLAGS_MASK;
    hdr.ioapic.redirtbl[11].flags = f;
    hdr.ioapic.redirtbl[11].delivery_mode = 1;
    hdr.ioapic.redirtbl[11].vector = 0x41;
    let back = restore_irqchip(&hdr).unwrap();
    let entry = ioapic_entry(&back, 11);
    assert_eq!(
        (
            entry.vector,
            entry.delivery_mode(),
            entry.trig_mode(),
            entry.mask(),
            entry.polarity()
        ),
        (0x41, 1, 1, 1, 0)
    );
}
