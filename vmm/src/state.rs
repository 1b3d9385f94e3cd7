//! A snapshot's state: the live structs the ioctls and the device give ([`Snapshot`]), and the headers
//! saved from them ([`Headers`]), which restore into fresh structs with every check of every header
//! first. Everything but the guest memory; no ioctl here.

use crate::serial::COM1;
use cr::kvm_x86_64::{
    restore_clock, restore_irqchip, restore_lapic, restore_pit, restore_serial, save_clock, save_irqchip, save_lapic,
    save_pit, save_serial, CrHdrKvmClock, CrHdrKvmIrqchip, CrHdrKvmLapic, CrHdrKvmPitState2, CrHdrSerial, VcpuCaps,
};
use cr::kvm_x86_64::{VcpuHeaders, VcpuState};
use cr_core::Error;
use kvm_bindings::{kvm_clock_data, kvm_irqchip, kvm_lapic_state, kvm_pit_state2};
use vm_superio::serial::SerialState;
use zerocopy::IntoBytes;

/// The irqchips of a VM with an in-kernel irqchip, in `chip_id` order.
pub const IRQCHIPS: [&str; 3] = ["PIC master", "PIC slave", "IOAPIC"];

/// What KVM holds for the VM as a whole: the three irqchips (`chip_id` 0, 1, 2), the PIT and the clock.
#[derive(Clone, Copy, Debug)]
pub struct VmState {
    pub irqchips: [kvm_irqchip; 3],
    pub pit: kvm_pit_state2,
    pub clock: kvm_clock_data,
}

/// One vCPU: everything the fixtures save of it, and its local APIC.
#[derive(Clone, Debug, PartialEq)]
pub struct VcpuSnapshot {
    pub state: VcpuState,
    pub lapic: kvm_lapic_state,
}

/// Everything a snapshot holds but the guest memory: the VM's state, each vCPU's (index = vCPU id), and
/// the serial port's.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub vm: VmState,
    pub vcpus: Vec<VcpuSnapshot>,
    pub serial: SerialState,
}

impl VmState {
    /// Restores the VM-level headers into fresh structs, every check first.
    pub fn restore(
        irqchips: &[CrHdrKvmIrqchip; 3],
        pit: &CrHdrKvmPitState2,
        clock: &CrHdrKvmClock,
    ) -> Result<VmState, Error> {
        Ok(VmState {
            irqchips: [
                restore_irqchip(&irqchips[0])?,
                restore_irqchip(&irqchips[1])?,
                restore_irqchip(&irqchips[2])?,
            ],
            pit: restore_pit(pit)?,
            clock: restore_clock(clock)?,
        })
    }
}

impl PartialEq for VmState {
    /// Byte for byte (`kvm_irqchip` holds a union, which has no `PartialEq`).
    fn eq(&self, other: &VmState) -> bool {
        self.irqchips.as_bytes() == other.irqchips.as_bytes()
            && self.pit.as_bytes() == other.pit.as_bytes()
            && self.clock.as_bytes() == other.clock.as_bytes()
    }
}

impl PartialEq for Snapshot {
    fn eq(&self, other: &Snapshot) -> bool {
        self.vm == other.vm && self.vcpus == other.vcpus && self.serial == other.serial
    }
}

/// The headers of one vCPU: the fixtures' and the LAPIC's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VcpuRecords {
    pub vcpu: VcpuHeaders,
    pub lapic: CrHdrKvmLapic,
}

/// The headers of a [`Snapshot`], one per record of the image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Headers {
    pub irqchips: [CrHdrKvmIrqchip; 3],
    pub pit: CrHdrKvmPitState2,
    pub clock: CrHdrKvmClock,
    pub vcpus: Vec<VcpuRecords>,
    pub serial: CrHdrSerial,
}

impl Headers {
    /// Saves every struct into its header.
    pub fn save(snapshot: &Snapshot) -> Headers {
        let vm = &snapshot.vm;
        Headers {
            irqchips: vm.irqchips.each_ref().map(save_irqchip),
            pit: save_pit(&vm.pit),
            clock: save_clock(&vm.clock),
            vcpus: snapshot
                .vcpus
                .iter()
                .map(|v| VcpuRecords {
                    vcpu: VcpuHeaders::save(&v.state),
                    lapic: save_lapic(&v.lapic),
                })
                .collect(),
            serial: save_serial(COM1, &snapshot.serial),
        }
    }

    /// Restores every header into fresh structs for vCPUs with capabilities `caps`: every check of every
    /// header runs before the snapshot is returned. Each LAPIC must carry its vCPU's APIC ID (its index here).
    pub fn restore(&self, caps: &VcpuCaps) -> Result<Snapshot, Error> {
        let vm = VmState::restore(&self.irqchips, &self.pit, &self.clock)?;
        let mut vcpus = Vec::with_capacity(self.vcpus.len());
        for (id, v) in (0..).zip(&self.vcpus) {
            let state = v.vcpu.restore(caps)?;
            let lapic = restore_lapic(&v.lapic, id, state.sregs.apic_base)?;
            vcpus.push(VcpuSnapshot { state, lapic });
        }
        Ok(Snapshot {
            vm,
            vcpus,
            serial: restore_serial(&self.serial, COM1)?,
        })
    }
}
