//! cr-vmm: a small KVM virtual machine monitor whose snapshots go through cr. It creates a VM with an
//! in-kernel irqchip and PIT, two vCPUs and a vm-superio serial port (`kvm-ioctls`), runs a hand-assembled
//! 64-bit guest that takes timer interrupts, snapshots the whole VM into a [`cr_core::image`] file, refuses
//! tampered images before any ioctl, restores into a brand-new VM, and migrates a VM over TCP. The program
//! of `examples/kvm_x86_64.rs`, and the subject of `tests/kvm.rs`, `benches/kvm.rs` and the `kvm_image`
//! fuzz target.
//!
//! It owns everything a VMM does around the state (the VM, the guest, the devices, the run loop, which
//! ioctls in which order, which records in which order); what a header checks belongs to the fixtures
//! (`cr::kvm_x86_64`, the VM-level and device headers in `cr::kvm_x86_64::vm_level`). Unsafe code only in
//! [`sys`].
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]
#![deny(unsafe_code)]

pub mod failure;
pub mod guest;
pub mod guest_code;
pub mod image;
pub mod sample;
pub mod scenario;
pub mod serial;
pub mod state;
pub mod sys;
pub mod tamper;
pub mod vm;
