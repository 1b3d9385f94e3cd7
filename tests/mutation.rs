//! A bounded, deterministic mutation test of "read an image and restore it into a task" (the
//! fuzz target's property, for every `cargo test`): no mutation panics, a refused restart leaves
//! the task exactly as it was, and a raw mutation (checksums not fixed up) is never accepted.

use cr::s390::{checkpoint_image, restart_from_image, sample_task, Task, PSW_USER_BITS};
use cr_core::image::reseal;

/// xorshift64*: a fixed sequence, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn mutate(rng: &mut Rng, image: &[u8]) -> Vec<u8> {
    let mut m = image.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(5) {
            0 => {
                let i = rng.below(m.len());
                m[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(m.len());
                m[i] = rng.next() as u8;
            }
            2 => m.truncate(rng.below(m.len())),
            3 => {
                let i = rng.below(m.len() + 1);
                m.insert(i, rng.next() as u8);
            }
            _ => {
                // An interesting value into a header field's bytes.
                let i = rng.below(m.len().saturating_sub(8).max(1));
                let v = [0u64, u64::MAX, 1 << 63, 0x80, PSW_USER_BITS][rng.below(5)];
                let end = (i + 8).min(m.len());
                m[i..end].copy_from_slice(&v.to_le_bytes()[..end - i]);
            }
        }
        if m.is_empty() {
            break;
        }
    }
    m
}

fn fresh() -> Task {
    let mut task = Task::default();
    task.regs.psw.mask = PSW_USER_BITS;
    task.regs.psw.addr = 0x8000_0000;
    task
}

#[test]
fn mutated_images_never_panic_and_never_half_restore() {
    let image = checkpoint_image(&sample_task());
    let mut rng = Rng(0x00C0_FFEE_D00D_F00D);
    let (mut accepted, mut refused) = (0, 0);
    for round in 0..20_000 {
        let mut m = mutate(&mut rng, &image);
        let resealed = round % 2 == 1;
        if resealed {
            reseal(&mut m);
        }
        let mut task = fresh();
        let before = task;
        match restart_from_image(&m, &mut task) {
            Ok(()) => {
                assert!(resealed || m == image, "round {round}: a raw mutation was accepted");
                accepted += 1;
            }
            Err(e) => {
                assert!(task == before, "round {round}: refused ({e}) but the task changed");
                refused += 1;
            }
        }
    }
    // Both outcomes were exercised: resealed images reach restore and some pass its checks.
    assert!(
        accepted > 100 && refused > 10_000,
        "accepted {accepted}, refused {refused}"
    );
}

/// The same property for images of the other byte order: written there (converted here from
/// this machine's image) and mutated, or this machine's image taken for the other order's.
#[test]
fn mutated_images_of_the_other_byte_order_never_panic_and_never_half_restore() {
    let native = checkpoint_image(&sample_task());
    let foreign = cr::foreign::other_order(&native, cr::s390::ARCH_S390X, &cr::s390::KINDS).expect("convert");
    let mut rng = Rng(0x0B16_E4D1_A400_5EED);
    let (mut accepted, mut refused) = (0, 0);
    for round in 0..10_000 {
        let source = if round % 4 == 3 { &native } else { &foreign };
        let mut m = mutate(&mut rng, source);
        match round % 4 {
            1 => {
                reseal(&mut m);
            }
            3 => cr::foreign::declare_other_order(&mut m),
            _ => {}
        }
        let mut task = fresh();
        let before = task;
        match restart_from_image(&m, &mut task) {
            Ok(()) => {
                assert!(
                    round % 2 == 1 || m == foreign,
                    "round {round}: a raw mutation was accepted"
                );
                accepted += 1;
            }
            Err(e) => {
                assert!(task == before, "round {round}: refused ({e}) but the task changed");
                refused += 1;
            }
        }
    }
    assert!(
        accepted > 50 && refused > 5_000,
        "accepted {accepted}, refused {refused}"
    );
}
