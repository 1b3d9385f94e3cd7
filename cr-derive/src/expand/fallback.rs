//! After an error: the minimal impls a header's uses need (its flag constants, `Layout`, with a
//! live side `CrCopy` and `Phases`, with `record = N` `Record`), with empty bodies, so the user
//! sees the real error and not a cascade of "trait not implemented" (thiserror's `fallback.rs`).

use super::Target;
use crate::model::{self, Header, Live, Side};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// After an error: the trait impl and any flag constants that can be stated, with empty bodies,
/// so the user sees the real error and not a cascade of "trait not implemented".
pub fn fallback(h: &Header) -> TokenStream {
    if h.generic {
        return TokenStream::new();
    }
    let krate = &h.krate;
    let ident = h.ident;
    let mut seen = std::collections::BTreeSet::new();
    let mut consts = Vec::new();
    for f in &h.fields {
        let Some(word) = f.flag_word() else { continue };
        if let model::WordType::Wrong { .. } = word.word {
            continue;
        }
        let ty = f.ty;
        let names = word.flags.iter().map(|flag| &flag.constant).chain([&word.all]);
        for name in names.filter_map(|name| name.ident()) {
            if seen.insert(name.to_string()) {
                let name = Ident::new(&name.to_string(), Span::call_site());
                consts.push(quote!(#[doc(hidden)] pub const #name: #ty = 0;));
            }
        }
    }
    let copy = match &h.side {
        Side::Live(live) => fallback_copy(h, live),
        Side::Image => TokenStream::new(),
    };
    let record = h.record.as_ref().map(|ty| {
        quote! {
            impl #krate::image::Record for #ident {
                const TYPE: u32 = #ty;
            }
        }
    });
    quote! {
        const _: () = {
            impl #ident { #(#consts)* }
            impl #krate::Layout for #ident {
                const NAME: &'static str = "";
                const FIELDS: &'static [#krate::FieldInfo] = &[];
                const FINGERPRINT: u64 = 0;
            }
            #copy
            #record
        };
    }
}

/// The fallback's `CrCopy` and `Phases`.
fn fallback_copy(h: &Header, live: &Live) -> TokenStream {
    let krate = &h.krate;
    let ident = h.ident;
    let Target {
        lifetimes,
        named: target,
    } = Target::new(&live.target);
    quote! {
            impl<#(#lifetimes),*> #krate::CrCopy<#target> for #ident {
                fn save(&mut self, _: &#target) {}
                fn restore(&self, _: &mut #target) -> ::core::result::Result<(), #krate::Error> {
                    ::core::result::Result::Ok(())
                }
            }
            impl<#(#lifetimes),*> #krate::__private::Phases<#target> for #ident {
                fn check(&self, _: &#target) -> ::core::result::Result<(), #krate::Error> {
                    ::core::result::Result::Ok(())
                }
                fn write(&self, _: &mut #target) {}
                fn after_restore(&self, _: &mut #target) {}
            }
    }
}
