//! Fuzz "read a whole-VM image and restore it into kvm-bindings and vm-superio structs"
//! (`cr_vmm::image::read_image`: header, list and bulk-bytes records; every vCPU, irqchip, PIT, clock,
//! LAPIC and serial header's checks), and its dump. Half the inputs are
//! taken as they come (the integrity checks), half have their checksums recomputed first (so arbitrary
//! header values, list lengths and memory sizes reach the record and header checks); with mode bit 1
//! the image is also taken for one of the other byte order, so every header and list entry goes
//! through the conversion (or its refusal). No input may panic; no ioctl is made.
#![no_main]

use kvm_bindings::kvm_userspace_memory_region;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, image)) = data.split_first() else {
        return;
    };
    let mut image = image.to_vec();
    if mode & 2 == 2 {
        // Taken for an image of the other byte order: every header is converted on the way in.
        cr::foreign::declare_other_order(&mut image);
    } else if mode & 1 == 1 {
        cr_core::image::reseal(&mut image);
    }
    // The seed corpus's images (`tests/kvm.rs`, `write_the_fuzz_seed_corpus`) have a 4 KiB slot 0 at guest
    // address 0 and two vCPUs.
    let slot = kvm_userspace_memory_region {
        slot: 0,
        flags: 0,
        guest_phys_addr: 0,
        memory_size: 4096,
        userspace_addr: 0,
    };
    if let Ok(restored) = cr_vmm::image::read_image(&image, &slot, cr_vmm::guest::VCPUS, &cr::kvm_x86_64::VcpuCaps::ARCHITECTURAL) {
        assert_eq!(restored.memory.len(), 4096);
        assert_eq!(restored.region.userspace_addr, 0, "the host address is the restoring process's");
    }
    let mut out = String::new();
    let _ = cr_vmm::image::dump(&image, &mut out);
});
