//! Fuzz "read an image and restore it into a task". The first byte is a mode: bit 0 clear, the
//! image is taken as it comes (exercising every integrity check); bit 0 set, its checksums are
//! recomputed first, so arbitrary header values reach restore's own checks; bit 1 set, it is
//! also taken for an image of the other byte order (its head's order flipped), so every header
//! goes through the conversion. The seeds include images written on both byte orders. Either
//! way: no panic, and a refused restart leaves the task exactly as it was.
#![no_main]

use cr::s390::{restart_from_image, sample_task};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, image)) = data.split_first() else {
        return;
    };
    let mut image = image.to_vec();
    if mode & 2 == 2 {
        // Taken for an image of the other byte order: every header is converted on the way in.
        cr::foreign::declare_other_order(&mut image);
    } else if mode & 1 == 1 {
        cr_core::image::reseal(&mut image);
    }
    let mut task = sample_task();
    let before = task;
    if restart_from_image(&image, &mut task).is_err() {
        assert!(task == before, "a refused restart changed the task");
    }
});
