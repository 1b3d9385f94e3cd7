//! Tagged variants (`when`): the members of a C union that are live for some values of a tag
//! field. Restore refuses a tag no variant declares, checks the live variant only, and refuses an
//! inactive variant whose image bytes are not zero; the derive declares their value sets
//! disjoint at compile time.

use super::{evolution::Msg, Int};
use crate::{Error, ErrorKind};
use zerocopy::{Immutable, IntoBytes};

/// The tag `tag` (header field `field`, live `path`) selects a variant (`live`), or is refused.
#[inline(always)]
pub fn check_tag<T: Int>(live: bool, tag: T, field: &'static str, path: &'static str) -> Result<(), Error> {
    if live {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::UnknownVariant { tag: tag.value() }).at(field, Some(path)))
    }
}

/// An inactive variant (header field `field`) holds zeros only.
#[inline(always)]
pub fn check_inactive<V: IntoBytes + Immutable, T: Int>(value: V, tag: T, field: &'static str) -> Result<(), Error> {
    if super::is_zero(value.as_bytes()) {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::InactiveVariant { tag: tag.value() }).at(field, None))
    }
}

/// Compile-time: no tag value selects two variants of `header`'s tag field `tag`. `variants` are
/// (header field, its values) pairs.
pub const fn check_variants(header: &str, tag: &str, variants: &[(&str, &[u64])]) {
    let mut i = 0;
    while i < variants.len() {
        let mut j = i + 1;
        while j < variants.len() {
            let (a, av) = variants[i];
            let (b, bv) = variants[j];
            let mut x = 0;
            while x < av.len() {
                let mut y = 0;
                while y < bv.len() {
                    if av[x] == bv[y] {
                        let msg = Msg::new()
                            .str("cr: header field `")
                            .str(b)
                            .str("` of `")
                            .str(header)
                            .str("` is live when `")
                            .str(tag)
                            .str("` is ")
                            .dec(av[x])
                            .str(", and so is `")
                            .str(a)
                            .str("`: a tag value selects one variant; drop the value from one `when`");
                        panic!("{}", msg.as_str());
                    }
                    y += 1;
                }
                x += 1;
            }
            j += 1;
        }
        i += 1;
    }
}
