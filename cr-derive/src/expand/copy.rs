//! `#[derive(CrCopy)]`'s impls: `CrCopy` (save, and restore through `__cr::restore`) and `Phases`
//! (restore's checks, the validator, the writes, the `after_restore` hooks), and the compile-time
//! size assertions of `bits`. Everything here exists only for a header with a live side.

use super::{cover, cr_at, field_lit, member_at, respan, table, type_text, Target};
use crate::model::{Field, Header, Live, Mapping, Mask, Mode, PathMap};
use crate::place::Place;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};

/// What generated bodies are written with: `src`/`dst` and locals are mixed-site, so they can
/// never capture or shadow a name in the user's mask expressions; `target` is the target as the
/// impls name it (lifetimes named).
struct Names {
    src: Ident,
    dst: Ident,
    target: TokenStream,
}

/// The items of a `CrCopy` header: its image side, the `cover` proof, and the two impls.
pub fn expand(h: &Header, live: &Live) -> TokenStream {
    let Target { lifetimes, named } = Target::new(&live.target);
    let names = Names {
        src: Ident::new("src", Span::mixed_site()),
        dst: Ident::new("dst", Span::mixed_site()),
        target: named,
    };
    let krate = &h.krate;
    let ident = h.ident;
    let Names { src, dst, target } = &names;

    // Each part is collected into one stream before it is interpolated: interpolating a stream
    // per statement costs several round trips to the compiler each, which dominated the
    // derive's own run time on large headers.
    let saves: TokenStream = h.fields.iter().map(|f| save(&names, f)).collect();
    let checks: TokenStream = h
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| restore_check(h, &names, i, f))
        .collect();
    let writes: TokenStream = h.fields.iter().map(|f| restore_write(&names, f)).collect();
    let validate = live.validate.as_ref().map(|v| {
        let span = syn::spanned::Spanned::span(v);
        let cr = cr_at(span);
        let validate = Ident::new("validate", Span::mixed_site());
        let e = Ident::new("__e", Span::mixed_site());
        quote! {
            let #validate: fn(&Self, &#target) -> ::core::result::Result<(), #krate::Error> = #v;
            if let #cr::Err(#e) = #validate(self, #dst) {
                return #cr::Err(#cr::locate::<Self>(#e));
            }
        }
    });
    let nested_afters: TokenStream = h.fields.iter().map(|f| nested_after(&names, f)).collect();
    let after = live.after_restore.as_ref().map(|a| {
        let after_restore = Ident::new("after_restore", Span::mixed_site());
        quote! {
            let #after_restore: fn(&mut #target) = #a;
            #after_restore(#dst);
        }
    });
    // With no hook of its own and none nested, the header keeps `Phases`' empty default: one
    // function body fewer to compile per header.
    let after_restore = (after.is_some() || !nested_afters.is_empty()).then(|| {
        quote! {
            #[inline]
            fn after_restore(&self, #dst: &mut #target) {
                #nested_afters
                #after
            }
        }
    });
    let asserts: TokenStream = h.fields.iter().map(|f| size_assert(live, f)).collect();
    let coverage = cover::coverage(h, live);
    let image = table::image_side(h, &Written(&live.target));

    quote! {
            #asserts
            #coverage
            #image

            #[automatically_derived]
            impl<#(#lifetimes),*> #krate::CrCopy<#target> for #ident {
                #[inline]
                fn save(&mut self, #src: &#target) {
                    #saves
                }

                #[inline]
                fn restore(&self, #dst: &mut #target) -> ::core::result::Result<(), #krate::Error> {
                    __cr::restore(self, #dst)
                }
            }

            #[automatically_derived]
            impl<#(#lifetimes),*> __cr::Phases<#target> for #ident {
                #[inline]
                fn check(&self, #dst: &#target) -> ::core::result::Result<(), #krate::Error> {
                    #checks
                    #validate
                    ::core::result::Result::Ok(())
                }

                #[inline]
                #[allow(trivial_casts, trivial_numeric_casts)]
                fn write(&self, #dst: &mut #target) {
                    #writes
                }

                #after_restore
            }
    }
}

/// The field table's view of a nested field: through the same `nest` as its save and restore,
/// with the target as written (the `Layout` impl names no lifetimes).
struct Written<'a>(&'a syn::Type);

impl table::NestedRows for Written<'_> {
    fn layout(&self, f: &Field, place: &Place) -> TokenStream {
        let target = self.0;
        let nest = Nesting::new(&quote!(#target), f, place).nest;
        quote!(#nest.layout)
    }
}

fn save(names: &Names, f: &Field) -> TokenStream {
    let span = f.span;
    let member = member_at(f, span);
    match &f.mapping {
        Mapping::Path(PathMap { place, mode, .. }) => {
            let live = place.render(&names.src);
            let span = place.span;
            let cr = cr_at(span);
            let member = member_at(f, span);
            match mode {
                Mode::Copy => quote_spanned!(span=> #member = #cr::Same::save(#member, #live);),
                Mode::Bits => quote_spanned!(span=> #member = #cr::bits(#live);),
                Mode::Convert => quote_spanned!(span=> #member = #cr::Widen::save(#member, #live);),
                Mode::Nested => {
                    let n = Nesting::new(&names.target, f, place);
                    let (nest, member, live) = (&n.nest, n.at(&member), n.at(&live));
                    n.wrap(quote_spanned!(span=> #member = #nest.save(#member, #live);))
                }
            }
        }
        Mapping::Flags(word) => {
            // One expression per word, the `|` of one term per flag, each term on its flag.
            let terms = word.flags.iter().filter_map(|flag| {
                let place = flag.place.as_ref()?;
                let live = place.render(&names.src);
                let bit = flag.constant.ident();
                let span = place.span;
                let cr = cr_at(span);
                Some(quote_spanned!(span=> #cr::Flag::save(#live, Self::#bit)))
            });
            quote_spanned!(span=> #member = #(#terms)|*;)
        }
        Mapping::Skip => quote_spanned!(span=> #member = ::core::default::Default::default();),
        Mapping::Reserved => {
            let cr = cr_at(span);
            quote_spanned!(span=> #member = #cr::FromZeros::new_zeroed();)
        }
        Mapping::Data | Mapping::NestedData | Mapping::Unknown => TokenStream::new(),
    }
}

/// The checks of one field, at position `index` of the header (its row in the table).
fn restore_check(h: &Header, names: &Names, index: usize, f: &Field) -> TokenStream {
    let member = member_at(f, f.span);
    let name = field_lit(f);
    match &f.mapping {
        Mapping::Path(PathMap { save_only: true, .. }) => TokenStream::new(),
        Mapping::Path(PathMap { place, mode, mask, .. }) => {
            let span = place.span;
            let cr = cr_at(span);
            let member = member_at(f, span);
            let path = syn::LitStr::new(&place.text, span);
            let live = place.render(&names.dst);
            let mut out = TokenStream::new();
            if let Some(Mask::Strict(m)) = mask {
                out.extend(checked!(span, #cr::check_mask(#member, #m, #name, #path)));
            }
            match mode {
                Mode::Convert => {
                    out.extend(checked!(span, #cr::narrow(#member, #live, #name, #path)));
                }
                Mode::Nested => {
                    let krate = &h.krate;
                    let row = proc_macro2::Literal::usize_unsuffixed(index);
                    let n = Nesting::new(&names.target, f, place);
                    let (nest, member, live, index) = (&n.nest, n.at(&member), n.at(&live), n.index());
                    out.extend(n.wrap(checked!(span,
                        #nest.check(#member, #live, const { &<Self as #krate::Layout>::FIELDS[#row] }, #index)
                    )));
                }
                Mode::Copy | Mode::Bits => {}
            }
            out
        }
        Mapping::Flags(word) => {
            let cr = cr_at(f.span);
            let all = word.all.ident();
            checked!(f.span, #cr::check_flags(#member, Self::#all, #name))
        }
        Mapping::Reserved => {
            let cr = cr_at(f.span);
            checked!(f.span, #cr::check_reserved(#member, #name))
        }
        Mapping::Skip | Mapping::Data | Mapping::NestedData | Mapping::Unknown => TokenStream::new(),
    }
}

/// A nested field's `after_restore` hooks, run after every write.
fn nested_after(names: &Names, f: &Field) -> TokenStream {
    match &f.mapping {
        Mapping::Path(PathMap {
            place,
            mode: Mode::Nested,
            save_only: false,
            ..
        }) => {
            let live = place.render(&names.dst);
            let span = place.span;
            let member = member_at(f, span);
            let n = Nesting::new(&names.target, f, place);
            let (nest, member, live) = (&n.nest, n.at(&member), n.at(&live));
            n.wrap(quote_spanned!(span=> #live = #nest.after_restore(#member, #live);))
        }
        _ => TokenStream::new(),
    }
}

fn restore_write(names: &Names, f: &Field) -> TokenStream {
    match &f.mapping {
        Mapping::Path(PathMap { save_only: true, .. }) => TokenStream::new(),
        Mapping::Path(PathMap { place, mode, mask, .. }) => {
            let live = place.render(&names.dst);
            let span = place.span;
            let cr = cr_at(span);
            let member = member_at(f, span);
            match (mode, mask) {
                (Mode::Copy, Some(Mask::Soft(m))) => {
                    quote_spanned!(span=> #live = #cr::Same::restore_masked(#member, #m, #live);)
                }
                // A cast, not a call: save's `Same::save` already holds both types to be the
                // same (one error if they are not); the identity cast costs rustc far less.
                (Mode::Copy, _) => quote_spanned!(span=> #live = #member as _;),
                (Mode::Bits, _) => quote_spanned!(span=> #live = #cr::bits(#member);),
                (Mode::Convert, _) => quote_spanned!(span=> #live = #cr::narrowed(#member, #live);),
                (Mode::Nested, _) => {
                    let n = Nesting::new(&names.target, f, place);
                    let (nest, member, live) = (&n.nest, n.at(&member), n.at(&live));
                    n.wrap(quote_spanned!(span=> #live = #nest.write(#member, #live);))
                }
            }
        }
        Mapping::Flags(word) => word
            .flags
            .iter()
            .filter_map(|flag| {
                let place = flag.place.as_ref()?;
                let live = place.render(&names.dst);
                let bit = flag.constant.ident();
                let span = place.span;
                let member = member_at(f, span);
                // As for a copy: save's `Flag::save` holds the place to be a `bool`.
                Some(quote_spanned!(span=> #live = (#member & Self::#bit != 0) as _;))
            })
            .collect(),
        Mapping::Skip | Mapping::Reserved | Mapping::Data | Mapping::NestedData | Mapping::Unknown => {
            TokenStream::new()
        }
    }
}

/// `bits`: both sides must have the same size, proven while type-checking (`cargo check`).
fn size_assert(live: &Live, f: &Field) -> TokenStream {
    let Mapping::Path(PathMap {
        place,
        mode: Mode::Bits,
        ..
    }) = &f.mapping
    else {
        return TokenStream::new();
    };
    let target = &live.target;
    let ty = f.ty;
    let span = place.span;
    let cr = cr_at(span);
    let t = Ident::new("t", Span::mixed_site());
    let live = place.render(&t);
    let msg = format!(
        "cr: header field `{}` ({}) and live `{}` differ in size; `bits` reinterprets bytes, \
         so the header field needs a type of exactly the live place's size",
        f.name,
        type_text(ty),
        place.text
    );
    quote_spanned! {span=>
        const _: () = ::core::assert!(
            #cr::size_of_place::<#target, _>(|#t| #live) == ::core::mem::size_of::<#ty>(),
            #msg
        );
    }
}

/// How the statements of a `nested` field reach it: through its operations `nest`, on the field
/// itself for one header, or element by element in a loop for an array `[H; N]` (a whole array
/// moved by value is loaded before the first store, its values held in registers meanwhile).
///
/// Every use of a nested field starts from `__cr::nest::<Target, Header, _>(|t| t.place)` or
/// `__cr::nest_each::<Target, Element, _, { N }>(|t| t.place)`, so that a header that cannot be
/// nested there is one error (the same obligation or mismatch, at the same place), whichever
/// uses there are.
struct Nesting<'a> {
    nest: TokenStream,
    /// For an array: the loop's index and the length as written.
    each: Option<(Ident, &'a syn::Expr)>,
    span: Span,
}

impl Nesting<'_> {
    fn new<'a>(target: &TokenStream, f: &'a Field, place: &Place) -> Nesting<'a> {
        let span = place.span;
        let cr = cr_at(span);
        let t = Ident::new("t", Span::mixed_site());
        let live = place.render(&t);
        match f.ty {
            syn::Type::Array(array) => {
                let elem = &array.elem;
                let elem = respan(quote!(#elem), span);
                let len = &array.len;
                // A literal or a const's path is a const argument as it stands; any other
                // expression takes braces.
                let arg = match len {
                    syn::Expr::Lit(_) | syn::Expr::Path(_) => quote!(#len),
                    _ => quote!({ #len }),
                };
                Nesting {
                    nest: quote_spanned!(span=> #cr::nest_each::<#target, #elem, _, #arg>(|#t| #live)),
                    each: Some((Ident::new("__i", Span::mixed_site()), len)),
                    span,
                }
            }
            ty => {
                let ty = respan(quote!(#ty), span);
                Nesting {
                    nest: quote_spanned!(span=> #cr::nest::<#target, #ty, _>(|#t| #live)),
                    each: None,
                    span,
                }
            }
        }
    }

    /// `tokens` (a member or a live place), projected to the element.
    fn at(&self, tokens: impl ToTokens) -> TokenStream {
        match &self.each {
            Some((i, _)) => quote_spanned!(self.span=> #tokens[#i]),
            None => tokens.into_token_stream(),
        }
    }

    /// The element's index, for the route of an error.
    fn index(&self) -> TokenStream {
        let cr = cr_at(self.span);
        match &self.each {
            Some((i, _)) => quote_spanned!(self.span=> #cr::Some(#i)),
            None => quote_spanned!(self.span=> #cr::None),
        }
    }

    /// `stmt` on the field, or in a loop over its elements. A length that may be zero (`0`, or a
    /// constant or expression the derive cannot read) gets an allow: clippy would point out the
    /// empty range on the user's attribute.
    fn wrap(&self, stmt: TokenStream) -> TokenStream {
        let Some((i, len)) = &self.each else {
            return stmt;
        };
        let nonzero = matches!(len, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(n), .. })
            if n.base10_parse::<usize>().is_ok_and(|n| n > 0));
        let allow = (!nonzero).then(|| quote!(#[allow(clippy::reversed_empty_ranges)]));
        quote_spanned! {self.span=>
            #allow
            for #i in 0..#len { #stmt }
        }
    }
}
