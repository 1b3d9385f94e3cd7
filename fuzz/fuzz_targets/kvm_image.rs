//! Fuzz "read a KVM VM image and restore it into kvm-bindings structs" (`cr::kvm_x86_64::read_image`:
//! header, list and bulk-bytes records, every vCPU header's checks), and its dump. Half the inputs are
//! taken as they come (the integrity checks), half have their checksums recomputed first (so arbitrary
//! header values, list lengths and memory sizes reach the record and header checks). No input may
//! panic; no ioctl is made.
#![no_main]

use kvm_bindings::kvm_userspace_memory_region;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, image)) = data.split_first() else {
        return;
    };
    let mut image = image.to_vec();
    if mode & 1 == 1 {
        cr::reseal::reseal(&mut image);
    }
    // The seed corpus's images have a 4 KiB slot 0 at guest address 0.
    let slot = kvm_userspace_memory_region {
        slot: 0,
        flags: 0,
        guest_phys_addr: 0,
        memory_size: 4096,
        userspace_addr: 0,
    };
    if let Ok(restored) = cr::kvm_x86_64::read_image(&image, &slot, &cr::kvm_x86_64::VcpuCaps::ARCHITECTURAL) {
        assert_eq!(restored.memory.len(), 4096);
        assert_eq!(restored.region.userspace_addr, 0, "the host address is the restoring process's");
    }
    let mut out = String::new();
    let _ = cr::kvm_x86_64::vm::dump(&image, &mut out);
});
