//! Test support: recompute every checksum of an image in place, so a test or a fuzzer can hand
//! restore arbitrary header values inside an otherwise well-formed image. Never used to read
//! real images.

const HEAD: usize = cr_core::image::HEAD_SIZE;
const RECORD: usize = cr_core::image::RECORD_HEADER_SIZE;

/// Rewrites the head checksum and, record by record while the lengths stay in bounds, each
/// record's payload and header checksums. Stops at the first record that does not fit.
pub fn reseal(image: &mut [u8]) {
    if image.len() < HEAD {
        return;
    }
    let crc = cr_core::image::crc32c(&image[..HEAD - 4]);
    image[HEAD - 4..HEAD].copy_from_slice(&crc.to_le_bytes());
    let mut pos = HEAD;
    while pos + RECORD <= image.len() {
        let len = u32::from_le_bytes([image[pos + 4], image[pos + 5], image[pos + 6], image[pos + 7]]) as usize;
        let start = pos + RECORD;
        let Some(end) = start.checked_add(len).filter(|end| *end <= image.len()) else {
            return;
        };
        let payload_crc = cr_core::image::crc32c(&image[start..end]);
        image[pos + 24..pos + 28].copy_from_slice(&payload_crc.to_le_bytes());
        let header_crc = cr_core::image::crc32c(&image[pos..pos + 28]);
        image[pos + 28..pos + 32].copy_from_slice(&header_crc.to_le_bytes());
        pos = end;
    }
}
