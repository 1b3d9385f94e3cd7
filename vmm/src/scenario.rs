//! What the example does, end to end: an uninterrupted run of the guest; a run snapshotted after some
//! lines into an image file, the VM destroyed, tampered images refused by a brand-new VM, the new VM
//! restored from the file and run to the end; and live migration over TCP. Timings of each step.

use crate::failure::Failure;
use crate::guest::{self, VCPUS};
use crate::image::write_image;
use crate::state::{Headers, Snapshot};
use crate::tamper::{reject_tampered, tampered, Rejection};
use crate::vm::{open_kvm, Exit, Stop, Vm};
use cr::kvm_x86_64::kernelcheck::Seed;
use cr::kvm_x86_64::MSR_IA32_TSC;
use kvm_bindings::kvm_userspace_memory_region;
use kvm_ioctls::Kvm;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What the example runs.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Guest memory in bytes (a multiple of 4 KiB, at least 2 MiB).
    pub mem_size: usize,
    /// Rounds each vCPU computes (one line each): the guest prints `2 * rounds` lines.
    pub rounds: u32,
    /// Lines (of both vCPUs) after which it is snapshotted: 1 to `2 * rounds - 1`.
    pub snapshot_after: usize,
    /// A run in which no line comes for this long is stopped as stalled.
    pub watchdog: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            mem_size: 4 << 20,
            rounds: 8,
            snapshot_after: 5,
            watchdog: Duration::from_secs(10),
        }
    }
}

/// A run of the guest: its lines, each vCPU's final value, and the timer interrupts each took (which
/// depend on the host's timing; the lines do not).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub lines: Vec<String>,
    pub final_values: [u64; VCPUS],
    pub ticks: [u64; VCPUS],
}

/// The lines of a console's bytes.
pub fn lines(output: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(output).lines().map(str::to_string).collect()
}

/// Runs `vm` until every vCPU has finished.
pub fn finish(vm: &mut Vm, config: &Config) -> Result<Run, Failure> {
    match vm.run(Stop::Finished, config.watchdog)? {
        Exit::Finished(final_values) => Ok(Run {
            lines: lines(&vm.output()),
            final_values,
            ticks: vm.ticks(),
        }),
        Exit::Paused { .. } => Err(Failure::Broken("paused without finishing".into())),
    }
}

/// Boots the guest and lets it finish.
pub fn run_uninterrupted(kvm: &Kvm, config: &Config) -> Result<Run, Failure> {
    let mut vm = Vm::new(kvm, config.mem_size)?;
    vm.boot(config.rounds)?;
    finish(&mut vm, config)
}

/// Boots the guest and runs it until it has printed `config.snapshot_after` lines; returns it paused, with
/// the time the pause took.
pub fn run_to_snapshot(kvm: &Kvm, config: &Config) -> Result<(Vm, Duration), Failure> {
    let mut vm = Vm::new(kvm, config.mem_size)?;
    vm.boot(config.rounds)?;
    match vm.run(Stop::Lines(config.snapshot_after), config.watchdog)? {
        Exit::Paused { pause } => Ok((vm, pause)),
        Exit::Finished(_) => Err(Failure::Broken("the guest finished before the snapshot".into())),
    }
}

/// Where the time of a snapshot and restore goes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    /// From the pause request to both vCPUs out of `KVM_RUN` (the kick included).
    pub pause: Duration,
    /// Completing the I/O and reading the VM's, the vCPUs' and the device's state (ioctls).
    pub save_ioctls: Duration,
    /// Saving the headers and writing the image file (memory included), flushed.
    pub write_image: Duration,
    /// Destroying the VM.
    pub destroy: Duration,
    /// Creating the new VM (irqchip, PIT, memory, vCPUs, CPUID, serial port).
    pub create: Duration,
    /// Reading the image file.
    pub read_file: Duration,
    /// Checking the image and restoring it into structs, copying the memory and the ioctls.
    pub restore: Duration,
}

impl Timings {
    /// From the pause request to the restored VM ready to run, without the tamper demonstration.
    pub fn snapshot_to_running(&self) -> Duration {
        self.pause + self.save_ioctls + self.write_image + self.destroy + self.create + self.read_file + self.restore
    }
}

/// What a snapshot/restore run saw.
#[derive(Debug)]
pub struct Outcome {
    /// The uninterrupted run.
    pub uninterrupted: Run,
    /// The lines printed before the snapshot.
    pub before: Vec<String>,
    /// The restored VM's run: its lines (printed after the restore), final values and ticks.
    pub restored: Run,
    /// The image as written to and read back from the file.
    pub image: Vec<u8>,
    /// Where it was written (removed once read).
    pub image_path: PathBuf,
    /// The state saved at the snapshot.
    pub saved: Snapshot,
    /// The tampered images, each refused with the VM untouched.
    pub rejections: Vec<Rejection>,
    pub timings: Timings,
}

fn write_file(
    path: &Path,
    region: &kvm_userspace_memory_region,
    headers: &Headers,
    memory: &[u8],
) -> Result<(), Failure> {
    // Beside the path, synced, then renamed over it: a crash leaves the old image or the new one.
    cr_core::file::write_file(path, |file| write_image(file, region, headers, memory).map(drop))
        .map_err(|e| Failure::Io("writing the image file", e))
}

/// The name of an x86 `mp_state`.
pub fn mp_state_name(mp_state: u32) -> &'static str {
    match mp_state {
        kvm_bindings::KVM_MP_STATE_RUNNABLE => "RUNNABLE",
        kvm_bindings::KVM_MP_STATE_UNINITIALIZED => "UNINITIALIZED",
        kvm_bindings::KVM_MP_STATE_INIT_RECEIVED => "INIT_RECEIVED",
        kvm_bindings::KVM_MP_STATE_HALTED => "HALTED",
        kvm_bindings::KVM_MP_STATE_SIPI_RECEIVED => "SIPI_RECEIVED",
        _ => "(not an x86 state)",
    }
}

/// The state at the snapshot, in a few lines: what each vCPU, interrupt controller, the PIT and the
/// serial port hold (read through the headers' named fields).
pub fn describe(headers: &Headers, saved: &Snapshot) -> Vec<String> {
    let mut out = Vec::new();
    for (id, (v, s)) in headers.vcpus.iter().zip(&saved.vcpus).enumerate() {
        let l = &v.lapic;
        let (in_service, requested) = l.in_service_and_requested();
        out.push(format!(
            "vCPU {id}: rip {:#x}, r8 {:#018x}, mp_state {}; LAPIC ID {}, SVR {:#x}, LINT0 {:#x}, {} vector(s) in service, {} requested",
            s.state.regs.rip,
            s.state.regs.r8,
            mp_state_name(s.state.mp_state.mp_state),
            l.id >> 24,
            l.svr,
            l.lvt_lint0,
            in_service,
            requested,
        ));
    }
    let [master, slave, ioapic] = &headers.irqchips;
    out.push(format!(
        "PIC master: vectors {:#04x}.., IMR {:#04x}, IRR {:#04x}, ISR {:#04x}; PIC slave: vectors {:#04x}.., IMR {:#04x}",
        master.pic.irq_base, master.pic.imr, master.pic.irr, master.pic.isr, slave.pic.irq_base, slave.pic.imr
    ));
    const MASKED: u8 = cr::kvm_x86_64::CrHdrKvmRedirEntry::FLAGS_MASK;
    let pin0 = &ioapic.ioapic.redirtbl[0];
    let masked = ioapic.ioapic.redirtbl.iter().filter(|e| e.flags & MASKED != 0).count();
    out.push(format!(
        "IOAPIC: pin 0 -> vector {:#04x}, APIC ID {}, {}; {masked} of 24 pins masked",
        pin0.vector,
        pin0.dest_id,
        if pin0.flags & MASKED == 0 { "unmasked" } else { "masked" },
    ));
    let ch0 = &headers.pit.channels[0];
    out.push(format!(
        "PIT: channel 0 mode {}, reload {} ({:.2} ms); clock {:.3} s, flags {:#x}",
        ch0.mode,
        ch0.count,
        f64::from(ch0.count) / 1_193.182,
        headers.clock.clock as f64 / 1e9,
        headers.clock.flags
    ));
    let uart = &headers.serial.state;
    let fifo = &uart.fifo[..(uart.fifo_len as usize).min(uart.fifo.len())];
    out.push(format!(
        "serial port: {} byte(s) in the receive FIFO {:?}, line status {:#04x}",
        fifo.len(),
        String::from_utf8_lossy(fifo),
        uart.line_status
    ));
    out
}

/// The whole path: an uninterrupted run; then a run stopped after `snapshot_after` lines (both vCPUs
/// paused, the in-flight I/O completed), its state saved into an image file and the VM destroyed; a new
/// VM that refuses the tampered images untouched, then restores from the file and runs to the end. `log`
/// receives one line per step.
pub fn snapshot_restore(config: &Config, log: &mut dyn FnMut(&str)) -> Result<Outcome, Failure> {
    let kvm = open_kvm()?;
    let uninterrupted = run_uninterrupted(&kvm, config)?;
    log(&format!(
        "uninterrupted run: {} lines; final values {:#018x} (vCPU 0), {:#018x} (vCPU 1); timer interrupts taken {} and {}",
        uninterrupted.lines.len(),
        uninterrupted.final_values[0],
        uninterrupted.final_values[1],
        uninterrupted.ticks[0],
        uninterrupted.ticks[1],
    ));

    let mut t = Timings::default();
    let (mut vm, pause) = run_to_snapshot(&kvm, config)?;
    t.pause = pause;
    let before = lines(&vm.output());
    for line in &before {
        log(&format!("  guest: {line}"));
    }
    let start = Instant::now();
    vm.complete_io()?;
    let saved = vm.save()?;
    t.save_ioctls = start.elapsed();
    log(&format!(
        "snapshot after {} lines: both vCPUs out of KVM_RUN in {:.2} ms (one stopped at its newline `out`, the other kicked by a signal), the in-flight `out` completed",
        before.len(),
        ms(t.pause)
    ));

    let image_path = std::env::temp_dir().join(format!("cr-kvm-{}.img", std::process::id()));
    let start = Instant::now();
    let headers = Headers::save(&saved);
    let region = *vm.region();
    write_file(&image_path, &region, &headers, vm.memory())?;
    t.write_image = start.elapsed();
    for line in describe(&headers, &saved) {
        log(&format!("  {line}"));
    }
    let tampered_images = tampered(&region, &headers, vm.memory());
    let start = Instant::now();
    drop(vm);
    t.destroy = start.elapsed();
    log(&format!("image written to {}; VM destroyed", image_path.display()));

    let start = Instant::now();
    let mut vm = Vm::new(&kvm, config.mem_size)?;
    t.create = start.elapsed();
    let start = Instant::now();
    let image = std::fs::read(&image_path);
    let _ = std::fs::remove_file(&image_path);
    let image = image.map_err(|e| Failure::Io("reading the image file", e))?;
    t.read_file = start.elapsed();

    let rejections = reject_tampered(&mut vm, tampered_images)?;
    log(&format!(
        "{} tampered images refused before any ioctl; the new VM is untouched",
        rejections.len()
    ));

    let start = Instant::now();
    vm.restore(&image)?;
    t.restore = start.elapsed();
    check_loaded(&vm, &saved)?;
    log(&format!(
        "restored from the file into a new VM in {:.2} ms from the pause request (ioctls, file and VM creation included)",
        ms(t.snapshot_to_running())
    ));

    let restored = finish(&mut vm, config)?;
    Ok(Outcome {
        uninterrupted,
        before,
        restored,
        image,
        image_path,
        saved,
        rejections,
        timings: t,
    })
}

/// The restored VM's vCPUs hold what was saved (registers, system registers, MSRs but the running TSC,
/// the LAPIC), and its serial port the saved state.
fn check_loaded(vm: &Vm, saved: &Snapshot) -> Result<(), Failure> {
    let back = vm.save()?;
    let no_tsc = |s: &Snapshot| {
        s.vcpus
            .iter()
            .map(|v| {
                let msrs: Vec<_> = v
                    .state
                    .msrs
                    .iter()
                    .filter(|m| m.index != MSR_IA32_TSC)
                    .copied()
                    .collect();
                (v.state.regs, v.state.sregs, msrs)
            })
            .collect::<Vec<_>>()
    };
    let lapics = |s: &Snapshot| s.vcpus.iter().map(|v| v.lapic).collect::<Vec<_>>();
    if no_tsc(&back) != no_tsc(saved) || lapics(&back) != lapics(saved) || back.serial != saved.serial {
        return Err(Failure::Broken(format!(
            "the restored VM differs from the snapshot:\n saved {:?}\n  back {:?}",
            no_tsc(saved),
            no_tsc(&back)
        )));
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

// ---------------------------------------------------------------------------------------------
// Live migration over TCP: one process sends its snapshot, another restores it and finishes the guest.
// ---------------------------------------------------------------------------------------------

/// The sending side: boots the guest, runs it for `snapshot_after` lines, pauses it and completes the
/// in-flight I/O, connects to `addr` and streams the image to it (the guest memory goes from the mapping
/// straight to the socket), then destroys the VM. Returns the lines printed before the snapshot.
pub fn send(addr: &str, config: &Config) -> Result<Vec<String>, Failure> {
    let kvm = open_kvm()?;
    let (mut vm, _) = run_to_snapshot(&kvm, config)?;
    vm.complete_io()?;
    let headers = Headers::save(&vm.save()?);
    let stream = std::net::TcpStream::connect(addr).map_err(|e| Failure::Io("connecting to the receiver", e))?;
    let out = write_image(
        BufWriter::with_capacity(1 << 16, stream),
        vm.region(),
        &headers,
        vm.memory(),
    )
    .map_err(Failure::Refused)?;
    let stream = out
        .into_inner()
        .map_err(|e| Failure::Io("sending the image", e.into_error()))?;
    stream
        .shutdown(std::net::Shutdown::Write)
        .map_err(|e| Failure::Io("closing the connection", e))?;
    Ok(lines(&vm.output()))
}

/// The receiving side: accepts one connection on `listener`, reads the image to its end, creates a VM,
/// restores it (all checks first) and runs the guest to its end.
pub fn receive(listener: &std::net::TcpListener, config: &Config) -> Result<Run, Failure> {
    let kvm = open_kvm()?;
    let (stream, _) = listener.accept().map_err(|e| Failure::Io("accepting the sender", e))?;
    let image = cr_core::image::read_all(stream).map_err(Failure::Refused)?;
    let mut vm = Vm::new(&kvm, config.mem_size)?;
    vm.restore(&image)?;
    finish(&mut vm, config)
}

/// The lines an uninterrupted run prints after its first `n`: what a run restored from a snapshot after
/// `n` lines must print.
pub fn tail(run: &Run, n: usize) -> &[String] {
    &run.lines[n.min(run.lines.len())..]
}

/// How many lines a run of `config` prints.
pub fn line_count(config: &Config) -> usize {
    guest::lines(config.rounds)
}

/// Real states of the example's guest, for the differential test of `cr::kvm_x86_64::kernelcheck`: each
/// vCPU of a new VM at reset, after the VMM's boot (long mode, before its first instruction), and at the
/// snapshot after `snapshot_after` lines (the in-flight I/O completed), each with its LAPIC and its VM's
/// irqchips, PIT and clock.
pub fn example_states(kvm: &Kvm, config: &Config) -> Result<Vec<Seed>, Failure> {
    let mut vm = Vm::new(kvm, config.mem_size)?;
    let reset = vm.save()?;
    vm.boot(config.rounds)?;
    let booted = vm.save()?;
    let (mut running, _) = run_to_snapshot(kvm, config)?;
    running.complete_io()?;
    let snapshot = running.save()?;
    let seeds = |s: Snapshot| {
        let vm = s.vm;
        (0..).zip(s.vcpus).map(move |(vcpu_id, v)| Seed {
            vcpu: v.state,
            vcpu_id,
            lapic: v.lapic,
            irqchips: vm.irqchips,
            pit: vm.pit,
            clock: vm.clock,
        })
    };
    Ok([reset, booted, snapshot].into_iter().flat_map(seeds).collect())
}
