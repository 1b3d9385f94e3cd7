//! The VM image: which records a snapshot holds, in which order, with which parents. Writes them from
//! [`Headers`] and reads them back into checked structs ([`Restored`]); makes no ioctl.
//!
//! ```text
//! memory slot                 CrHdrKvmMemRegion                  parent 0
//! PIC master, slave, IOAPIC   CrHdrKvmIrqchip x 3, chip_id 0 1 2 parent 0
//! PIT, clock                  CrHdrKvmPitState2, CrHdrKvmClock   parent 0
//! for each vCPU id            the fixtures' vCPU records, then   parent: the vCPU id
//!                             CrHdrKvmLapic
//! serial port                 CrHdrSerial                        parent: its first I/O port (0x3f8)
//! guest memory                bulk bytes                         parent: the slot
//! ```

use crate::serial::COM1;
use crate::state::{Headers, Snapshot, VcpuSnapshot, VmState};
use cr::kvm_x86_64::{
    self as k, check_parent, restore_lapic, restore_serial, CrHdrKvmIrqchip, CrHdrKvmMemRegion, VcpuCaps, GUEST_MEMORY,
};
use cr_core::dump::Kind;
use cr_core::image::{Reader, Record, Sink, Writer, RECORD_HEADER_SIZE};
use cr_core::{CrCopy, Error};
use kvm_bindings::kvm_userspace_memory_region;
use zerocopy::FromZeros;

/// The parent of the VM-level records (the slot, the irqchips, the PIT, the clock).
pub const VM: u32 = 0;

/// Every record kind of a VM image, for [`cr_core::dump::dump`]: the fixtures'.
pub const KINDS: [Kind; k::KINDS.len()] = k::KINDS;

/// Writes a whole VM image to `sink` (the records above), the guest memory straight from `memory` (no copy
/// of it is made; one pass for its checksum, one to the sink).
pub fn write_image<S: Sink>(
    sink: S,
    region: &kvm_userspace_memory_region,
    headers: &Headers,
    memory: &[u8],
) -> Result<S, Error> {
    let mut w = Writer::new(sink, k::ARCH_X86_64)?;
    let mut region_hdr = CrHdrKvmMemRegion::new_zeroed();
    region_hdr.save(region);
    w.write(VM, &region_hdr)?;
    for chip in &headers.irqchips {
        w.write(VM, chip)?;
    }
    w.write(VM, &headers.pit)?;
    w.write(VM, &headers.clock)?;
    for (id, vcpu) in (0..).zip(&headers.vcpus) {
        k::write_vcpu(&mut w, id, &vcpu.vcpu)?;
        w.write(id, &vcpu.lapic)?;
    }
    w.write(u32::from(COM1), &headers.serial)?;
    w.write_bytes(GUEST_MEMORY, region.slot, memory)?;
    w.finish()
}

/// An image read and checked whole, restored into fresh structs; the guest memory still in the image's
/// bytes. Nothing of it has reached KVM or the device.
#[derive(Debug)]
pub struct Restored<'a> {
    pub region: kvm_userspace_memory_region,
    pub snapshot: Snapshot,
    pub memory: &'a [u8],
}

/// The next record, of type `H` and parent `parent`.
fn record<H: Record>(r: &mut Reader<'_>, parent: u32) -> Result<H, Error> {
    let at = r.offset();
    let (p, hdr) = r.read::<H>()?;
    check_parent(parent, p, at)?;
    Ok(hdr)
}

/// Reads a VM image for a VM whose memory slot is `slot` and which has `vcpus` vCPUs with capabilities
/// `caps`, and restores every header into fresh structs. Every check runs before this returns: the image's (checksums, record types,
/// lengths, layouts, parents, the irqchips' order, the memory's length against the slot's size) and every
/// header's (`restore`, validators; each LAPIC against its vCPU's APIC ID). On `Err` nothing has been
/// handed to KVM; on `Ok` the state is what KVM and the device will accept.
pub fn read_image<'a>(
    image: &'a [u8],
    slot: &kvm_userspace_memory_region,
    vcpus: usize,
    caps: &VcpuCaps,
) -> Result<Restored<'a>, Error> {
    let mut r = Reader::new(image, k::ARCH_X86_64)?;
    let region_hdr: CrHdrKvmMemRegion = record(&mut r, VM)?;
    let mut region = *slot;
    region_hdr.restore(&mut region)?;

    let mut irqchips = [CrHdrKvmIrqchip::new_zeroed(); 3];
    for (i, chip) in (0..).zip(&mut irqchips) {
        let at = r.offset();
        *chip = record(&mut r, VM)?;
        // A tag that names no chip is the header's to refuse (below); a chip out of place, the image's.
        if chip.chip_id != i && chip.chip_id < 3 {
            let err = Error::invalid(
                "chip_id",
                "not the chip of this record's place: the PIC master, the PIC slave and the IOAPIC, in that order",
            );
            return Err(err.at_offset(at + RECORD_HEADER_SIZE as u64));
        }
    }
    let pit = record(&mut r, VM)?;
    let clock = record(&mut r, VM)?;
    let vm = VmState::restore(&irqchips, &pit, &clock)?;
    let mut vcpu_states = Vec::with_capacity(vcpus);
    for id in (0..).take(vcpus) {
        let state = k::read_vcpu(&mut r, id, caps)?;
        let lapic = restore_lapic(&record(&mut r, id)?, id, state.sregs.apic_base)?;
        vcpu_states.push(VcpuSnapshot { state, lapic });
    }
    let serial = restore_serial(&record(&mut r, u32::from(COM1))?, COM1)?;
    let at = r.offset();
    let len = usize::try_from(region_hdr.memory_size).unwrap_or(usize::MAX);
    let (p, _, memory) = r.read_bytes(GUEST_MEMORY, len)?;
    check_parent(region.slot, p, at)?;
    r.finish()?;
    let snapshot = Snapshot {
        vm,
        vcpus: vcpu_states,
        serial,
    };
    Ok(Restored {
        region,
        snapshot,
        memory,
    })
}

/// Writes the image to `out` (for `-- dump`).
pub fn dump(image: &[u8], out: &mut dyn std::fmt::Write) -> Result<(), Error> {
    cr_core::dump::dump(image, k::ARCH_X86_64, &KINDS, out)
}
