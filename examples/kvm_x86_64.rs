//! Snapshot and restore of a whole running KVM VM (Linux x86-64) through cr, on rust-vmm's own structs:
//! two vCPUs, an in-kernel irqchip (PIC pair, IOAPIC, a LAPIC per vCPU) and PIT, a vm-superio serial port,
//! guest memory. This program runs a small 64-bit guest to the end (both vCPUs compute, take timer
//! interrupts and print alternately), runs it again and snapshots it after five of its sixteen lines into
//! one image file, destroys that VM, shows tampered images refused by a brand-new VM before any ioctl,
//! restores that VM from the file and lets it finish. It exits 0 only if the restored guest prints the
//! remaining lines and both final values of the uninterrupted run. The VMM is the `cr-vmm` crate (`vmm/`).
//!
//! `cargo run --example kvm_x86_64`; `cargo run --example kvm_x86_64 -- dump FILE` dumps an image;
//! `-- receive ADDR` in one process and `-- send ADDR` in another migrate the guest over TCP.

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn main() -> std::process::ExitCode {
    use cr_vmm::failure::Failure;
    use cr_vmm::scenario::{self, Config};
    use std::process::ExitCode;

    let args: Vec<String> = std::env::args().skip(1).collect();
    let no_kvm = |e: &Failure| {
        eprintln!("{e}: this machine has no usable KVM (no /dev/kvm, or no permission to open it)");
        ExitCode::from(2)
    };
    match &args[..] {
        [] => {}
        [cmd, file] if cmd == "dump" => return dump(file),
        [cmd, addr] if cmd == "send" => {
            return match scenario::send(addr, &Config::default()) {
                Ok(before) => {
                    for line in &before {
                        println!("  guest: {line}");
                    }
                    println!(
                        "snapshot after {} lines sent to {addr}; this VM is destroyed",
                        before.len()
                    );
                    ExitCode::SUCCESS
                }
                Err(e @ Failure::NoKvm(_)) => no_kvm(&e),
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        [cmd, addr] if cmd == "receive" => return receive(addr),
        _ => {
            eprintln!("usage: kvm_x86_64 [dump FILE | send ADDR | receive ADDR]");
            return ExitCode::from(2);
        }
    }

    let config = Config::default();
    println!(
        "== a VM with two vCPUs, an in-kernel irqchip and PIT, a vm-superio serial port: snapshot after {} of {} lines, restore into a new VM",
        config.snapshot_after,
        scenario::line_count(&config)
    );
    let outcome = match scenario::snapshot_restore(&config, &mut |line| println!("{line}")) {
        Ok(outcome) => outcome,
        Err(e @ Failure::NoKvm(_)) => return no_kvm(&e),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };

    const SHOWN: [&str; 5] = [
        "an irqchip tag no member is declared for (chip_id 3)",
        "an IOAPIC redirection entry with a reserved bit (pin 5, bit 17)",
        "a LAPIC with a foreign APIC ID (vCPU 0's, in vCPU 1)",
        "a PIT channel mode out of range (6)",
        "a serial FIFO longer than the device's (65 bytes)",
    ];
    println!(
        "\n== tampered images, refused by the new VM before any ioctl (the VM and device records; five of {})",
        outcome.rejections.len()
    );
    for r in outcome.rejections.iter().filter(|r| SHOWN.contains(&r.tamper)) {
        println!("{}:\n    {}", r.tamper, r.error);
    }

    println!("\n== the restored guest");
    for line in &outcome.restored.lines {
        println!("  guest: {line}");
    }
    let (restored, uninterrupted) = (&outcome.restored, &outcome.uninterrupted);
    println!(
        "final values {:#018x} (vCPU 0), {:#018x} (vCPU 1)",
        restored.final_values[0], restored.final_values[1]
    );
    let expected = scenario::tail(uninterrupted, outcome.before.len());
    if restored.lines != expected || restored.final_values != uninterrupted.final_values {
        eprintln!(
            "FAIL: the restored guest printed {:?} and {:#x?}; the uninterrupted run printed {:?} and {:#x?}",
            restored.lines, restored.final_values, expected, uninterrupted.final_values
        );
        return ExitCode::FAILURE;
    }
    println!(
        "OK: the {} remaining lines and both final values equal the uninterrupted run's",
        expected.len()
    );
    let fifo = &outcome.saved.serial.in_buffer;
    let read: String = restored.lines.iter().filter_map(|l| l.split(' ').nth(3)).collect();
    println!(
        "  the {} bytes in the serial FIFO at the snapshot, {:?}, were read by the restored guest ({read:?}, one a line)",
        fifo.len(),
        String::from_utf8_lossy(fifo)
    );
    println!(
        "  timer interrupts taken by vCPU 0 and 1: {} and {} in the uninterrupted run, {} and {} in the snapshotted \
         and restored one; these follow the host's timing, which is why each vCPU prints the ticks it waited for \
         ({} a line), never the ticks that came",
        uninterrupted.ticks[0],
        uninterrupted.ticks[1],
        restored.ticks[0],
        restored.ticks[1],
        cr_vmm::guest::TICKS_PER_LINE
    );
    let t = outcome.timings;
    println!(
        "snapshot to running again: {:.2} ms (pause {:.2}, save ioctls {:.2}, image file {:.2}, destroy {:.2}, new VM {:.2}, read file {:.2}, check + restore {:.2})",
        ms(t.snapshot_to_running()),
        ms(t.pause),
        ms(t.save_ioctls),
        ms(t.write_image),
        ms(t.destroy),
        ms(t.create),
        ms(t.read_file),
        ms(t.restore)
    );

    println!("\n== the image, dumped ({} bytes)", outcome.image.len());
    let mut dump = String::new();
    if let Err(e) = cr_vmm::image::dump(&outcome.image, &mut dump) {
        eprintln!("FAIL: the image does not dump: {e}");
        return ExitCode::FAILURE;
    }
    print!("{dump}");
    ExitCode::SUCCESS
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn dump(file: &str) -> std::process::ExitCode {
    let image = match std::fs::read(file) {
        Ok(image) => image,
        Err(e) => {
            eprintln!("{file}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut out = String::new();
    let dumped = cr_vmm::image::dump(&image, &mut out);
    print!("{out}");
    match dumped {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{file}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn receive(addr: &str) -> std::process::ExitCode {
    use cr_vmm::failure::Failure;
    use cr_vmm::scenario::{self, Config};
    use std::process::ExitCode;

    let config = Config::default();
    let listener = match std::net::TcpListener::bind(addr) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on {addr}");
    let received = cr_vmm::vm::open_kvm()
        .and_then(|kvm| scenario::run_uninterrupted(&kvm, &config))
        .and_then(|reference| Ok((reference, scenario::receive(&listener, &config)?)));
    match received {
        Ok((reference, run)) => {
            for line in &run.lines {
                println!("  guest: {line}");
            }
            println!(
                "final values {:#018x} (vCPU 0), {:#018x} (vCPU 1)",
                run.final_values[0], run.final_values[1]
            );
            let tail = scenario::tail(&reference, reference.lines.len().saturating_sub(run.lines.len()));
            if run.lines == tail && run.final_values == reference.final_values {
                println!("OK: the received guest finished as an uninterrupted run does");
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "FAIL: an uninterrupted run ends with {tail:?} and {:#x?}",
                    reference.final_values
                );
                ExitCode::FAILURE
            }
        }
        Err(e @ Failure::NoKvm(_)) => {
            eprintln!("{e}: this machine has no usable KVM (no /dev/kvm, or no permission to open it)");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
fn main() {
    eprintln!("this example runs a KVM guest on Linux x86-64 only");
    std::process::exit(2);
}
