//! cr-vmm: a small KVM virtual machine monitor whose snapshots go through cr. It creates a VM with
//! `kvm-ioctls`, runs a hand-assembled 64-bit guest, snapshots the whole VM into a [`cr_core::image`] file
//! (through the fixtures' headers over `kvm-bindings` structs, `cr::kvm_x86_64`), refuses tampered images
//! before any ioctl, restores into a brand-new VM, and migrates a VM over TCP. The program of
//! `examples/kvm_x86_64.rs`, and the subject of `tests/kvm.rs`, `benches/kvm.rs` and the `kvm_image` fuzz
//! target.
//!
//! It owns everything a VMM does around the state (VM creation, the guest, the run loop, which ioctls in
//! which order); what a header checks and how a record is laid out belongs to the fixtures. No unsafe code
//! except the guest memory mapping and the `kvm-ioctls` calls that are `unsafe fn`s (`vm::mapping`, a
//! `SAFETY` comment on each block).
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]
#![deny(unsafe_code)]

pub mod image;
pub mod vm;
