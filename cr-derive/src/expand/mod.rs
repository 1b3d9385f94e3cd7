//! Code generation from a checked model, one file per output: the `CrCopy` and `Phases` impls
//! (`copy`), the image side every header has (`table`: flag constants and the field table;
//! `record`: the `Record` impl, format evolution and the pin), the `cover` proof (`cover`) and
//! the minimal impls after an error (`fallback`). This file holds the entry point and the pieces
//! every output uses. Every statement is spanned on the attribute it comes from.

use crate::ctxt::Ctxt;
use crate::model::{self, Derive, Field, Header, Side};
use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::{quote, ToTokens};
use syn::DeriveInput;

/// `if let Err(e) = <call> { return Err(e); }` at `span`: a check's early return, spelt out
/// rather than with `?`, whose `Try` and `FromResidual` impls rustc resolves anew at every use
/// (a header with a check per field otherwise spends much of `cargo check` there).
macro_rules! checked {
    ($span:expr, $($call:tt)*) => {{
        let cr = $crate::expand::cr_at($span);
        let e = ::proc_macro2::Ident::new("__e", ::proc_macro2::Span::mixed_site());
        ::quote::quote_spanned!($span=> if let #cr::Err(#e) = $($call)* { return #cr::Err(#e); })
    }};
}

mod copy;
mod cover;
mod fallback;
mod record;
mod table;

pub fn derive(input: &DeriveInput, derive: Derive) -> TokenStream {
    let mut cx = Ctxt::default();
    let header = model::build(&mut cx, input, derive);
    if let Some(header) = &header {
        crate::check::check(&mut cx, header);
    }
    if cx.has_errors() {
        let errors = cx.into_compile_errors();
        let fallback = header.as_ref().map(fallback::fallback);
        return quote! { #errors #fallback };
    }
    let Some(header) = &header else {
        return TokenStream::new();
    };
    match &header.side {
        Side::Live(live) => block(header, copy::expand(header, live)),
        Side::Image => block(header, table::image_side(header, &table::NoLivePlaces)),
    }
}

/// Every output of the derives sits in one `const _: () = { .. };`, so that no helper name
/// leaks into the user's scope, with `__cr` the alias of `cr_core::__private`.
fn block(h: &Header, items: TokenStream) -> TokenStream {
    let krate = &h.krate;
    quote! {
        #[doc(hidden)]
        const _: () = {
            #[allow(unused_imports)]
            use #krate::__private as __cr;
            #items
        };
    }
}

/// A target inside an impl: each `'_` replaced with a named lifetime, so the impl covers every
/// lifetime. Every mention of the target inside `impl<..> CrCopy<..>` and `Phases` uses this one.
struct Target {
    lifetimes: Vec<syn::Lifetime>,
    named: TokenStream,
}

impl Target {
    fn new(target: &syn::Type) -> Target {
        let (lifetimes, named) = name_lifetimes(target);
        Target { lifetimes, named }
    }
}

fn name_lifetimes(target: &syn::Type) -> (Vec<syn::Lifetime>, TokenStream) {
    fn walk(tokens: TokenStream, out: &mut Vec<syn::Lifetime>) -> TokenStream {
        let mut result = Vec::new();
        let mut iter = tokens.into_iter().peekable();
        while let Some(tt) = iter.next() {
            match tt {
                TokenTree::Punct(p) if p.as_char() == '\'' => {
                    if let Some(TokenTree::Ident(id)) = iter.peek() {
                        if id == "_" {
                            let lt = syn::Lifetime::new(&format!("'__cr{}", out.len()), id.span());
                            iter.next();
                            out.push(lt.clone());
                            result.extend(quote!(#lt));
                            continue;
                        }
                    }
                    result.push(TokenTree::Punct(p));
                }
                TokenTree::Group(g) => {
                    let mut group = proc_macro2::Group::new(g.delimiter(), walk(g.stream(), out));
                    group.set_span(g.span());
                    result.push(TokenTree::Group(group));
                }
                other => result.push(other),
            }
        }
        result.into_iter().collect()
    }
    let mut lifetimes = Vec::new();
    let tokens = walk(quote!(#target), &mut lifetimes);
    (lifetimes, tokens)
}

fn field_lit(f: &Field) -> syn::LitStr {
    syn::LitStr::new(&f.name, f.span)
}

/// `__cr`, the block's alias of `cr_core::__private`, located at `span`, so that rustc's labels
/// about a generated call land on the attribute it comes from, not on `#[derive]`.
fn cr_at(span: Span) -> Ident {
    Ident::new("__cr", Span::call_site().located_at(span))
}

/// `self.<field>`, located at `span`, so a whole generated argument such as `self.ilc` lies on
/// one attribute rather than spanning from it to the field. `self` keeps the hygiene of the
/// method's own `self` (call site), also when the header is declared inside a `macro_rules!`,
/// whose tokens the attribute's span would otherwise lend it.
fn member_at(f: &Field, span: Span) -> Member {
    let this = Ident::new("self", Span::call_site().located_at(span));
    let mut member = f.ident.clone();
    member.set_span(member.span().located_at(span));
    Member { this, member, span }
}

/// `self.<field>`, written straight into the surrounding stream (see [`crate::place::Live`]).
struct Member {
    this: Ident,
    member: Ident,
    span: Span,
}

impl ToTokens for Member {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let mut dot = proc_macro2::Punct::new('.', proc_macro2::Spacing::Alone);
        dot.set_span(self.span);
        tokens.extend([
            TokenTree::Ident(self.this.clone()),
            TokenTree::Punct(dot),
            TokenTree::Ident(self.member.clone()),
        ]);
    }
}

/// `tokens` with every span set to `span`, so that rustc reports an obligation they introduce
/// where the same obligation of another statement is reported (and only once).
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let TokenTree::Group(g) = &tt {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                return TokenTree::Group(group);
            }
            tt.set_span(span);
            tt
        })
        .collect()
}

/// The type as written, with the spacing a person would use.
fn type_text(ty: &syn::Type) -> String {
    // The common cases without a round trip through the compiler's printer: an identifier
    // (`u64`, `PswHeader`) and an array of one with a literal length (`[u8; 4]`).
    fn ident(ty: &syn::Type) -> Option<&Ident> {
        match ty {
            syn::Type::Path(p) if p.qself.is_none() => p.path.get_ident(),
            _ => None,
        }
    }
    if let Some(ident) = ident(ty) {
        return ident.to_string();
    }
    if let syn::Type::Array(array) = ty {
        if let (
            Some(elem),
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(len),
                ..
            }),
        ) = (ident(&array.elem), &array.len)
        {
            return format!("[{elem}; {len}]");
        }
    }
    let mut s = quote!(#ty).to_string();
    for (from, to) in [
        (" ;", ";"),
        (" ,", ","),
        ("[ ", "["),
        (" ]", "]"),
        ("( ", "("),
        (" )", ")"),
        (" < ", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" <", "<"),
        (":: ", "::"),
        (" ::", "::"),
        ("& ", "&"),
    ] {
        s = s.replace(from, to);
    }
    s
}
