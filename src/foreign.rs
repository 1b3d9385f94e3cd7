//! Test support: an image as a machine of the other byte order would have written it, made
//! here from one of this machine's by converting each header record and list entry from the
//! layout of its record type (`cr_core::order::swap`), then setting the head's byte order and
//! resealing. Bulk bytes are left as they are, as a writer leaves them. Never used to read.

use cr_core::dump::Kind;
use cr_core::image::{self, ByteOrder, Reader, RecordKind};
use cr_core::{Error, ErrorKind};

/// `image` (written here, for `arch`) in the other byte order. Every header and list record
/// must be of one of `kinds`; an image with description records is refused (`WrongRecord`).
pub fn other_order(image: &[u8], arch: u32, kinds: &[Kind]) -> Result<Vec<u8>, Error> {
    let mut reader = Reader::new(image, arch)?;
    let from = reader.order();
    let mut out = image.to_vec();
    while let Some((info, payload)) = reader.read_raw()? {
        // A description is not a header of its type: converting it from that layout would garble
        // it. This test support does not convert descriptions; it refuses them.
        if info.description {
            return Err(Error::new(ErrorKind::WrongRecord {
                expected: 0,
                found: info.ty,
            })
            .at_offset(info.offset));
        }
        let entry = match RecordKind::of(info.ty) {
            RecordKind::Header => info.ty,
            RecordKind::List { entry } => entry,
            RecordKind::End | RecordKind::Bytes => continue,
        };
        let Some(kind) = kinds
            .iter()
            .find(|k| k.ty == entry && k.fingerprint == info.fingerprint)
        else {
            return Err(Error::new(ErrorKind::WrongRecord {
                expected: 0,
                found: info.ty,
            })
            .at_offset(info.offset));
        };
        let start = info.offset as usize + image::RECORD_HEADER_SIZE;
        let bytes = &mut out[start..start + payload.len()];
        for entry in bytes.chunks_exact_mut(kind.size.max(1)) {
            cr_core::order::swap(kind.fields, entry, from)?;
        }
    }
    reader.finish()?;
    let word = from.other().head_word().to_le_bytes();
    out[image::head::ORDER..image::head::ORDER + 4].copy_from_slice(&word);
    image::reseal(&mut out);
    Ok(out)
}

/// The byte order that is not this machine's.
pub const FOREIGN: ByteOrder = ByteOrder::NATIVE.other();

/// Makes `image` (format 3) declare the other byte order than it does, nothing converted, and
/// reseals it: for a fuzzer, which then reaches the conversion of every header from any input.
/// An image whose head names no byte order is only resealed.
pub fn declare_other_order(image: &mut [u8]) {
    let Some(word) = image.get_mut(image::head::ORDER..image::head::ORDER + 4) else {
        return;
    };
    let [little, big] = [ByteOrder::Little, ByteOrder::Big].map(|o| o.head_word().to_le_bytes());
    if word == little {
        word.copy_from_slice(&big);
    } else if word == big {
        word.copy_from_slice(&little);
    }
    image::reseal(image);
}
