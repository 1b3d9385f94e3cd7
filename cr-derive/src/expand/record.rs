//! `record = N`: the `Record` impl (version, `prev` chain, upgrade), the compile-time checks of
//! format evolution and of the fingerprint pin. Part of every header's image side.

use super::{respan, type_text};
use crate::model::Header;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

/// `record = N`: the `Record` impl (with its version, its `prev` chain and the upgrade from
/// it), a compile-time refusal of type 0 however it is written, and the checks of `prev`.
pub fn record(h: &Header) -> TokenStream {
    let Some(ty) = &h.record else { return TokenStream::new() };
    let krate = &h.krate;
    let ident = h.ident;
    let span = syn::spanned::Spanned::span(ty);
    let msg = format!(
        "cr: `{ident}` has record type 0, which is reserved for the image's end record; give it another number"
    );
    let ev = &h.evolution;
    let version = ev.version.map(|(v, span)| {
        let v = proc_macro2::Literal::u32_unsuffixed(v);
        quote_spanned!(span=> const VERSION: u32 = #v;)
    });
    let optional = ev.optional.then(|| {
        quote!(
            const OPTIONAL: bool = true;
        )
    });
    let chain = ev.prev.as_ref().map(|(prev, span)| prev_chain(h, prev, *span));
    let max = h
        .entries
        .max
        .as_ref()
        .map(|max| quote!(const MAX_ENTRIES: usize = #max;));
    let same = (!h.entries.unique.is_empty()).then(|| {
        let other = Ident::new("other", Span::mixed_site());
        let fields = h.entries.unique.iter().filter_map(|lit| {
            let f = h.fields.iter().find(|f| f.name == lit.value())?;
            let member = f.ident;
            // Copies first: a packed header's fields cannot be borrowed for `==`.
            Some(match h.packed {
                true => quote_spanned!(lit.span()=> { self.#member } == { #other.#member }),
                false => quote_spanned!(lit.span()=> self.#member == #other.#member),
            })
        });
        let names = h.entries.unique.iter().map(|lit| lit.value());
        quote! {
            const UNIQUE: &'static [&'static str] = &[#(#names),*];
            #[inline]
            fn same_entry(&self, #other: &Self) -> bool {
                #(#fields)&&*
            }
        }
    });
    let checks = ev.prev.as_ref().map(|(prev, span)| evolution_checks(h, prev, *span));
    quote_spanned! {span=>
        const _: () = ::core::assert!((#ty) != #krate::image::END, #msg);
        #checks
        #[automatically_derived]
        impl #krate::image::Record for #ident {
            const TYPE: u32 = #ty;
            #version
            #optional
            #max
            #same
            #chain
        }
    }
}

/// With `prev`: the oldest version, the layouts of the chain, and decoding an older version
/// through `prev`, then the step up (derived, or the user's `upgrade`).
fn prev_chain(h: &Header, prev: &syn::Type, span: Span) -> TokenStream {
    let krate = &h.krate;
    // The decoded older header, with the hygiene of the other locals of `decode`.
    let older = Ident::new("prev", Span::mixed_site());
    let step = match &h.evolution.upgrade {
        Some(upgrade) => {
            let f = Ident::new("upgrade", Span::mixed_site());
            quote! {
                let #f: fn(&#prev) -> ::core::result::Result<Self, #krate::Error> = #upgrade;
                #f(&#older)
            }
        }
        None => {
            let h_ident = Ident::new("h", Span::mixed_site());
            let defaults: Vec<TokenStream> = h
                .fields
                .iter()
                .filter_map(|f| {
                    let default = f.since.as_ref()?.default.as_ref()?;
                    let member = &f.ident;
                    Some(quote!(#h_ident.#member = #default;))
                })
                .collect();
            let since = match defaults.is_empty() {
                true => quote!(|_: &mut Self| {}),
                false => quote!(|#h_ident: &mut Self| { #(#defaults)* }),
            };
            quote! {
                __cr::upgrade::<#prev, Self>(&#older, #since)
            }
        }
    };
    let version = Ident::new("version", Span::mixed_site());
    let payload = Ident::new("payload", Span::mixed_site());
    quote_spanned! {span=>
        const OLDEST: u32 = <#prev as #krate::image::Record>::OLDEST;
        fn layout_of(#version: u32) -> ::core::option::Option<(u64, usize)> {
            if #version == <Self as #krate::image::Record>::VERSION {
                ::core::option::Option::Some((__cr::fingerprint_of::<Self>(), ::core::mem::size_of::<Self>()))
            } else {
                <#prev as #krate::image::Record>::layout_of(#version)
            }
        }
        fn decode(#version: u32, #payload: #krate::image::Payload<'_>) -> ::core::result::Result<Self, #krate::Error> {
            if #version == <Self as #krate::image::Record>::VERSION {
                return __cr::read_exact::<Self>(#payload);
            }
            let #older = <#prev as #krate::image::Record>::decode(#version, #payload)?;
            #step
        }
    }
}

/// The compile-time checks of a `prev`: the same record type one version older, and (for a
/// derived upgrade) every field carried, new or dropped, each refused with its own message.
fn evolution_checks(h: &Header, prev: &syn::Type, span: Span) -> TokenStream {
    let krate = &h.krate;
    let ident = h.ident;
    let this = ident.to_string();
    let prev_name = type_text(prev);
    let chain = respan(
        quote! {
            const _: () = __cr::check_chain(
                <#prev as #krate::image::Record>::TYPE,
                <#prev as #krate::image::Record>::VERSION,
                <#ident as #krate::image::Record>::TYPE,
                <#ident as #krate::image::Record>::VERSION,
                #prev_name,
            );
        },
        span,
    );
    if h.evolution.upgrade.is_some() {
        return chain;
    }
    let fields: TokenStream = h
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let row = proc_macro2::Literal::usize_unsuffixed(i);
            let (check, span) = match &f.since {
                Some(since) => (quote!(check_new), since.span),
                None => (quote!(check_carried), f.span),
            };
            // Located wholly on the field's attribute (or name), where the error belongs.
            respan(
                quote! {
                    const _: () = __cr::#check(
                        <#prev as #krate::Layout>::FIELDS,
                        &<#ident as #krate::Layout>::FIELDS[#row],
                        #this,
                        #prev_name,
                    );
                },
                span,
            )
        })
        .collect();
    let dropped = h.evolution.dropped.iter().map(|lit| lit.value());
    let dropped = respan(
        quote! {
            const _: () = __cr::check_dropped(
                <#prev as #krate::Layout>::FIELDS,
                <#ident as #krate::Layout>::FIELDS,
                &[#(#dropped),*],
                #this,
                #prev_name,
            );
        },
        span,
    );
    quote! {
        #chain
        #fields
        #dropped
    }
}

/// `fingerprint = 0x...`: the layout must be the pinned one; the message shows the computed one.
pub fn pin(h: &Header) -> TokenStream {
    let Some((pinned, span)) = h.evolution.pin else {
        return TokenStream::new();
    };
    let krate = &h.krate;
    let ident = h.ident;
    let this = ident.to_string();
    // As the attribute writes it (hex), not as `4660u64`.
    let pinned: proc_macro2::Literal = format!("{pinned:#x}").parse().expect("a hex integer is a literal");
    respan(
        quote!(const _: () = __cr::check_pin(<#ident as #krate::Layout>::FINGERPRINT, #pinned, #this);),
        span,
    )
}
