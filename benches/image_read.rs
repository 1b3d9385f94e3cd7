//! Deterministic instruction counts of reading an image: the s390 task image (`cr_hdr_cpu`, then
//! `cr_hdr_mm_context`, then the end record) read N times, every check made, for
//! `valgrind --tool=callgrind` (see `scripts/bench/callgrind_image.sh`).
//!
//! ```text
//! image_read <native|foreign|empty> <N>
//! ```
//! `native`: an image this machine wrote; `foreign`: the same image as a machine of the other
//! byte order writes it (`cr::foreign::other_order`, byte for byte the committed golden image of
//! that order), whose headers the reader converts; `empty`: the loop alone (subtracted). Not a
//! criterion benchmark: `cargo bench` runs it without arguments, which only checks that every
//! variant runs and that both reads give the same headers.

use cr::s390::{checkpoint_image, sample_task, CrHdrCpu, CrHdrMmContext, ARCH_S390X};
use cr_core::image::Reader;
use std::hint::black_box;
use std::process::ExitCode;

/// One read of the whole image, as a restart makes it (without the restore).
fn read(image: &[u8]) -> (CrHdrCpu, CrHdrMmContext) {
    let mut reader = Reader::new(image, ARCH_S390X).expect("head");
    let (_, cpu) = reader.read::<CrHdrCpu>().expect("cpu");
    let (_, mm) = reader.read::<CrHdrMmContext>().expect("mm");
    reader.finish().expect("end");
    (cpu, mm)
}

fn run(variant: &str, images: &Images, n: u64) -> bool {
    match variant {
        "native" | "foreign" => {
            let image = if variant == "native" {
                &images.native
            } else {
                &images.foreign
            };
            for _ in 0..n {
                black_box(read(black_box(image)));
            }
        }
        "empty" => {
            for _ in 0..n {
                black_box(black_box(&images.native));
            }
        }
        _ => return false,
    }
    true
}

/// The s390 task image in both byte orders.
struct Images {
    native: Vec<u8>,
    foreign: Vec<u8>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let native = checkpoint_image(&sample_task());
    let foreign = cr::foreign::other_order(&native, ARCH_S390X, &cr::s390::KINDS).expect("convert");
    assert_eq!(read(&native), read(&foreign));
    let images = Images { native, foreign };
    match args.as_slice() {
        [] => {
            for variant in ["native", "foreign", "empty"] {
                assert!(run(variant, &images, 100));
            }
            println!("image_read: every variant ran; see scripts/bench/callgrind_image.sh");
            ExitCode::SUCCESS
        }
        [variant, n] if n.parse::<u64>().is_ok() && run(variant, &images, n.parse().unwrap_or(0)) => ExitCode::SUCCESS,
        _ => {
            eprintln!("usage: image_read <native|foreign|empty> <N>");
            ExitCode::from(2)
        }
    }
}
