//! Error collection: every independent mistake in one derive is reported in one build.
//! Owns no rules; `model` and `check` decide what is wrong.

use proc_macro2::TokenStream;
use std::fmt::Display;

#[derive(Default)]
pub struct Ctxt {
    errors: Vec<syn::Error>,
}

impl Ctxt {
    pub fn error(&mut self, span: proc_macro2::Span, msg: impl Display) {
        self.errors.push(syn::Error::new(span, msg));
    }

    pub fn syn_error(&mut self, err: syn::Error) {
        self.errors.push(err);
    }

    /// Takes over the errors of `other`, each prefixed (e.g. with the header field they are about).
    pub fn absorb(&mut self, other: Ctxt, prefix: &str) {
        for error in other.errors.into_iter().flatten() {
            self.errors
                .push(syn::Error::new(error.span(), format!("{prefix}{error}")));
        }
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// All collected errors as `compile_error!` invocations.
    pub fn into_compile_errors(self) -> TokenStream {
        self.errors.iter().map(syn::Error::to_compile_error).collect()
    }
}
