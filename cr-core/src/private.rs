//! Helpers that derived code calls, so each generated statement stays one short line.
//! Not a public API: names and signatures change without notice. Nothing here panics at run
//! time or allocates; each check returns an `Error` that names the header field (and live path).
//! Format evolution's compile-time checks and upgrade live apart, in `private/evolution.rs`
//! (their `check_*` const fns panic on purpose, at compile time: that is how they report).
//!
//! Every value moves by copy, never through a reference to a header field or a live place:
//! either side may be a `#[repr(packed)]` struct, where such a reference would be unaligned.
//! The header comes first in every call, so both types are known before an impl is chosen.

use crate::layout::{Describe, FieldInfo, Nested as NestedLayout};
use crate::{CrCopy, Error, ErrorKind, Layout, Value};
use zerocopy::{FromBytes, Immutable, IntoBytes};

#[path = "private/evolution.rs"]
mod evolution;
#[path = "private/unions.rs"]
pub mod union;
#[path = "private/variants.rs"]
mod variants;

pub use crate::error::route;
pub use crate::layout::{FlagInfo, Mode, Variant};
pub use core::mem::offset_of;
pub use core::option::Option::{None, Some};
pub use core::result::Result::Err;
pub use evolution::{check_carried, check_chain, check_dropped, check_new, check_pin, read_exact, upgrade, Msg};
pub use union::union_of;
pub use variants::{check_inactive, check_tag, check_variants};
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

/// A place a `flag` maps to: a `bool`, or an integer holding 0 or 1: the getter of a one-bit C
/// bitfield returns `c_uint`, and C's flags are often `int` (`mm_context_t.noexec`).
#[diagnostic::on_unimplemented(
    message = "cr: a flag maps to a `bool` or an integer place, but this place has type `{Self}`",
    label = "expected a `bool` field, a C `int` flag or a one-bit bitfield's accessor (`u8` to `u64`, `i8` to `i64`) here"
)]
pub trait Flag: Sized {
    /// Save: `bit` when the place is true (non-zero), zero otherwise; a word is the `|` of its
    /// flags. Restore needs no call: `dst.a = (self.word & BIT != 0) as _` writes `true`/`false`
    /// or 1/0, and compiles whenever save does.
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

macro_rules! int_flag {
    ($($t:ty),*) => {$(
        impl Flag for $t {
            #[inline(always)]
            fn save<T: FlagWord>(self, bit: T) -> T {
                if self != 0 {
                    bit
                } else {
                    T::ZERO
                }
            }
        }
    )*};
}
int_flag!(u8, u16, u32, u64, i8, i16, i32, i64);

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

/// A register page's bytes `at..at + size_of::<T>()` as a `T` (a `path` ending in a byte range,
/// `"regs[0x80..0x84]"`); the derive proves at compile time that the range lies in the page and is
/// `T`'s size, so the bytes always read (were they ever short, the value would be zero).
#[inline(always)]
pub fn page_get<P: IntoBytes + Immutable, T: FromBytes>(page: &P, at: usize) -> T {
    match page.as_bytes().get(at..).map(T::read_from_prefix) {
        Some(Ok((value, _))) => value,
        _ => T::new_zeroed(),
    }
}

/// Writes `value`'s bytes at `at` in a register page (see [`page_get`]).
#[inline(always)]
pub fn page_set<P: IntoBytes + FromBytes, T: IntoBytes + Immutable>(page: &mut P, at: usize, value: T) {
    let bytes = value.as_bytes();
    if let Some(dst) = page.as_mut_bytes().get_mut(at..at.saturating_add(bytes.len())) {
        dst.copy_from_slice(bytes);
    }
}

/// Compile-time: a register page's byte range `start..end` lies inside the page (`page` bytes) and
/// is `size` bytes, the size of the header field that maps it.
pub const fn check_page(page: usize, start: usize, end: usize, size: usize, field: &str, path: &str) {
    if end > page {
        let msg = Msg::new()
            .str("cr: header field `")
            .str(field)
            .str("`: `")
            .str(path)
            .str("` ends past the page, which has ")
            .dec(page as u64)
            .str(" bytes: give a range inside it");
        panic!("{}", msg.as_str());
    }
    if end - start != size {
        let msg = Msg::new()
            .str("cr: header field `")
            .str(field)
            .str("`: `")
            .str(path)
            .str("` is ")
            .dec((end - start) as u64)
            .str(" bytes, but the header field is ")
            .dec(size as u64)
            .str(": give the field a type of the range's size, or the range the field's");
        panic!("{}", msg.as_str());
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
    unknown_flags(word, all, field, None)
}

/// The named bits of a copied word (`flag(bit = N, name = "X")` beside `path`): refuses bits that
/// no flag names.
#[inline(always)]
pub fn check_named_bits<T: FlagWord>(word: T, all: T, field: &'static str, path: &'static str) -> Result<(), Error> {
    unknown_flags(word, all, field, Some(path))
}

#[inline(always)]
fn unknown_flags<T: FlagWord>(word: T, all: T, field: &'static str, path: Option<&'static str>) -> Result<(), Error> {
    let unknown = word.and(all.not());
    if unknown == T::ZERO {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::UnknownFlags { bits: unknown.to_u64() }).at(field, path))
    }
}

/// `reserved`: refuses any byte that is not zero.
#[inline(always)]
pub fn check_reserved<T: IntoBytes + Immutable>(value: T, field: &'static str) -> Result<(), Error> {
    reserved(value, field, None)
}

/// Padding on both sides (`reserved` with a path): as [`check_reserved`], the error naming the
/// live place too.
#[inline(always)]
pub fn check_reserved_at<T: IntoBytes + Immutable>(
    value: T,
    field: &'static str,
    path: &'static str,
) -> Result<(), Error> {
    reserved(value, field, Some(path))
}

#[inline(always)]
fn reserved<T: IntoBytes + Immutable>(value: T, field: &'static str, path: Option<&'static str>) -> Result<(), Error> {
    if is_zero(value.as_bytes()) {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::ReservedNotZero).at(field, path))
    }
}

/// Whether every byte is zero. Up to 64 bytes: a comparison with a block of zeros, which LLVM
/// turns into word loads; more: a reduction without early exit, which it vectorizes
/// (BENCHMARKS.md, runtime findings 1 and 4). The block is a `const`: a `static` would be reached
/// through the GOT.
#[inline(always)]
fn is_zero(bytes: &[u8]) -> bool {
    const ZEROS: &[u8; 64] = &[0; 64];
    match ZEROS.get(..bytes.len()) {
        Some(zeros) => bytes == zeros,
        None => bytes.iter().fold(0u8, |acc, b| acc | b) == 0,
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

impl<H, L: Nested<H>> Nest<H, L> {
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

/// [`nest`] for a live place reached by reference (`|t| &t.place`): neither the live type nor the
/// header need be `Copy` (vm-superio's `SerialState` holds a `Vec`). The derive uses it unless the
/// header is `#[repr(packed)]` (whose live struct is packed, where a reference to a field would be
/// unaligned) or the place is inside a union (whose members are read by value).
#[inline(always)]
pub const fn nest_ref<T: ?Sized, H, L: Nested<H>>(place: fn(&T) -> &L) -> Nest<H, L> {
    let _ = place;
    Nest::NEST
}

/// [`nest_each`] for a live array reached by reference.
#[inline(always)]
pub const fn nest_each_ref<T: ?Sized, H, L: Nested<H>, const N: usize>(place: fn(&T) -> &[L; N]) -> Nest<H, L> {
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
    /// live -> header, by reference ([`nest_ref`]).
    #[inline(always)]
    pub fn save_ref(self, header: &mut H, live: &L) {
        (self.save)(header, live);
    }
    /// Every check, by reference, errors routed as [`Nest::check`]'s.
    #[inline(always)]
    pub fn check_ref(
        self,
        header: &H,
        live: &L,
        nested: &'static FieldInfo,
        index: Option<usize>,
    ) -> Result<(), Error> {
        match (self.check)(header, live) {
            Ok(()) => Ok(()),
            Err(e) => Err(e.routed(nested, index)),
        }
    }
    /// Every write, in place.
    #[inline(always)]
    pub fn write_ref(self, header: &H, live: &mut L) {
        (self.write)(header, live);
    }
    /// Every `after_restore`, in place.
    #[inline(always)]
    pub fn after_ref(self, header: &H, live: &mut L) {
        (self.after_restore)(header, live);
    }
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
