//! cr-derive: `#[derive(CrCopy)]`. Entry point only: the derive runs
//! parse (`attr`) -> model (`model`, `place`, `ident`) -> check (`check`) -> expand (`expand`),
//! collecting every error in a `Ctxt` before any code is generated.
//!
//! Adding a key: add its variant to `StructKey`, `FieldKey` or `FlagKey` in `attr.rs` (with its
//! name as written), then build: the compiler lists every place it needs, each an exhaustive
//! match:
//! 1. `attr.rs`: its parse arm (`parse_container`, `parse_field` or `parse_flag`), and a slot in
//!    the attrs struct if the key carries a value (a bare key is known by `given`).
//! 2. `model.rs`: its row of rules (`FieldKey::rule`: its kind in a `CrCopy` and in a `CrLayout`
//!    header, the keys it conflicts with and why; `StructKey::live_only`), and where the model is
//!    built from it: a `Mapping`/`Mode` for a field key (`build_mapping` for `CrCopy`,
//!    `build_image_field` for `CrLayout`), a `Live` or `Evolution` value for a struct key.
//! 3. `expand/`: one arm in each output it changes: `copy.rs` (save, restore's checks, writes,
//!    `after_restore`), `table.rs` (the `Layout` row and constants, for both derives),
//!    `record.rs`, `cover.rs`, `fallback.rs`; and, if the key adds a mode of the table,
//!    `cr_core::layout::Mode` and the helpers in `cr_core::__private` it calls.
//! 4. Its tests and documentation: `tests/expand/every_key.rs` must use it (cr-derive's own
//!    tests check that with this parser against `Keyword::ALL`), a `tests/ui` case per misuse it
//!    adds, and `cr-core/docs/attributes.md`.
//!
//! A rule that spans several fields goes in `check.rs`; a generated name is computed in `model.rs`.

mod attr;
mod check;
mod ctxt;
mod expand;
mod ident;
mod model;
mod place;
#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Generates `cr_core::CrCopy<Target>` (save and restore) for an image header.
/// See the `cr_core::attributes` documentation for the `#[cr(...)]` attributes.
#[proc_macro_derive(CrCopy, attributes(cr))]
pub fn derive_cr_copy(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input, model::Derive::CrCopy).into()
}

/// Generates the image side only of a header (its `Layout`, flag constants and `Record`), for a
/// released version frozen as the `prev` of a newer one. See `cr_core::attributes`.
#[proc_macro_derive(CrLayout, attributes(cr))]
pub fn derive_cr_layout(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input, model::Derive::CrLayout).into()
}
