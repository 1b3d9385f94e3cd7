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
}

impl Error {
    /// An error of `kind`, not tied to a header field.
    pub const fn new(kind: ErrorKind) -> Self {
        Error {
            kind,
            field: None,
            path: None,
        }
    }

    /// A validator's refusal: `field` is the header field at fault, `reason` says why.
    pub const fn invalid(field: &'static str, reason: &'static str) -> Self {
        Error {
            kind: ErrorKind::Invalid { reason },
            field: Some(field),
            path: None,
        }
    }

    /// Ties the error to a header field and, when it has one, the live path it maps to.
    pub const fn at(self, field: &'static str, path: Option<&'static str>) -> Self {
        Error {
            kind: self.kind,
            field: Some(field),
            path,
        }
    }

    /// What went wrong.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The header field at fault, if the error is about one.
    pub const fn field(&self) -> Option<&'static str> {
        self.field
    }

    /// The live path that field maps to, if it has one (`None` for flag words, `reserved` fields and
    /// validator errors).
    pub const fn path(&self) -> Option<&'static str> {
        self.path
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.field, self.path) {
            (Some(field), Some(path)) => write!(f, "header field `{field}` (live `{path}`)")?,
            (Some(field), None) => write!(f, "header field `{field}`")?,
            (None, _) => f.write_str("header")?,
        }
        match self.kind {
            ErrorKind::UnknownFlags { bits } => {
                write!(f, " has flag bits {bits:#x} set that no flag declares")
            }
            ErrorKind::MaskViolation { bits } => {
                write!(f, " has bits {bits:#x} set outside its strict mask")
            }
            ErrorKind::ReservedNotZero => f.write_str(" is reserved but not zero"),
            ErrorKind::OutOfRange => f.write_str(" holds a value out of range for the live type"),
            ErrorKind::Invalid { reason } => write!(f, " is invalid: {reason}"),
        }
    }
}

impl core::error::Error for Error {}
