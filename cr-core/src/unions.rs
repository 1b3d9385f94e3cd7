//! C unions on the live side: the promise a user makes for a union whose bytes zerocopy cannot
//! vouch for, and cr-core's one unsafe operation behind it (a typed read of such a union's member).
//! Generated code reads a union member from the union, never through a union field, so neither
//! it nor the user's code holds `unsafe`; `__private` has the reading side.

use zerocopy::FromBytes;

/// A promise, for a C union whose members have padding, that the members the derived code of
/// header `H` reads are initialized (their fields; padding need not be).
///
/// A path through a union (`#[cr(union = "lowcore")]` with `path = "lowcore.words.access_id"`)
/// reads the member from the union. zerocopy vouches for the union's bytes when the union
/// implements `IntoBytes` and `Immutable` (kvm-bindings' unions with its `serde` feature; bindgen's
/// with `--with-derive-custom-union`). It cannot when a member has padding: the seed's
/// `per_lowcore_words` is a `u16`, a `u64` and a `u8`, whose padding bytes no typed copy keeps; nor
/// can it know which member of a union was written. Only the user knows that the member the header
/// reads is initialized (it came from the kernel, or was zero-filled, or written field by field),
/// and states it here, once per union and header. `H` is a type of the user's, so the orphan rule allows the impl for a foreign union:
///
/// ```
/// # mod bindings {
/// #     #[derive(Clone, Copy, cr_core::zerocopy::FromBytes, cr_core::zerocopy::Immutable)]
/// #     #[zerocopy(crate = "cr_core::zerocopy")]
/// #     #[repr(C)]
/// #     pub struct per_lowcore_words { pub perc_atmid: u16, pub address: u64, pub access_id: u8 }
/// #     #[derive(Clone, Copy, cr_core::zerocopy::FromZeros)]
/// #     #[zerocopy(crate = "cr_core::zerocopy")]
/// #     #[repr(C)]
/// #     pub union per_lowcore { pub words: per_lowcore_words, pub raw: [u64; 3] }
/// # }
/// use cr_core::CrCopy;
///
/// #[derive(CrCopy)]
/// #[cr(target = bindings::per_lowcore, union = "")]
/// pub struct LowcoreHeader {
///     #[cr(path = "words.access_id")]
///     pub access_id: u8,
/// }
///
/// // SAFETY: every `per_lowcore` a `LowcoreHeader` is saved from or restored into is zero-filled
/// // (`new_zeroed`) before its `words` are written, so the fields of `words`, the one member the
/// // header reads, are initialized; a C union holds no `UnsafeCell`.
/// unsafe impl cr_core::InitializedUnion<LowcoreHeader> for bindings::per_lowcore {}
///
/// let mut live: bindings::per_lowcore = cr_core::zerocopy::FromZeros::new_zeroed();
/// live.words.access_id = 3; // a write to a union field is safe Rust
/// let mut hdr = LowcoreHeader { access_id: 0 };
/// hdr.save(&live);
/// assert_eq!(hdr.access_id, 3);
/// ```
///
/// # Safety
///
/// Implementing this trait promises that in every value of `Self` that code derived for `H`
/// reads (the live union in `save`; the live union in `restore`'s checks and in writes that keep
/// part of the live value, such as a `mask`, an accessor's read-modify-write or a nested header's
/// write), each member that code reads has the bytes of its fields initialized. A member's own
/// padding need not be, nor need the bytes of members that code does not read: cr-core reads the
/// member by a typed read of the member's type (which implements zerocopy's `FromBytes`, so any
/// initialized bytes are a valid value), never the union's bytes as a whole. That is what a union
/// keeps when its member was written field by field, when it came from the kernel, or when it was
/// zero-filled, and also what a typed copy keeps: copying a struct that holds the union (`let next
/// = *task;`), or assigning a whole member (`u.words = per_lowcore_words { .. }`), loses padding
/// bytes and nothing else. It breaks when the header reads a member other than the one written,
/// over bytes that are padding of the written one (reading `raw: [u64; 3]` after writing
/// `words`). It also promises that `Self` holds no `UnsafeCell` (anywhere in any member), so the
/// bytes cannot change during the read: true of every C union, which is why no `Immutable` bound
/// is asked of a foreign union (kvm-bindings' `kvm_irq_level`'s has no zerocopy impl at all).
// An `unsafe trait` is how a promise only the user can make is written: not an unsafe operation.
#[allow(unsafe_code)]
pub unsafe trait InitializedUnion<H: ?Sized> {}

/// The member of type `M` at byte `offset` of a union `U` whose user made the promise: cr-core's
/// one `unsafe` operation, tested under Miri (`cargo +nightly miri test -p cr-core --lib unions`).
/// `None` when `M` does not fit in `U` at `offset`. The derive passes the offset of a field
/// projection (`&raw const u.words`), so `(offset, M)` is a member of `U`.
#[allow(unsafe_code)]
#[inline(always)]
pub(crate) fn read_promised<H: ?Sized, U: InitializedUnion<H>, M: FromBytes>(u: &U, offset: usize) -> Option<M> {
    let end = offset.checked_add(core::mem::size_of::<M>())?;
    if end > core::mem::size_of::<U>() {
        return None;
    }
    let at = (u as *const U).cast::<u8>().wrapping_add(offset).cast::<M>();
    // SAFETY: `offset..end` lies within `*u` (checked above), and `u` is a valid shared reference
    // from which `at` is derived, so the `size_of::<M>()` bytes at `at` are dereferenceable and
    // readable; `read_unaligned` asks no alignment. The read is typed: it needs the bytes of `M`'s
    // fields initialized, not its padding, and `M: FromBytes` makes any initialized bytes a valid
    // `M`. That the member read has its field bytes initialized, and that `U` holds no
    // `UnsafeCell` (nothing writes those bytes behind the shared reference), is the promise of
    // `InitializedUnion<H>` (its `# Safety` section), which the user made with an `unsafe impl`.
    Some(unsafe { at.read_unaligned() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use zerocopy::{FromZeros, Immutable};

    #[derive(Clone, Copy, Debug, PartialEq, FromBytes, Immutable)]
    #[repr(C)]
    struct Padded {
        a: u16,
        b: u64,
        c: u8,
    }

    #[derive(Clone, Copy, FromBytes, Immutable)]
    #[repr(C)]
    union Lowcore {
        words: Padded,
        raw: [u64; 3],
    }

    /// A struct holding the union, as `per_struct` holds `lowcore`.
    #[derive(Clone, Copy)]
    #[repr(C)]
    struct Task {
        flags: u32,
        lowcore: Lowcore,
    }

    struct Owner;
    #[allow(unsafe_code)]
    // SAFETY: the tests below read `words` only after writing it (field by field, or whole),
    // and `raw` only from a zero-filled union.
    unsafe impl InitializedUnion<Owner> for Lowcore {}

    fn words(u: &Lowcore) -> Option<Padded> {
        read_promised::<Owner, _, Padded>(u, 0)
    }

    #[test]
    fn unions_member_is_read_after_a_field_by_field_write() {
        let mut u = Lowcore::new_zeroed();
        u.words.a = 0x1234;
        u.words.b = 0x0102_0304_0506_0708;
        u.words.c = 0xab;
        let w = words(&u).expect("a Padded fits at 0");
        assert_eq!((w.a, w.b, w.c), (0x1234, 0x0102_0304_0506_0708, 0xab));
        let b = read_promised::<Owner, _, u64>(&u, 8).expect("a u64 fits at 8");
        assert_eq!(b, 0x0102_0304_0506_0708);
        let zeroed = Lowcore::new_zeroed();
        assert_eq!(read_promised::<Owner, _, [u64; 3]>(&zeroed, 0), Some([0; 3]));
    }

    /// A typed copy of the struct holding the union, and an assignment of a whole member, lose
    /// the padding bytes (Miri marks them uninitialized); the member's fields survive, and the
    /// typed read needs nothing more.
    #[test]
    fn unions_member_survives_typed_copies_that_lose_its_padding() {
        let mut task = Task {
            flags: 1,
            lowcore: Lowcore::new_zeroed(),
        };
        task.lowcore.words = Padded { a: 7, b: 8, c: 9 };
        let copied = core::hint::black_box(task);
        assert_eq!(copied.flags, 1);
        assert_eq!(words(&copied.lowcore), Some(Padded { a: 7, b: 8, c: 9 }));
    }

    #[test]
    fn unions_member_that_does_not_fit_is_none() {
        let u = Lowcore::new_zeroed();
        assert_eq!(read_promised::<Owner, _, u64>(&u, 17), None);
        assert_eq!(read_promised::<Owner, _, u8>(&u, 24), None);
        assert_eq!(read_promised::<Owner, _, u8>(&u, usize::MAX), None);
        assert_eq!(read_promised::<Owner, _, u8>(&u, 23), Some(0));
    }
}
