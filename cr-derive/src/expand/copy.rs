//! `#[derive(CrCopy)]`'s impls: `CrCopy` (save, and restore through `__cr::restore`) and `Phases`
//! (restore's checks, the validator, the writes, the `after_restore` hooks), and the compile-time
//! size assertions of `bits`. Everything here exists only for a header with a live side.

use super::{cover, cr_at, field_lit, member_at, respan, table, type_text, Target};
use crate::model::{Field, Header, Live, Mapping, Mask, Mode, PathMap, When};
use crate::place::{Place, Through};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};

/// What generated bodies are written with: `src`/`dst` and locals are mixed-site, so they can
/// never capture or shadow a name in the user's mask expressions; `target` is the target as the
/// impls name it (lifetimes named).
struct Names<'a> {
    src: Ident,
    dst: Ident,
    target: TokenStream,
    /// The live unions, through which places are read from bytes.
    through: Through<'a>,
}

/// The items of a `CrCopy` header: its image side, the `cover` proof, and the two impls.
pub fn expand(h: &Header, live: &Live) -> TokenStream {
    let Target { lifetimes, named } = Target::new(&live.target);
    let names = Names {
        src: Ident::new("src", Span::mixed_site()),
        dst: Ident::new("dst", Span::mixed_site()),
        target: named,
        through: live.through(h.ident),
    };
    let krate = &h.krate;
    let ident = h.ident;
    let Names { src, dst, target, .. } = &names;

    // Each part is collected into one stream before it is interpolated: interpolating a stream
    // per statement costs several round trips to the compiler each, which dominated the
    // derive's own run time on large headers.
    let saves: TokenStream = h.fields.iter().map(|f| save(h, &names, f)).collect();
    let checks: TokenStream = h
        .fields
        .iter()
        .enumerate()
        .flat_map(|(i, f)| [restore_check(h, &names, i, f), tag_checks(h, f)])
        .collect();
    let writes: TokenStream = h.fields.iter().map(|f| restore_write(h, &names, f)).collect();
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
    let nested_afters: TokenStream = h.fields.iter().map(|f| nested_after(h, &names, f)).collect();
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
    let asserts: TokenStream = h.fields.iter().map(|f| size_assert(h, live, f)).collect();
    let coverage = cover::coverage(h, live);
    let variants = variant_checks(h);
    let image = table::image_side(
        h,
        &Written {
            header: h,
            target: &live.target,
            through: &names.through,
        },
    );
    let imports = (!live.unions.is_empty()).then(|| {
        quote! {
            #[allow(unused_imports)]
            use __cr::union::{ViewPromised as _, ViewRefused as _};
        }
    });

    quote! {
            #imports
            #asserts
            #coverage
            #variants
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

            // `inline(always)`: a nested header's phases are reached through `Nest`'s function
            // pointers, and a header nested at two places (a field and an array) was otherwise
            // left out of line at one of them (callgrind: kvm_sregs restore 382 -> 401).
            #[automatically_derived]
            impl<#(#lifetimes),*> __cr::Phases<#target> for #ident {
                #[inline(always)]
                fn check(&self, #dst: &#target) -> ::core::result::Result<(), #krate::Error> {
                    #checks
                    #validate
                    ::core::result::Result::Ok(())
                }

                #[inline(always)]
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
struct Written<'a> {
    header: &'a Header<'a>,
    target: &'a syn::Type,
    through: &'a Through<'a>,
}

impl table::NestedRows for Written<'_> {
    fn layout(&self, f: &Field, place: &Place) -> TokenStream {
        let target = self.target;
        let nest = Nesting::new(self.header, &quote!(#target), self.through, f, place).nest;
        quote!(#nest.layout)
    }
}

fn save(h: &Header, names: &Names, f: &Field) -> TokenStream {
    let span = f.span;
    let member = member_at(f, span);
    match &f.mapping {
        Mapping::Path(PathMap { place, mode, .. }) => {
            let live = place.render(&names.src, &names.through).typed(f.ty);
            let span = place.span;
            let cr = cr_at(span);
            let member = member_at(f, span);
            let stmt = match mode {
                Mode::Copy => quote_spanned!(span=> #member = #cr::Same::save(#member, #live);),
                Mode::Bits => quote_spanned!(span=> #member = #cr::bits(#live);),
                Mode::Convert => quote_spanned!(span=> #member = #cr::Widen::save(#member, #live);),
                Mode::Nested => {
                    let n = Nesting::new(h, &names.target, &names.through, f, place);
                    let (nest, member, live) = (&n.nest, n.at(&member), n.live(live));
                    match n.by_ref {
                        true => n.wrap(quote_spanned!(span=> #nest.save_ref(&mut #member, &#live);)),
                        false => n.wrap(quote_spanned!(span=> #member = #nest.save(#member, #live);)),
                    }
                }
            };
            // An inactive variant is saved as zeros: its member holds another variant's bytes.
            match &f.when {
                Some(when) => {
                    let live = selects(h, when);
                    let member = member_at(f, span);
                    quote_spanned! {span=>
                        if #live { #stmt } else { #member = #cr::FromZeros::new_zeroed(); }
                    }
                }
                None => stmt,
            }
        }
        Mapping::Flags(word) => {
            // One expression per word, the `|` of one term per flag, each term on its flag.
            let terms = word.flags.iter().filter_map(|flag| {
                let place = flag.place.as_ref()?;
                let live = place.render(&names.src, &names.through);
                let bit = flag.constant.ident();
                let span = place.span;
                let cr = cr_at(span);
                Some(quote_spanned!(span=> #cr::Flag::save(#live, Self::#bit)))
            });
            quote_spanned!(span=> #member = #(#terms)|*;)
        }
        Mapping::Skip => quote_spanned!(span=> #member = ::core::default::Default::default();),
        Mapping::Reserved(_) => {
            let cr = cr_at(span);
            quote_spanned!(span=> #member = #cr::FromZeros::new_zeroed();)
        }
        Mapping::Data | Mapping::NestedData | Mapping::Unknown => TokenStream::new(),
    }
}

/// Whether the header's tag selects variant `when`: `self.tag == A || self.tag == B`, on the
/// `when` key (a value that is not a literal or a path in parentheses).
fn selects(h: &Header, when: &When) -> TokenStream {
    let span = when.span;
    let tag = tag_member(h, when);
    let values = when.values.iter().map(|v| match v {
        syn::Expr::Lit(_) | syn::Expr::Path(_) => quote!(#v),
        _ => quote!((#v)),
    });
    quote_spanned!(span=> #(#tag == #values)||*)
}

/// `self.<tag>`, on the `when` key.
fn tag_member(h: &Header, when: &When) -> TokenStream {
    let name = when.tag.to_string();
    match h.fields.iter().find(|f| f.name == crate::ident::unraw(&name)) {
        Some(tag) => member_at(tag, when.span).into_token_stream(),
        None => TokenStream::new(),
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
            let live = place.render(&names.dst, &names.through).typed(f.ty);
            let mut out = TokenStream::new();
            if let Some(Mask::Strict(m)) = mask {
                out.extend(checked!(span, #cr::check_mask(#member, #m, #name, #path)));
            }
            if let Some(all) = f.flag_word().and_then(|w| w.all.ident()) {
                out.extend(checked!(span, #cr::check_named_bits(#member, Self::#all, #name, #path)));
            }
            match mode {
                Mode::Convert => {
                    out.extend(checked!(span, #cr::narrow(#member, #live, #name, #path)));
                }
                Mode::Nested => {
                    let krate = &h.krate;
                    let row = proc_macro2::Literal::usize_unsuffixed(index);
                    let n = Nesting::new(h, &names.target, &names.through, f, place);
                    let (nest, member, live, index) = (&n.nest, n.at(&member), n.live(live), n.index());
                    let row = quote_spanned!(span=> const { &<Self as #krate::Layout>::FIELDS[#row] });
                    out.extend(n.wrap(match n.by_ref {
                        true => checked!(span, #nest.check_ref(&#member, &#live, #row, #index)),
                        false => checked!(span, #nest.check(#member, #live, #row, #index)),
                    }));
                }
                Mode::Copy | Mode::Bits => {}
            }
            // A live variant is checked as any field; an inactive one must be zero.
            match &f.when {
                Some(when) => {
                    let selected = selects(h, when);
                    let tag = tag_member(h, when);
                    let member = member_at(f, span);
                    let zero = checked!(span, #cr::check_inactive(#member, #tag, #name));
                    match out.is_empty() {
                        true => quote_spanned!(span=> if !(#selected) { #zero }),
                        false => quote_spanned!(span=> if #selected { #out } else { #zero }),
                    }
                }
                None => out,
            }
        }
        Mapping::Flags(word) => {
            let cr = cr_at(f.span);
            let all = word.all.ident();
            checked!(f.span, #cr::check_flags(#member, Self::#all, #name))
        }
        Mapping::Reserved(None) => {
            let cr = cr_at(f.span);
            checked!(f.span, #cr::check_reserved(#member, #name))
        }
        // Padding on both sides: the error names the live padding too.
        Mapping::Reserved(Some(place)) => {
            let cr = cr_at(f.span);
            let path = syn::LitStr::new(&place.text, place.span);
            checked!(f.span, #cr::check_reserved_at(#member, #name, #path))
        }
        Mapping::Skip | Mapping::Data | Mapping::NestedData | Mapping::Unknown => TokenStream::new(),
    }
}

/// A statement that only a live variant runs.
fn if_selected(h: &Header, f: &Field, stmt: TokenStream) -> TokenStream {
    match &f.when {
        Some(when) if !stmt.is_empty() => {
            let selected = selects(h, when);
            quote_spanned!(when.span=> if #selected { #stmt })
        }
        _ => stmt,
    }
}

/// A nested field's `after_restore` hooks, run after every write.
fn nested_after(h: &Header, names: &Names, f: &Field) -> TokenStream {
    match &f.mapping {
        Mapping::Path(PathMap {
            place,
            mode: Mode::Nested,
            save_only: false,
            ..
        }) => {
            let live = place.render(&names.dst, &names.through);
            let span = place.span;
            let member = member_at(f, span);
            let n = Nesting::new(h, &names.target, &names.through, f, place);
            let (nest, member, value) = (&n.nest, n.at(&member), n.live(place.render(&names.dst, &names.through)));
            let stmt = match n.by_ref {
                true => quote_spanned!(span=> #nest.after_ref(&#member, &mut #value);),
                false => n
                    .live(live)
                    .assign(quote_spanned!(span=> #nest.after_restore(#member, #value))),
            };
            if_selected(h, f, n.wrap(stmt))
        }
        _ => TokenStream::new(),
    }
}

fn restore_write(h: &Header, names: &Names, f: &Field) -> TokenStream {
    match &f.mapping {
        Mapping::Path(PathMap { save_only: true, .. }) => TokenStream::new(),
        Mapping::Path(PathMap { place, mode, mask, .. }) => {
            let live = place.render(&names.dst, &names.through).typed(f.ty);
            let span = place.span;
            let cr = cr_at(span);
            let member = member_at(f, span);
            let stmt = match (mode, mask) {
                (Mode::Copy, Some(Mask::Soft(m))) => {
                    let value = place.render(&names.dst, &names.through).typed(f.ty);
                    live.assign(quote_spanned!(span=> #cr::Same::restore_masked(#member, #m, #value)))
                }
                // A cast, not a call: save's `Same::save` already holds both types to be the
                // same (one error if they are not); the identity cast costs rustc far less.
                // A byte range's value is the header field's own type: no cast.
                (Mode::Copy, _) if place.is_range() => live.assign(quote_spanned!(span=> #member)),
                (Mode::Copy, _) => live.assign(quote_spanned!(span=> #member as _)),
                (Mode::Bits, _) => live.assign(quote_spanned!(span=> #cr::bits(#member))),
                (Mode::Convert, _) => {
                    let value = place.render(&names.dst, &names.through);
                    live.assign(quote_spanned!(span=> #cr::narrowed(#member, #value)))
                }
                (Mode::Nested, _) => {
                    let n = Nesting::new(h, &names.target, &names.through, f, place);
                    let value = n.live(place.render(&names.dst, &names.through));
                    let (nest, member) = (&n.nest, n.at(&member));
                    match n.by_ref {
                        true => n.wrap(quote_spanned!(span=> #nest.write_ref(&#member, &mut #value);)),
                        false => n.wrap(n.live(live).assign(quote_spanned!(span=> #nest.write(#member, #value)))),
                    }
                }
            };
            if_selected(h, f, stmt)
        }
        Mapping::Flags(word) => word
            .flags
            .iter()
            .filter_map(|flag| {
                let place = flag.place.as_ref()?;
                let live = place.render(&names.dst, &names.through);
                let bit = flag.constant.ident();
                let span = place.span;
                let member = member_at(f, span);
                // As for a copy: save's `Flag::save` holds the place to be a `bool` or integer.
                Some(live.assign(quote_spanned!(span=> (#member & Self::#bit != 0) as _)))
            })
            .collect(),
        // Padding on the live side too: restore writes the header's, which its check proved zero.
        Mapping::Reserved(Some(place)) => {
            let live = place.render(&names.dst, &names.through);
            let cr = cr_at(place.span);
            // A byte range has no type of its own: its zeros are the header field's type.
            let zeros = match place.is_range() {
                true => {
                    let ty = f.ty;
                    quote_spanned!(place.span=> <#ty as #cr::FromZeros>::new_zeroed())
                }
                false => quote_spanned!(place.span=> #cr::FromZeros::new_zeroed()),
            };
            live.assign(zeros)
        }
        Mapping::Skip | Mapping::Reserved(None) | Mapping::Data | Mapping::NestedData | Mapping::Unknown => {
            TokenStream::new()
        }
    }
}

/// For each tag: restore refuses a value no variant declares (once, before the variants'
/// checks), and the derive proves at compile time that no value selects two variants.
fn tag_checks(h: &Header, f: &Field) -> TokenStream {
    let variants: Vec<(&Field, &When)> = h
        .fields
        .iter()
        .filter_map(|v| Some((v, v.when.as_ref()?)))
        .filter(|(_, w)| crate::ident::unraw(&w.tag.to_string()) == f.name)
        .collect();
    let (Some((_, first)), Mapping::Path(p)) = (variants.first(), &f.mapping) else {
        return TokenStream::new();
    };
    let span = first.span;
    let cr = cr_at(span);
    let any: Vec<TokenStream> = variants.iter().map(|(_, w)| selects(h, w)).collect();
    let member = member_at(f, span);
    let name = field_lit(f);
    let path = syn::LitStr::new(&p.place.text, span);
    checked!(span, #cr::check_tag(#(#any)||*, #member, #name, #path))
}

/// The compile-time proof that no tag value selects two variants, one per tag.
fn variant_checks(h: &Header) -> TokenStream {
    let header = h.ident.to_string();
    h.fields
        .iter()
        .filter_map(|tag| {
            let variants: Vec<(&Field, &When)> = h
                .fields
                .iter()
                .filter_map(|v| Some((v, v.when.as_ref()?)))
                .filter(|(_, w)| crate::ident::unraw(&w.tag.to_string()) == tag.name)
                .collect();
            let (_, last) = variants.last()?;
            let span = last.span;
            let cr = cr_at(span);
            let tag_name = &tag.name;
            let rows = variants.iter().map(|(v, w)| {
                let name = &v.name;
                let values = w.values.iter();
                // Not on the attribute: clippy would call a cast of a `u64` tag unnecessary there.
                quote!((#name, &[#((#values) as u64),*]))
            });
            Some(quote_spanned! {span=>
                const _: () = #cr::check_variants(#header, #tag_name, &[#(#rows),*]);
            })
        })
        .collect()
}

/// `bits`: both sides must have the same size, proven while type-checking (`cargo check`).
fn size_assert(h: &Header, live: &Live, f: &Field) -> TokenStream {
    if let Mapping::Path(PathMap { place, .. }) = &f.mapping {
        if place.is_range() {
            return page_assert(h, live, f, place);
        }
    }
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
    let through = live.through(h.ident);
    let live = place.render(&t, &through);
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

/// A register page's byte range: inside the page, and the header field's size, proven while
/// type-checking.
fn page_assert(h: &Header, live: &Live, f: &Field, place: &Place) -> TokenStream {
    let (Some(crate::place::Segment::Range { start, end }), Some(page)) = (place.segments.last(), place.parent())
    else {
        return TokenStream::new();
    };
    let target = &live.target;
    let ty = f.ty;
    let span = place.span;
    let cr = cr_at(span);
    let t = Ident::new("t", Span::mixed_site());
    let through = live.through(h.ident);
    let page = page.render(&t, &through);
    let (start, end) = (
        proc_macro2::Literal::usize_unsuffixed(*start),
        proc_macro2::Literal::usize_unsuffixed(*end),
    );
    let (name, path) = (&f.name, &place.text);
    quote_spanned! {span=>
        const _: () = #cr::check_page(
            #cr::size_of_place::<#target, _>(|#t| #page),
            #start,
            #end,
            ::core::mem::size_of::<#ty>(),
            #name,
            #path,
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
    /// The live place is reached by reference (not `Copy` needed), or moves by value (a packed
    /// header's live struct, or a place inside a union, whose members are read by value).
    by_ref: bool,
    /// For an array: the loop's index and the length as written.
    each: Option<(Ident, &'a syn::Expr)>,
    span: Span,
}

impl Nesting<'_> {
    fn new<'a>(h: &Header, target: &TokenStream, through: &Through, f: &'a Field, place: &Place) -> Nesting<'a> {
        let span = place.span;
        let cr = cr_at(span);
        let t = Ident::new("t", Span::mixed_site());
        let by_ref = !h.packed && !through.reaches(place);
        let live = place.render(&t, through);
        let (live, nest, nest_each) = match by_ref {
            true => (quote_spanned!(span=> &#live), quote!(nest_ref), quote!(nest_each_ref)),
            false => (quote!(#live), quote!(nest), quote!(nest_each)),
        };
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
                    nest: quote_spanned!(span=> #cr::#nest_each::<#target, #elem, _, #arg>(|#t| #live)),
                    by_ref,
                    each: Some((Ident::new("__i", Span::mixed_site()), len)),
                    span,
                }
            }
            ty => {
                let ty = respan(quote!(#ty), span);
                Nesting {
                    nest: quote_spanned!(span=> #cr::#nest::<#target, #ty, _>(|#t| #live)),
                    by_ref,
                    each: None,
                    span,
                }
            }
        }
    }

    /// A live place, projected to the element.
    fn live<'b>(&'b self, live: crate::place::Live<'b>) -> crate::place::Live<'b> {
        match &self.each {
            Some((i, _)) => live.at(i),
            None => live,
        }
    }

    /// `tokens` (a header member), projected to the element.
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
