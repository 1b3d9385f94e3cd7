//! Fuzz cr-inspect's reading of an image from its own descriptions: `decode` (to JSON), then, when
//! it decodes, `encode` must give the very same bytes back; `show` and `verify` run on every input.
//! The first byte is a mode, as in the other targets: bit 0 set, the image's checksums are
//! recomputed first (so arbitrary descriptions and header values get past the checksums and reach
//! the description parser and the value conversions). No input may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, image)) = data.split_first() else {
        return;
    };
    let mut image = image.to_vec();
    if mode & 1 == 1 {
        cr_core::image::reseal(&mut image);
    }
    let _ = cr_inspect::report::show(&image);
    let _ = cr_inspect::report::verify(&image);
    if let Ok(doc) = cr_inspect::doc::decode(&image, None) {
        // Bulk bytes are not extracted here: an image holding non-zero ones is not encodable
        // from this document, every other one must come back byte for byte.
        match cr_inspect::doc::encode(&doc, Path::new(".")) {
            Ok(again) => assert!(again == image, "decode then encode changed the image"),
            Err(e) => assert!(
                e.to_string().contains("need their `file`"),
                "encode refused a decoded document: {e}"
            ),
        }
    }
});
