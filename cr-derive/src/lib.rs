//! cr-derive: `#[derive(CrCopy)]`. Entry point only: the derive runs
//! parse (`attr`) -> model (`model`, `place`, `ident`) -> check (`check`) -> expand (`expand`),
//! collecting every error in a `Ctxt` before any code is generated.
//!
//! Adding a field key touches, in this order:
//! 1. `attr.rs`: its keyword constant (listed in `FIELD_KEYS`) and one parse arm; a slot in
//!    `FieldAttrs` only if the key carries a value (a bare key is known by `FieldAttrs::has`).
//! 2. `model.rs`: one row in `RULES` (a mapping of its own or a modifier of `path`, and the keys
//!    it conflicts with, with why), and one arm where the `Mapping` is built.
//! 3. `expand.rs`: one arm in each generated part it changes (`save`, `restore_check`,
//!    `restore_write`, `layout_row`).
//! 4. Its tests and documentation: `tests/expand/every_key.rs` must use it (cr-derive's own tests
//!    check that against `attr`'s key lists), a `tests/ui` case per misuse it adds, and
//!    `cr-core/docs/attributes.md`.
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
