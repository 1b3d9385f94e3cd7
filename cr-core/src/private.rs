//! Helpers that derived code calls, so each generated statement stays one short line.
//! Not a public API: names and signatures change without notice. Nothing here panics or
//! allocates; each check returns an `Error` that names the header field (and live path).

use crate::{Error, ErrorKind, Layout};
use zerocopy::{FromBytes, Immutable, IntoBytes};

pub use zerocopy::FromZeros;

/// The relation between a live place (`Self`) and the header field (`H`) of a plain `path`
/// mapping: they must be the same type.
///
/// The header comes first and the live place second in every call; the source is read by
/// value and the destination written through one `&mut` (`Same::save(&mut self.f, src.a)`,
/// `Same::restore(self.f, &mut dst.a)`). A second borrow per call costs the borrow checker
/// more than the copy (BENCHMARKS.md, compile time). With the header type known from the first
/// argument, a mismatch is reported with the message below, once for save and restore together.
#[diagnostic::on_unimplemented(
    message = "cr: the live place has type `{Self}` but the header field has type `{H}`",
    label = "a plain `path` mapping copies between identical types only",
    note = "add `bits` to reinterpret between two types of the same size, or `convert` when the header type is a wider integer (save widens, restore checks the value fits)",
    note = "a plain `path` also needs a `Copy` type: if both types are the same, that type is not `Copy`"
)]
pub trait Same<H>: Sized {
    /// live -> header.
    fn save(header: &mut H, live: Self);
    /// header -> live.
    fn restore(header: H, live: &mut Self);
    /// header -> live, through a mask: bits outside `mask` keep their live value.
    fn restore_masked(header: H, mask: H, live: &mut Self)
    where
        H: Word;
}

impl<T: Copy> Same<T> for T {
    #[inline(always)]
    fn save(header: &mut T, live: T) {
        *header = live;
    }
    #[inline(always)]
    fn restore(header: T, live: &mut T) {
        *live = header;
    }
    #[inline(always)]
    fn restore_masked(header: T, mask: T, live: &mut T)
    where
        T: Word,
    {
        *live = live.and(mask.not()).or(header.and(mask));
    }
}

/// An unsigned integer usable under a mask (`mask`, `strict_mask`).
#[diagnostic::on_unimplemented(
    message = "cr: `{Self}` is not an unsigned integer type",
    label = "a mask applies to `u8`, `u16`, `u32`, `u64` or `usize`"
)]
pub trait Word: Copy + PartialEq {
    /// Zero.
    const ZERO: Self;
    /// `self & other`.
    fn and(self, other: Self) -> Self;
    /// `self | other`.
    fn or(self, other: Self) -> Self;
    /// `!self`.
    fn not(self) -> Self;
    /// Widened to `u64` for error reports.
    fn to_u64(self) -> u64;
}

macro_rules! word {
    ($($t:ty),*) => {$(
        impl Word for $t {
            const ZERO: Self = 0;
            #[inline(always)]
            fn and(self, other: Self) -> Self { self & other }
            #[inline(always)]
            fn or(self, other: Self) -> Self { self | other }
            #[inline(always)]
            fn not(self) -> Self { !self }
            #[inline(always)]
            fn to_u64(self) -> u64 { self as u64 }
        }
    )*};
}
word!(u8, u16, u32, u64, usize);

/// An unsigned integer of fixed width, usable as a flag word. Not `usize`: a flag word is part
/// of an image format, whose widths must not change with the target. (The derive refuses other
/// types first, with its own message; this bound keeps the runtime in agreement.)
#[diagnostic::on_unimplemented(
    message = "cr: `{Self}` cannot be a flag word",
    label = "a flag word is `u8`, `u16`, `u32` or `u64`: an image format's widths must not change with the target"
)]
pub trait FlagWord: Word {}

impl FlagWord for u8 {}
impl FlagWord for u16 {}
impl FlagWord for u32 {}
impl FlagWord for u64 {}

/// A place a `flag` maps to.
#[diagnostic::on_unimplemented(
    message = "cr: a flag maps to a `bool` place, but this place has type `{Self}`",
    label = "expected a `bool` field here"
)]
pub trait Flag: Sized {
    /// Save: `bit` when the place is true, zero otherwise; a word is the `|` of its flags.
    fn save<T: FlagWord>(self, bit: T) -> T;
    /// Restore: sets the place when `bit` is set in `word`, clears it otherwise.
    fn restore<T: FlagWord>(word: T, bit: T, live: &mut Self);
}

impl Flag for bool {
    #[inline(always)]
    fn save<T: FlagWord>(self, bit: T) -> T {
        // Branch-free: one `setne`/shift/or per flag (BENCHMARKS.md, runtime finding 2).
        if self {
            bit
        } else {
            T::ZERO
        }
    }
    #[inline(always)]
    fn restore<T: FlagWord>(word: T, bit: T, live: &mut bool) {
        *live = word.and(bit) != T::ZERO;
    }
}

/// `convert`, save: the header type must hold every live value.
#[diagnostic::on_unimplemented(
    message = "cr: `convert` cannot widen the live type `{L}` into the header type `{Self}`",
    label = "save needs `From<{L}> for {Self}`: every live value must fit the header field",
    note = "give the header field a type at least as wide as the live one (restore then checks the value fits back with `TryFrom`)"
)]
pub trait Widen<L>: Sized {
    /// live -> header.
    fn save(header: &mut Self, live: L);
}

impl<H: From<L>, L: Copy> Widen<L> for H {
    #[inline(always)]
    fn save(header: &mut H, live: L) {
        *header = H::from(live);
    }
}

/// `bits`: copies `src`'s bytes over `dst`. The derive asserts at compile time that both types
/// have the same size, so the copy always happens; were the sizes ever different it would copy nothing.
#[inline(always)]
pub fn bits<D, S>(dst: &mut D, src: &S)
where
    D: FromBytes + IntoBytes,
    S: IntoBytes + Immutable,
{
    if let Ok(value) = D::read_from_bytes(src.as_bytes()) {
        *dst = value;
    }
}

/// The size of the type at a place, for the compile-time size assertion of `bits`.
pub const fn size_of_place<T: ?Sized, F>(_place: fn(&T) -> &F) -> usize {
    core::mem::size_of::<F>()
}

/// `convert`, restore: a checked narrowing, done before any write.
#[inline(always)]
pub fn narrow<H: Copy, L: TryFrom<H>>(header: H, field: &'static str, path: &'static str) -> Result<L, Error> {
    match L::try_from(header) {
        Ok(live) => Ok(live),
        Err(_) => Err(Error::new(ErrorKind::OutOfRange).at(field, Some(path))),
    }
}

/// `strict_mask`: refuses bits outside `mask`.
#[inline(always)]
pub fn check_mask<T: Word>(value: T, mask: T, field: &'static str, path: &'static str) -> Result<(), Error> {
    let outside = value.and(mask.not());
    if outside == T::ZERO {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::MaskViolation { bits: outside.to_u64() }).at(field, Some(path)))
    }
}

/// Flag words: refuses bits that no flag declares.
#[inline(always)]
pub fn check_flags<T: FlagWord>(word: T, all: T, field: &'static str) -> Result<(), Error> {
    let unknown = word.and(all.not());
    if unknown == T::ZERO {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::UnknownFlags { bits: unknown.to_u64() }).at(field, None))
    }
}

/// `reserved`: refuses any byte that is not zero.
#[inline(always)]
pub fn check_reserved<T: IntoBytes + Immutable + ?Sized>(value: &T, field: &'static str) -> Result<(), Error> {
    // A reduction without early exit, which LLVM vectorizes (BENCHMARKS.md, runtime finding 1).
    if value.as_bytes().iter().fold(0u8, |acc, b| acc | b) == 0 {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::ReservedNotZero).at(field, None))
    }
}

/// A validator's error names a header field; add the live path that field maps to.
pub fn locate<H: Layout + ?Sized>(error: Error) -> Error {
    if error.path().is_some() {
        return error;
    }
    let Some(field) = error.field() else { return error };
    match H::FIELDS.iter().find(|info| info.name == field) {
        Some(info) => error.at(field, info.path),
        None => error,
    }
}
