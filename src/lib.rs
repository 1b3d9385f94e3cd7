//! Shared fixtures for cr's examples, integration tests and benchmarks: live structs modelled
//! on real kernel state and the image headers derived for them. Not published. The programs that
//! run over the KVM fixtures (the VMM) live in their own crate, `cr-vmm` (`vmm/`).
#![deny(unsafe_code)] // allowed only where bindgen's output, and the promise of a union (`src/s390.rs`), need it

pub mod foreign;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
pub mod kvm_x86_64;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
pub mod ptrace_x86_64;
pub mod s390;

/// The README's Rust examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
