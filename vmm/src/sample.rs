//! A whole-VM snapshot built without KVM, holding what the guest leaves on this VMM's platform (the
//! values come from a real run): the subject of the image's tests where `/dev/kvm` is missing, of the
//! benchmarks, and of the fuzz target's seed corpus. Built from `kvm-bindings` structs only.

use crate::guest::{self, VCPUS};
use crate::state::{Snapshot, VcpuSnapshot, VmState};
use cr::kvm_x86_64::{self as k, VcpuState};
use kvm_bindings::{
    kvm_clock_data, kvm_debugregs, kvm_ioapic_state, kvm_ioapic_state__bindgen_ty_1, kvm_irqchip, kvm_lapic_state,
    kvm_mp_state, kvm_msr_entry, kvm_pic_state, kvm_pit_channel_state, kvm_pit_state2, kvm_regs, kvm_segment,
    kvm_sregs, kvm_userspace_memory_region, kvm_vcpu_events, kvm_xcrs, kvm_xsave,
};
use vm_superio::serial::SerialState;

/// vCPU `cpu` in 64-bit mode as the guest runs, with recognisable registers and every MSR of the saved set.
pub fn vcpu(cpu: usize) -> VcpuState {
    let mut sregs = kvm_sregs {
        tr: kvm_segment {
            type_: 0xb,
            s: 0,
            ..guest::segment(0, 0, 0, 0)
        },
        ldt: kvm_segment {
            type_: 2,
            s: 0,
            ..guest::segment(0, 0, 0, 0)
        },
        apic_base: if cpu == 0 { 0xfee0_0d00 } else { 0xfee0_0c00 },
        ..Default::default()
    };
    guest::entry_sregs(&mut sregs);
    let mut xsave = kvm_xsave::default();
    xsave.region[0] = 0x37f;
    xsave.region[6] = 0x1f80;
    xsave.region[40] = 0xdead_beef ^ cpu as u32; // xmm0
    xsave.region[128] = 3; // xstate_bv: x87, SSE
    let mut xcrs = kvm_xcrs {
        nr_xcrs: 1,
        ..Default::default()
    };
    xcrs.xcrs[0].value = 1;
    VcpuState {
        regs: kvm_regs {
            rip: guest::CODE_ADDR + crate::guest_code::AFTER_NEWLINE,
            rflags: 0x246,
            r8: 0x1234 + cpu as u64,
            ..guest::entry_regs(cpu, 8)
        },
        sregs,
        xsave,
        xcrs,
        debugregs: kvm_debugregs {
            dr6: 0xffff_0ff0,
            dr7: 0x400,
            ..Default::default()
        },
        events: kvm_vcpu_events {
            flags: 0xd,
            ..Default::default()
        },
        mp_state: kvm_mp_state {
            mp_state: if cpu == 0 {
                kvm_bindings::KVM_MP_STATE_RUNNABLE
            } else {
                kvm_bindings::KVM_MP_STATE_HALTED
            },
        },
        msrs: k::SAVED_MSRS
            .iter()
            .map(|&index| kvm_msr_entry {
                index,
                // PAT at its reset value; the others recognisable (and canonical).
                data: if index == k::MSR_IA32_CR_PAT {
                    0x0007_0406_0007_0406
                } else {
                    u64::from(index) << 8
                },
                ..Default::default()
            })
            .collect(),
    }
}

fn set_reg(lapic: &mut kvm_lapic_state, offset: usize, value: u32) {
    for (byte, b) in lapic.regs[offset..offset + 4].iter_mut().zip(value.to_le_bytes()) {
        *byte = b as std::os::raw::c_char;
    }
}

/// vCPU `cpu`'s LAPIC as the guest programs it: x2APIC mode, software-enabled, spurious vector 0xff,
/// LINT0 as ExtINT on CPU 0, the other LVTs masked; CPU 1 with the IOAPIC's timer vector requested.
pub fn lapic(cpu: usize) -> kvm_lapic_state {
    let mut lapic = kvm_lapic_state { regs: [0; 1024] };
    const MASKED: u32 = 1 << 16;
    for (offset, value) in [
        (0x20, (cpu as u32) << 24),
        (0x30, 0x0005_0014),
        (0xd0, 1 << cpu),
        (0xe0, 0xffff_ffff),
        (0xf0, 0x1ff),
        (0x320, MASKED),
        (0x330, MASKED),
        (0x340, MASKED),
        (0x350, if cpu == 0 { 0x700 } else { MASKED }),
        (0x360, MASKED),
        (0x370, MASKED),
    ] {
        set_reg(&mut lapic, offset, value);
    }
    if cpu == 1 {
        let vector = u32::from(guest::IOAPIC_VECTOR);
        set_reg(&mut lapic, 0x200 + 0x10 * (vector as usize / 32), 1 << (vector % 32));
    }
    lapic
}

/// The PIC pair, the IOAPIC, the PIT and the clock as the guest programs them: the PIC master at
/// vectors 0x20.. with only IRQ 0 unmasked (and requested), the slave at 0x28.. masked, IOAPIC pin 0 to
/// vector 0x30 on APIC ID 1 and the other pins masked, PIT channel 0 a 1 kHz rate generator.
pub fn vm_state() -> VmState {
    let pic = |irq_base: u8, imr: u8, irr: u8, elcr_mask: u8| kvm_pic_state {
        irr,
        imr,
        irq_base,
        init4: 1,
        elcr_mask,
        ..Default::default()
    };
    let mut irqchips = [kvm_irqchip::default(); 3];
    irqchips[0].chip.pic = pic(0x20, 0xfe, 0x01, 0xf8);
    irqchips[1].chip_id = kvm_bindings::KVM_IRQCHIP_PIC_SLAVE;
    irqchips[1].chip.pic = pic(0x28, 0xff, 0x00, 0xde);
    irqchips[2].chip_id = kvm_bindings::KVM_IRQCHIP_IOAPIC;
    let mut redirtbl = [kvm_ioapic_state__bindgen_ty_1 { bits: 1 << 16 }; 24];
    redirtbl[0] = kvm_ioapic_state__bindgen_ty_1 {
        bits: (1 << 56) | u64::from(guest::IOAPIC_VECTOR),
    };
    irqchips[2].chip.ioapic = kvm_ioapic_state {
        base_address: 0xfec0_0000,
        ioregsel: 0x10,
        id: 0,
        irr: 0,
        pad: 0,
        redirtbl,
    };
    let unprogrammed = |gate| kvm_pit_channel_state {
        count: 0x1_0000,
        mode: 0xff,
        gate,
        count_load_time: 1_941_324_681_868,
        ..Default::default()
    };
    let pit = kvm_pit_state2 {
        channels: [
            kvm_pit_channel_state {
                count: 1193,
                read_state: 3,
                write_state: 3,
                write_latch: 169,
                rw_mode: 3,
                mode: 2,
                gate: 1,
                ..Default::default()
            },
            unprogrammed(1),
            unprogrammed(0),
        ],
        flags: 0,
        reserved: [0; 9],
    };
    let clock = kvm_clock_data {
        clock: 64_000_000,
        flags: kvm_bindings::KVM_CLOCK_TSC_STABLE | kvm_bindings::KVM_CLOCK_REALTIME | kvm_bindings::KVM_CLOCK_HOST_TSC,
        realtime: 1_796_244_150_990_113_484,
        host_tsc: 5_065_121_599_160,
        ..Default::default()
    };
    VmState { irqchips, pit, clock }
}

/// The serial port five lines in: its reset registers, data ready, the rest of the guest's input queued.
pub fn serial() -> SerialState {
    SerialState {
        line_status: 0x61,
        in_buffer: guest::SERIAL_INPUT[5..].to_vec(),
        ..SerialState::default()
    }
}

/// The whole snapshot.
pub fn snapshot() -> Snapshot {
    Snapshot {
        vm: vm_state(),
        vcpus: (0..VCPUS)
            .map(|cpu| VcpuSnapshot {
                state: vcpu(cpu),
                lapic: lapic(cpu),
            })
            .collect(),
        serial: serial(),
    }
}

/// Slot 0 at guest address 0, `size` bytes, at a host address of the restoring process's.
pub fn region(size: u64) -> kvm_userspace_memory_region {
    kvm_userspace_memory_region {
        slot: 0,
        flags: 0,
        guest_phys_addr: 0,
        memory_size: size,
        userspace_addr: 0x7f00_0000_0000,
    }
}
