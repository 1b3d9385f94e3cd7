//! Byte orders: which one an image's payloads are in, and the conversion of a header's bytes
//! from the other one, field by field from its [`Layout`](crate::Layout) table. Owns no format
//! knowledge beyond what a [`Format`] says; `no_std`, no allocation, no panics on any table.
//!
//! An image's framing (head, record headers) is little-endian whatever wrote it; its header and
//! list payloads are in the writer's own byte order, named in the head from format 3 on (formats
//! 1 and 2 were only ever written on little-endian machines, and read as such). A reader of the
//! other order converts each header after the checks on its record and before its own checks:
//! integers, floats and flag words reversed, `bool`s and single bytes as they are, arrays element
//! by element, nested headers through their own tables. Bulk bytes are never converted.

use crate::layout::{FieldInfo, Format, Mode};
use crate::{Error, ErrorKind};

/// The byte order of an image's header and list payloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// Least significant byte first (x86-64, AArch64, RISC-V as Linux runs them).
    Little,
    /// Most significant byte first (s390x, big-endian POWER).
    Big,
}

impl ByteOrder {
    /// This machine's byte order: the one a writer here uses.
    pub const NATIVE: ByteOrder = if cfg!(target_endian = "big") {
        ByteOrder::Big
    } else {
        ByteOrder::Little
    };

    /// Whether values in this order are read here as they are.
    #[inline(always)]
    pub const fn is_native(self) -> bool {
        matches!(
            (self, ByteOrder::NATIVE),
            (ByteOrder::Little, ByteOrder::Little) | (ByteOrder::Big, ByteOrder::Big)
        )
    }

    /// The other byte order.
    pub const fn other(self) -> ByteOrder {
        match self {
            ByteOrder::Little => ByteOrder::Big,
            ByteOrder::Big => ByteOrder::Little,
        }
    }

    /// An unsigned integer of 1 to 16 bytes in this order, widened (bytes past the 16th are
    /// ignored): how the dump and `cr-inspect` read a field of any width.
    ///
    /// ```
    /// use cr_core::image::ByteOrder;
    /// assert_eq!(ByteOrder::Big.unsigned(&[0x12, 0x34]), 0x1234);
    /// assert_eq!(ByteOrder::Little.unsigned(&[0x12, 0x34]), 0x3412);
    /// assert_eq!(ByteOrder::Little.unsigned(&[0xff; 16]), u128::MAX);
    /// ```
    pub fn unsigned(self, bytes: &[u8]) -> u128 {
        let mut buf = [0u8; 16];
        let n = bytes.len().min(16);
        match self {
            ByteOrder::Little => {
                buf[..n].copy_from_slice(&bytes[..n]);
                u128::from_le_bytes(buf)
            }
            ByteOrder::Big => {
                buf[16 - n..].copy_from_slice(&bytes[..n]);
                u128::from_be_bytes(buf)
            }
        }
    }

    /// How people write it: `little-endian` or `big-endian`.
    pub const fn name(self) -> &'static str {
        match self {
            ByteOrder::Little => "little-endian",
            ByteOrder::Big => "big-endian",
        }
    }
}

impl core::fmt::Display for ByteOrder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Checks that every field of a header laid out as `fields` can change byte order: the
/// refusal [`swap`] would make, made without touching any bytes (a list checks its entry type
/// once, before any entry is read). The error is [`ErrorKind::Unconvertible`], naming the field
/// (through nested headers, as restore's errors do).
pub fn check(fields: &'static [FieldInfo], order: ByteOrder) -> Result<(), Error> {
    match fault(fields, None, order) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// Reverses the byte order of every value in `bytes`, one header laid out as `fields`: what a
/// reader of the other byte order does to a record's payload before the header's checks (and
/// what makes an image of the other order from one of this machine's; the conversion is its own
/// inverse). Every field is converted by its [`Format`] except `reserved` ones, zero in either
/// order; a `nested` header through its own table, element by element. A field whose format
/// gives nothing to convert by ([`Format::Opaque`], a header without its table) is refused with
/// [`ErrorKind::Unconvertible`], as is a table that does not fit `bytes`; `bytes` may then be
/// partly converted.
pub fn swap(fields: &'static [FieldInfo], bytes: &mut [u8], order: ByteOrder) -> Result<(), Error> {
    if swap_fields(fields, bytes) {
        return Ok(());
    }
    Err(fault(fields, Some(bytes.len()), order).unwrap_or(Error::new(ErrorKind::Unconvertible { order })))
}

/// The conversion of [`swap`], reporting only whether it succeeded (the reason is found again,
/// off the fast path, by [`fault`]).
fn swap_fields(fields: &'static [FieldInfo], bytes: &mut [u8]) -> bool {
    for field in fields {
        let Some(value) = bytes.get_mut(field.offset..).and_then(|b| b.get_mut(..field.size)) else {
            return false;
        };
        // A tagged variant converts by the mode it has while live: the header holds every
        // variant side by side, an inactive one as zeros (restore refuses it otherwise).
        let converted = match *field.mode.inner() {
            Mode::Nested(nested) => {
                nested.size > 0
                    && nested.size.checked_mul(nested.count()) == Some(value.len())
                    && value
                        .chunks_exact_mut(nested.size)
                        .all(|e| swap_fields(nested.fields, e))
            }
            Mode::Reserved => true,
            Mode::Copy
            | Mode::Bits
            | Mode::Convert
            | Mode::Mask { .. }
            | Mode::StrictMask { .. }
            | Mode::SaveOnly
            | Mode::Flags(_)
            | Mode::Skip
            | Mode::Data
            | Mode::Variant(_) => match scalar_width(&field.format) {
                Some(width) => swap_scalars(value, width),
                None => false,
            },
        };
        if !converted {
            return false;
        }
    }
    true
}

/// The first field of `fields` that cannot change byte order (or, given the header's size
/// `len`, does not fit it), as the error that refuses it.
#[cold]
fn fault(fields: &'static [FieldInfo], len: Option<usize>, order: ByteOrder) -> Option<Error> {
    for field in fields {
        let end = field.offset.checked_add(field.size);
        let fits = match (end, len) {
            (None, _) => false,
            (Some(end), Some(len)) => end <= len,
            (Some(_), None) => true,
        };
        let refused = Error::new(ErrorKind::Unconvertible { order }).at(field.name, field.path);
        match *field.mode.inner() {
            _ if !fits => return Some(refused),
            Mode::Nested(nested) => {
                let whole = nested.size.checked_mul(nested.count());
                if nested.size == 0 || whole != Some(field.size) {
                    return Some(refused);
                }
                let inner = len.map(|_| nested.size);
                if let Some(e) = fault(nested.fields, inner, order) {
                    return Some(e.routed(field, nested.len.map(|_| 0)));
                }
            }
            Mode::Reserved => {}
            Mode::Copy
            | Mode::Bits
            | Mode::Convert
            | Mode::Mask { .. }
            | Mode::StrictMask { .. }
            | Mode::SaveOnly
            | Mode::Flags(_)
            | Mode::Skip
            | Mode::Data
            | Mode::Variant(_) => {
                let width = scalar_width(&field.format);
                if width.is_none_or(|w| field.size % w != 0) {
                    return Some(refused);
                }
            }
        }
    }
    None
}

/// The width in bytes of the scalars a value of `format` is made of, if its format says: a
/// scalar's own, an array's element's (arrays of arrays too); 1 for what has no byte order
/// (`bool`, [`Format::Bytes`]). `None` for what gives nothing to convert by.
#[inline(always)]
const fn scalar_width(format: &Format) -> Option<usize> {
    match *format {
        // An array of scalars (registers, words) without a call.
        Format::Array { elem, .. } => match *elem {
            Format::Array { .. } => nested_width(elem),
            _ => own_width(elem),
        },
        _ => own_width(format),
    }
}

/// [`scalar_width`] of an array of arrays.
const fn nested_width(format: &Format) -> Option<usize> {
    match *format {
        Format::Array { elem, .. } => nested_width(elem),
        _ => own_width(format),
    }
}

/// [`scalar_width`] of a format that is not an array.
#[inline(always)]
const fn own_width(format: &Format) -> Option<usize> {
    match *format {
        Format::Unsigned { bytes } | Format::Signed { bytes } | Format::Float { bytes } => Some(bytes as usize),
        Format::Bool | Format::Bytes { .. } => Some(1),
        Format::Array { .. } | Format::Header { .. } | Format::Opaque { .. } => None,
    }
}

/// Reverses each `width`-byte scalar of `bytes`; false unless `bytes` holds a whole number of them.
#[inline]
fn swap_scalars(bytes: &mut [u8], width: usize) -> bool {
    match width {
        1 => return true,
        2 => swap_each::<2>(bytes, |b| u16::from_ne_bytes(b).swap_bytes().to_ne_bytes()),
        4 => swap_each::<4>(bytes, |b| u32::from_ne_bytes(b).swap_bytes().to_ne_bytes()),
        8 => swap_each::<8>(bytes, |b| u64::from_ne_bytes(b).swap_bytes().to_ne_bytes()),
        16 => swap_each::<16>(bytes, |b| u128::from_ne_bytes(b).swap_bytes().to_ne_bytes()),
        0 => return bytes.is_empty(),
        _ => bytes.chunks_exact_mut(width).for_each(<[u8]>::reverse),
    }
    bytes.len() % width == 0
}

/// Applies `f` to each `N`-byte chunk of `bytes` (a remainder is left, and refused by the caller).
#[inline(always)]
fn swap_each<const N: usize>(bytes: &mut [u8], f: impl Fn([u8; N]) -> [u8; N]) {
    for chunk in bytes.chunks_exact_mut(N) {
        if let Ok(chunk) = <&mut [u8; N]>::try_from(chunk) {
            *chunk = f(*chunk);
        }
    }
}
