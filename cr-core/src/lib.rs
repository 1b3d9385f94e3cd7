//! cr-core: the runtime of cr. The [`CrCopy`] trait, its [`Error`], the [`Layout`] table, checkpoint
//! [`image`]s, their [`description`]s, [`dump`] and byte [`order`], crash-safe image files (`file`, feature
//! `std`), and the helpers that `#[derive(CrCopy)]` output calls. `#![no_std]`, no allocation, no panics on any input;
//! all code generation lives in cr-derive.
//!
//! One declaration gives both directions of a checkpoint/restart copy:
//!
//! ```
//! use cr_core::{CrCopy, ErrorKind};
//!
//! #[derive(Default)]
//! struct Regs { pc: u64, flags: u64, single_step: bool }
//!
//! #[derive(CrCopy, Default)]
//! #[cr(target = Regs)]
//! struct RegsHeader {
//!     #[cr(path = "pc")]
//!     pc: u64,
//!     #[cr(path = "flags", strict_mask = 0xff)]
//!     flags: u64,
//!     #[cr(flag(bit = 0, path = "single_step"))]
//!     trace: u8,
//! }
//!
//! let live = Regs { pc: 0x4000, flags: 0x12, single_step: true };
//! let mut header = RegsHeader::default();
//! header.save(&live);
//! assert_eq!(header.trace, RegsHeader::TRACE_SINGLE_STEP);
//!
//! let mut restarted = Regs::default();
//! header.restore(&mut restarted).unwrap();
//! assert_eq!((restarted.pc, restarted.single_step), (0x4000, true));
//!
//! header.trace |= 0x80; // a tampered image: refused, nothing written
//! let err = header.restore(&mut restarted).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::UnknownFlags { bits: 0x80 });
//! ```
//!
//! Every `#[cr(...)]` key is described, with examples, in [`attributes`]; [`bindgen`] maps the structs
//! bindgen emits (bitfields, unions, tagged unions).
#![no_std]
// One unsafe operation, behind a promise the user makes with an `unsafe impl`: `unions`.
#![deny(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "std")]
extern crate std;

#[doc = include_str!("../docs/attributes.md")]
pub mod attributes {}
#[doc = include_str!("../docs/bindgen.md")]
pub mod bindgen {}
pub mod description;
pub mod dump;
#[cfg(feature = "std")]
mod entries;
mod error;
#[cfg(feature = "std")]
pub mod file;
pub mod image;
pub mod layout;
pub mod order;
mod unions;

pub use error::{Error, ErrorKind, Value};
pub use layout::{FieldInfo, Layout, LayoutTable};
pub use unions::InitializedUnion;

/// Derives [`CrCopy`] for an image header from `#[cr(...)]` annotations. Every key is described
/// in [`attributes`].
pub use cr_derive::CrCopy;

/// Derives the image side only of a header: its [`Layout`], flag constants and, with
/// `record = N`, its [`image::Record`]; no live target, no `CrCopy`. A released version of a
/// record is frozen this way and named by the next version's `prev`. See [`attributes`].
pub use cr_derive::CrLayout;

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
