//! The VM image: which records a snapshot holds, in which order, with which parents. Writes them from
//! headers and reads them back into checked `kvm-bindings` structs; makes no ioctl.

use cr::kvm_x86_64::{check_parent, read_vcpu, write_vcpu, CrHdrKvmMemRegion, VcpuHeaders, VcpuState, GUEST_MEMORY};
use cr_core::image::{Reader, Sink, Writer};
use cr_core::{CrCopy, Error};
use kvm_bindings::kvm_userspace_memory_region;
use zerocopy::FromZeros;

/// The vCPU a snapshot holds (its records' parent). This VMM has one.
pub const VCPU_ID: u32 = 0;

/// Writes a whole VM image to `sink`: the memory slot, the vCPU's records, then the guest memory straight
/// from `memory` (no copy of it is made; one pass for its checksum, one to the sink).
pub fn write_image<S: Sink>(
    sink: S,
    region: &kvm_userspace_memory_region,
    vcpu: &VcpuHeaders,
    memory: &[u8],
) -> Result<S, Error> {
    let mut w = Writer::new(sink, cr::kvm_x86_64::ARCH_X86_64)?;
    let mut region_hdr = CrHdrKvmMemRegion::new_zeroed();
    region_hdr.save(region);
    w.write(0, &region_hdr)?;
    write_vcpu(&mut w, VCPU_ID, vcpu)?;
    w.write_bytes(GUEST_MEMORY, region.slot, memory)?;
    w.finish()
}

/// An image read and checked whole, restored into fresh `kvm-bindings` structs; the guest memory still in
/// the image's bytes. Nothing of it has reached KVM.
#[derive(Debug)]
pub struct Restored<'a> {
    pub region: kvm_userspace_memory_region,
    pub vcpu: VcpuState,
    pub memory: &'a [u8],
}

/// Reads a VM image for the VM whose memory slot is `slot`, and restores every header into fresh structs.
/// Every check runs before this returns: the image's (checksums, record types, lengths, layouts, parents;
/// the memory's length against the slot's size) and every header's (`restore`, validators). On `Err`
/// nothing has been handed to KVM; on `Ok` the state is what KVM will accept.
pub fn read_image<'a>(image: &'a [u8], slot: &kvm_userspace_memory_region) -> Result<Restored<'a>, Error> {
    let mut r = Reader::new(image, cr::kvm_x86_64::ARCH_X86_64)?;
    let at = r.offset();
    let (p, region_hdr) = r.read::<CrHdrKvmMemRegion>()?;
    check_parent(0, p, at)?;
    let mut region = *slot;
    region_hdr.restore(&mut region)?;

    let vcpu = read_vcpu(&mut r, VCPU_ID)?;
    let at = r.offset();
    let len = usize::try_from(region_hdr.memory_size).unwrap_or(usize::MAX);
    let (p, _, memory) = r.read_bytes(GUEST_MEMORY, len)?;
    check_parent(region.slot, p, at)?;
    r.finish()?;
    Ok(Restored { region, vcpu, memory })
}

/// Writes the image to `out` (for `-- dump`).
pub fn dump(image: &[u8], out: &mut dyn std::fmt::Write) -> Result<(), Error> {
    cr_core::dump::dump(image, cr::kvm_x86_64::ARCH_X86_64, &cr::kvm_x86_64::KINDS, out)
}
