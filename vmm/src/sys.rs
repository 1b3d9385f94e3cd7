//! Every `unsafe` block of the crate, each with its `SAFETY` comment: the guest memory mapping, the two
//! `kvm-ioctls` calls that are `unsafe fn`s, and the one read of `kvm_run`'s exit union. Nothing else of
//! the VMM may need `unsafe`; it goes here if it ever does.
#![allow(unsafe_code)]

use std::io;
use std::ptr::NonNull;

/// Page-aligned, zeroed memory that KVM maps into the guest.
pub struct GuestMemory {
    ptr: NonNull<u8>,
    len: usize,
}

impl GuestMemory {
    /// `len` bytes (a multiple of 4 KiB) of zeroed, private, anonymous memory.
    pub fn new(len: usize) -> io::Result<GuestMemory> {
        if len == 0 || len % 4096 != 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "guest memory: a multiple of 4 KiB",
            ));
        }
        // SAFETY: an anonymous mapping at an address of the kernel's choosing: no existing memory is
        // affected. The result is checked before use.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let ptr = NonNull::new(ptr.cast::<u8>()).ok_or_else(|| io::Error::other("mmap returned null"))?;
        Ok(GuestMemory { ptr, len })
    }

    /// The memory. The guest writes it only inside `KVM_RUN`; the VMM reads it only while every vCPU is
    /// out of `KVM_RUN` (before the first run, or once `Vm::run` has returned with every vCPU thread
    /// joined), and a `&self` borrow of the VM that owns it keeps `Vm::run` (`&mut`) from starting.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `ptr` maps `len` readable bytes for as long as `self` lives.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    /// The memory, writable.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as `as_slice`, and `&mut self` makes this the only borrow.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for GuestMemory {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, unmapped once; KVM's slot is gone with the VM, which `Vm`
        // drops first.
        unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

/// Maps `memory` into `vm` as `region` (whose `userspace_addr` and `memory_size` are set here).
pub fn map(
    vm: &kvm_ioctls::VmFd,
    region: &mut kvm_bindings::kvm_userspace_memory_region,
    memory: &GuestMemory,
) -> Result<(), kvm_ioctls::Error> {
    region.userspace_addr = memory.ptr.as_ptr() as u64;
    region.memory_size = memory.len as u64;
    // SAFETY: the region covers exactly the mapping of `memory`, which outlives the VM (`Vm` declares the
    // vCPU and VM fds before the memory, so they are dropped first).
    unsafe { vm.set_user_memory_region(*region) }
}

/// `kvm_run.internal` after a `KVM_EXIT_INTERNAL_ERROR`: the suberror and its data words.
pub fn internal_error(run: &kvm_bindings::kvm_run) -> (u32, Vec<u64>) {
    // SAFETY: called only after KVM_RUN returned KVM_EXIT_INTERNAL_ERROR, for which KVM fills the
    // `internal` member of the exit union; every bit pattern is a valid value of its integer fields.
    let internal = unsafe { run.__bindgen_anon_1.internal };
    let n = (internal.ndata as usize).min(internal.data.len());
    (internal.suberror, internal.data[..n].to_vec())
}

/// `KVM_SET_XSAVE` of a 4096-byte `kvm_xsave`.
pub fn set_xsave(vcpu: &kvm_ioctls::VcpuFd, xsave: &kvm_bindings::kvm_xsave) -> Result<(), kvm_ioctls::Error> {
    // SAFETY: kvm-ioctls marks this unsafe because KVM copies the vCPU's whole XSAVE size, which exceeds
    // 4096 bytes only with dynamically enabled features (AMX through arch_prctl); this process enables
    // none, so KVM reads within the struct.
    unsafe { vcpu.set_xsave(xsave) }
}
