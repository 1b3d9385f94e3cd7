//! cr's checks against the kernel's (issue 23): for each saved struct (the vCPU's; the LAPIC, each irqchip,
//! the PIT and the clock), mutated states made from the example guest's real ones are judged by cr (restore
//! into a fresh struct, against the scratch vCPU's capabilities and id) and by KVM (`KVM_SET_*`, then
//! `KVM_GET_*`), and the verdicts are tallied as the RELIABILITY.md tables. Exits 0 only if no state cr accepts is refused by KVM.
//!
//! `cargo run --release --example kvm_kernelcheck -- [STATES [SEED [architectural]]]` (100 000 states per
//! struct and seed 1 by default). With `architectural`, cr checks against `VcpuCaps::ARCHITECTURAL` (what
//! holds on any host) instead of the scratch vCPU's capabilities: what the validators did before they
//! knew the destination. Exits 2 where `/dev/kvm` cannot be opened.

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn main() -> std::process::ExitCode {
    use cr::kvm_x86_64::kernelcheck::{self as kc, Rng, Scratch, Seed};
    use cr_vmm::scenario::{self as vm, Config};
    use cr_vmm::vm::open_kvm;
    use std::process::ExitCode;
    use std::time::Instant;

    let args: Vec<String> = std::env::args().skip(1).collect();
    let states: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let seed: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let kvm = match open_kvm() {
        Ok(kvm) => kvm,
        Err(e) => {
            eprintln!("{e}: this machine has no usable KVM, nothing to compare against");
            return ExitCode::from(2);
        }
    };
    let seeds: Vec<Seed> = match vm::example_states(&kvm, &Config::default()) {
        Ok(seeds) => seeds,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut scratch = Scratch::new(&kvm).expect("a scratch VM");
    println!("scratch vCPU: {:x?}", scratch.caps);
    if args.get(2).is_some_and(|a| a == "architectural") {
        scratch.caps = cr::kvm_x86_64::VcpuCaps::ARCHITECTURAL;
        println!("cr checks against VcpuCaps::ARCHITECTURAL, not the scratch vCPU's capabilities");
    }
    println!(
        "{states} states per struct from {} real states, rng seed {seed}\n",
        seeds.len()
    );
    println!("| struct | tried | both accept | both refuse | cr refuses, KVM accepts | cr accepts, KVM refuses |");
    println!("|---|---:|---:|---:|---:|---:|");
    let subjects = kc::subjects();
    let mut rng = Rng::new(seed);
    let mut details = String::new();
    let mut escapes = 0;
    let start = Instant::now();
    for (i, s) in subjects.iter().enumerate() {
        let t = match kc::run(&kvm, &mut scratch, &subjects, i, &seeds, states, &mut rng) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {}: {e:?}", s.name);
                return ExitCode::FAILURE;
            }
        };
        print!("{}", kc::markdown(s.name, &t));
        details.push_str(&kc::details(s.name, &t));
        escapes += t.kernel_stricter;
    }
    println!(
        "\n{:.1} s, {} scratch vCPUs\n\n{details}",
        start.elapsed().as_secs_f64(),
        scratch.vcpus_created
    );
    if escapes == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("FAIL: {escapes} states accepted by cr were refused by KVM");
        ExitCode::FAILURE
    }
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
fn main() {
    eprintln!("this example compares against KVM on Linux x86-64 only");
    std::process::exit(2);
}
