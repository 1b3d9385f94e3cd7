//! Helpers that derived code calls, so each generated statement stays one short line.
//! Not a public API: names and signatures change without notice. Nothing here panics at run
//! time or allocates; each check returns an `Error` that names the header field (and live path).
//! (The `check_*` const fns of format evolution panic on purpose, at compile time: that is how
//! they report.)
//!
//! Every value moves by copy, never through a reference to a header field or a live place:
//! either side may be a `#[repr(packed)]` struct, where such a reference would be unaligned.
//! The header comes first in every call, so both types are known before an impl is chosen.

use crate::layout::{Describe, FieldInfo, Format, Nested as NestedLayout};
use crate::{CrCopy, Error, ErrorKind, Layout, Value};
use zerocopy::{FromBytes, Immutable, IntoBytes};

pub use crate::error::route;
pub use crate::layout::{FlagInfo, Mode};
pub use core::mem::offset_of;
pub use core::option::Option::{None, Some};
pub use core::result::Result::Err;
pub use zerocopy::FromZeros;

/// One row of a derived field table, for a field with no live path of its own: the size and
/// format come from the field's type `T`.
#[inline(always)]
pub const fn row<T: Describe>(name: &'static str, offset: usize, ty: &'static str, mode: Mode) -> FieldInfo {
    FieldInfo {
        name,
        path: None,
        offset,
        size: core::mem::size_of::<T>(),
        ty,
        format: T::FORMAT,
        mode,
    }
}

/// [`row`] for a field mapped to the live `path`.
#[inline(always)]
pub const fn path_row<T: Describe>(
    name: &'static str,
    path: &'static str,
    offset: usize,
    ty: &'static str,
    mode: Mode,
) -> FieldInfo {
    FieldInfo {
        path: Some(path),
        ..row::<T>(name, offset, ty, mode)
    }
}

/// The relation between a live place (`Self`) and the header field (`H`) of a plain `path`
/// mapping: they must be the same type. Save holds them to it (`self.f = Same::save(self.f,
/// src.a)`, which takes the value it replaces for its type only), so a mismatch is reported once,
/// with the message below. Restore then copies with an identity cast (`dst.a = self.f as _`),
/// which rustc checks for much less than a call, and which compiles whenever save does (for two
/// integer types it would also compile, but save has refused the pair already).
#[diagnostic::on_unimplemented(
    message = "cr: the live place has type `{Self}` but the header field has type `{H}`",
    label = "a plain `path` mapping copies between identical types only",
    note = "add `bits` to reinterpret between two types of the same size, or `convert` when the header type is a wider integer (save widens, restore checks the value fits)",
    note = "a plain `path` also needs a `Copy` type: if both types are the same, that type is not `Copy`"
)]
pub trait Same<H>: Sized {
    /// live -> header: the new header value.
    fn save(header: H, live: Self) -> H;
    /// header -> live, through a mask: bits outside `mask` keep their live value.
    fn restore_masked(header: H, mask: H, live: Self) -> Self
    where
        H: Word;
}

impl<T: Copy> Same<T> for T {
    #[inline(always)]
    fn save(_header: T, live: T) -> T {
        live
    }
    #[inline(always)]
    fn restore_masked(header: T, mask: T, live: T) -> T
    where
        T: Word,
    {
        live.and(mask.not()).or(header.and(mask))
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
    /// Restore needs no call: `dst.a = (self.word & BIT != 0) as _`, which compiles whenever
    /// save does (the place is a `bool`).
    fn save<T: FlagWord>(self, bit: T) -> T;
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
}

/// `convert`, save: the header type must hold every live value.
#[diagnostic::on_unimplemented(
    message = "cr: `convert` cannot widen the live type `{L}` into the header type `{Self}`",
    label = "save needs `From<{L}> for {Self}`: every live value must fit the header field",
    note = "give the header field a type at least as wide as the live one (restore then checks the value fits back with `TryFrom`)"
)]
pub trait Widen<L>: Sized {
    /// live -> header: the new header value.
    fn save(header: Self, live: L) -> Self;
}

impl<H: From<L>, L: Copy> Widen<L> for H {
    #[inline(always)]
    fn save(_header: H, live: L) -> H {
        H::from(live)
    }
}

/// `bits`: `src`'s bytes as a `D`. The derive asserts at compile time that both types have the
/// same size, so the bytes always convert; were the sizes ever different it would give zeros.
#[inline(always)]
pub fn bits<D, S>(src: S) -> D
where
    D: FromBytes,
    S: IntoBytes + Immutable,
{
    match D::read_from_bytes(src.as_bytes()) {
        Ok(value) => value,
        Err(_) => D::new_zeroed(),
    }
}

/// The size of the type at a place (`place` is never called), for the compile-time size
/// assertion of `bits`.
pub const fn size_of_place<T: ?Sized, F>(place: fn(&T) -> F) -> usize {
    let _ = place;
    core::mem::size_of::<F>()
}

/// `convert`, restore's check: the header value must convert to the live place's type (`live`
/// is the place's current value, read only for its type), before any write.
#[inline(always)]
pub fn narrow<H: Int, L: TryFrom<H>>(header: H, live: L, field: &'static str, path: &'static str) -> Result<(), Error> {
    let _ = live;
    match L::try_from(header) {
        Ok(_) => Ok(()),
        Err(_) => {
            let kind = ErrorKind::OutOfRange {
                value: header.value(),
                live_type: core::any::type_name::<L>(),
            };
            Err(Error::new(kind).at(field, Some(path)))
        }
    }
}

/// The integer types a `convert` header field may have: errors report their value.
#[diagnostic::on_unimplemented(
    message = "cr: a `convert` header field must be an integer, not `{Self}`",
    label = "`convert` widens an integer on save and checks it fits on restore"
)]
pub trait Int: Copy {
    /// The value, for an error.
    fn value(self) -> Value;
}

macro_rules! int {
    (unsigned: $($u:ty),*; signed: $($i:ty),*) => {
        $(impl Int for $u {
            #[inline(always)]
            fn value(self) -> Value {
                match u64::try_from(self) {
                    Ok(v) => Value::Unsigned(v),
                    Err(_) => Value::Wide,
                }
            }
        })*
        $(impl Int for $i {
            #[inline(always)]
            fn value(self) -> Value {
                match i64::try_from(self) {
                    Ok(v) => Value::Signed(v),
                    Err(_) => Value::Wide,
                }
            }
        })*
    };
}
int!(unsigned: u8, u16, u32, u64, u128, usize; signed: i8, i16, i32, i64, i128, isize);

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
pub fn check_reserved<T: IntoBytes + Immutable>(value: T, field: &'static str) -> Result<(), Error> {
    // Up to 64 bytes: a comparison with a block of zeros, which LLVM turns into word loads; larger
    // fields: a reduction without early exit, which it vectorizes (BENCHMARKS.md, runtime
    // findings 1 and 4). The block is a `const`: a `static` would be reached through the GOT.
    const ZEROS: &[u8; 64] = &[0; 64];
    let bytes = value.as_bytes();
    let zero = match ZEROS.get(..bytes.len()) {
        Some(zeros) => bytes == zeros,
        None => bytes.iter().fold(0u8, |acc, b| acc | b) == 0,
    };
    if zero {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::ReservedNotZero).at(field, None))
    }
}

/// A validator's error names a header field; add the live path that field maps to.
#[inline(always)]
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

/// `convert`, restore's write: the value `narrow` accepted before any write (were it ever
/// refused, the live value would stay).
#[inline(always)]
pub fn narrowed<H: Copy, L: TryFrom<H>>(header: H, live: L) -> L {
    L::try_from(header).unwrap_or(live)
}

/// The phases of a derived header's transactional restore, which `restore` runs in order and
/// a header that nests this one runs at its own phases: every check of every depth before any
/// write anywhere. Implemented by `#[derive(CrCopy)]` only.
#[diagnostic::on_unimplemented(
    message = "cr: `{Self}` is not a `#[derive(CrCopy)]` header of the live type `{T}`, so it cannot be `nested` there",
    label = "`nested` needs a header derived with `#[cr(target = {T})]` here",
    note = "for an array, the header field is `[H; N]` over a live `[L; N]` of the same length N, with `H` derived for `L`",
    note = "a hand-written `CrCopy` impl cannot be nested: the outer restore runs every check of every depth before any write, and only the derive splits restore into those phases"
)]
pub trait Phases<T: ?Sized>: CrCopy<T> + Layout {
    /// The built-in checks, in field order (nested headers' checks included), then `validate`.
    /// Writes nothing.
    fn check(&self, live: &T) -> Result<(), Error>;
    /// Every write, in field order. Runs only after `check` accepted the header.
    fn write(&self, live: &mut T);
    /// Nested headers' `after_restore` hooks (field order, element order), then this header's.
    /// The derive leaves it out (this empty default) for a header with neither a hook of its
    /// own nor a nested header.
    #[inline]
    fn after_restore(&self, live: &mut T) {
        let _ = live;
    }
}

/// `H::FINGERPRINT` behind a call. rustc's `known_panics_lint` (it runs in `cargo check`)
/// evaluates every constant that a function or associated-const body names, and evaluating a
/// fingerprint runs the whole hash in the const interpreter; a call it does not evaluate. The
/// value is the same wherever it is used.
pub const fn fingerprint_of<H: Layout + ?Sized>() -> u64 {
    H::FINGERPRINT
}

/// `H::FIELDS` behind a call, for the same reason as [`fingerprint_of`].
pub const fn fields_of<H: Layout + ?Sized>() -> &'static [FieldInfo] {
    H::FIELDS
}

/// `CrCopy::restore` of a derived header: check, write, after.
#[inline(always)]
pub fn restore<H: Phases<T>, T: ?Sized>(header: &H, live: &mut T) -> Result<(), Error> {
    header.check(live)?;
    header.write(live);
    header.after_restore(live);
    Ok(())
}

/// A live place (`Self`) and the `nested` header field (`H`) over it (for an array field, one
/// element of each: cr-derive loops over the elements). The header comes first in every call, as
/// for [`Same`]. The impl is bounded by `Phases`, so a header that cannot be nested there is
/// reported through `Phases`' message (naming both types), never through this trait.
///
/// Why a trait of the live type rather than a bound `H: Phases<L>` on [`nest`]: with that bound,
/// rustc infers `L` from the header's one `Phases` impl instead of from the place, and a header
/// of another type becomes a type mismatch at every use (measured: one error becomes four).
pub trait Nested<H>: Sized {
    /// The nested layout, for the outer header's table.
    const LAYOUT: NestedLayout;
    /// live -> header.
    fn save(header: &mut H, live: &Self);
    /// Every check of the nested header (its errors not yet routed through the outer field).
    fn check(header: &H, live: &Self) -> Result<(), Error>;
    /// Every write.
    fn write(header: &H, live: &mut Self);
    /// Every `after_restore`.
    fn after_restore(header: &H, live: &mut Self);
}

impl<H: Phases<L>, L> Nested<H> for L {
    const LAYOUT: NestedLayout = NestedLayout::of::<H>();
    #[inline(always)]
    fn save(header: &mut H, live: &L) {
        CrCopy::save(header, live);
    }
    #[inline(always)]
    fn check(header: &H, live: &L) -> Result<(), Error> {
        Phases::check(header, live)
    }
    #[inline(always)]
    fn write(header: &H, live: &mut L) {
        Phases::write(header, live);
    }
    #[inline(always)]
    fn after_restore(header: &H, live: &mut L) {
        Phases::after_restore(header, live);
    }
}

/// A `nested` field's operations, for one header type `H` over one live type `L` (for an array
/// field, over one element). Every use of a nested field (save, the three restore phases, the
/// layout row) starts from [`nest`] or [`nest_each`], so a header type that cannot be nested
/// there fails one obligation, reported once, with `Phases`' message. Both sides move by copy,
/// as every other mapping's values do.
pub struct Nest<H, L> {
    /// The nested layout, for the outer header's table.
    pub layout: NestedLayout,
    save: fn(&mut H, &L),
    check: fn(&H, &L) -> Result<(), Error>,
    write: fn(&H, &mut L),
    after_restore: fn(&H, &mut L),
}

impl<H: Copy, L: Copy + Nested<H>> Nest<H, L> {
    const NEST: Self = Nest {
        layout: L::LAYOUT,
        save: L::save,
        check: L::check,
        write: L::write,
        after_restore: L::after_restore,
    };
}

/// The operations of a `nested` field of one header: `H` as written, the live type `L` inferred
/// from `place` (which is never called).
#[inline(always)]
pub const fn nest<T: ?Sized, H: Copy, L: Copy + Nested<H>>(place: fn(&T) -> L) -> Nest<H, L> {
    let _ = place;
    Nest::NEST
}

/// The operations on one element of a `nested` array field `[H; N]` (`H` and `N` as written),
/// over a live array of the same length, inferred from `place` (never called). The derive loops
/// over the elements: a whole array moved by value is loaded before the first store, its values
/// held in registers meanwhile; an element of a field is a place, so a packed side stays
/// reference-free. A live place of another length, or not an array, is a type mismatch on
/// `place`; an element of another type fails `Phases`, with its message.
#[inline(always)]
pub const fn nest_each<T: ?Sized, H: Copy, L: Copy + Nested<H>, const N: usize>(place: fn(&T) -> [L; N]) -> Nest<H, L> {
    let _ = place;
    Nest {
        layout: NestedLayout {
            len: Some(N),
            ..L::LAYOUT
        },
        ..Nest::NEST
    }
}

impl<H, L> Clone for Nest<H, L> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}

impl<H, L> Copy for Nest<H, L> {}

impl<H, L> Nest<H, L> {
    /// live -> header: the new header value.
    #[inline(always)]
    pub fn save(self, mut header: H, live: L) -> H {
        (self.save)(&mut header, &live);
        header
    }
    /// Every check of the nested header, errors routed through the outer header's row `nested`
    /// (and the element's `index` in an array field).
    #[inline(always)]
    pub fn check(self, header: H, live: L, nested: &'static FieldInfo, index: Option<usize>) -> Result<(), Error> {
        match (self.check)(&header, &live) {
            Ok(()) => Ok(()),
            Err(e) => Err(e.routed(nested, index)),
        }
    }
    /// Every write: the new live value.
    #[inline(always)]
    pub fn write(self, header: H, mut live: L) -> L {
        (self.write)(&header, &mut live);
        live
    }
    /// Every `after_restore`: the new live value.
    #[inline(always)]
    pub fn after_restore(self, header: H, mut live: L) -> L {
        (self.after_restore)(&header, &mut live);
        live
    }
}

// ---------------------------------------------------------------------------------------------
// Format evolution: the compile-time checks of `prev`, `since`, `dropped` and `fingerprint`,
// and the derived upgrade. The checks run in `const` items the derive emits; a failure is a
// compile error whose message names the field and the fix.
// ---------------------------------------------------------------------------------------------

/// A compile-time message built from pieces, without allocation.
pub struct Msg {
    buf: [u8; 512],
    len: usize,
}

impl Msg {
    /// An empty message.
    pub const fn new() -> Self {
        Msg { buf: [0; 512], len: 0 }
    }
    /// The message with `s` appended (cut at 512 bytes, on a character boundary).
    pub const fn str(mut self, s: &str) -> Self {
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() && self.len < self.buf.len() {
            self.buf[self.len] = bytes[i];
            self.len += 1;
            i += 1;
        }
        self
    }
    /// The message with `v` appended as `0x` and 16 hex digits.
    pub const fn hex(mut self, v: u64) -> Self {
        self = self.str("0x");
        let mut shift = 64;
        while shift > 0 {
            shift -= 4;
            let digit = ((v >> shift) & 0xf) as u8;
            let c = if digit < 10 { b'0' + digit } else { b'a' + digit - 10 };
            if self.len < self.buf.len() {
                self.buf[self.len] = c;
                self.len += 1;
            }
        }
        self
    }
    /// The text so far.
    pub const fn as_str(&self) -> &str {
        let mut len = self.len;
        // A cut inside a multi-byte character: back off to its start.
        while len > 0 && len < self.buf.len() && (self.buf[len] & 0xc0) == 0x80 {
            len -= 1;
        }
        let (head, _) = self.buf.split_at(len);
        match core::str::from_utf8(head) {
            Ok(s) => s,
            Err(_) => "cr: (message not valid UTF-8)",
        }
    }
}

impl Default for Msg {
    fn default() -> Self {
        Msg::new()
    }
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn find(fields: &[FieldInfo], name: &str) -> Option<usize> {
    let mut i = 0;
    while i < fields.len() {
        if str_eq(fields[i].name, name) {
            return Some(i);
        }
        i += 1;
    }
    None
}

const fn formats_eq(a: &Format, b: &Format) -> bool {
    match (*a, *b) {
        (Format::Unsigned { bytes: x }, Format::Unsigned { bytes: y })
        | (Format::Signed { bytes: x }, Format::Signed { bytes: y })
        | (Format::Float { bytes: x }, Format::Float { bytes: y }) => x == y,
        (Format::Bool, Format::Bool) => true,
        (Format::Array { elem: x, len: m }, Format::Array { elem: y, len: n }) => m == n && formats_eq(x, y),
        (
            Format::Header {
                fingerprint: x,
                size: m,
            },
            Format::Header {
                fingerprint: y,
                size: n,
            },
        ) => x == y && m == n,
        (
            Format::Opaque { size: m } | Format::Bytes { size: m },
            Format::Opaque { size: n } | Format::Bytes { size: n },
        ) => m == n,
        _ => false,
    }
}

/// An integer that a derived upgrade widens: unsigned to a wider unsigned or signed, signed to a
/// wider signed. Nothing else changes format on the way.
const fn widens(from: &Format, to: &Format) -> bool {
    match (*from, *to) {
        (Format::Unsigned { bytes: a }, Format::Unsigned { bytes: b })
        | (Format::Signed { bytes: a }, Format::Signed { bytes: b }) => a <= b,
        (Format::Unsigned { bytes: a }, Format::Signed { bytes: b }) => a < b,
        _ => false,
    }
}

/// A flag word's flags carry when every flag of the older one keeps its name and bit.
const fn flags_carry(prev: &Mode, this: &Mode) -> bool {
    match (*prev, *this) {
        (Mode::Flags(old), Mode::Flags(new)) => {
            let mut i = 0;
            while i < old.len() {
                let mut found = false;
                let mut j = 0;
                while j < new.len() {
                    if str_eq(old[i].name, new[j].name) && old[i].bit == new[j].bit {
                        found = true;
                    }
                    j += 1;
                }
                if !found {
                    return false;
                }
                i += 1;
            }
            true
        }
        (Mode::Flags(_), _) | (_, Mode::Flags(_)) => false,
        _ => true,
    }
}

/// Compile-time: the newer header's field `field` (named in neither `since` nor a user upgrade)
/// is carried from the same name in `prev`.
pub const fn check_carried(prev: &[FieldInfo], field: &FieldInfo, this: &str, prev_name: &str) {
    let Some(i) = find(prev, field.name) else {
        let msg = Msg::new()
            .str("cr: header field `")
            .str(field.name)
            .str("` of `")
            .str(this)
            .str("` is not in `")
            .str(prev_name)
            .str("`, the previous version: if it is new, mark it `#[cr(since = N)]` with this version (and `default = ...` when zero is not its value); if it was renamed or computed, write the step yourself with `upgrade = path`");
        panic!("{}", msg.as_str());
    };
    let old = &prev[i];
    let (was_reserved, is_reserved) = (matches!(old.mode, Mode::Reserved), matches!(field.mode, Mode::Reserved));
    if was_reserved != is_reserved {
        let msg = Msg::new()
            .str("cr: header field `")
            .str(field.name)
            .str("` is reserved in one of `")
            .str(prev_name)
            .str("` and `")
            .str(this)
            .str("` and data in the other: an upgrade would carry its bytes into the other role; give the new use a new name (`since`) and drop the old one (`dropped`), or write the step with `upgrade = path`");
        panic!("{}", msg.as_str());
    }
    // Reserved room may grow or shrink: the upgrade refuses a record whose room is not zero.
    let same = formats_eq(&old.format, &field.format) || widens(&old.format, &field.format);
    if !is_reserved && (!same || !flags_carry(&old.mode, &field.mode)) {
        let msg = Msg::new()
            .str("cr: header field `")
            .str(field.name)
            .str("` changed its format since `")
            .str(prev_name)
            .str("` (")
            .str(old.ty)
            .str(" there, ")
            .str(field.ty)
            .str(" here): a derived upgrade carries a field unchanged, widens an integer, and keeps every flag's name and bit; for anything else write the step with `upgrade = path`");
        panic!("{}", msg.as_str());
    }
}

/// Compile-time: a field marked `since` is new, so `prev` does not have it.
pub const fn check_new(prev: &[FieldInfo], field: &FieldInfo, this: &str, prev_name: &str) {
    if find(prev, field.name).is_some() {
        let msg = Msg::new()
            .str("cr: header field `")
            .str(field.name)
            .str("` of `")
            .str(this)
            .str("` is marked `since`, but `")
            .str(prev_name)
            .str("` already has it: drop `since` to carry it over");
        panic!("{}", msg.as_str());
    }
}

/// Compile-time: every field of `prev` is in `this` or named in `dropped`, and every `dropped`
/// name is a field of `prev` that `this` no longer has.
pub const fn check_dropped(prev: &[FieldInfo], this: &[FieldInfo], dropped: &[&str], this_name: &str, prev_name: &str) {
    let mut i = 0;
    while i < prev.len() {
        let name = prev[i].name;
        let mut named = false;
        let mut j = 0;
        while j < dropped.len() {
            named |= str_eq(dropped[j], name);
            j += 1;
        }
        if find(this, name).is_none() && !named {
            let msg = Msg::new()
                .str("cr: field `")
                .str(name)
                .str("` of `")
                .str(prev_name)
                .str("` is not in `")
                .str(this_name)
                .str("`: a removal is a decision, so name it with `#[cr(dropped = \"")
                .str(name)
                .str("\")]`, or keep the field");
            panic!("{}", msg.as_str());
        }
        i += 1;
    }
    let mut j = 0;
    while j < dropped.len() {
        if find(prev, dropped[j]).is_none() {
            let msg = Msg::new()
                .str("cr: `dropped = \"")
                .str(dropped[j])
                .str("\"` names no field of `")
                .str(prev_name)
                .str("`");
            panic!("{}", msg.as_str());
        }
        if find(this, dropped[j]).is_some() {
            let msg = Msg::new()
                .str("cr: `dropped = \"")
                .str(dropped[j])
                .str("\"`, but `")
                .str(this_name)
                .str("` still has that field: drop the `dropped`");
            panic!("{}", msg.as_str());
        }
        j += 1;
    }
}

/// Compile-time: `prev` is the same record type, one version older.
pub const fn check_chain(prev_type: u32, prev_version: u32, this_type: u32, this_version: u32, prev_name: &str) {
    if prev_type != this_type {
        let msg = Msg::new()
            .str("cr: `prev = ")
            .str(prev_name)
            .str("` is another record type: a `prev` is an older version of this same record");
        panic!("{}", msg.as_str());
    }
    if prev_version.checked_add(1).is_none() || prev_version + 1 != this_version {
        let msg = Msg::new()
            .str("cr: `prev = ")
            .str(prev_name)
            .str("` is not the version just before this one: each version names the one before it (its `version` is this one's minus 1)");
        panic!("{}", msg.as_str());
    }
}

/// Compile-time: the layout is the pinned one.
pub const fn check_pin(computed: u64, pinned: u64, this: &str) {
    if computed != pinned {
        let msg = Msg::new()
            .str("cr: the layout of `")
            .str(this)
            .str("` has fingerprint ")
            .hex(computed)
            .str(", but `fingerprint = ")
            .hex(pinned)
            .str("` pins another: if the pinned layout was released, images of it exist, so keep it as a frozen header (copy the struct, derive `CrLayout`) named by `prev`, and bump `version`; if it was never released, update the pin to ")
            .hex(computed);
        panic!("{}", msg.as_str());
    }
}

/// The derived upgrade `P -> H`: every field of `H` that `P` has is carried by name (its bytes,
/// or an integer widened); the rest start at zero, then `since` gives new fields their defaults.
/// The compile-time checks above prove every step is one of these. A reserved field that changed
/// size is not carried: its room must be zero in `prev`, or the record is refused as a restore
/// of `prev` would refuse it.
pub fn upgrade<P: crate::image::Record, H: crate::image::Record>(
    prev: &P,
    since: impl FnOnce(&mut H),
) -> Result<H, Error> {
    let mut out = H::new_zeroed();
    let from = prev.as_bytes();
    let to = out.as_mut_bytes();
    for field in H::FIELDS {
        let Some(old) = P::FIELDS.iter().find(|p| p.name == field.name) else {
            continue;
        };
        let (Some(src), Some(dst)) = (
            from.get(old.offset..old.offset + old.size),
            to.get_mut(field.offset..field.offset + field.size),
        ) else {
            continue;
        };
        if src.len() == dst.len() && formats_eq(&old.format, &field.format) {
            dst.copy_from_slice(src);
        } else if matches!(old.mode, Mode::Reserved) {
            if src.iter().any(|b| *b != 0) {
                return Err(Error::new(ErrorKind::ReservedNotZero).at(old.name, None));
            }
        } else if widens(&old.format, &field.format) {
            let signed = matches!(old.format, Format::Signed { .. });
            widen(src, dst, signed);
        }
    }
    since(&mut out);
    Ok(out)
}

/// Writes the integer in `src` (native order) into the wider `dst`, sign-extended if `signed`.
fn widen(src: &[u8], dst: &mut [u8], signed: bool) {
    let mut wide = [0u8; 16];
    let n = src.len().min(16);
    let negative = signed && n > 0 && {
        let top = if cfg!(target_endian = "little") {
            src[n - 1]
        } else {
            src[0]
        };
        top & 0x80 != 0
    };
    if negative {
        wide = [0xff; 16];
    }
    let m = dst.len().min(16);
    if cfg!(target_endian = "little") {
        wide[..n].copy_from_slice(&src[..n]);
        dst[..m].copy_from_slice(&wide[..m]);
    } else {
        wide[16 - n..].copy_from_slice(&src[..n]);
        dst[..m].copy_from_slice(&wide[16 - m..]);
    }
}

/// A record payload of exactly this header's version (length and fingerprint already checked).
pub fn read_exact<H: crate::image::Record>(payload: crate::image::Payload<'_>) -> Result<H, Error> {
    payload.read::<H>()
}

/// The layout of a nested header in a `CrLayout` header (which has no live type): one header,
/// or an array of them.
pub trait Frozen {
    /// The nested layout, for the table.
    const LAYOUT: NestedLayout;
}

impl<H: Layout> Frozen for H {
    const LAYOUT: NestedLayout = NestedLayout::of::<H>();
}

impl<H: Layout, const N: usize> Frozen for [H; N] {
    const LAYOUT: NestedLayout = NestedLayout::array::<H>(N);
}
