//! Runtime of `save`, `restore` and both, on the s390 cpu header, a 4 KiB vCPU header, a
//! `kvm_sregs`-shaped header of nested headers and a packed device register file: derived code,
//! the same logic by hand, a byte-copy floor, and serde + postcard.
//! `cargo bench --bench runtime`; `scripts/bench/criterion_ratios.py` prints the ratios.

mod common;

use common::{Bench, Op, Subject, Variant};
use criterion::{criterion_group, criterion_main, Criterion};
use std::time::Duration;

/// One group per operation, one benchmark per variant. `Variant` and `Op` are literals at every
/// call of `Bench::run` (inlined), so the dispatch folds away and only the variant's call remains.
macro_rules! group {
    ($c:expr, $state:expr, $name:expr, $op:expr) => {{
        let mut group = $c.benchmark_group(format!("{}/{}", $name, $op.name()));
        group.bench_function(Variant::Derived.name(), |b| {
            b.iter(|| $state.run(Variant::Derived, $op))
        });
        group.bench_function(Variant::Hand.name(), |b| b.iter(|| $state.run(Variant::Hand, $op)));
        group.bench_function(Variant::Bytes.name(), |b| b.iter(|| $state.run(Variant::Bytes, $op)));
        group.bench_function(Variant::Postcard.name(), |b| {
            b.iter(|| $state.run(Variant::Postcard, $op))
        });
        group.finish();
    }};
}

fn subject<L: Subject>(c: &mut Criterion) {
    // `Bench::new` asserts first that derived and hand-written code give identical headers,
    // identical restored objects and identical errors.
    let mut state = Bench::<L>::new();
    group!(c, state, L::NAME, Op::Save);
    group!(c, state, L::NAME, Op::Restore);
    group!(c, state, L::NAME, Op::SaveRestore);
}

fn s390_cpu(c: &mut Criterion) {
    subject::<cr::s390::Task>(c);
}

fn vcpu_4k(c: &mut Criterion) {
    subject::<common::vcpu::Vcpu>(c);
}

fn kvm_sregs(c: &mut Criterion) {
    subject::<common::sregs::Sregs>(c);
}

fn packed_dev(c: &mut Criterion) {
    subject::<common::packed::Dma>(c);
}

/// The bindgen-shaped subject (kvm-bindings' `kvm_irqchip`): Linux x86-64 only.
fn irqchip(c: &mut Criterion) {
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    subject::<common::irqchip::Irqchip>(c);
    let _ = c;
}

/// The register-page subject (kvm-bindings' `kvm_lapic_state`): Linux x86-64 only.
fn lapic(c: &mut Criterion) {
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    subject::<common::lapic::Lapic>(c);
    let _ = c;
}

fn config() -> Criterion {
    // 72 benchmarks at ~2.5 s each: the whole run stays around three minutes.
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = s390_cpu, vcpu_4k, kvm_sregs, packed_dev, irqchip, lapic
}
criterion_main!(benches);
