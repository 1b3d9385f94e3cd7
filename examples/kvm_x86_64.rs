//! Snapshot and restore of a running KVM guest (Linux x86-64) on rust-vmm's own structs: this program
//! runs a small 64-bit guest to the end, runs it again and snapshots it after five of its twelve lines
//! (every vCPU state struct a VMM saves, the MSRs and the guest memory, through headers derived over the
//! `kvm-bindings` types, into one image file), destroys that VM, shows tampered images refused by a brand
//! new VM before any ioctl, restores that VM from the file and lets it finish. It exits 0 only if the
//! restored guest prints the remaining lines and final value of the uninterrupted run.
//!
//! `cargo run --example kvm_x86_64`; `cargo run --example kvm_x86_64 -- dump FILE` dumps an image;
//! `-- receive ADDR` in one process and `-- send ADDR` in another migrate the guest over TCP.

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn main() -> std::process::ExitCode {
    use cr_vmm::image;
    use cr_vmm::vm::{self, Config, Failure};
    use std::process::ExitCode;

    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [cmd, file] = &args[..] {
        if cmd == "dump" {
            let image = match std::fs::read(file) {
                Ok(image) => image,
                Err(e) => {
                    eprintln!("{file}: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let mut out = String::new();
            let dumped = image::dump(&image, &mut out);
            print!("{out}");
            return match dumped {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("{file}: {e}");
                    ExitCode::FAILURE
                }
            };
        }
    }
    if let [cmd, addr] = &args[..] {
        let config = Config::default();
        let no_kvm = |e: &Failure| {
            eprintln!("{e}: this machine has no usable KVM (no /dev/kvm, or no permission to open it)");
            ExitCode::from(2)
        };
        if cmd == "send" {
            return match vm::send(addr, &config) {
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
            };
        }
        if cmd == "receive" {
            let listener = match std::net::TcpListener::bind(addr) {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("{addr}: {e}");
                    return ExitCode::FAILURE;
                }
            };
            println!("listening on {addr}");
            let received = vm::open_kvm()
                .and_then(|kvm| vm::run_uninterrupted(&kvm, &config))
                .and_then(|reference| Ok((reference, vm::receive(&listener, &config)?)));
            return match received {
                Ok((reference, run)) => {
                    for line in &run.lines {
                        println!("  guest: {line}");
                    }
                    println!("final value {:#018x}", run.final_value);
                    let tail = &reference.lines[reference.lines.len() - run.lines.len().min(reference.lines.len())..];
                    if run.lines == tail && run.final_value == reference.final_value {
                        println!("OK: the received guest finished as an uninterrupted run does");
                        ExitCode::SUCCESS
                    } else {
                        eprintln!(
                            "FAIL: an uninterrupted run ends with {tail:?} and {:#018x}",
                            reference.final_value
                        );
                        ExitCode::FAILURE
                    }
                }
                Err(e @ Failure::NoKvm(_)) => no_kvm(&e),
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            };
        }
    }
    if !args.is_empty() {
        eprintln!("usage: kvm_x86_64 [dump FILE | send ADDR | receive ADDR]");
        return ExitCode::from(2);
    }

    let config = Config::default();
    println!(
        "== snapshot after {} of {} lines, restore into a new VM",
        config.snapshot_after, config.rounds
    );
    let outcome = match vm::snapshot_restore(&config, &mut |line| println!("{line}")) {
        Ok(outcome) => outcome,
        Err(e @ Failure::NoKvm(_)) => {
            eprintln!("{e}: this machine has no usable KVM (no /dev/kvm, or no permission to open it)");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };

    println!(
        "\n== tampered images, refused by the new VM before any ioctl (three of {})",
        outcome.rejections.len()
    );
    for r in outcome.rejections.iter().take(3) {
        println!("{}:\n    {}", r.tamper, r.error);
    }

    println!("\n== the restored guest");
    for line in &outcome.restored.lines {
        println!("  guest: {line}");
    }
    let expected = &outcome.uninterrupted.lines[outcome.before.len()..];
    println!("final value {:#018x}", outcome.restored.final_value);
    if outcome.restored.lines != expected || outcome.restored.final_value != outcome.uninterrupted.final_value {
        eprintln!(
            "FAIL: the restored guest printed {:?} and {:#018x}; the uninterrupted run printed {:?} and {:#018x}",
            outcome.restored.lines, outcome.restored.final_value, expected, outcome.uninterrupted.final_value
        );
        return ExitCode::FAILURE;
    }
    println!(
        "OK: the {} remaining lines and the final value equal the uninterrupted run's",
        expected.len()
    );
    let t = outcome.timings;
    println!(
        "snapshot to running again: {:.2} ms (save ioctls {:.2}, image file {:.2}, destroy {:.2}, new VM {:.2}, read file {:.2}, check + restore {:.2})",
        ms(t.snapshot_to_running()),
        ms(t.save_ioctls),
        ms(t.write_image),
        ms(t.destroy),
        ms(t.create),
        ms(t.read_file),
        ms(t.restore)
    );

    println!("\n== the image, dumped ({} bytes)", outcome.image.len());
    let mut dump = String::new();
    if let Err(e) = image::dump(&outcome.image, &mut dump) {
        eprintln!("FAIL: the image does not dump: {e}");
        return ExitCode::FAILURE;
    }
    print!("{dump}");
    ExitCode::SUCCESS
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
