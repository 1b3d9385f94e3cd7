//! cr-core: the runtime of cr. The [`CrCopy`] trait, its [`Error`], and the helpers that
//! `#[derive(CrCopy)]` output calls. `#![no_std]`, no allocation, no panics on any input;
//! all code generation lives in cr-derive.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "std")]
extern crate std;

pub mod dump;
mod error;
pub mod image;
pub mod layout;

pub use error::{Error, ErrorKind};
pub use layout::{FieldInfo, Layout, LayoutTable};

/// Derives [`CrCopy`] for an image header from `#[cr(...)]` annotations. See the crate README
/// for every attribute.
pub use cr_derive::CrCopy;

/// The zerocopy version the derive's `bits` and `reserved` modes rely on.
pub use zerocopy;

/// Copies between an image header (`Self`) and the live object it mirrors (`T`).
///
/// Implement it with `#[derive(CrCopy)]`: one declaration gives both directions.
pub trait CrCopy<T: ?Sized> {
    /// live object -> image header. Infallible.
    fn save(&mut self, src: &T);

    /// image header -> live object. Checks everything first; on `Err`, `dst` is left exactly as it was.
    fn restore(&self, dst: &mut T) -> Result<(), Error>;
}

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
