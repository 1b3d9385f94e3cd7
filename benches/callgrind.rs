//! Deterministic instruction counts: runs N iterations of one variant, for
//! `valgrind --tool=callgrind` (see `scripts/bench/callgrind.sh`). Also a wall-clock ratio that
//! resists a busy machine: `paired` times derived, hand-written and byte-copy blocks in
//! alternation and reports the median of the per-round ratios (`scripts/bench/wallclock.sh`).
//! Not a criterion benchmark: `cargo bench` runs it without arguments, which only checks that
//! every variant runs.
//!
//! ```text
//! callgrind <s390_cpu|vcpu_4k|kvm_sregs|packed_dev|irqchip|lapic|msr_list> <derived|hand|bytes|postcard|empty> <save|restore|save_restore> <N>
//! callgrind paired <s390_cpu|vcpu_4k|kvm_sregs|packed_dev|irqchip|lapic> <save|restore|save_restore> <rounds> <N per block>
//! ```

mod common;

use common::{Bench, Op, Runs, Subject, Variant};
use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

/// Runs `n` iterations with `Variant` and `Op` as literals, so `Bench::run` folds to one call.
macro_rules! looped {
    ($state:expr, $n:expr, $variant:expr, $op:expr, [$($v:ident),*], [$($o:ident),*]) => {
        looped!(@v $state, $n, $variant, $op, [$($v),*], [$($o),*])
    };
    (@v $state:expr, $n:expr, $variant:expr, $op:expr, [$($v:ident),*], $ops:tt) => {
        match $variant {
            $(Variant::$v => looped!(@o $state, $n, Variant::$v, $op, $ops),)*
        }
    };
    (@o $state:expr, $n:expr, $variant:expr, $op:expr, [$($o:ident),*]) => {
        match $op {
            $(Op::$o => for _ in 0..$n { $state.run($variant, Op::$o) },)*
        }
    };
}

fn run_loop<R: Runs>(state: &mut R, variant: Variant, op: Op, n: u64) {
    looped!(
        state,
        n,
        variant,
        op,
        [Derived, Hand, Bytes, Postcard, Empty],
        [Save, Restore, SaveRestore]
    );
}

fn run<L: Subject>(variant: Variant, op: Op, n: u64) {
    let mut state = Bench::<L>::new();
    run_loop(&mut state, variant, op, n);
}

/// The list subject (`msr_list`), which is not a [`Subject`]: `n` iterations of one variant.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn run_list(variant: Variant, op: Op, n: u64) {
    run_loop(&mut common::msr_list::ListBench::new(), variant, op, n);
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// `rounds` rounds of one block of `n` iterations per variant (derived, hand, bytes), the order
/// reversed every other round; prints the median time per iteration of each variant and the
/// median of the per-round derived/hand ratios, so load from other processes hits both alike.
fn paired<L: Subject>(op: Op, rounds: usize, n: u64) {
    const VARIANTS: [Variant; 3] = [Variant::Derived, Variant::Hand, Variant::Bytes];
    let mut state = Bench::<L>::new();
    for variant in VARIANTS {
        run_loop(&mut state, variant, op, n); // warm-up
    }
    let mut times: [Vec<f64>; 3] = Default::default();
    let mut ratios = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let mut ns = [0.0; 3];
        for i in 0..VARIANTS.len() {
            let i = if round % 2 == 0 { i } else { VARIANTS.len() - 1 - i };
            let start = Instant::now();
            run_loop(&mut state, VARIANTS[i], op, black_box(n));
            ns[i] = start.elapsed().as_nanos() as f64 / n as f64;
            times[i].push(ns[i]);
        }
        ratios.push(ns[0] / ns[1]);
    }
    let [derived, hand, bytes] = times.map(|mut t| median(&mut t));
    let mut sorted = ratios.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "{:<10} {:<13} {:>10.1} {:>10.1} {:>10.1} {:>14.3} {:>16}",
        L::NAME,
        op.name(),
        derived,
        hand,
        bytes,
        median(&mut ratios),
        format!("{:.3}-{:.3}", sorted[rounds / 4], sorted[rounds * 3 / 4]),
    );
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    if args.is_empty() {
        // `cargo bench`: a smoke run of every combination.
        for variant in Variant::ALL {
            for op in Op::ALL {
                run::<cr::s390::Task>(variant, op, 1000);
                run::<common::vcpu::Vcpu>(variant, op, 1000);
                run::<common::sregs::Sregs>(variant, op, 1000);
                run::<common::packed::Dma>(variant, op, 1000);
                #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
                {
                    run::<common::irqchip::Irqchip>(variant, op, 1000);
                    run::<common::lapic::Lapic>(variant, op, 1000);
                    run_list(variant, op, 1000);
                }
            }
        }
        println!("callgrind: every variant ran; see scripts/bench/callgrind.sh");
        return ExitCode::SUCCESS;
    }
    if let [mode, subject, op, rounds, n] = args.as_slice() {
        if mode == "paired" {
            let op = Op::ALL.into_iter().find(|o| o.name() == op);
            match (subject.as_str(), op, rounds.parse::<usize>(), n.parse::<u64>()) {
                ("s390_cpu", Some(op), Ok(rounds @ 1..), Ok(n @ 1..)) => paired::<cr::s390::Task>(op, rounds, n),
                ("vcpu_4k", Some(op), Ok(rounds @ 1..), Ok(n @ 1..)) => paired::<common::vcpu::Vcpu>(op, rounds, n),
                ("kvm_sregs", Some(op), Ok(rounds @ 1..), Ok(n @ 1..)) => paired::<common::sregs::Sregs>(op, rounds, n),
                ("packed_dev", Some(op), Ok(rounds @ 1..), Ok(n @ 1..)) => paired::<common::packed::Dma>(op, rounds, n),
                #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
                ("irqchip", Some(op), Ok(rounds @ 1..), Ok(n @ 1..)) => {
                    paired::<common::irqchip::Irqchip>(op, rounds, n)
                }
                #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
                ("lapic", Some(op), Ok(rounds @ 1..), Ok(n @ 1..)) => paired::<common::lapic::Lapic>(op, rounds, n),
                _ => {
                    eprintln!(
                        "usage: callgrind paired <s390_cpu|vcpu_4k|kvm_sregs|packed_dev|irqchip|lapic> <save|restore|save_restore> <rounds> <N>"
                    );
                    return ExitCode::from(2);
                }
            }
            return ExitCode::SUCCESS;
        }
    }
    let parsed = match args.as_slice() {
        [subject, variant, op, n] => {
            let variant = Variant::ALL.into_iter().find(|v| v.name() == variant);
            let op = Op::ALL.into_iter().find(|o| o.name() == op);
            match (variant, op, n.parse::<u64>()) {
                (Some(variant), Some(op), Ok(n)) => Some((subject.as_str(), variant, op, n)),
                _ => None,
            }
        }
        _ => None,
    };
    match parsed {
        Some(("s390_cpu", variant, op, n)) => run::<cr::s390::Task>(variant, op, n),
        Some(("vcpu_4k", variant, op, n)) => run::<common::vcpu::Vcpu>(variant, op, n),
        Some(("kvm_sregs", variant, op, n)) => run::<common::sregs::Sregs>(variant, op, n),
        Some(("packed_dev", variant, op, n)) => run::<common::packed::Dma>(variant, op, n),
        #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
        Some(("irqchip", variant, op, n)) => run::<common::irqchip::Irqchip>(variant, op, n),
        #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
        Some(("lapic", variant, op, n)) => run::<common::lapic::Lapic>(variant, op, n),
        #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
        Some(("msr_list", variant, op, n)) => run_list(variant, op, n),
        _ => {
            eprintln!(
                "usage: callgrind <s390_cpu|vcpu_4k|kvm_sregs|packed_dev|irqchip|lapic|msr_list> <derived|hand|bytes|postcard|empty> <save|restore|save_restore> <N>"
            );
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
