//! C unions on the live side: the promise a user makes for a union whose bytes zerocopy cannot
//! vouch for, and cr-core's one unsafe operation behind it (viewing such a union's bytes).
//! Generated code reads a union member from the union's bytes, never through a union field, so
//! neither it nor the user's code holds `unsafe`; `__private` has the reading side.

/// A promise, for a C union whose members have padding, that its bytes are initialized wherever
/// the derived code of header `H` reads it.
///
/// A path through a union (`#[cr(union = "lowcore")]` with `path = "lowcore.words.access_id"`)
/// reads the member from the union's bytes. zerocopy vouches for those bytes when the union
/// implements `IntoBytes` and `Immutable` (kvm-bindings' unions with its `serde` feature; bindgen's
/// with `--with-derive-custom-union`). It cannot when a member has padding: the seed's
/// `per_lowcore_words` is a `u16`, a `u64` and a `u8`, and whether the padding bytes between them
/// are initialized depends on how the value was made. Only the user knows that (it came from the
/// kernel, or was zero-filled and then written field by field), and states it here, once per union
/// and header. `H` is a type of the user's, so the orphan rule allows the impl for a foreign union:
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
/// // before any member is written, and members are written field by field, so its padding bytes
/// // are initialized.
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
/// Implementing this trait promises that every value of `Self` that code derived for `H` reads
/// (the live union in `save`; the live union in `restore`'s checks and in writes that keep part
/// of the live value, such as a `mask`, an accessor's read-modify-write or a nested header's
/// write) has all of its `size_of::<Self>()` bytes initialized, padding included. cr-core then
/// views those bytes as a `&[u8]` and reads members from them with zerocopy's `FromBytes`. It
/// also promises that `Self` holds no `UnsafeCell` (anywhere in any member), so those bytes cannot
/// change while cr-core holds the view: true of every C union, which is why no `Immutable` bound
/// is asked of a foreign union (kvm-bindings' `kvm_irq_level`'s has no zerocopy impl at all).
/// A union written whole by a member assignment (`u.words = per_lowcore_words { .. }`) leaves the
/// member's padding uninitialized: such a value breaks the promise.
// An `unsafe trait` is how a promise only the user can make is written: not an unsafe operation.
#[allow(unsafe_code)]
pub unsafe trait InitializedUnion<H: ?Sized> {}

/// The bytes of a union `U` that the user promised to be initialized: cr-core's one `unsafe`
/// operation, tested under Miri (`cargo +nightly miri test -p cr-core unions`).
#[allow(unsafe_code)]
#[inline(always)]
pub(crate) fn promised_bytes<H: ?Sized, U: InitializedUnion<H>>(u: &U) -> &[u8] {
    let len = core::mem::size_of::<U>();
    // SAFETY: `u` is a valid reference, so its `len` bytes are dereferenceable for the lifetime
    // of the borrow, and `u8` has alignment 1. Every byte is initialized, and `U` holds no
    // `UnsafeCell`, so nothing changes those bytes while the shared slice lives: that is the
    // promise of `InitializedUnion<H>` (its `# Safety` section), which the user made with an
    // `unsafe impl`.
    unsafe { core::slice::from_raw_parts((u as *const U).cast::<u8>(), len) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes};

    #[derive(Clone, Copy, FromBytes, Immutable)]
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

    struct Owner;
    #[allow(unsafe_code)]
    // SAFETY: the tests below zero-fill every `Lowcore` and write its members field by field.
    unsafe impl InitializedUnion<Owner> for Lowcore {}

    #[test]
    fn unions_promised_bytes_are_the_union_written_field_by_field() {
        let mut u = Lowcore::new_zeroed();
        u.words.a = 0x1234;
        u.words.b = 0x0102_0304_0506_0708;
        u.words.c = 0xab;
        let bytes = promised_bytes::<Owner, _>(&u);
        assert_eq!(bytes.len(), 24);
        let words = Padded::read_from_prefix(bytes).expect("24 bytes hold a Padded").0;
        assert_eq!((words.a, words.b, words.c), (0x1234, 0x0102_0304_0506_0708, 0xab));
        // The padding stays as zero-filling left it.
        assert_eq!(&bytes[2..8], &[0; 6]);
        assert_eq!(&bytes[17..], &[0; 7]);
        let raw = <[u64; 3]>::read_from_bytes(bytes).expect("the same bytes");
        assert_eq!(raw[1], 0x0102_0304_0506_0708);
        assert_eq!(raw.as_bytes(), bytes);
    }
}
