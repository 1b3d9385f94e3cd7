//! The one error type that `restore` (and, later, image reading) returns.
//! It names the header field and the live path at fault and stays allocation-free: every
//! string in it is `&'static str`, every number a `u64`.

use core::fmt;

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
    OutOfRange,
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
        /// The version this build reads and writes.
        supported: u32,
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
    /// A record's payload length is not the size of the header type asked for.
    BadLength {
        /// The size of the header type.
        expected: u32,
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
}

impl ErrorKind {
    /// True for the kinds an image reader reports (as opposed to a header's restore checks).
    pub const fn is_image(&self) -> bool {
        !matches!(
            self,
            ErrorKind::UnknownFlags { .. }
                | ErrorKind::MaskViolation { .. }
                | ErrorKind::ReservedNotZero
                | ErrorKind::OutOfRange
                | ErrorKind::Invalid { .. }
        )
    }
}

/// A restore that was refused. Nothing was written to the live object.
///
/// ```
/// use cr_core::{Error, ErrorKind};
///
/// let e = Error::invalid("psw_mask", "problem-state bit clear");
/// assert_eq!(e.field(), Some("psw_mask"));
/// assert_eq!(e.kind(), ErrorKind::Invalid { reason: "problem-state bit clear" });
/// assert_eq!(e.to_string(), "header field `psw_mask` is invalid: problem-state bit clear");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    kind: ErrorKind,
    field: Option<&'static str>,
    path: Option<&'static str>,
    offset: Option<u64>,
}

impl Error {
    /// An error of `kind`, not tied to a header field.
    pub const fn new(kind: ErrorKind) -> Self {
        Error {
            kind,
            field: None,
            path: None,
            offset: None,
        }
    }

    /// A validator's refusal: `field` is the header field at fault, `reason` says why.
    pub const fn invalid(field: &'static str, reason: &'static str) -> Self {
        Error {
            kind: ErrorKind::Invalid { reason },
            field: Some(field),
            path: None,
            offset: None,
        }
    }

    /// Ties the error to a header field and, when it has one, the live path it maps to.
    pub const fn at(self, field: &'static str, path: Option<&'static str>) -> Self {
        Error {
            kind: self.kind,
            field: Some(field),
            path,
            offset: self.offset,
        }
    }

    /// Ties the error to a byte offset in an image.
    pub const fn at_offset(self, offset: u64) -> Self {
        Error {
            kind: self.kind,
            field: self.field,
            path: self.path,
            offset: Some(offset),
        }
    }

    /// Where in the image the fault was found (a byte offset), for image errors.
    pub const fn offset(&self) -> Option<u64> {
        self.offset
    }

    /// What went wrong.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The header field at fault, if the error is about one.
    pub const fn field(&self) -> Option<&'static str> {
        self.field
    }

    /// The live path that field maps to, if it has one (`None` for flag words and `reserved`
    /// fields).
    pub const fn path(&self) -> Option<&'static str> {
        self.path
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.field, self.path) {
            (Some(field), Some(path)) => write!(f, "header field `{field}` (live `{path}`)")?,
            (Some(field), None) => write!(f, "header field `{field}`")?,
            (None, _) if self.kind.is_image() => f.write_str("image")?,
            (None, _) => f.write_str("header")?,
        }
        match self.kind {
            ErrorKind::UnknownFlags { bits } => write!(f, " has flag bits {bits:#x} set that no flag declares")?,
            ErrorKind::MaskViolation { bits } => write!(f, " has bits {bits:#x} set outside its strict mask")?,
            ErrorKind::ReservedNotZero => f.write_str(" is reserved but not zero")?,
            ErrorKind::OutOfRange => f.write_str(" holds a value out of range for the live type")?,
            ErrorKind::Invalid { reason } => write!(f, " is invalid: {reason}")?,
            ErrorKind::BadMagic => f.write_str(" does not start with the cr image magic")?,
            ErrorKind::UnsupportedVersion { found, supported } => {
                write!(f, " has format version {found}; this build reads version {supported}")?
            }
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
                write!(f, " has a record of {found} bytes where the header type has {expected}")?
            }
            ErrorKind::LayoutMismatch { expected, found } => write!(
                f,
                " has a record written from another header layout (fingerprint {found:#018x}, this build has {expected:#018x})"
            )?,
            ErrorKind::Corrupt => f.write_str(" is corrupt: a checksum does not match")?,
            ErrorKind::TrailingData => f.write_str(" has data after its end record")?,
            ErrorKind::Io => f.write_str(": reading or writing failed")?,
        }
        match self.offset {
            Some(offset) => write!(f, " (at byte {offset})"),
            None => Ok(()),
        }
    }
}

impl core::error::Error for Error {}
