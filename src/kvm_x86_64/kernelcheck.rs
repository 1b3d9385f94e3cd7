//! cr's checks against the kernel's: a differential test on scratch VMs. Each [`Subject`] is one saved
//! struct; its states are mutated from real ones (bit flips, boundary values, reserved bits, random
//! fields, fields of another real state), and each is judged by cr (its header restored into a fresh
//! struct against the scratch vCPU's [`VcpuCaps`] and id) and by KVM (`KVM_SET_*`, then `KVM_GET_*` to see
//! what it kept). This file owns the harness only: the rules are the validators' in [`super`], and it never
//! touches a VMM's VM.
//!
//! A new struct plugs in as one entry of [`subjects`]. The VM-level structs (LAPIC, irqchips, PIT, clock)
//! are set on a second scratch VM, with an in-kernel irqchip and PIT, as the VMM's are.

use super::vm_level::{restore_clock, restore_lapic, restore_pit, save_lapic};
use super::{
    restore_irqchip, save_irqchip, CrHdrKvmClock, CrHdrKvmDebugregs, CrHdrKvmIoapic, CrHdrKvmLapic, CrHdrKvmMsr,
    CrHdrKvmPic, CrHdrKvmPitState2, CrHdrKvmRegs, CrHdrKvmSregs, CrHdrKvmVcpuEvents, CrHdrKvmXcrs, EventsOn, SregsOn,
    VcpuCaps, VcpuState, XcrsOn, MSR_IA32_TSC, SAVED_MSRS,
};
use cr_core::layout::{FieldInfo, Mode};
use cr_core::{CrCopy, Error, ErrorKind, Layout};
use kvm_bindings::{
    kvm_clock_data, kvm_debugregs, kvm_ioapic_state, kvm_irqchip, kvm_lapic_state, kvm_msr_entry, kvm_pit_config,
    kvm_pit_state2, kvm_regs, kvm_sregs, kvm_vcpu_events, kvm_xcrs, CpuId, Msrs, KVM_CLOCK_REALTIME,
    KVM_MAX_CPUID_ENTRIES,
};
use kvm_ioctls::{Cap, Kvm, VcpuFd, VmFd};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use zerocopy::{FromBytes, IntoBytes};

// ---------------------------------------------------------------------------------------------
// Seeds and the scratch vCPU.
// ---------------------------------------------------------------------------------------------

/// A real state to mutate: one vCPU's, its local APIC, and its VM's interrupt controllers, PIT and clock.
#[derive(Clone, Debug)]
pub struct Seed {
    pub vcpu: VcpuState,
    /// The vCPU's id: the LAPIC is restored into the scratch vCPU of that id.
    pub vcpu_id: u32,
    pub lapic: kvm_lapic_state,
    /// PIC master, PIC slave, IOAPIC (`chip_id` 0, 1, 2).
    pub irqchips: [kvm_irqchip; 3],
    pub pit: kvm_pit_state2,
    pub clock: kvm_clock_data,
}

/// The vCPUs of the scratch VM with an irqchip: as many as the seeds' vCPU ids need.
pub const IRQ_VCPUS: u32 = 2;

/// The VM and vCPU KVM is asked on: created as the example's VMM creates its own (TSS address, the CPUID
/// KVM supports), without memory, and replaced when a trial may have left state the reset does not undo.
pub struct Scratch {
    vm: VmFd,
    /// The VM of the VM-level structs: an in-kernel irqchip and PIT, vCPUs 0 to [`IRQ_VCPUS`] - 1.
    irq_vm: VmFd,
    irq_vcpus: Vec<VcpuFd>,
    /// The vCPU id of the current trial's seed: the LAPIC is set on that vCPU of `irq_vm`.
    pub dest: u32,
    /// The vCPU of the current trials.
    pub vcpu: VcpuFd,
    cpuid: CpuId,
    next_id: u64,
    /// The number of vCPUs a VM may have: the next one needs a new VM.
    max_id: u64,
    /// The vCPU's capabilities, which cr's checks are run against.
    pub caps: VcpuCaps,
    /// vCPUs created, the first included (the irqchip VM's not counted).
    pub vcpus_created: u64,
}

impl Scratch {
    /// A scratch VM with one vCPU.
    pub fn new(kvm: &Kvm) -> Result<Scratch, kvm_ioctls::Error> {
        let cpuid = kvm.get_supported_cpuid(KVM_MAX_CPUID_ENTRIES)?;
        let vm = Scratch::vm(kvm)?;
        let vcpu = vm.create_vcpu(0)?;
        vcpu.set_cpuid2(&cpuid)?;
        // A VM takes up to KVM_CAP_MAX_VCPUS vCPUs, with ids below KVM_CAP_MAX_VCPU_ID.
        let limit = kvm
            .check_extension_int(Cap::MaxVcpus)
            .min(kvm.check_extension_int(Cap::MaxVcpuId));
        let max_id = u64::try_from(limit.max(1)).unwrap_or(1);
        let irq_vm = Scratch::vm(kvm)?;
        irq_vm.create_irq_chip()?;
        irq_vm.create_pit2(kvm_pit_config::default())?;
        let mut irq_vcpus = Vec::new();
        for id in 0..IRQ_VCPUS {
            let vcpu = irq_vm.create_vcpu(u64::from(id))?;
            vcpu.set_cpuid2(&cpuid)?;
            irq_vcpus.push(vcpu);
        }
        Ok(Scratch {
            vm,
            irq_vm,
            irq_vcpus,
            dest: 0,
            vcpu,
            caps: VcpuCaps::of(kvm, &cpuid),
            cpuid,
            next_id: 1,
            max_id,
            vcpus_created: 1,
        })
    }

    fn vm(kvm: &Kvm) -> Result<VmFd, kvm_ioctls::Error> {
        let vm = kvm.create_vm()?;
        vm.set_tss_address(0xfffb_d000)?;
        Ok(vm)
    }

    /// A new vCPU in place of the current one (a new VM once the VM's vCPU ids are used up).
    pub fn replace_vcpu(&mut self, kvm: &Kvm) -> Result<(), kvm_ioctls::Error> {
        if self.next_id >= self.max_id {
            self.vm = Scratch::vm(kvm)?;
            self.next_id = 0;
        }
        self.vcpu = self.vm.create_vcpu(self.next_id)?;
        self.vcpu.set_cpuid2(&self.cpuid)?;
        self.next_id += 1;
        self.vcpus_created += 1;
        Ok(())
    }

    /// The irqchip VM's vCPU of the current trial.
    fn lapic_vcpu(&self) -> &VcpuFd {
        &self.irq_vcpus[(self.dest as usize).min(self.irq_vcpus.len() - 1)]
    }

    /// Puts the current trial's vCPU of the irqchip VM in the APIC mode of `sregs` (xAPIC or x2APIC, from
    /// its APIC base), by way of the disabled and xAPIC modes, which every kernel allows in that order.
    fn apic_mode(&self, sregs: &kvm_sregs) -> Result<(), Refusal> {
        let vcpu = self.lapic_vcpu();
        let mut s = vcpu.get_sregs().map_err(errno("KVM_GET_SREGS"))?;
        for base in [0, 0xfee0_0900, sregs.apic_base] {
            s.apic_base = base;
            vcpu.set_sregs(&s).map_err(errno("KVM_SET_SREGS (APIC base)"))?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Subjects: one entry per saved struct.
// ---------------------------------------------------------------------------------------------

/// What a mutation may do to a field, from its header's field table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeafKind {
    /// Any value is the header's to carry.
    Data,
    /// `strict_mask`: bits outside the mask are refused.
    StrictMask(u64),
    /// `reserved`: anything but zero is refused.
    Reserved,
}

/// One leaf field of a struct's bytes (the header mirrors the live struct byte for byte).
#[derive(Clone, Debug)]
pub struct Leaf {
    /// Its live path (`sregs.cs.base`), or its header name where it has none (padding).
    pub label: String,
    pub offset: usize,
    pub size: usize,
    pub kind: LeafKind,
}

/// The leaves of a header's field table, nested headers expanded, at `base` under `prefix`.
pub fn leaves(fields: &[FieldInfo], base: usize, prefix: &str, out: &mut Vec<Leaf>) {
    for f in fields {
        let own = f.path.unwrap_or(f.name);
        let label = match prefix {
            "" => own.to_string(),
            p if f.path.is_some() && own.starts_with(p) => own.to_string(),
            p => format!("{p}.{own}"),
        };
        let kind = match f.mode {
            Mode::Nested(n) => {
                for i in 0..n.count() {
                    let inner = match n.len {
                        Some(_) => format!("{label}[{i}]"),
                        None => label.clone(),
                    };
                    leaves(n.fields, base + f.offset + i * n.size, &inner, out);
                }
                continue;
            }
            Mode::StrictMask { mask } => LeafKind::StrictMask(mask),
            Mode::Reserved => LeafKind::Reserved,
            _ => LeafKind::Data,
        };
        out.push(Leaf {
            label,
            offset: base + f.offset,
            size: f.size,
            kind,
        });
    }
}

/// Why KVM refused a state.
pub type Refusal = String;

/// cr's verdict on a state: the struct it restores, as bytes, or its refusal.
pub type CrVerdict = Result<Vec<u8>, Error>;

/// One saved struct under test: how to take it from a seed, cr's verdict, and KVM's set and get.
pub struct Subject {
    /// The struct's name (`kvm_sregs`).
    pub name: &'static str,
    /// Its leaf fields.
    pub leaves: Vec<Leaf>,
    /// Its bytes in a seed.
    pub of: fn(&Seed) -> Vec<u8>,
    /// cr's verdict: the header restored into a fresh struct on a vCPU with these capabilities and the
    /// seed's id and APIC base, as bytes. The header is the bytes where it mirrors the struct; where it does
    /// not (the LAPIC's page, the irqchip's union), it is saved from them first, as an image would carry them.
    pub cr: fn(&[u8], &VcpuCaps, &Seed) -> CrVerdict,
    /// `KVM_SET_*` of these bytes.
    pub set: fn(&Scratch, &[u8]) -> Result<(), Refusal>,
    /// `KVM_GET_*`, as bytes comparable with what was set (`like`: the bytes set, for the MSR indexes).
    pub get: fn(&Scratch, &[u8]) -> Result<Vec<u8>, Refusal>,
    /// Whether a trial of these bytes may change vCPU state that resetting the subjects does not undo
    /// (an MSR outside the saved set): the vCPU is then replaced.
    pub dirty: fn(&[u8]) -> bool,
    /// Makes `got` equal to `set` where KVM changes the value by itself between the two ioctls (the TSC
    /// runs).
    pub settle: fn(&mut [u8], &[u8]),
}

fn errno(what: &str) -> impl Fn(kvm_ioctls::Error) -> Refusal + '_ {
    move |e| format!("{what}: errno {}", e.errno())
}

fn read<T: FromBytes>(bytes: &[u8]) -> T {
    T::read_from_bytes(bytes).expect("the subject's size")
}

fn header<H: FromBytes>(bytes: &[u8]) -> Result<H, Error> {
    H::read_from_bytes(bytes).map_err(|_| Error::new(ErrorKind::Truncated))
}

fn never(_: &[u8]) -> bool {
    false
}

fn same(_: &mut [u8], _: &[u8]) {}

fn leaves_of<H: Layout>() -> Vec<Leaf> {
    let mut out = Vec::new();
    leaves(H::FIELDS, 0, "", &mut out);
    out
}

/// A subject whose header targets the live struct itself.
macro_rules! plain {
    ($name:literal, $field:ident, $live:ty, $hdr:ty, $get:ident, $set:ident) => {
        Subject {
            name: $name,
            leaves: leaves_of::<$hdr>(),
            of: |s| s.vcpu.$field.as_bytes().to_vec(),
            cr: |b, _, _| {
                let mut live = <$live>::default();
                header::<$hdr>(b)?.restore(&mut live)?;
                Ok(live.as_bytes().to_vec())
            },
            set: |s, b| s.vcpu.$set(&read::<$live>(b)).map_err(errno(stringify!($set))),
            get: |s, _| Ok(s.vcpu.$get().map_err(errno(stringify!($get)))?.as_bytes().to_vec()),
            dirty: never,
            settle: same,
        }
    };
}

/// A subject whose header targets a view with the vCPU's capabilities.
macro_rules! viewed {
    ($name:literal, $field:ident, $live:ty, $hdr:ty, $view:ident, $get:ident, $set:ident) => {
        Subject {
            name: $name,
            leaves: leaves_of::<$hdr>(),
            of: |s| s.vcpu.$field.as_bytes().to_vec(),
            cr: |b, caps, _| {
                let mut live = <$live>::default();
                header::<$hdr>(b)?.restore(&mut $view {
                    $field: &mut live,
                    caps,
                })?;
                Ok(live.as_bytes().to_vec())
            },
            set: |s, b| s.vcpu.$set(&read::<$live>(b)).map_err(errno(stringify!($set))),
            get: |s, _| Ok(s.vcpu.$get().map_err(errno(stringify!($get)))?.as_bytes().to_vec()),
            dirty: never,
            settle: same,
        }
    };
}

/// The MSR list of [`SAVED_MSRS`], as one struct of `kvm_msr_entry`s.
fn msr_subject() -> Subject {
    let mut all = Vec::new();
    for i in 0..SAVED_MSRS.len() {
        leaves(CrHdrKvmMsr::FIELDS, 16 * i, &format!("msrs[{i}]"), &mut all);
    }
    Subject {
        name: "MSR list",
        leaves: all,
        of: |s| s.vcpu.msrs.as_bytes().to_vec(),
        cr: |b, _, _| {
            let entries = <[CrHdrKvmMsr]>::ref_from_bytes(b).map_err(|_| Error::new(ErrorKind::Truncated))?;
            Ok(cr_core::image::restore_entries::<CrHdrKvmMsr, kvm_msr_entry>(entries)?
                .as_bytes()
                .to_vec())
        },
        set: |s, b| {
            let entries = entries(b);
            let msrs = Msrs::from_entries(&entries).map_err(|e| format!("{e:?}"))?;
            match s.vcpu.set_msrs(&msrs).map_err(errno("KVM_SET_MSRS"))? {
                n if n == entries.len() => Ok(()),
                n => Err(format!("KVM_SET_MSRS set {n} of {} MSRs", entries.len())),
            }
        },
        get: |s, like| {
            let mut msrs = Msrs::from_entries(&entries(like)).map_err(|e| format!("{e:?}"))?;
            let n = s.vcpu.get_msrs(&mut msrs).map_err(errno("KVM_GET_MSRS"))?;
            let mut got = msrs.as_slice().to_vec();
            got.truncate(n);
            Ok(got.as_bytes().to_vec())
        },
        dirty: |b| entries(b).iter().any(|m| !SAVED_MSRS.contains(&m.index)),
        settle: |got, set| {
            // The TSC runs between KVM_SET_MSRS and KVM_GET_MSRS: some milliseconds' worth of cycles is no change.
            let (Ok(got), Ok(set)) = (
                <[kvm_msr_entry]>::mut_from_bytes(got),
                <[kvm_msr_entry]>::ref_from_bytes(set),
            ) else {
                return;
            };
            for (g, s) in got.iter_mut().zip(set) {
                if g.index == MSR_IA32_TSC && s.index == MSR_IA32_TSC && g.data.wrapping_sub(s.data) < 1 << 26 {
                    g.data = s.data;
                }
            }
        },
    }
}

fn entries(bytes: &[u8]) -> Vec<kvm_msr_entry> {
    <[kvm_msr_entry]>::ref_from_bytes(bytes).map_or_else(|_| Vec::new(), <[kvm_msr_entry]>::to_vec)
}

/// The leaves of the LAPIC: each register of [`CrHdrKvmLapic`] at its offset in the page (the header's
/// own paths, `lapic.regs[0x80..0x84]`), labelled by its header name (`lapic.tpr`).
fn lapic_leaves() -> Vec<Leaf> {
    CrHdrKvmLapic::FIELDS
        .iter()
        .filter_map(|f| {
            let (start, end) = page_range(f.path?)?;
            Some(Leaf {
                label: format!("lapic.{}", f.name),
                offset: start,
                size: end - start,
                kind: leaf_kind(&f.mode),
            })
        })
        .collect()
}

/// The byte range `start..end` of a register-page path (`lapic.regs[0x80..0x84]`).
fn page_range(path: &str) -> Option<(usize, usize)> {
    let range = path.rsplit_once('[')?.1.strip_suffix(']')?;
    let (start, end) = range.split_once("..")?;
    let number = |n: &str| match n.strip_prefix("0x") {
        Some(hex) => usize::from_str_radix(hex, 16).ok(),
        None => n.parse().ok(),
    };
    Some((number(start)?, number(end)?))
}

fn leaf_kind(mode: &Mode) -> LeafKind {
    match *mode {
        Mode::StrictMask { mask } => LeafKind::StrictMask(mask),
        Mode::Reserved => LeafKind::Reserved,
        _ => LeafKind::Data,
    }
}

/// The leaves of `kvm_irqchip` with the member chip `chip` selects: the tag and its padding, then the PIC
/// ([`CrHdrKvmPic`] mirrors `kvm_pic_state`) or the IOAPIC ([`CrHdrKvmIoapic`] mirrors its registers; a
/// redirection entry, whose header names its bitfields, is one 64-bit leaf of the live table).
fn irqchip_leaves(chip: u32) -> Vec<Leaf> {
    let member = core::mem::offset_of!(kvm_irqchip, chip);
    let mut out = vec![
        Leaf {
            label: "chip_id".into(),
            offset: 0,
            size: 4,
            kind: LeafKind::Data,
        },
        Leaf {
            label: "pad".into(),
            offset: 4,
            size: 4,
            kind: LeafKind::Reserved,
        },
    ];
    if chip < 2 {
        leaves(CrHdrKvmPic::FIELDS, member, "chip.pic", &mut out);
        return out;
    }
    let registers: Vec<FieldInfo> = CrHdrKvmIoapic::FIELDS
        .iter()
        .filter(|f| !matches!(f.mode, Mode::Nested(_)))
        .copied()
        .collect();
    leaves(&registers, member, "chip.ioapic", &mut out);
    let table = member + core::mem::offset_of!(kvm_ioapic_state, redirtbl);
    out.extend((0..24).map(|i| Leaf {
        label: format!("chip.ioapic.redirtbl[{i}]"),
        offset: table + 8 * i,
        size: 8,
        kind: LeafKind::Data,
    }));
    out
}

/// One interrupt controller of the irqchip VM, `KVM_SET_IRQCHIP` / `KVM_GET_IRQCHIP`.
macro_rules! irqchip {
    ($name:literal, $chip:literal) => {
        Subject {
            name: $name,
            leaves: irqchip_leaves($chip),
            of: |s| s.irqchips[$chip].as_bytes().to_vec(),
            cr: |b, _, _| {
                Ok(restore_irqchip(&save_irqchip(&read::<kvm_irqchip>(b)))?
                    .as_bytes()
                    .to_vec())
            },
            set: |s, b| {
                s.irq_vm
                    .set_irqchip(&read::<kvm_irqchip>(b))
                    .map_err(errno("KVM_SET_IRQCHIP"))
            },
            get: |s, like| {
                // A tag of another chip set that chip, whose bytes do not compare with this one's.
                if read::<kvm_irqchip>(like).chip_id != $chip {
                    return Err("the tag of another chip: nothing to compare".into());
                }
                let mut chip = kvm_irqchip {
                    chip_id: $chip,
                    ..Default::default()
                };
                s.irq_vm.get_irqchip(&mut chip).map_err(errno("KVM_GET_IRQCHIP"))?;
                Ok(chip.as_bytes().to_vec())
            },
            dirty: never,
            settle: same,
        }
    };
}

/// The VM-level subjects, in the order a restore sets them (the VMM's `Vm::load`): the irqchips, the PIT,
/// the clock, then the LAPIC (after its vCPU's system registers, which [`reset`] sets first).
fn vm_level_subjects() -> Vec<Subject> {
    vec![
        irqchip!("irqchip 0 (PIC master)", 0),
        irqchip!("irqchip 1 (PIC slave)", 1),
        irqchip!("irqchip 2 (IOAPIC)", 2),
        Subject {
            name: "kvm_pit_state2",
            leaves: leaves_of::<CrHdrKvmPitState2>(),
            of: |s| s.pit.as_bytes().to_vec(),
            cr: |b, _, _| Ok(restore_pit(&header(b)?)?.as_bytes().to_vec()),
            set: |s, b| s.irq_vm.set_pit2(&read(b)).map_err(errno("KVM_SET_PIT2")),
            get: |s, _| Ok(s.irq_vm.get_pit2().map_err(errno("KVM_GET_PIT2"))?.as_bytes().to_vec()),
            dirty: never,
            settle: |got, set| {
                // KVM_SET_PIT2 reloads each channel's count at the host's time of the call.
                let (mut g, s) = (read::<kvm_pit_state2>(got), read::<kvm_pit_state2>(set));
                for (g, s) in g.channels.iter_mut().zip(&s.channels) {
                    g.count_load_time = s.count_load_time;
                }
                got.copy_from_slice(g.as_bytes());
            },
        },
        Subject {
            name: "kvm_clock_data",
            leaves: leaves_of::<CrHdrKvmClock>(),
            of: |s| s.clock.as_bytes().to_vec(),
            cr: |b, _, _| Ok(restore_clock(&header(b)?)?.as_bytes().to_vec()),
            set: |s, b| s.irq_vm.set_clock(&read(b)).map_err(errno("KVM_SET_CLOCK")),
            get: |s, _| {
                Ok(s.irq_vm
                    .get_clock()
                    .map_err(errno("KVM_GET_CLOCK"))?
                    .as_bytes()
                    .to_vec())
            },
            dirty: never,
            settle: |got, set| {
                // KVM_GET_CLOCK reads the host's wall time and TSC of the call; the clock runs in between
                // (up to a second of it is no change), and with REALTIME, KVM_SET_CLOCK advanced it by the
                // wall time since `realtime` (what the flag is for: the time a migration took).
                let (mut g, s) = (read::<kvm_clock_data>(got), read::<kvm_clock_data>(set));
                let advance = match s.flags & g.flags & KVM_CLOCK_REALTIME {
                    0 => 0,
                    _ => g.realtime.saturating_sub(s.realtime),
                };
                let off = (g.clock as i64).wrapping_sub(s.clock.wrapping_add(advance) as i64);
                if off.unsigned_abs() < 1_000_000_000 {
                    g.clock = s.clock;
                }
                (g.realtime, g.host_tsc) = (s.realtime, s.host_tsc);
                got.copy_from_slice(g.as_bytes());
            },
        },
        Subject {
            name: "kvm_lapic_state",
            leaves: lapic_leaves(),
            of: |s| s.lapic.as_bytes().to_vec(),
            cr: |b, _, seed| {
                let hdr = save_lapic(&read(b));
                Ok(restore_lapic(&hdr, seed.vcpu_id, seed.vcpu.sregs.apic_base)?
                    .as_bytes()
                    .to_vec())
            },
            set: |s, b| s.lapic_vcpu().set_lapic(&read(b)).map_err(errno("KVM_SET_LAPIC")),
            get: |s, _| {
                Ok(s.lapic_vcpu()
                    .get_lapic()
                    .map_err(errno("KVM_GET_LAPIC"))?
                    .as_bytes()
                    .to_vec())
            },
            dirty: never,
            settle: |got, set| {
                // The timer's current count is computed by KVM_GET_LAPIC from the time since the set.
                got[0x390..0x394].copy_from_slice(&set[0x390..0x394]);
            },
        },
    ]
}

/// Every struct under test, in the order a restore sets them (the order [`reset`] uses): system registers,
/// registers, XCRs, debug registers, MSRs, events; then the VM-level structs.
pub fn subjects() -> Vec<Subject> {
    let mut all = vcpu_subjects();
    all.extend(vm_level_subjects());
    all
}

fn vcpu_subjects() -> Vec<Subject> {
    vec![
        viewed!(
            "kvm_sregs",
            sregs,
            kvm_sregs,
            CrHdrKvmSregs,
            SregsOn,
            get_sregs,
            set_sregs
        ),
        plain!("kvm_regs", regs, kvm_regs, CrHdrKvmRegs, get_regs, set_regs),
        viewed!("kvm_xcrs", xcrs, kvm_xcrs, CrHdrKvmXcrs, XcrsOn, get_xcrs, set_xcrs),
        plain!(
            "kvm_debugregs",
            debugregs,
            kvm_debugregs,
            CrHdrKvmDebugregs,
            get_debug_regs,
            set_debug_regs
        ),
        msr_subject(),
        viewed!(
            "kvm_vcpu_events",
            events,
            kvm_vcpu_events,
            CrHdrKvmVcpuEvents,
            EventsOn,
            get_vcpu_events,
            set_vcpu_events
        ),
    ]
}

/// Sets every subject of `seed` on the scratch VMs, in order, the LAPIC's vCPU first put in the seed's
/// APIC mode.
pub fn reset(scratch: &mut Scratch, subjects: &[Subject], seed: &Seed) -> Result<(), Refusal> {
    scratch.dest = seed.vcpu_id;
    scratch.apic_mode(&seed.vcpu.sregs)?;
    subjects.iter().try_for_each(|s| (s.set)(scratch, &(s.of)(seed)))
}

// ---------------------------------------------------------------------------------------------
// Mutations.
// ---------------------------------------------------------------------------------------------

/// xorshift64*: reproducible from its seed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn word(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (> 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.word() % n as u64) as usize
    }
}

fn load(bytes: &[u8], at: usize, size: usize) -> u64 {
    let mut v = [0u8; 8];
    v[..size].copy_from_slice(&bytes[at..at + size]);
    u64::from_le_bytes(v)
}

fn store(bytes: &mut [u8], at: usize, size: usize, value: u64) {
    bytes[at..at + size].copy_from_slice(&value.to_le_bytes()[..size]);
}

/// Mutates one leaf of `bytes` (another real state in `other`) and returns its label.
fn mutate(rng: &mut Rng, leaves: &[Leaf], bytes: &mut [u8], other: &[u8]) -> String {
    let leaf = &leaves[rng.below(leaves.len())];
    // Arrays wider than a word: one element (a word, or a byte of a byte array).
    let (mut at, mut size, mut label) = (leaf.offset, leaf.size, leaf.label.clone());
    if size > 8 {
        let w = if size % 8 == 0 { 8 } else { 1 };
        let i = rng.below(size / w);
        (at, size, label) = (at + i * w, w, format!("{label}[{i}]"));
    }
    let bits = 8 * size as u32;
    let all = u64::MAX >> (64 - bits);
    let old = load(bytes, at, size);
    let bit = 1u64 << rng.below(bits as usize);
    let value = match rng.below(20) {
        0..=5 => old ^ bit,
        6..=10 => match rng.below(10) {
            0 => 0,
            1 => 1,
            2 => all,
            3 => all >> 1,
            4 => 1 << (bits - 1),
            5 => bit,
            6 => bit.wrapping_sub(1),
            7 => old.wrapping_add(1),
            8 => old.wrapping_sub(1),
            _ => !bit,
        },
        11..=14 => match leaf.kind {
            LeafKind::StrictMask(mask) if all & !mask != 0 => {
                let outside: Vec<u32> = (0..bits).filter(|b| !mask >> b & 1 == 1).collect();
                old | 1 << outside[rng.below(outside.len())]
            }
            LeafKind::Reserved => bit,
            _ => old ^ bit,
        },
        15..=17 => rng.word(),
        _ => load(other, at, size),
    };
    store(bytes, at, size, value & all);
    label
}

// ---------------------------------------------------------------------------------------------
// Verdicts and their tally.
// ---------------------------------------------------------------------------------------------

/// A field KVM changed, with how often and one example.
#[derive(Clone, Debug, Default)]
pub struct Change {
    pub count: u64,
    /// The first one seen: the value set and the value KVM kept.
    pub example: (u64, u64),
}

/// A state cr accepted and KVM refused: what was mutated and why KVM refused.
#[derive(Clone, Debug)]
pub struct Escape {
    pub mutated: Vec<String>,
    pub refusal: Refusal,
}

/// One struct's figures.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub tried: u64,
    pub both_accept: u64,
    pub both_refuse: u64,
    /// cr refuses, KVM accepts: by cr's rule (`live path: reason`).
    pub cr_stricter: BTreeMap<String, u64>,
    /// cr accepts, KVM refuses: must stay 0.
    pub kernel_stricter: u64,
    /// The first of them.
    pub escapes: Vec<Escape>,
    /// Fields KVM changed in a state both accepted (the value read back is not the value set): what
    /// passes cr and is still not what the vCPU holds.
    pub changed: BTreeMap<String, Change>,
    /// Fields KVM changed in a state only cr refused (masked, clamped or dropped: part of why cr refuses).
    pub changed_refused_by_cr: BTreeMap<String, Change>,
    /// Fields KVM changed in a state it refused (the refused call left the vCPU changed).
    pub refused_changed: BTreeMap<String, Change>,
    /// vCPUs replaced after a trial that could leave state behind.
    pub replaced: u64,
}

impl Tally {
    /// The states cr refuses and KVM accepts.
    pub fn cr_stricter_total(&self) -> u64 {
        self.cr_stricter.values().sum()
    }
}

/// cr's rule behind a refusal: the field's live path (its header route where it has none: a reserved
/// field) and the reason, without the values.
pub fn rule(e: &Error) -> String {
    let text = e.to_string();
    let between = |open: &str| text.split(open).nth(1).and_then(|t| t.split('`').next());
    let route = match e.kind() {
        ErrorKind::ReservedNotZero => between("header field `"),
        _ => between("(live `").or(between("header field `")),
    };
    let what = match e.kind() {
        ErrorKind::Invalid { reason } => reason.to_string(),
        ErrorKind::MaskViolation { .. } => "bits outside its strict mask".to_string(),
        ErrorKind::ReservedNotZero => "reserved, not zero".to_string(),
        ErrorKind::UnknownFlags { .. } => "flag bits no flag names".to_string(),
        ErrorKind::UnknownVariant { .. } => "a tag that selects no variant".to_string(),
        ErrorKind::InactiveVariant { .. } => "data in a variant the tag does not select".to_string(),
        kind => format!("{kind:?}"),
    };
    let route = route.unwrap_or("?");
    match (route.contains(".."), e.leaf_field()) {
        // A register of a page: its name too (`lapic.regs[0x80..0x84]` is `tpr`).
        (true, Some(name)) => format!("{route} ({name}): {what}"),
        _ => format!("{route}: {what}"),
    }
}

/// The leaves whose bytes differ between `a` and `b`, each with both values (arrays element by element).
fn differing(leaves: &[Leaf], a: &[u8], b: &[u8]) -> Vec<(String, u64, u64)> {
    let mut out = Vec::new();
    for leaf in leaves {
        let w = match leaf.size {
            n if n <= 8 => n,
            n if n % 8 == 0 => 8,
            _ => 1,
        };
        for i in 0..leaf.size / w {
            let at = leaf.offset + i * w;
            if at + w > a.len().min(b.len()) {
                continue;
            }
            let (x, y) = (load(a, at, w), load(b, at, w));
            if x != y {
                let label = if leaf.size > w {
                    format!("{}[{i}]", leaf.label)
                } else {
                    leaf.label.clone()
                };
                out.push((label, x, y));
            }
        }
    }
    out
}

fn note(map: &mut BTreeMap<String, Change>, changes: Vec<(String, u64, u64)>) {
    for (label, set, got) in changes {
        let c = map.entry(label).or_insert_with(|| Change {
            count: 0,
            example: (set, got),
        });
        c.count += 1;
    }
}

/// Why a run could not go on.
#[derive(Debug)]
pub enum Stop {
    /// An ioctl outside the trials failed (creating a vCPU).
    Kvm(kvm_ioctls::Error),
    /// KVM refused a seed itself, on a fresh vCPU.
    SeedRefused(Refusal),
}

/// Tries `states` mutated states of `subjects[which]` from `seeds`, each judged by cr and by KVM.
pub fn run(
    kvm: &Kvm,
    scratch: &mut Scratch,
    subjects: &[Subject],
    which: usize,
    seeds: &[Seed],
    states: u64,
    rng: &mut Rng,
) -> Result<Tally, Stop> {
    let subject = &subjects[which];
    let mut tally = Tally::default();
    for _ in 0..states {
        let s = rng.below(seeds.len());
        let mut bytes = (subject.of)(&seeds[s]);
        let other = (subject.of)(&seeds[rng.below(seeds.len())]);
        let n = 1 + usize::from(rng.below(4) == 0) + usize::from(rng.below(16) == 0);
        let mutated: Vec<String> = (0..n)
            .map(|_| mutate(rng, &subject.leaves, &mut bytes, &other))
            .collect();

        let cr = (subject.cr)(&bytes, &scratch.caps, &seeds[s]);
        // What a VMM would hand KVM: cr's restored struct where cr accepts.
        let send = cr.as_ref().map_or(bytes.clone(), Vec::clone);
        reset_or_replace(kvm, scratch, subjects, &seeds[s])?;
        // What the vCPU reads back before the call: the state a refused call must leave.
        let base = (subject.of)(&seeds[s]);
        let before = (subject.get)(scratch, &base).map_err(Stop::SeedRefused)?;
        let kernel = (subject.set)(scratch, &send);
        tally.tried += 1;
        match (&cr, &kernel) {
            (Ok(_), Ok(())) => tally.both_accept += 1,
            (Err(_), Err(_)) => tally.both_refuse += 1,
            (Err(e), Ok(())) => *tally.cr_stricter.entry(rule(e)).or_default() += 1,
            (Ok(_), Err(refusal)) => {
                tally.kernel_stricter += 1;
                if tally.escapes.len() < 10 {
                    tally.escapes.push(Escape {
                        mutated: mutated.clone(),
                        refusal: refusal.clone(),
                    });
                }
            }
        }
        if kernel.is_ok() {
            if let Ok(mut got) = (subject.get)(scratch, &send) {
                (subject.settle)(&mut got, &send);
                let changes = differing(&subject.leaves, &send, &got);
                let map = if cr.is_ok() {
                    &mut tally.changed
                } else {
                    &mut tally.changed_refused_by_cr
                };
                note(map, changes);
            }
        } else {
            if let Ok(mut got) = (subject.get)(scratch, &base) {
                (subject.settle)(&mut got, &before);
                note(&mut tally.refused_changed, differing(&subject.leaves, &before, &got));
            }
        }
        if (subject.dirty)(&send) {
            scratch.replace_vcpu(kvm).map_err(Stop::Kvm)?;
            tally.replaced += 1;
        }
    }
    Ok(tally)
}

fn reset_or_replace(kvm: &Kvm, scratch: &mut Scratch, subjects: &[Subject], seed: &Seed) -> Result<(), Stop> {
    if reset(scratch, subjects, seed).is_ok() {
        return Ok(());
    }
    scratch.replace_vcpu(kvm).map_err(Stop::Kvm)?;
    reset(scratch, subjects, seed).map_err(Stop::SeedRefused)
}

/// One struct's figures as a Markdown section.
pub fn markdown(name: &str, t: &Tally) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| {name} | {} | {} | {} | {} | **{}** |",
        t.tried,
        t.both_accept,
        t.both_refuse,
        t.cr_stricter_total(),
        t.kernel_stricter
    );
    out
}

/// The details of one struct: cr's stricter rules, KVM's silent changes, refused calls that changed
/// the vCPU, and any state cr accepted that KVM refused.
pub fn details(name: &str, t: &Tally) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "#### {name}\n");
    if !t.cr_stricter.is_empty() {
        let _ = writeln!(out, "cr refuses, KVM accepts ({}):\n", t.cr_stricter_total());
        let mut rules: Vec<_> = t.cr_stricter.iter().collect();
        rules.sort_by(|a, b| b.1.cmp(a.1));
        for (rule, n) in rules {
            let _ = writeln!(out, "- {n}: `{rule}`");
        }
        out.push('\n');
    }
    for (title, map) in [
        ("Both accepted, and KVM changed", &t.changed),
        ("Only cr refused, and KVM changed", &t.changed_refused_by_cr),
        ("KVM refused, and the vCPU changed all the same", &t.refused_changed),
    ] {
        if map.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title} (field: times, first example set -> read back):\n");
        for (label, c) in map {
            let _ = writeln!(
                out,
                "- `{label}`: {} ({:#x} -> {:#x})",
                c.count, c.example.0, c.example.1
            );
        }
        out.push('\n');
    }
    for e in &t.escapes {
        let _ = writeln!(
            out,
            "- cr accepted, KVM refused ({}): mutated {:?}",
            e.refusal, e.mutated
        );
    }
    out
}
