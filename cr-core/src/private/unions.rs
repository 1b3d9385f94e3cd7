//! Reading a live union's member without `unsafe` in generated code: from the union's bytes,
//! which zerocopy vouches for (`IntoBytes + Immutable`), or by a typed read of the member the user
//! promised initialized (`cr_core::InitializedUnion<H>`). Which one is chosen by method resolution at the use site:
//!
//! ```text
//! __cr::union_of::<Self, _>(&src.chip).view().member(|__u| &raw const __u.pic)
//! ```
//!
//! `view` is an inherent method when zerocopy vouches, else the `ViewPromised` trait's when the
//! user promised, else the `ViewRefused` trait's (one receiver reference further), whose bound
//! has no impl and reports cr's message naming both ways. Taking `&raw const` of a union field
//! is safe Rust; reading it would not be, and is never done.

use crate::unions::InitializedUnion;
use core::marker::PhantomData;
use zerocopy::{FromBytes, Immutable, IntoBytes};

/// A live union `U` read by the code derived for header `H`.
pub struct UnionOf<'a, H: ?Sized, U> {
    union: &'a U,
    header: PhantomData<fn(&H)>,
}

/// The union `union`, read for header `H`.
#[inline(always)]
pub const fn union_of<H: ?Sized, U>(union: &U) -> UnionOf<'_, H, U> {
    UnionOf {
        union,
        header: PhantomData,
    }
}

/// A union with its bytes, to read members from.
pub struct UnionBytes<'a, U> {
    union: &'a U,
    bytes: &'a [u8],
}

impl<'a, H: ?Sized, U: IntoBytes + Immutable> UnionOf<'a, H, U> {
    /// The bytes, which zerocopy vouches for.
    #[inline(always)]
    pub fn view(self) -> UnionBytes<'a, U> {
        UnionBytes {
            union: self.union,
            bytes: self.union.as_bytes(),
        }
    }
}

/// A union whose members the user promised initialized where header `H` reads them (zerocopy
/// cannot vouch for its bytes).
pub struct UnionPromised<'a, H: ?Sized, U> {
    union: &'a U,
    header: PhantomData<fn(&H)>,
}

/// The view of a union the user promised (`InitializedUnion<H>`).
pub trait ViewPromised<'a, H: ?Sized, U> {
    /// The union, to read promised members from.
    fn view(self) -> UnionPromised<'a, H, U>;
}

impl<'a, H: ?Sized, U: InitializedUnion<H>> ViewPromised<'a, H, U> for UnionOf<'a, H, U> {
    #[inline(always)]
    fn view(self) -> UnionPromised<'a, H, U> {
        UnionPromised {
            union: self.union,
            header: PhantomData,
        }
    }
}

impl<H: ?Sized, U: InitializedUnion<H>> UnionPromised<'_, H, U> {
    /// The member `at` points to (`|u| &raw const u.words`), by value, by a typed read (the
    /// member's padding need not be initialized). Only the derive calls this, always with a field
    /// projection: the member the user promised. A pointer outside the union reads as zeros.
    #[inline(always)]
    pub fn member<M: FromBytes>(self, at: impl FnOnce(&U) -> *const M) -> M {
        let offset = (at(self.union) as usize).wrapping_sub(self.union as *const U as usize);
        crate::unions::read_promised::<H, U, M>(self.union, offset).unwrap_or_else(M::new_zeroed)
    }
}

/// Neither zerocopy nor a promise vouches for a union's bytes: `view` is chosen last, and its
/// bound, which nothing implements, is the one error the user sees.
pub trait ViewRefused<'a, H: ?Sized, U> {
    /// Never compiles.
    fn view(&self) -> UnionBytes<'a, U>
    where
        U: ReadableUnion<H>;
}

impl<'a, H: ?Sized, U> ViewRefused<'a, H, U> for UnionOf<'a, H, U> {
    #[inline(always)]
    fn view(&self) -> UnionBytes<'a, U>
    where
        U: ReadableUnion<H>,
    {
        UnionBytes {
            union: self.union,
            bytes: &[],
        }
    }
}

/// Nothing implements this trait: it is the message of a union nothing vouches for.
#[diagnostic::on_unimplemented(
    message = "cr: the union `{Self}` cannot be read without `unsafe`: neither zerocopy nor a promise vouches for its bytes",
    label = "a path through this union reads its member from the union's bytes",
    note = "if zerocopy can: derive `FromBytes`, `IntoBytes` and `Immutable` for the union (kvm-bindings: its `serde` feature; bindgen: `--with-derive-custom-union` or `ParseCallbacks::add_derives`)",
    note = "if a member has padding (zerocopy then refuses `IntoBytes`), or the union is foreign and has no zerocopy impls: promise the members the header reads are initialized with `unsafe impl cr_core::InitializedUnion<{H}> for {Self} {{}}` (read its safety contract)"
)]
pub trait ReadableUnion<H: ?Sized> {}

impl<'a, U> UnionBytes<'a, U> {
    /// The member `at` points to (`|u| &raw const u.pic`), by value, from the union's bytes.
    /// A pointer outside the union (which no field projection gives) reads as zeros.
    #[inline(always)]
    pub fn member<M: FromBytes>(self, at: impl FnOnce(&U) -> *const M) -> M {
        let offset = (at(self.union) as usize).wrapping_sub(self.union as *const U as usize);
        match self.bytes.get(offset..).and_then(|rest| M::read_from_prefix(rest).ok()) {
            Some((member, _)) => member,
            None => M::new_zeroed(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unions::InitializedUnion;
    use zerocopy::{FromZeros, KnownLayout};
    // Method resolution picks `view` as the derive's output does.
    #[allow(unused_imports)]
    use super::{ViewPromised as _, ViewRefused as _};

    /// zerocopy vouches for a type without padding (a struct here: zerocopy derives `IntoBytes`
    /// for a union only under `--cfg zerocopy_derive_union_into_bytes`).
    #[derive(Clone, Copy, FromBytes, IntoBytes, Immutable, KnownLayout)]
    #[repr(C)]
    struct Plain {
        irr: u8,
        imr: u8,
        pad: [u8; 6],
        base: u64,
    }

    #[derive(Clone, Copy, FromBytes, Immutable)]
    #[repr(C)]
    struct Padded {
        a: u16,
        b: u64,
    }

    #[derive(Clone, Copy, FromZeros)]
    #[repr(C)]
    union Promised {
        words: Padded,
        raw: [u8; 16],
    }

    struct Header;
    #[allow(unsafe_code)]
    // SAFETY: the test zero-fills its `Promised` and writes members field by field.
    unsafe impl InitializedUnion<Header> for Promised {}

    #[test]
    fn a_member_is_read_from_bytes_zerocopy_vouches_for() {
        let plain = Plain {
            irr: 1,
            imr: 2,
            pad: [0; 6],
            base: 0x1000,
        };
        let base: u64 = union_of::<Header, _>(&plain).view().member(|p| &raw const p.base);
        let imr: u8 = union_of::<Header, _>(&plain).view().member(|p| &raw const p.imr);
        assert_eq!((base, imr), (0x1000, 2));
    }

    #[test]
    fn a_member_the_user_promised_is_read_by_a_typed_read() {
        let mut u = Promised::new_zeroed();
        u.words.a = 7;
        u.words.b = 0xdead_beef;
        let words: Padded = union_of::<Header, _>(&u).view().member(|u| &raw const u.words);
        assert_eq!((words.a, words.b), (7, 0xdead_beef));
        let raw: [u8; 16] = union_of::<Header, _>(&u).view().member(|u| &raw const u.raw);
        assert_eq!(&raw[..2], &7u16.to_ne_bytes());
    }

    #[test]
    fn a_pointer_outside_the_union_reads_zeros() {
        let plain = Plain::new_zeroed();
        let other = 5u64;
        let outside: u64 = union_of::<Header, _>(&plain).view().member(|_| &raw const other);
        assert_eq!(outside, 0);
    }
}
