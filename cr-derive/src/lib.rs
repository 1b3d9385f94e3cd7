//! cr-derive: `#[derive(CrCopy)]`. Entry point only: the derive runs
//! parse (`attr`) -> model (`model`, `place`) -> check (`check`) -> expand (`expand`),
//! collecting every error in a `Ctxt` before any code is generated.

mod attr;
mod check;
mod ctxt;
mod expand;
mod model;
mod place;

use proc_macro::TokenStream;

/// Generates `cr_core::CrCopy<Target>` (save and restore) for an image header.
/// See the cr-core documentation for the `#[cr(...)]` attributes.
#[proc_macro_derive(CrCopy, attributes(cr))]
pub fn derive_cr_copy(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}
