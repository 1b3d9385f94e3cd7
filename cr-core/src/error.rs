//! The one error type that `restore` and image reading return.
//! It names the header field and the live path at fault, through nested headers, and stays
//! allocation-free: every string in it is `&'static str`, every number a `u64`, the route a
//! bounded array.

use crate::layout::FieldInfo;
use core::fmt;
use core::num::NonZeroU32;

/// What went wrong while restoring (see [`Error`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A flag word holds bits that no `flag(...)` of that field declares. `bits` are exactly those bits.
    UnknownFlags {
        /// The undeclared bits that were set.
        bits: u64,
    },
    /// A `strict_mask` field holds bits outside its mask. `bits` are exactly those bits.
    MaskViolation {
        /// The bits outside the mask that were set.
        bits: u64,
    },
    /// A `reserved` field is not zero.
    ReservedNotZero,
    /// A `convert` field holds a value that does not fit the live type.
    OutOfRange {
        /// The header field's value.
        value: Value,
        /// The live place's type, as [`core::any::type_name`] gives it.
        live_type: &'static str,
    },
    /// A tag field holds a value that no tagged variant (`when`) declares.
    UnknownVariant {
        /// The tag's value.
        tag: Value,
    },
    /// A tagged variant that the tag does not select is not zero: an image cannot carry data
    /// through a member that is not live.
    InactiveVariant {
        /// The tag's value.
        tag: Value,
    },
    /// A list read as live entries holds more than its entry header's `max_entries`.
    TooManyEntries {
        /// The most it may hold.
        max: u64,
        /// How many it holds.
        found: u64,
    },
    /// A list read as live entries holds the same entry twice (equal in every `unique` field; the
    /// error names the first of them).
    DuplicateEntry {
        /// The earlier entry's index in the list.
        first: u32,
        /// The later one's.
        second: u32,
    },
    /// A validator rejected the header.
    Invalid {
        /// The validator's reason, shown to the user.
        reason: &'static str,
    },
    /// The bytes do not start with the image magic: not a cr image.
    BadMagic,
    /// The image's format version is not one this build reads.
    UnsupportedVersion {
        /// The version in the image.
        found: u32,
        /// The newest version this build reads, the one it writes (it also reads every version
        /// from [`crate::image::OLDEST_VERSION`]).
        supported: u32,
    },
    /// A record's version is not one this build's header type reads: newer than it, or older
    /// than the start of its `prev` chain.
    UnsupportedRecordVersion {
        /// The record type.
        ty: u32,
        /// The record's version.
        found: u32,
        /// The oldest version the reader's header type accepts.
        oldest: u32,
        /// The reader's header type's own version.
        newest: u32,
    },
    /// The image was written for another architecture.
    ArchMismatch {
        /// The architecture the reader asked for.
        expected: u32,
        /// The architecture tag in the image.
        found: u32,
    },
    /// The image ends in the middle of something, or before its end record.
    Truncated,
    /// The next record is not of the type asked for.
    WrongRecord {
        /// The record type asked for.
        expected: u32,
        /// The record type found.
        found: u32,
    },
    /// A record's parent is not the one the reader expected (it belongs to another object).
    WrongParent {
        /// The parent the reader expected.
        expected: u32,
        /// The parent in the record.
        found: u32,
    },
    /// A record's payload length is not the one expected: the size of the header type asked
    /// for, or the length the caller expects of a bulk-bytes record.
    BadLength {
        /// The size of the header type.
        expected: u32,
        /// The length in the record.
        found: u32,
    },
    /// A list record's payload is not a whole number of entries.
    BadListLength {
        /// The size of one entry (the entry header type's size).
        entry: u32,
        /// The length in the record.
        found: u32,
    },
    /// The record was written from another layout of the header type (another build).
    LayoutMismatch {
        /// The reader's `Layout::FINGERPRINT`.
        expected: u64,
        /// The fingerprint recorded in the image.
        found: u64,
    },
    /// A checksum does not match: the bytes were altered.
    Corrupt,
    /// Bytes follow the end record.
    TrailingData,
    /// The underlying reader or writer failed, or an output buffer is full.
    Io,
    /// A header field's bytes are in the image's byte order `order`, not this machine's, and
    /// its format gives nothing to convert them by: [`Format::Opaque`](crate::layout::Format::Opaque)
    /// bytes, or a header without its table. Such a header is read only on a machine of the
    /// byte order that wrote it, unless its type declares itself byte-order-free
    /// ([`Format::Bytes`](crate::layout::Format::Bytes)).
    Unconvertible {
        /// The image's byte order.
        order: crate::order::ByteOrder,
    },
}

/// An integer from a header field, as an error reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Value {
    /// A value of an unsigned type.
    Unsigned(u64),
    /// A value of a signed type.
    Signed(i64),
    /// A 128-bit value beyond the range of 64 bits.
    Wide,
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Unsigned(v) => write!(f, "{v} ({v:#x})"),
            Value::Signed(v) => write!(f, "{v}"),
            Value::Wide => f.write_str("a value beyond 64 bits"),
        }
    }
}

impl ErrorKind {
    /// True for the kinds an image reader or writer reports, false for a header's own restore
    /// checks. Every kind is named here, so a new kind does not compile until it is classified.
    pub const fn is_image(&self) -> bool {
        match self {
            ErrorKind::UnknownFlags { .. }
            | ErrorKind::MaskViolation { .. }
            | ErrorKind::ReservedNotZero
            | ErrorKind::OutOfRange { .. }
            | ErrorKind::UnknownVariant { .. }
            | ErrorKind::InactiveVariant { .. }
            | ErrorKind::Invalid { .. } => false,
            ErrorKind::BadMagic
            | ErrorKind::UnsupportedVersion { .. }
            | ErrorKind::UnsupportedRecordVersion { .. }
            | ErrorKind::ArchMismatch { .. }
            | ErrorKind::Truncated
            | ErrorKind::WrongRecord { .. }
            | ErrorKind::WrongParent { .. }
            | ErrorKind::BadLength { .. }
            | ErrorKind::BadListLength { .. }
            | ErrorKind::LayoutMismatch { .. }
            | ErrorKind::Corrupt
            | ErrorKind::TrailingData
            | ErrorKind::TooManyEntries { .. }
            | ErrorKind::DuplicateEntry { .. }
            | ErrorKind::Io
            | ErrorKind::Unconvertible { .. } => true,
        }
    }
}

/// A restore that was refused, or an image that could not be read. Nothing was written to the
/// live object.
///
/// ```
/// use cr_core::{Error, ErrorKind};
///
/// let e = Error::invalid("psw_mask", "problem-state bit clear");
/// assert_eq!(e.field(), Some("psw_mask"));
/// assert_eq!(e.kind(), ErrorKind::Invalid { reason: "problem-state bit clear" });
/// assert_eq!(e.to_string(), "header field `psw_mask` is invalid: problem-state bit clear");
/// ```
///
/// # Nested headers
///
/// An error raised inside a `nested` header carries its *route*: the header fields through which
/// the outer header reached it, with array indexes. [`field`](Error::field) and
/// [`path`](Error::path) then name the outermost header field and its live path, the text names the
/// whole route (``header field `sregs.segs[2].dpl` (live `sregs.segs[2].dpl`) ...``), and
/// [`leaf_field`](Error::leaf_field) / [`leaf_path`](Error::leaf_path) name the innermost field.
/// The route holds at most [`Error::MAX_ROUTE`] nested fields; a deeper error keeps the outermost
/// ones and marks the elided part with `..` in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    kind: ErrorKind,
    at: At,
    /// The nested fields leading to the field at fault, outermost first; `None` past the last.
    route: [Option<Hop>; Error::MAX_ROUTE],
}

/// Where an error was found: a header field (restore), a byte of an image (reading), both (a
/// header in an image failed its own checks), or neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum At {
    Nowhere,
    /// The innermost header field at fault, its live path, and where in an image it was.
    Field {
        field: &'static str,
        path: Option<&'static str>,
        offset: Option<u64>,
    },
    Offset(u64),
}

/// One nested field on an error's route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Hop {
    /// The nested field's row in its header's table: its name and live path.
    info: &'static FieldInfo,
    /// The element, for an array of headers, stored plus one.
    index: Option<NonZeroU32>,
    /// Hops were dropped between this one and the next (the route was longer than the bound).
    elided: bool,
}

impl Error {
    /// How many nested header fields an error's route records (the outermost ones).
    pub const MAX_ROUTE: usize = 2;

    /// An error of `kind`, not tied to a header field.
    pub const fn new(kind: ErrorKind) -> Self {
        Error {
            kind,
            at: At::Nowhere,
            route: [None; Error::MAX_ROUTE],
        }
    }

    /// A validator's refusal: `field` is the header field at fault, `reason` says why.
    pub const fn invalid(field: &'static str, reason: &'static str) -> Self {
        Error::new(ErrorKind::Invalid { reason }).at(field, None)
    }

    /// Ties the error to a header field and, when it has one, the live path it maps to.
    pub const fn at(self, field: &'static str, path: Option<&'static str>) -> Self {
        Error {
            at: At::Field {
                field,
                path,
                offset: self.offset(),
            },
            ..self
        }
    }

    /// Ties the error to a byte offset in an image.
    pub const fn at_offset(self, offset: u64) -> Self {
        let at = match self.at {
            At::Field { field, path, .. } => At::Field {
                field,
                path,
                offset: Some(offset),
            },
            At::Nowhere | At::Offset(_) => At::Offset(offset),
        };
        Error { at, ..self }
    }

    /// The error seen from the header that nests the one it was raised in: `nested` is that
    /// header's row for the nested field, `index` the element of an array of headers. Not a
    /// public API: derived code reaches it through `cr_core::__private::route`.
    pub(crate) const fn routed(self, nested: &'static FieldInfo, index: Option<usize>) -> Self {
        let index = match index {
            // An index past u32::MAX cannot be a real array of headers; it is shown without one.
            Some(i) if i < u32::MAX as usize => NonZeroU32::new(i as u32 + 1),
            _ => None,
        };
        let hop = Hop {
            info: nested,
            index,
            elided: false,
        };
        let mut route = [None; Error::MAX_ROUTE];
        route[0] = Some(hop);
        let mut i = 1;
        while i < Error::MAX_ROUTE {
            route[i] = self.route[i - 1];
            i += 1;
        }
        // A full route loses its innermost recorded hop; the one before it says so.
        if self.route[Error::MAX_ROUTE - 1].is_some() {
            if let Some(mut last) = route[Error::MAX_ROUTE - 1] {
                last.elided = true;
                route[Error::MAX_ROUTE - 1] = Some(last);
            }
        }
        Error { route, ..self }
    }

    /// Where in the image the fault was found (a byte offset), for image errors.
    pub const fn offset(&self) -> Option<u64> {
        match self.at {
            At::Offset(offset) => Some(offset),
            At::Field { offset, .. } => offset,
            At::Nowhere => None,
        }
    }

    /// What went wrong.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The header field at fault, if the error is about one: for an error inside a nested
    /// header, the outermost field on its route (the one in the header `restore` was called on).
    pub const fn field(&self) -> Option<&'static str> {
        match self.route[0] {
            Some(hop) => Some(hop.info.name),
            None => self.leaf_field(),
        }
    }

    /// The live path that [`field`](Error::field) maps to, if it has one (`None` for flag words
    /// and `reserved` fields).
    pub const fn path(&self) -> Option<&'static str> {
        match self.route[0] {
            Some(hop) => hop.info.path,
            None => self.leaf_path(),
        }
    }

    /// The innermost header field at fault: the same as [`field`](Error::field) unless the error
    /// was raised inside a nested header.
    pub const fn leaf_field(&self) -> Option<&'static str> {
        match self.at {
            At::Field { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The live path of [`leaf_field`](Error::leaf_field), relative to the innermost header's target.
    pub const fn leaf_path(&self) -> Option<&'static str> {
        match self.at {
            At::Field { path, .. } => path,
            _ => None,
        }
    }

    /// True when the error was raised inside a nested header.
    pub const fn is_nested(&self) -> bool {
        self.route[0].is_some()
    }

    /// Writes the route and then `leaf` (the header field or its live path) as `a.b[2].leaf`.
    fn write_route(&self, f: &mut fmt::Formatter<'_>, live: bool, leaf: Option<&str>) -> fmt::Result {
        let mut sep = "";
        for hop in self.route.iter().flatten() {
            write!(f, "{sep}{}", hop.info.label(live))?;
            if let Some(index) = hop.index {
                write!(f, "[{}]", index.get() - 1)?;
            }
            sep = if hop.elided { "..." } else { "." };
        }
        match leaf {
            Some(leaf) => write!(f, "{sep}{leaf}"),
            None => Ok(()),
        }
    }
}

/// `Error::routed` for code that does what derived code does (the benchmarks' hand-written
/// twins of derived headers); re-exported by `cr_core::__private` only, which is not a public API.
pub const fn route(error: Error, nested: &'static FieldInfo, index: Option<usize>) -> Error {
    error.routed(nested, index)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.leaf_field(), self.leaf_path()) {
            (field, path) if field.is_some() || self.is_nested() => {
                f.write_str("header field `")?;
                self.write_route(f, false, field)?;
                f.write_str("`")?;
                if path.is_some() || (field.is_none() && self.is_nested()) {
                    f.write_str(" (live `")?;
                    self.write_route(f, true, path)?;
                    f.write_str("`)")?;
                }
            }
            _ if self.kind.is_image() => f.write_str("image")?,
            _ => f.write_str("header")?,
        }
        match self.kind {
            ErrorKind::UnknownFlags { bits } => write!(f, " has flag bits {bits:#x} set that no flag declares")?,
            ErrorKind::MaskViolation { bits } => write!(f, " has bits {bits:#x} set outside its strict mask")?,
            ErrorKind::ReservedNotZero => f.write_str(" is reserved but not zero")?,
            ErrorKind::OutOfRange { value, live_type } => {
                write!(f, " holds {value}, which does not fit the live type `{live_type}`")?
            }
            ErrorKind::UnknownVariant { tag } => write!(f, " holds {tag}, which selects no variant")?,
            ErrorKind::InactiveVariant { tag } => {
                write!(f, " is not zero, but the tag holds {tag}, which selects another variant")?
            }
            ErrorKind::TooManyEntries { max, found } => {
                write!(f, " has a list record of {found} entries, more than the {max} its entry header allows (`max_entries`)")?
            }
            ErrorKind::DuplicateEntry { first, second } => {
                write!(f, " is the same in entries {first} and {second} of a list, which holds each entry once (`unique`)")?
            }
            ErrorKind::Invalid { reason } => write!(f, " is invalid: {reason}")?,
            ErrorKind::BadMagic => f.write_str(" does not start with the cr image magic")?,
            ErrorKind::UnsupportedVersion { found, supported } => write!(
                f,
                " has format version {found}; this build reads format versions {} to {supported}{}",
                crate::image::OLDEST_VERSION,
                if found > supported { " (a newer build wrote it: read it with that build or a newer one)" } else { "" }
            )?,
            ErrorKind::UnsupportedRecordVersion {
                ty,
                found,
                oldest,
                newest,
            } => write!(
                f,
                " has a record of type {ty} in version {found}; this build reads versions {oldest} to {newest} of it"
            )?,
            ErrorKind::ArchMismatch { expected, found } => {
                write!(f, " was written for architecture {found:#x}, not {expected:#x}")?
            }
            ErrorKind::Truncated => f.write_str(" is truncated")?,
            ErrorKind::WrongRecord { expected, found } => {
                write!(f, " has a record of type {found} where type {expected} was expected")?
            }
            ErrorKind::WrongParent { expected, found } => {
                write!(f, " has a record whose parent is {found} where {expected} was expected")?
            }
            ErrorKind::BadLength { expected, found } => {
                write!(f, " has a record of {found} bytes where {expected} were expected")?
            }
            ErrorKind::BadListLength { entry, found } => {
                write!(f, " has a list record of {found} bytes, not a whole number of {entry}-byte entries")?
            }
            ErrorKind::LayoutMismatch { expected, found } => write!(
                f,
                " has a record written from another header layout (fingerprint {found:#018x}, this build has {expected:#018x}): the header changed without a new `version` and `prev`"
            )?,
            ErrorKind::Corrupt => f.write_str(" is corrupt: a checksum does not match")?,
            ErrorKind::TrailingData => f.write_str(" has data after its end record")?,
            ErrorKind::Io => f.write_str(": reading or writing failed")?,
            ErrorKind::Unconvertible { order } => write!(
                f,
                " cannot be read on this {} machine: the image is {order} and the field's format gives nothing to convert it by (`Format::Opaque`); describe its bytes (integers, arrays, a nested header), or declare them `Format::Bytes` if they mean the same in either byte order",
                crate::order::ByteOrder::NATIVE
            )?,
        }
        match self.offset() {
            Some(offset) => write!(f, " (at byte {offset})"),
            None => Ok(()),
        }
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::layout::Mode;
    use std::string::ToString;

    const fn row(name: &'static str, path: &'static str) -> FieldInfo {
        FieldInfo {
            name,
            path: Some(path),
            offset: 0,
            size: 0,
            ty: "",
            format: crate::layout::Format::Bool,
            mode: Mode::Copy,
        }
    }

    static A: FieldInfo = row("a", "live_a");
    static B: FieldInfo = row("b", "live_b");
    static C: FieldInfo = row("c", "live_c");
    static D: FieldInfo = row("d", "live_d");

    #[test]
    fn an_error_stays_small_enough_to_return() {
        // clippy's `result_large_err` warns from 128 bytes on: users' validators return this type.
        assert!(size_of::<Error>() < 128, "{}", size_of::<Error>());
    }

    #[test]
    fn a_route_up_to_the_bound_is_shown_whole() {
        let e = Error::new(ErrorKind::ReservedNotZero)
            .at("x", Some("live_x"))
            .routed(&B, Some(1))
            .routed(&A, Some(7));
        assert_eq!((e.field(), e.path()), (Some("a"), Some("live_a")));
        assert_eq!((e.leaf_field(), e.leaf_path()), (Some("x"), Some("live_x")));
        assert_eq!(
            e.to_string(),
            "header field `a[7].b[1].x` (live `live_a[7].live_b[1].live_x`) is reserved but not zero"
        );
    }

    #[test]
    fn a_deeper_route_keeps_its_outermost_fields() {
        let e = Error::new(ErrorKind::ReservedNotZero)
            .at("x", None)
            .routed(&D, None)
            .routed(&C, None)
            .routed(&B, Some(2))
            .routed(&A, None);
        assert_eq!(e.field(), Some("a"));
        assert_eq!(e.to_string(), "header field `a.b[2]...x` is reserved but not zero");
    }

    #[test]
    fn a_field_and_an_offset_together() {
        let e = Error::new(ErrorKind::ReservedNotZero).at("pad", None).at_offset(560);
        assert_eq!((e.field(), e.offset()), (Some("pad"), Some(560)));
        assert_eq!(
            e.to_string(),
            "header field `pad` is reserved but not zero (at byte 560)"
        );
        let e = Error::new(ErrorKind::Corrupt).at_offset(8).at("pad", None);
        assert_eq!((e.field(), e.offset()), (Some("pad"), Some(8)));
    }

    #[test]
    fn a_routed_error_without_a_leaf_field_names_the_route() {
        let e = Error::new(ErrorKind::Invalid { reason: "no" }).routed(&A, Some(0));
        assert_eq!(e.to_string(), "header field `a[0]` (live `live_a[0]`) is invalid: no");
    }
}
