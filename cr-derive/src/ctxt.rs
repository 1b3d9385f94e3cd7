//! Error collection: every independent mistake in one derive is reported in one build.
//! Owns no rules; `attr`, `model` and `check` decide what is wrong. Owns the one way an error is
//! tied to a header field: the "header field `x`: " prefix.

use proc_macro2::{Span, TokenStream};
use std::fmt::Display;

#[derive(Default)]
pub struct Ctxt {
    errors: Vec<syn::Error>,
}

impl Ctxt {
    pub fn error(&mut self, span: Span, msg: impl Display) {
        self.errors.push(syn::Error::new(span, msg));
    }

    pub fn syn_error(&mut self, err: syn::Error) {
        self.errors.push(err);
    }

    /// Errors about header field `name` (as users write it, without `r#`): each message is
    /// prefixed with "header field `name`: ".
    pub fn field<'a>(&'a mut self, name: &'a str) -> FieldCtxt<'a> {
        FieldCtxt { cx: self, name }
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// All collected errors as `compile_error!` invocations.
    pub fn into_compile_errors(self) -> TokenStream {
        self.errors.iter().map(syn::Error::to_compile_error).collect()
    }
}

/// Where errors about one header field go.
pub struct FieldCtxt<'a> {
    cx: &'a mut Ctxt,
    name: &'a str,
}

/// Where errors go: the header as a whole, or one of its fields.
pub trait Report {
    fn error(&mut self, span: Span, msg: impl Display);
    fn syn_error(&mut self, err: syn::Error);
}

impl Report for Ctxt {
    fn error(&mut self, span: Span, msg: impl Display) {
        Ctxt::error(self, span, msg);
    }
    fn syn_error(&mut self, err: syn::Error) {
        Ctxt::syn_error(self, err);
    }
}

impl Report for FieldCtxt<'_> {
    fn error(&mut self, span: Span, msg: impl Display) {
        let name = self.name;
        self.cx.error(span, format_args!("header field `{name}`: {msg}"));
    }

    /// A parse error from syn, which may hold several messages: each is prefixed.
    fn syn_error(&mut self, err: syn::Error) {
        for error in err {
            self.error(error.span(), error);
        }
    }
}
