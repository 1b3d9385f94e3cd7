//! The VM: KVM's VM with an in-kernel irqchip (PIC pair, IOAPIC, a LAPIC per vCPU) and PIT, one memory
//! slot, two vCPUs that the VMM starts in long mode, and the serial device. Owns the run loop (a thread
//! per vCPU, all paused on request by a signal), the snapshot's ioctls and the restore's, and nothing of
//! what an image holds or checks.

use crate::failure::{ioctl, Failure};
use crate::guest::{self, DONE_PORT, FAULT_PORT, SERIAL_INPUT, VCPUS};
use crate::image::{read_image, Restored};
use crate::serial::SerialDevice;
use crate::state::{Snapshot, VcpuSnapshot, VmState};
use crate::sys::{self, GuestMemory};
use cr::kvm_x86_64::VcpuCaps;
use cr::kvm_x86_64::{VcpuState, MSR_IA32_TSC, SAVED_MSRS};
use kvm_bindings::{
    kvm_irqchip, kvm_mp_state, kvm_msr_entry, kvm_pit_config, kvm_userspace_memory_region, CpuId, Msrs,
    KVM_MAX_CPUID_ENTRIES, KVM_MP_STATE_RUNNABLE, KVM_PIT_SPEAKER_DUMMY,
};
use kvm_ioctls::{Kvm, VcpuExit, VcpuFd, VmFd};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Once};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use vmm_sys_util::signal::{register_signal_handler, Killable, SIGRTMIN};

/// Opens `/dev/kvm`.
pub fn open_kvm() -> Result<Kvm, Failure> {
    Kvm::new().map_err(Failure::NoKvm)
}

/// When [`Vm::run`] returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Once the guest has printed this many lines in all: every vCPU is then paused, the one that printed
    /// the last newline stopped in that `out` (see [`Vm::complete_io`]).
    Lines(usize),
    /// Once every vCPU has finished (written to the guest's done port).
    Finished,
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// [`Stop::Lines`]: every vCPU is out of `KVM_RUN`; `pause` is the time from the request to the last
    /// vCPU out.
    Paused { pause: Duration },
    /// [`Stop::Finished`]: each vCPU's final value (its `r8` at the done port).
    Finished([u64; VCPUS]),
}

/// A VM with an in-kernel irqchip and PIT, [`VCPUS`] vCPUs, one memory slot and a serial port. Field order
/// matters: the vCPU and VM fds close before the memory they map is unmapped.
pub struct Vm {
    /// The vCPUs, by id; moved into their threads while [`Vm::run`] runs.
    vcpus: Vec<VcpuFd>,
    vm: VmFd,
    serial: Arc<Mutex<SerialDevice>>,
    memory: GuestMemory,
    region: kvm_userspace_memory_region,
    /// What its vCPUs can hold (from their CPUID and KVM's capabilities): images are checked against it.
    pub caps: VcpuCaps,
}

/// What a vCPU thread and the thread that runs them share.
struct Shared {
    serial: Arc<Mutex<SerialDevice>>,
    /// Every vCPU is to leave `KVM_RUN` and return ([`Shared::request_pause`]).
    pause: AtomicBool,
    /// When the pause was first asked for.
    requested: Mutex<Option<Instant>>,
    /// The console's lines so far (the watchdog's measure of progress).
    lines: AtomicUsize,
    stop: Stop,
    /// Notified when a vCPU thread ends or asks for the pause.
    changed: (Mutex<()>, Condvar),
}

/// How one vCPU's thread ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum VcpuEnd {
    Paused,
    Finished(u64),
}

fn lock(serial: &Mutex<SerialDevice>) -> MutexGuard<'_, SerialDevice> {
    // A vCPU thread that panicked holding the lock left the device as consistent as between two
    // accesses: keep using it.
    serial.lock().unwrap_or_else(|e| e.into_inner())
}

/// The signal that kicks a vCPU thread out of `KVM_RUN` (`EINTR`); its handler does nothing.
fn kick_signal() -> libc::c_int {
    extern "C" fn on_kick(_: libc::c_int, _: *mut libc::siginfo_t, _: *mut libc::c_void) {}
    static HANDLER: Once = Once::new();
    HANDLER.call_once(|| {
        // Without a handler the signal would end the process; with SA_RESTART unset, KVM_RUN returns EINTR.
        register_signal_handler(SIGRTMIN(), on_kick).expect("SIGRTMIN takes a handler");
    });
    SIGRTMIN()
}

impl Vm {
    /// A new VM with `mem_size` bytes of zeroed memory at guest address 0 (slot 0), an in-kernel irqchip
    /// and PIT, [`VCPUS`] vCPUs in their reset state with the CPUID KVM supports (each with its APIC ID),
    /// and a serial port in its reset state. Nothing of the guest is loaded.
    pub fn new(kvm: &Kvm, mem_size: usize) -> Result<Vm, Failure> {
        let vm = kvm.create_vm().map_err(ioctl("KVM_CREATE_VM"))?;
        // Needed on Intel without unrestricted guest; harmless elsewhere.
        vm.set_tss_address(0xfffb_d000).map_err(ioctl("KVM_SET_TSS_ADDR"))?;
        // The PIC pair and the IOAPIC now, a LAPIC with every vCPU created after.
        vm.create_irq_chip().map_err(ioctl("KVM_CREATE_IRQCHIP"))?;
        let pit = kvm_pit_config {
            flags: KVM_PIT_SPEAKER_DUMMY,
            ..Default::default()
        };
        vm.create_pit2(pit).map_err(ioctl("KVM_CREATE_PIT2"))?;
        let memory = GuestMemory::new(mem_size).map_err(|e| Failure::Io("mapping guest memory", e))?;
        let mut region = kvm_userspace_memory_region {
            slot: 0,
            flags: 0,
            guest_phys_addr: 0,
            memory_size: 0,
            userspace_addr: 0,
        };
        sys::map(&vm, &mut region, &memory).map_err(ioctl("KVM_SET_USER_MEMORY_REGION"))?;
        let cpuid = kvm
            .get_supported_cpuid(KVM_MAX_CPUID_ENTRIES)
            .map_err(ioctl("KVM_GET_SUPPORTED_CPUID"))?;
        let mut vcpus = Vec::with_capacity(VCPUS);
        for id in 0..VCPUS as u32 {
            let vcpu = vm.create_vcpu(u64::from(id)).map_err(ioctl("KVM_CREATE_VCPU"))?;
            vcpu.set_cpuid2(&with_apic_id(&cpuid, id))
                .map_err(ioctl("KVM_SET_CPUID2"))?;
            vcpus.push(vcpu);
        }
        let serial = Arc::new(Mutex::new(SerialDevice::new(&vm)?));
        Ok(Vm {
            vcpus,
            vm,
            serial,
            memory,
            region,
            caps: VcpuCaps::of(kvm, &cpuid),
        })
    }

    /// The memory slot, as KVM has it.
    pub fn region(&self) -> &kvm_userspace_memory_region {
        &self.region
    }

    /// The guest memory.
    pub fn memory(&self) -> &[u8] {
        self.memory.as_slice()
    }

    /// What the guest printed on the serial port since the device was created or restored.
    pub fn output(&self) -> Vec<u8> {
        lock(&self.serial).output().to_vec()
    }

    /// The timer interrupts each CPU of the guest has taken (its counters in memory): these depend on
    /// the host's timing, which is why the guest prints the ticks it waited for instead.
    pub fn ticks(&self) -> [u64; VCPUS] {
        std::array::from_fn(|cpu| {
            let at = guest::ticks_addr(cpu) as usize;
            u64::from_le_bytes(self.memory()[at..at + 8].try_into().unwrap_or_default())
        })
    }

    /// Loads the guest and points every vCPU at it in 64-bit mode (the AP, which KVM creates waiting for
    /// INIT/SIPI, is made runnable), and queues [`SERIAL_INPUT`] in the UART's receive FIFO.
    pub fn boot(&mut self, rounds: u32) -> Result<(), Failure> {
        guest::load(self.memory.as_mut_slice());
        for (cpu, vcpu) in self.vcpus.iter().enumerate() {
            let mut sregs = vcpu.get_sregs().map_err(ioctl("KVM_GET_SREGS"))?;
            guest::entry_sregs(&mut sregs);
            vcpu.set_sregs(&sregs).map_err(ioctl("KVM_SET_SREGS"))?;
            vcpu.set_regs(&guest::entry_regs(cpu, rounds))
                .map_err(ioctl("KVM_SET_REGS"))?;
            let runnable = kvm_mp_state {
                mp_state: KVM_MP_STATE_RUNNABLE,
            };
            vcpu.set_mp_state(runnable).map_err(ioctl("KVM_SET_MP_STATE"))?;
        }
        let queued = lock(&self.serial).input(SERIAL_INPUT);
        if queued != SERIAL_INPUT.len() {
            return Err(Failure::Broken(format!(
                "the UART took {queued} of {} input bytes",
                SERIAL_INPUT.len()
            )));
        }
        Ok(())
    }

    /// Runs every vCPU on a thread of its own until `stop`. Every vCPU is out of `KVM_RUN` when this
    /// returns, whatever it returns. A guest that prints no line for `watchdog` is paused and reported
    /// ([`Failure::Stalled`]).
    pub fn run(&mut self, stop: Stop, watchdog: Duration) -> Result<Exit, Failure> {
        let signal = kick_signal();
        let shared = Arc::new(Shared {
            serial: Arc::clone(&self.serial),
            pause: AtomicBool::new(false),
            requested: Mutex::new(None),
            lines: AtomicUsize::new(lock(&self.serial).lines()),
            stop,
            changed: (Mutex::new(()), Condvar::new()),
        });
        let mut threads = Vec::with_capacity(VCPUS);
        for (id, vcpu) in std::mem::take(&mut self.vcpus).into_iter().enumerate() {
            let ours = Arc::clone(&shared);
            let spawned = std::thread::Builder::new()
                .name(format!("vcpu{id}"))
                .spawn(move || vcpu_thread(vcpu, id, &ours));
            match spawned {
                Ok(handle) => threads.push(handle),
                Err(e) => {
                    shared.request_pause();
                    self.join(threads, signal);
                    return Err(Failure::Io("starting a vCPU thread", e));
                }
            }
        }
        let stalled = supervise(&shared, &threads, signal, watchdog);
        let ends = self.join(threads, signal);
        let requested = *shared.requested.lock().unwrap_or_else(|e| e.into_inner());
        let pause = requested.map_or(Duration::ZERO, |t| t.elapsed());
        let mut finals = [None; VCPUS];
        for (id, end) in ends.into_iter().enumerate() {
            if let VcpuEnd::Finished(value) = end? {
                finals[id] = Some(value);
            }
        }
        if let Some(after) = stalled {
            let lines = shared.lines.load(Ordering::SeqCst);
            return Err(Failure::Stalled { lines, after });
        }
        match (stop, finals) {
            (Stop::Lines(_), [None, None]) => Ok(Exit::Paused { pause }),
            (Stop::Lines(_), _) => Err(Failure::Broken(
                "a vCPU finished before the snapshot: snapshot_after must be below the guest's line count".into(),
            )),
            (Stop::Finished, [Some(a), Some(b)]) => Ok(Exit::Finished([a, b])),
            (Stop::Finished, _) => Err(Failure::Broken("a vCPU paused before finishing".into())),
        }
    }

    /// Joins the vCPU threads (kicking them until they end) and takes their vCPUs back, in id order.
    fn join(
        &mut self,
        threads: Vec<JoinHandle<(VcpuFd, Result<VcpuEnd, Failure>)>>,
        signal: i32,
    ) -> Vec<Result<VcpuEnd, Failure>> {
        let mut ends = Vec::with_capacity(threads.len());
        for handle in threads {
            while !handle.is_finished() {
                let _ = handle.kill(signal);
                std::thread::sleep(Duration::from_micros(200));
            }
            match handle.join() {
                Ok((vcpu, end)) => {
                    self.vcpus.push(vcpu);
                    ends.push(end);
                }
                Err(_) => ends.push(Err(Failure::Broken("a vCPU thread panicked".into()))),
            }
        }
        ends
    }

    /// Completes the I/O each vCPU is stopped in, without running the guest further: `KVM_RUN` with
    /// `immediate_exit` set finishes a pending `out` or `in` (RIP moves past it) and returns EINTR before
    /// entering the guest. Without it a restored guest would repeat the `out`.
    pub fn complete_io(&mut self) -> Result<(), Failure> {
        for vcpu in &mut self.vcpus {
            vcpu.set_kvm_immediate_exit(1);
            let ran = vcpu.run().map(|_| ()).map_err(|e| e.errno());
            vcpu.set_kvm_immediate_exit(0);
            match ran {
                Err(libc::EINTR) => {}
                Ok(()) => return Err(Failure::Broken("KVM_RUN with immediate_exit entered the guest".into())),
                Err(errno) => return Err(Failure::Kvm("KVM_RUN (immediate_exit)", kvm_ioctls::Error::new(errno))),
            }
        }
        Ok(())
    }

    /// Reads everything a snapshot holds but the memory: the irqchips, the PIT and the clock, every vCPU's
    /// state and LAPIC, the serial port's state (the ioctls a VMM's snapshot makes).
    pub fn save(&self) -> Result<Snapshot, Failure> {
        let mut irqchips = [kvm_irqchip::default(); 3];
        for (chip_id, chip) in (0..).zip(&mut irqchips) {
            chip.chip_id = chip_id;
            self.vm.get_irqchip(chip).map_err(ioctl("KVM_GET_IRQCHIP"))?;
        }
        let vm = VmState {
            irqchips,
            pit: self.vm.get_pit2().map_err(ioctl("KVM_GET_PIT2"))?,
            clock: self.vm.get_clock().map_err(ioctl("KVM_GET_CLOCK"))?,
        };
        let mut vcpus = Vec::with_capacity(self.vcpus.len());
        for vcpu in &self.vcpus {
            vcpus.push(VcpuSnapshot {
                state: save_vcpu(vcpu)?,
                lapic: vcpu.get_lapic().map_err(ioctl("KVM_GET_LAPIC"))?,
            });
        }
        Ok(Snapshot {
            vm,
            vcpus,
            serial: lock(&self.serial).state(),
        })
    }

    /// Hands a checked snapshot to KVM and the device: the irqchips before the PIT (whose ticks start at
    /// KVM_SET_PIT2 and should meet the restored chips), the clock; then each vCPU in the order Firecracker
    /// restores one (system registers before what depends on the mode, the LAPIC after the APIC base,
    /// events last); then the serial port.
    pub fn load(&mut self, snapshot: &Snapshot) -> Result<(), Failure> {
        if snapshot.vcpus.len() != self.vcpus.len() {
            return Err(Failure::Broken("the snapshot's vCPUs are not this VM's".into()));
        }
        for chip in &snapshot.vm.irqchips {
            self.vm.set_irqchip(chip).map_err(ioctl("KVM_SET_IRQCHIP"))?;
        }
        self.vm.set_pit2(&snapshot.vm.pit).map_err(ioctl("KVM_SET_PIT2"))?;
        self.vm.set_clock(&snapshot.vm.clock).map_err(ioctl("KVM_SET_CLOCK"))?;
        for (vcpu, saved) in self.vcpus.iter().zip(&snapshot.vcpus) {
            load_vcpu(vcpu, saved)?;
        }
        lock(&self.serial).restore(&snapshot.serial)
    }

    /// Restores this (new) VM from an image: reads and checks all of it first ([`read_image`]: every
    /// checksum, record and header check), and only then copies the memory and makes the ioctls. On
    /// `Err(Failure::Refused)` nothing of the VM was touched.
    pub fn restore(&mut self, image: &[u8]) -> Result<(), Failure> {
        let restored = read_image(image, &self.region, self.vcpus.len(), &self.caps).map_err(Failure::Refused)?;
        self.apply(&restored)
    }

    /// Copies a checked image's memory into this VM and hands its state to KVM and the device.
    pub fn apply(&mut self, restored: &Restored<'_>) -> Result<(), Failure> {
        if restored.memory.len() != self.memory.as_slice().len() {
            return Err(Failure::Broken("the image's memory is not this VM's size".into()));
        }
        self.memory.as_mut_slice().copy_from_slice(restored.memory);
        self.load(&restored.snapshot)
    }

    /// What a refused restore must leave as it was: every vCPU's registers, system registers, events,
    /// MSRs and LAPIC; the irqchips and the PIT; the serial port; the memory (by checksum). The TSC and
    /// the clock, which run, are left out.
    pub fn observe(&self) -> Result<Observed, Failure> {
        let s = self.save()?;
        Ok(Observed {
            vcpus: s
                .vcpus
                .into_iter()
                .map(|v| ObservedVcpu {
                    regs: v.state.regs,
                    sregs: v.state.sregs,
                    events: v.state.events,
                    msrs: v.state.msrs.into_iter().filter(|m| m.index != MSR_IA32_TSC).collect(),
                    lapic: v.lapic,
                })
                .collect(),
            irqchips_and_pit: VmState {
                clock: Default::default(),
                ..s.vm
            },
            serial: s.serial,
            memory_crc: cr_core::image::crc32c(self.memory()),
        })
    }
}

impl Shared {
    /// Asks every vCPU to leave `KVM_RUN` and return; the first ask is the pause's start.
    fn request_pause(&self) {
        self.pause.store(true, Ordering::SeqCst);
        self.requested
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert_with(Instant::now);
        self.changed.1.notify_all();
    }
}

/// Watches the vCPU threads until every one has ended: kicks them while a pause is asked for (by a vCPU
/// at the requested line, by one that failed, or here), and asks for one when no line came for
/// `watchdog` (returning how long none came).
fn supervise(
    shared: &Shared,
    threads: &[JoinHandle<(VcpuFd, Result<VcpuEnd, Failure>)>],
    signal: i32,
    watchdog: Duration,
) -> Option<Duration> {
    let (mutex, changed) = &shared.changed;
    let mut guard = mutex.lock().unwrap_or_else(|e| e.into_inner());
    let mut lines = shared.lines.load(Ordering::SeqCst);
    let mut progress = Instant::now();
    let mut stalled = None;
    while !threads.iter().all(|t| t.is_finished()) {
        let now = shared.lines.load(Ordering::SeqCst);
        if now != lines {
            (lines, progress) = (now, Instant::now());
        }
        if !shared.pause.load(Ordering::SeqCst) && progress.elapsed() >= watchdog {
            stalled = Some(progress.elapsed());
            shared.request_pause();
        }
        if shared.pause.load(Ordering::SeqCst) {
            // Again every millisecond: a kick that lands between a thread's look at `pause` and its
            // KVM_RUN is lost.
            for thread in threads.iter().filter(|t| !t.is_finished()) {
                let _ = thread.kill(signal);
            }
        }
        guard = changed
            .wait_timeout(guard, Duration::from_millis(1))
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
    stalled
}

/// A vCPU's thread: runs it until it pauses, finishes or fails, and hands it back.
fn vcpu_thread(mut vcpu: VcpuFd, id: usize, shared: &Shared) -> (VcpuFd, Result<VcpuEnd, Failure>) {
    let end = vcpu_loop(&mut vcpu, id, shared);
    if end.is_err() {
        shared.request_pause();
    }
    shared.changed.1.notify_all();
    (vcpu, end)
}

/// What the run loop does after an exit, once the exit's borrow of the vCPU has ended.
enum Next {
    Run,
    Finished,
    Fault,
    Unexpected(String),
}

/// Runs the vCPU, serving its exits (the serial port's ports, the guest's done and fault ports), until a
/// pause is asked for, the guest finishes or something fails.
fn vcpu_loop(vcpu: &mut VcpuFd, id: usize, shared: &Shared) -> Result<VcpuEnd, Failure> {
    loop {
        if shared.pause.load(Ordering::SeqCst) {
            return Ok(VcpuEnd::Paused);
        }
        let next = match vcpu.run() {
            Ok(VcpuExit::IoOut(port, data)) if SerialDevice::decodes(port) => {
                let mut serial = lock(&shared.serial);
                serial
                    .io_out(port, data)
                    .map_err(|e| Failure::Io("the serial port's output", e))?;
                let lines = serial.lines();
                drop(serial);
                shared.lines.store(lines, Ordering::SeqCst);
                if matches!(shared.stop, Stop::Lines(n) if lines >= n) {
                    shared.request_pause();
                }
                Next::Run
            }
            Ok(VcpuExit::IoIn(port, data)) if SerialDevice::decodes(port) => {
                lock(&shared.serial).io_in(port, data);
                Next::Run
            }
            Ok(VcpuExit::IoOut(DONE_PORT, _)) => Next::Finished,
            Ok(VcpuExit::IoOut(FAULT_PORT, _)) => Next::Fault,
            Ok(other) => Next::Unexpected(format!("{other:?}")),
            Err(e) if e.errno() == libc::EINTR => Next::Run,
            Err(e) => return Err(Failure::Kvm("KVM_RUN", e)),
        };
        match next {
            Next::Run => {}
            Next::Finished => {
                let regs = vcpu.get_regs().map_err(ioctl("KVM_GET_REGS"))?;
                return Ok(VcpuEnd::Finished(regs.r8));
            }
            Next::Fault => {
                let rsp = vcpu.get_regs().map(|r| r.rsp).unwrap_or(u64::MAX);
                return Err(Failure::Guest(format!(
                    "vCPU {id} took an interrupt or exception the guest has no handler for (rsp {rsp:#x})"
                )));
            }
            Next::Unexpected(exit) => return Err(unexpected(vcpu, id, &exit)),
        }
    }
}

/// An exit this VMM does not handle, with where the guest was.
fn unexpected(vcpu: &mut VcpuFd, id: usize, exit: &str) -> Failure {
    let run = vcpu.get_kvm_run();
    let detail = if run.exit_reason == kvm_bindings::KVM_EXIT_INTERNAL_ERROR {
        let (suberror, data) = sys::internal_error(run);
        format!(" (suberror {suberror}, data {data:x?})")
    } else {
        String::new()
    };
    let rip = vcpu.get_regs().map(|r| r.rip).unwrap_or(u64::MAX);
    Failure::Guest(format!("vCPU {id}: unexpected exit {exit}{detail} at rip {rip:#x}"))
}

/// `cpuid` with vCPU `id`'s APIC ID where the guest reads it (leaf 1 EBX[31:24], leaves 0xb and 0x1f EDX).
fn with_apic_id(cpuid: &CpuId, id: u32) -> CpuId {
    let mut cpuid = cpuid.clone();
    for entry in cpuid.as_mut_slice() {
        match entry.function {
            1 => entry.ebx = (entry.ebx & 0x00ff_ffff) | (id << 24),
            0xb | 0x1f => entry.edx = id,
            _ => {}
        }
    }
    cpuid
}

fn msr_entries(indexes: &[u32]) -> Vec<kvm_msr_entry> {
    indexes
        .iter()
        .map(|&index| kvm_msr_entry {
            index,
            ..Default::default()
        })
        .collect()
}

/// Reads every state struct of a vCPU that the fixtures save.
fn save_vcpu(v: &VcpuFd) -> Result<VcpuState, Failure> {
    let mut msrs =
        Msrs::from_entries(&msr_entries(&SAVED_MSRS)).map_err(|e| Failure::Broken(format!("MSR list: {e:?}")))?;
    let n = v.get_msrs(&mut msrs).map_err(ioctl("KVM_GET_MSRS"))?;
    if n != SAVED_MSRS.len() {
        return Err(Failure::Broken(format!(
            "KVM_GET_MSRS read {n} of {} MSRs: MSR {:#x} is not supported",
            SAVED_MSRS.len(),
            SAVED_MSRS[n]
        )));
    }
    Ok(VcpuState {
        regs: v.get_regs().map_err(ioctl("KVM_GET_REGS"))?,
        sregs: v.get_sregs().map_err(ioctl("KVM_GET_SREGS"))?,
        xsave: v.get_xsave().map_err(ioctl("KVM_GET_XSAVE"))?,
        xcrs: v.get_xcrs().map_err(ioctl("KVM_GET_XCRS"))?,
        debugregs: v.get_debug_regs().map_err(ioctl("KVM_GET_DEBUGREGS"))?,
        events: v.get_vcpu_events().map_err(ioctl("KVM_GET_VCPU_EVENTS"))?,
        mp_state: v.get_mp_state().map_err(ioctl("KVM_GET_MP_STATE"))?,
        msrs: msrs.as_slice().to_vec(),
    })
}

/// Hands a checked vCPU state to KVM, in the order Firecracker restores it.
fn load_vcpu(v: &VcpuFd, saved: &VcpuSnapshot) -> Result<(), Failure> {
    let state = &saved.state;
    v.set_sregs(&state.sregs).map_err(ioctl("KVM_SET_SREGS"))?;
    v.set_regs(&state.regs).map_err(ioctl("KVM_SET_REGS"))?;
    sys::set_xsave(v, &state.xsave).map_err(ioctl("KVM_SET_XSAVE"))?;
    v.set_xcrs(&state.xcrs).map_err(ioctl("KVM_SET_XCRS"))?;
    v.set_debug_regs(&state.debugregs).map_err(ioctl("KVM_SET_DEBUGREGS"))?;
    v.set_lapic(&saved.lapic).map_err(ioctl("KVM_SET_LAPIC"))?;
    let msrs = Msrs::from_entries(&state.msrs).map_err(|e| Failure::Broken(format!("MSR list: {e:?}")))?;
    let n = v.set_msrs(&msrs).map_err(ioctl("KVM_SET_MSRS"))?;
    if n != state.msrs.len() {
        return Err(Failure::Broken(format!(
            "KVM_SET_MSRS set {n} of {} MSRs",
            state.msrs.len()
        )));
    }
    v.set_mp_state(state.mp_state).map_err(ioctl("KVM_SET_MP_STATE"))?;
    v.set_vcpu_events(&state.events).map_err(ioctl("KVM_SET_VCPU_EVENTS"))
}

/// A vCPU's observable state (the TSC, which runs, left out).
#[derive(Clone, Debug, PartialEq)]
pub struct ObservedVcpu {
    pub regs: kvm_bindings::kvm_regs,
    pub sregs: kvm_bindings::kvm_sregs,
    pub events: kvm_bindings::kvm_vcpu_events,
    pub msrs: Vec<kvm_msr_entry>,
    pub lapic: kvm_bindings::kvm_lapic_state,
}

/// A VM's observable state, to compare before and after a refused restore.
#[derive(Clone, Debug, PartialEq)]
pub struct Observed {
    pub vcpus: Vec<ObservedVcpu>,
    /// The irqchips and the PIT (the clock zeroed).
    pub irqchips_and_pit: VmState,
    pub serial: vm_superio::serial::SerialState,
    pub memory_crc: u32,
}
