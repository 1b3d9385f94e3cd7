//! Tampered images: a snapshot's image with one thing changed by someone who knows the format (valid
//! checksums), for each rule of the vCPU, VM and device records, and one bit flipped in the file; and the
//! check that a new VM refuses every one of them before any ioctl and is left exactly as it was.

use crate::failure::Failure;
use crate::guest::DATA_ADDR;
use crate::image::write_image;
use crate::state::Headers;
use crate::vm::Vm;
use cr::kvm_x86_64::{CR0_PE, CR4_PAE, EFER_LME};
use cr_core::Error;
use kvm_bindings::kvm_userspace_memory_region;

/// A tampered image and how it was refused.
#[derive(Clone, Copy, Debug)]
pub struct Rejection {
    /// What was tampered with.
    pub tamper: &'static str,
    /// The refusal.
    pub error: Error,
}

/// A change to a snapshot's headers.
type Change = fn(&mut Headers);

/// The changes that make a tampered image from the snapshot's headers, each with what it carries.
fn changes() -> Vec<(&'static str, Change)> {
    vec![
        // vCPU 0's records (the fixtures' headers).
        ("CR0.PG without CR0.PE", |h| h.vcpus[0].vcpu.sregs.cr0 &= !CR0_PE),
        ("an MSR outside the saved set (EFER, 0xc0000080)", |h| {
            h.vcpus[0].vcpu.msrs[3].index = 0xc000_0080
        }),
        ("EFER.LMA without EFER.LME", |h| h.vcpus[0].vcpu.sregs.efer &= !EFER_LME),
        ("a reserved CR0 bit (bit 8)", |h| h.vcpus[0].vcpu.sregs.cr0 |= 1 << 8),
        ("CR0 bits 63:32", |h| h.vcpus[0].vcpu.sregs.cr0 |= 1 << 40),
        ("a reserved CR4 bit (bit 15)", |h| h.vcpus[0].vcpu.sregs.cr4 |= 1 << 15),
        ("EFER.SVME (nested virtualisation)", |h| {
            h.vcpus[0].vcpu.sregs.efer |= 1 << 12
        }),
        ("long mode without CR4.PAE", |h| h.vcpus[0].vcpu.sregs.cr4 &= !CR4_PAE),
        ("a non-canonical FS base", |h| {
            h.vcpus[0].vcpu.sregs.fs.base = 0x0000_8000_0000_0000
        }),
        ("a non-canonical GDT base", |h| {
            h.vcpus[0].vcpu.sregs.gdt.base = 0x1234_0000_0000_0000
        }),
        ("segment padding not zero", |h| h.vcpus[0].vcpu.sregs.ss.padding = 1),
        ("dtable padding not zero", |h| h.vcpus[0].vcpu.sregs.idt.padding[1] = 7),
        ("a reserved RFLAGS bit (bit 15)", |h| {
            h.vcpus[0].vcpu.regs.rflags |= 1 << 15
        }),
        ("a non-canonical LSTAR", |h| {
            h.vcpus[0].vcpu.msrs[6].data = 0x0000_8000_0000_1000
        }),
        ("an MSR listed twice", |h| {
            h.vcpus[0].vcpu.msrs[9].index = h.vcpus[0].vcpu.msrs[8].index
        }),
        ("MSR entry reserved word", |h| h.vcpus[0].vcpu.msrs[2].reserved = 1),
        ("a compacted XSAVE area", |h| {
            h.vcpus[0].vcpu.xsave.region.xcomp_bv = 1 << 63
        }),
        ("XCR0 without x87", |h| h.vcpus[0].vcpu.xcrs.xcrs[0].value &= !1),
        ("DR6 bits 63:32", |h| h.vcpus[0].vcpu.debugregs.dr6 |= 1 << 32),
        ("the exception-payload flag", |h| h.vcpus[0].vcpu.events.flags |= 0x10),
        ("an MP state KVM refuses (STOPPED, an s390 state)", |h| {
            h.vcpus[1].vcpu.mp_state.mp_state = kvm_bindings::KVM_MP_STATE_STOPPED
        }),
        // The LAPICs.
        ("a LAPIC with a foreign APIC ID (vCPU 0's, in vCPU 1)", |h| {
            h.vcpus[1].lapic.id = h.vcpus[0].lapic.id
        }),
        ("a LAPIC TPR above 8 bits", |h| h.vcpus[0].lapic.tpr |= 0x100),
        ("a LAPIC with vector 3 requested (IRR)", |h| {
            h.vcpus[0].lapic.irr0 |= 1 << 3
        }),
        ("a LAPIC LINT0 with a reserved delivery mode (3)", |h| {
            h.vcpus[0].lapic.lvt_lint0 = (h.vcpus[0].lapic.lvt_lint0 & !0x700) | 0x300
        }),
        ("a LAPIC timer in the reserved mode 3", |h| {
            h.vcpus[1].lapic.lvt_timer |= 3 << 17
        }),
        // The irqchips.
        ("an irqchip tag no member is declared for (chip_id 3)", |h| {
            h.irqchips[2].chip_id = 3
        }),
        ("the PIC slave's record in the PIC master's place", |h| {
            h.irqchips[0] = h.irqchips[1]
        }),
        ("an IOAPIC redirection entry with a reserved bit (pin 5, bit 17)", |h| {
            h.irqchips[2].ioapic.redirtbl[5].reserve |= 1
        }),
        (
            "an IOAPIC redirection entry with a reserved delivery mode (pin 0, mode 3)",
            |h| h.irqchips[2].ioapic.redirtbl[0].delivery_mode = 3,
        ),
        ("IOAPIC data smuggled in the PIC master's record", |h| {
            h.irqchips[0].ioapic.redirtbl[0].vector = 0x30
        }),
        ("an IOAPIC moved to 0xfed00000", |h| {
            h.irqchips[2].ioapic.base_address = 0xfed0_0000
        }),
        ("a PIC vector base not a multiple of 8", |h| {
            h.irqchips[0].pic.irq_base = 0x21
        }),
        ("the PIC slave with the master's ELCR mask", |h| {
            h.irqchips[1].pic.elcr_mask = 0xf8
        }),
        // The PIT and the clock.
        ("a PIT channel mode out of range (6)", |h| h.pit.channels[0].mode = 6),
        ("a PIT reload value above 0x10000", |h| {
            h.pit.channels[0].count = 0x2_0000
        }),
        ("an unknown PIT flag (bit 2)", |h| h.pit.flags |= 4),
        ("a clock flag KVM_SET_CLOCK refuses (bit 0)", |h| h.clock.flags |= 1),
        // The serial port.
        ("a serial FIFO longer than the device's (65 bytes)", |h| {
            h.serial.state.fifo_len = 65
        }),
        ("a serial line status without data ready, the FIFO not empty", |h| {
            h.serial.state.line_status &= !1
        }),
        ("a UART interrupt enable bit a 16550A lacks (bit 4)", |h| {
            h.serial.state.interrupt_enable |= 0x10
        }),
    ]
}

/// Tampered images made from a snapshot's headers, each with what it carries. All but the last three
/// change a header; those change the memory slot's size, cut the memory short, and flip one bit of the
/// guest memory in the file (caught by its checksum).
pub fn tampered(
    region: &kvm_userspace_memory_region,
    headers: &Headers,
    memory: &[u8],
) -> Vec<(&'static str, Vec<u8>)> {
    const VEC: &str = "writing to a Vec cannot fail";
    let mut images: Vec<_> = changes()
        .into_iter()
        .map(|(tamper, change)| {
            let mut h = headers.clone();
            change(&mut h);
            (tamper, write_image(Vec::new(), region, &h, memory).expect(VEC))
        })
        .collect();
    let mut other_region = *region;
    other_region.memory_size += 4096;
    images.push((
        "a memory slot of another size",
        write_image(Vec::new(), &other_region, headers, memory).expect(VEC),
    ));
    images.push((
        "guest memory 4 KiB short of the slot",
        write_image(Vec::new(), region, headers, &memory[..memory.len() - 4096]).expect(VEC),
    ));
    let mut flipped = write_image(Vec::new(), region, headers, memory).expect(VEC);
    let at = flipped.len() - cr_core::image::RECORD_HEADER_SIZE - memory.len() + DATA_ADDR as usize;
    flipped[at] ^= 0x10;
    images.push(("one bit of guest memory flipped in the file", flipped));
    images
}

/// Tries every tampered image on `vm`: each must be refused, and the VM must be exactly as it was.
pub fn reject_tampered(vm: &mut Vm, images: Vec<(&'static str, Vec<u8>)>) -> Result<Vec<Rejection>, Failure> {
    let before = vm.observe()?;
    let mut rejections = Vec::new();
    for (tamper, image) in images {
        match vm.restore(&image) {
            Err(Failure::Refused(error)) => rejections.push(Rejection { tamper, error }),
            Err(other) => {
                return Err(Failure::Broken(format!(
                    "{tamper}: not refused by the image checks but {other}"
                )))
            }
            Ok(()) => return Err(Failure::Broken(format!("tampered image accepted: {tamper}"))),
        }
    }
    if vm.observe()? != before {
        return Err(Failure::Broken("the VM changed while images were refused".into()));
    }
    Ok(rejections)
}
