//! Fuzz "read an image and restore it into a task". Half the inputs are taken as they come
//! (exercising every integrity check); the other half have their checksums recomputed first, so
//! arbitrary header values reach restore's own checks. Either way: no panic, and a refused
//! restart leaves the task exactly as it was.
#![no_main]

use cr::s390::{restart_from_image, sample_task};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, image)) = data.split_first() else {
        return;
    };
    let mut image = image.to_vec();
    if mode & 1 == 1 {
        cr_core::image::reseal(&mut image);
    }
    let mut task = sample_task();
    let before = task;
    if restart_from_image(&image, &mut task).is_err() {
        assert!(task == before, "a refused restart changed the task");
    }
});
