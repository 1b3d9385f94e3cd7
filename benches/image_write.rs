//! Deterministic instruction counts of writing an image, for `valgrind --tool=callgrind` (see
//! `scripts/bench/callgrind_image_write.sh`): the s390 task image (`cr_hdr_cpu`, then
//! `cr_hdr_mm_context`, then the end record) written N times into a reused buffer, by a plain
//! writer and by a describing one (a description of each header type before its first record):
//! the cost that decided descriptions are opt-in.
//!
//! ```text
//! image_write <plain|described|empty> <N>
//! ```
//! `empty`: the loop alone (subtracted). Not a criterion benchmark: `cargo bench` runs it
//! without arguments, which checks that every variant runs, and prints the two images' sizes.

use cr::s390::{checkpoint_cpu, sample_task, CrHdrCpu, CrHdrMmContext, ARCH_S390X, CR_HDR_CPU};
use cr_core::image::{Sink, SliceSink, Writer};
use cr_core::CrCopy;
use std::hint::black_box;
use std::process::ExitCode;

/// One whole image into `buf`; its length.
fn write(buf: &mut [u8], cpu: &CrHdrCpu, mm: &CrHdrMmContext, describe: bool) -> usize {
    let sink = SliceSink::new(buf);
    match describe {
        true => {
            let w = Writer::describing(sink, ARCH_S390X).expect("head");
            records(w, cpu, mm).into_inner().written().len()
        }
        false => records(Writer::new(sink, ARCH_S390X).expect("head"), cpu, mm)
            .written()
            .len(),
    }
}

/// The two records and the end record; the sink.
fn records<S: Sink>(mut w: Writer<S>, cpu: &CrHdrCpu, mm: &CrHdrMmContext) -> S {
    w.write(0, cpu).expect("cpu");
    w.write(CR_HDR_CPU, mm).expect("mm");
    w.finish().expect("end")
}

fn run(variant: &str, n: u64) -> bool {
    let task = sample_task();
    let cpu = checkpoint_cpu(&task);
    let mut mm = CrHdrMmContext::default();
    mm.save(&task.mm);
    let mut buf = vec![0u8; 8192];
    let describe = match variant {
        "plain" => false,
        "described" => true,
        "empty" => {
            for _ in 0..n {
                black_box((black_box(&mut buf), black_box(&cpu), black_box(&mm)));
            }
            return true;
        }
        _ => return false,
    };
    for _ in 0..n {
        black_box(write(black_box(&mut buf), black_box(&cpu), black_box(&mm), describe));
    }
    true
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    match args.as_slice() {
        [] => {
            for variant in ["plain", "described", "empty"] {
                assert!(run(variant, 100));
            }
            let task = sample_task();
            let cpu = checkpoint_cpu(&task);
            let mut mm = CrHdrMmContext::default();
            mm.save(&task.mm);
            let mut buf = vec![0u8; 8192];
            let plain = write(&mut buf, &cpu, &mm, false);
            let described = write(&mut buf, &cpu, &mm, true);
            println!("image_write: every variant ran; plain image {plain} bytes, described {described} bytes; see scripts/bench/callgrind_image_write.sh");
            ExitCode::SUCCESS
        }
        [variant, n] if n.parse::<u64>().is_ok() && run(variant, n.parse().unwrap_or(0)) => ExitCode::SUCCESS,
        _ => {
            eprintln!("usage: image_write <plain|described|empty> <N>");
            ExitCode::from(2)
        }
    }
}
