//! Code generation from a checked model: save, restore (checks, then the validator, then
//! writes, then `after_restore`), the flag constants, the layout and record impls, and the
//! compile-time assertions (sizes, flag bits, format evolution). One small function per concern;
//! every statement is spanned on the attribute it comes from.

use crate::ctxt::Ctxt;
use crate::model::{self, Derive, Field, FlagWord, Header, Mapping, Mask, Mode, PathMap};
use crate::place::{Place, Segment};
use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::DeriveInput;

pub fn derive(input: &DeriveInput, derive: Derive) -> TokenStream {
    let mut cx = Ctxt::default();
    let header = model::build(&mut cx, input, derive);
    if let Some(header) = &header {
        crate::check::check(&mut cx, header);
    }
    if cx.has_errors() {
        let errors = cx.into_compile_errors();
        let fallback = header.as_ref().map(fallback);
        return quote! { #errors #fallback };
    }
    match &header {
        Some(header) => match (header.derive, &header.target) {
            (Derive::CrCopy, Some(target)) => expand(header, target),
            (Derive::CrLayout, _) => expand_layout(header),
            (Derive::CrCopy, None) => TokenStream::new(),
        },
        None => TokenStream::new(),
    }
}

/// `#[derive(CrLayout)]`: an image-only header: its constants, layout, format and record.
fn expand_layout(h: &Header) -> TokenStream {
    let asserts: TokenStream = h.fields.iter().map(bit_asserts).collect();
    let constants = constants(h);
    let layout = layout(h);
    let record = record(h);
    let pin = pin(h);
    block(
        h,
        quote! {
            #asserts
            #constants
            #layout
            #record
            #pin
        },
    )
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

/// Names used in generated bodies. `src`/`dst` and locals are mixed-site, so they can never
/// capture or shadow a name in the user's mask expressions.
struct Names {
    src: Ident,
    dst: Ident,
}

fn expand(h: &Header, target: &syn::Type) -> TokenStream {
    let names = Names {
        src: Ident::new("src", Span::mixed_site()),
        dst: Ident::new("dst", Span::mixed_site()),
    };
    let krate = &h.krate;
    let ident = h.ident;
    let (lifetimes, target) = name_lifetimes(target);
    let Names { src, dst } = &names;

    // Each part is collected into one stream before it is interpolated: interpolating a stream
    // per statement costs several round trips to the compiler each, which dominated the
    // derive's own run time on large headers.
    let saves: TokenStream = h.fields.iter().map(|f| save(h, &names, f)).collect();
    let checks: TokenStream = h
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| restore_check(h, &names, i, f))
        .collect();
    let writes: TokenStream = h.fields.iter().map(|f| restore_write(h, &names, f)).collect();
    let validate = h.validate.as_ref().map(|v| {
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
    let after = h.after_restore.as_ref().map(|a| {
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
    let asserts: TokenStream = h
        .fields
        .iter()
        .map(|f| size_assert(h, f))
        .chain(h.fields.iter().map(bit_asserts))
        .collect();
    let constants = constants(h);
    let coverage = coverage(h);
    let layout = layout(h);
    let record = record(h);
    let pin = pin(h);

    block(
        h,
        quote! {
            #asserts
            #coverage

            #constants
            #layout
            #record
            #pin

            #[automatically_derived]
            impl<#(#lifetimes),*> #krate::CrCopy<#target> for #ident {
                fn save(&mut self, #src: &#target) {
                    #saves
                }

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
        },
    )
}

/// Replaces each `'_` in the target with a named lifetime, so the impl covers every lifetime.
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

/// `if let Err(e) = <call> { return Err(e); }` at `span`: a check's early return, spelt out
/// rather than with `?`, whose `Try` and `FromResidual` impls rustc resolves anew at every use
/// (a header with a check per field otherwise spends much of `cargo check` there).
macro_rules! checked {
    ($span:expr, $($call:tt)*) => {{
        let cr = cr_at($span);
        let e = Ident::new("__e", Span::mixed_site());
        quote_spanned!($span=> if let #cr::Err(#e) = $($call)* { return #cr::Err(#e); })
    }};
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

fn save(h: &Header, names: &Names, f: &Field) -> TokenStream {
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
                    let n = Nesting::new(h, f, place);
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
                    let n = Nesting::new(h, f, place);
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
fn nested_after(h: &Header, names: &Names, f: &Field) -> TokenStream {
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
            let n = Nesting::new(h, f, place);
            let (nest, member, live) = (&n.nest, n.at(&member), n.at(&live));
            n.wrap(quote_spanned!(span=> #live = #nest.after_restore(#member, #live);))
        }
        _ => TokenStream::new(),
    }
}

fn restore_write(h: &Header, names: &Names, f: &Field) -> TokenStream {
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
                    let n = Nesting::new(h, f, place);
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

/// A flag word whose type the derive cannot read (an alias): each bit must fit the type's
/// width, proven while type-checking. (`check` proves it already for `u8`..`u64` as written.)
fn bit_asserts(f: &Field) -> TokenStream {
    let Mapping::Flags(word) = &f.mapping else {
        return TokenStream::new();
    };
    let model::WordType::Unknown = word.word else {
        return TokenStream::new();
    };
    let ty = f.ty;
    word.flags
        .iter()
        .map(|flag| {
            let bit = proc_macro2::Literal::u32_unsuffixed(flag.bit);
            let msg = format!(
                "cr: header field `{}`: flag bit {} for `{}` does not fit in the field's type `{}`; give it a lower bit or the field a wider type",
                f.name,
                flag.bit,
                flag.label(),
                type_text(ty)
            );
            quote_spanned! {flag.bit_span=>
                const _: () = ::core::assert!(#bit < 8 * ::core::mem::size_of::<#ty>(), #msg);
            }
        })
        .collect()
}

/// `bits`: both sides must have the same size, proven while type-checking (`cargo check`).
fn size_assert(h: &Header, f: &Field) -> TokenStream {
    let Mapping::Path(PathMap {
        place,
        mode: Mode::Bits,
        ..
    }) = &f.mapping
    else {
        return TokenStream::new();
    };
    let Some(target) = &h.target else {
        return TokenStream::new();
    };
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

fn constants(h: &Header) -> TokenStream {
    let ident = h.ident;
    let items: TokenStream = h
        .fields
        .iter()
        .filter_map(|f| match &f.mapping {
            Mapping::Flags(word) => Some(flag_constants(h, f, word)),
            _ => None,
        })
        .collect();
    if items.is_empty() {
        return TokenStream::new();
    }
    quote! {
        impl #ident {
            #items
        }
    }
}

fn flag_constants(h: &Header, f: &Field, word: &FlagWord) -> TokenStream {
    let ty = f.ty;
    let field = &f.name;
    // One quote for every flag of the word: each constant's name carries its flag's span.
    let names = word.flags.iter().map(|flag| flag.constant.ident());
    let bits = word
        .flags
        .iter()
        .map(|flag| proc_macro2::Literal::u32_unsuffixed(flag.bit));
    let docs = word.flags.iter().map(|flag| match &flag.place {
        Some(place) => format!(" Bit {} of `{field}`: set when `{}` is true.", flag.bit, place.text),
        None => format!(" Bit {} of `{field}`: the flag `{}`.", flag.bit, flag.name),
    });
    let mut out = quote!(#(#[doc = #docs] pub const #names: #ty = 1 << #bits;)*);
    let all = word.all.ident();
    let names = word.flags.iter().map(|flag| flag.constant.ident());
    let bits: Vec<String> = word.flags.iter().map(|flag| flag.bit.to_string()).collect();
    let which = if bits.len() == 1 { "bit" } else { "bits" };
    // Only a `CrCopy` header restores (and so refuses other bits); a `CrLayout` one describes.
    let refusal = match h.derive {
        Derive::CrCopy => "; restore rejects any other bit",
        Derive::CrLayout => "",
    };
    let doc = format!(" Every flag bit of `{field}` ({which} {}){refusal}.", bits.join(", "));
    out.extend(quote_spanned!(f.span=> #[doc = #doc] pub const #all: #ty = #(Self::#names)|*;));
    out
}

/// After an error: the trait impl and any flag constants that can be stated, with empty bodies,
/// so the user sees the real error and not a cascade of "trait not implemented".
fn fallback(h: &Header) -> TokenStream {
    if h.generic {
        return TokenStream::new();
    }
    let krate = &h.krate;
    let ident = h.ident;
    let mut seen = std::collections::BTreeSet::new();
    let mut consts = Vec::new();
    for f in &h.fields {
        let Mapping::Flags(word) = &f.mapping else { continue };
        if let model::WordType::Wrong(_) = word.word {
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
    let copy = fallback_copy(h);
    quote! {
        const _: () = {
            impl #ident { #(#consts)* }
            impl #krate::Layout for #ident {
                const NAME: &'static str = "";
                const FIELDS: &'static [#krate::FieldInfo] = &[];
                const FINGERPRINT: u64 = 0;
            }
            #copy
        };
    }
}

/// The fallback's `CrCopy` and `Phases`, for a `CrCopy` header that has a target.
fn fallback_copy(h: &Header) -> TokenStream {
    let Some(target) = &h.target else {
        return TokenStream::new();
    };
    let krate = &h.krate;
    let ident = h.ident;
    let (lifetimes, target) = name_lifetimes(target);
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

/// `cover` and `ignore`, proven by the type checker at no runtime cost: for each covered
/// struct, a destructuring pattern without `..` that lists the fields some mapping or `ignore`
/// reaches, so a live field nobody accounts for fails the build naming it (E0027); and a borrow
/// of each ignored place, so an `ignore` of a place that does not exist fails too.
fn coverage(h: &Header) -> TokenStream {
    if h.covers.is_empty() && h.ignores.is_empty() {
        return TokenStream::new();
    }
    let Some(target) = &h.target else {
        return TokenStream::new();
    };
    let t = Ident::new("t", Span::mixed_site());
    let mapped = h.mapped_places();
    let reaching: Vec<&Place> = mapped.iter().map(|(p, _)| *p).chain(h.ignores.iter()).collect();
    let covers = h.covers.iter().map(|cover| {
        let depth = cover.place.segments.len();
        let ty = &cover.ty;
        let span = cover.place.span;
        let whole = reaching.iter().any(|p| p.segments == cover.place.segments);
        // Each field once. A field only an `ignore` reaches is located on that `ignore`, so a
        // field that does not exist is reported there; it comes first, so that rustc's
        // suggestions for a missing field stay on the `cover` entry, where the others are located.
        let mut fields: Vec<(&Segment, Span)> = Vec::new();
        let below = |p: &Place| p.segments.len() > depth && p.segments[..depth] == cover.place.segments[..];
        for p in h.ignores.iter().filter(|p| below(p) && p.segments.len() == depth + 1) {
            fields.push((&p.segments[depth], p.span));
        }
        for p in reaching.iter().filter(|p| below(p)) {
            let next = &p.segments[depth];
            if !fields.iter().any(|(seg, _)| *seg == next) {
                fields.push((next, span));
            }
        }
        let place = cover.place.render(&t);
        let pattern = if whole {
            quote_spanned!(span=> #ty { .. })
        } else {
            let names = fields.iter().map(|(seg, at)| seg.member(*at));
            quote_spanned!(span=> #ty { #(#names: _),* })
        };
        quote_spanned! {span=>
            let #pattern = #place;
        }
    });
    // An ignore naming a field of a covered struct is already in that struct's pattern, which
    // reports a field that does not exist; a borrow would report it a second time.
    let in_pattern = |p: &Place| {
        h.covers
            .iter()
            .any(|c| p.segments.len() == c.place.segments.len() + 1 && p.segments.starts_with(&c.place.segments))
    };
    let ignores = h.ignores.iter().filter(|p| !in_pattern(p)).map(|p| {
        let place = p.render(&t);
        quote_spanned!(p.span=> let _ = #place;)
    });
    quote! {
        const _: () = {
            let _ = |#t: &#target| {
                #(#covers)*
                #(#ignores)*
            };
        };
    }
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

fn layout(h: &Header) -> TokenStream {
    let krate = &h.krate;
    let ident = h.ident;
    let name = ident.to_string();
    let fields: TokenStream = h.fields.iter().map(|f| layout_row(h, f)).collect();
    quote! {
        #[automatically_derived]
        impl #krate::Layout for #ident {
            const NAME: &'static str = #name;
            const FIELDS: &'static [#krate::FieldInfo] = &[#fields];
            const FINGERPRINT: u64 = #krate::layout::fingerprint(::core::mem::size_of::<Self>(), __cr::fields_of::<Self>());
        }
    }
}

/// One `FieldInfo` of the table, built by `__cr::row::<T>` (`path_row` for a mapped field),
/// which takes the field's size and format from its type `T`: a type with no format is reported
/// on the field's type, whose spans `T` keeps. Each row is quoted whole, with only tokens and
/// small syntax trees interpolated: a header of hundreds of fields otherwise spends most of the
/// derive's time joining token streams.
fn layout_row(h: &Header, f: &Field) -> TokenStream {
    let ident = h.ident;
    let member = f.ident;
    let field_name = &f.name;
    let ty = f.ty;
    let ty_text = type_text(ty);
    macro_rules! row {
        (path: [Some($($path:tt)*)], mode: [$($mode:tt)*]) => {
            quote! {
                __cr::path_row::<#ty>(
                    #field_name,
                    $($path)*,
                    __cr::offset_of!(#ident, #member),
                    #ty_text,
                    __cr::Mode::$($mode)*,
                ),
            }
        };
        (path: [None], mode: [$($mode:tt)*]) => {
            quote! {
                __cr::row::<#ty>(
                    #field_name,
                    __cr::offset_of!(#ident, #member),
                    #ty_text,
                    __cr::Mode::$($mode)*,
                ),
            }
        };
    }
    match &f.mapping {
        Mapping::Path(p) => {
            let text = &p.place.text;
            match (&p.mode, &p.mask, p.save_only) {
                (_, _, true) => row!(path: [Some(#text)], mode: [SaveOnly]),
                (_, Some(Mask::Soft(m)), _) => row!(path: [Some(#text)], mode: [Mask { mask: (#m) as u64 }]),
                (_, Some(Mask::Strict(m)), _) => row!(path: [Some(#text)], mode: [StrictMask { mask: (#m) as u64 }]),
                (Mode::Copy, None, _) => row!(path: [Some(#text)], mode: [Copy]),
                (Mode::Bits, None, _) => row!(path: [Some(#text)], mode: [Bits]),
                (Mode::Convert, None, _) => row!(path: [Some(#text)], mode: [Convert]),
                (Mode::Nested, None, _) => {
                    let nest = Nesting::new(h, f, &p.place).nest;
                    row!(path: [Some(#text)], mode: [Nested(#nest.layout)])
                }
            }
        }
        Mapping::Flags(word) => {
            let infos: TokenStream = word
                .flags
                .iter()
                .map(|fl| {
                    let flag_name = &fl.name;
                    let bit = proc_macro2::Literal::u32_unsuffixed(fl.bit);
                    let path = match &fl.place {
                        Some(place) => {
                            let text = &place.text;
                            quote!(__cr::Some(#text))
                        }
                        None => quote!(__cr::None),
                    };
                    quote!(__cr::FlagInfo { name: #flag_name, bit: #bit, path: #path },)
                })
                .collect();
            row!(path: [None], mode: [Flags(&[#infos])])
        }
        Mapping::Skip => row!(path: [None], mode: [Skip]),
        Mapping::Reserved => row!(path: [None], mode: [Reserved]),
        Mapping::Data => row!(path: [None], mode: [Data]),
        Mapping::NestedData => {
            let nested = quote!(<#ty as __cr::Frozen>::LAYOUT);
            row!(path: [None], mode: [Nested(#nested)])
        }
        Mapping::Unknown => TokenStream::new(),
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
    fn new<'a>(h: &Header, f: &'a Field, place: &Place) -> Nesting<'a> {
        let span = place.span;
        // Only `CrCopy` headers map places; the model refuses `path` in a `CrLayout` header.
        let Some(target) = &h.target else {
            return Nesting {
                nest: TokenStream::new(),
                each: None,
                span,
            };
        };
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

/// `record = N`: the `Record` impl (with its version, its `prev` chain and the upgrade from
/// it), a compile-time refusal of type 0 however it is written, and the checks of `prev`.
fn record(h: &Header) -> TokenStream {
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
    let checks = ev.prev.as_ref().map(|(prev, span)| evolution_checks(h, prev, *span));
    quote_spanned! {span=>
        const _: () = ::core::assert!((#ty) != #krate::image::END, #msg);
        #checks
        #[automatically_derived]
        impl #krate::image::Record for #ident {
            const TYPE: u32 = #ty;
            #version
            #optional
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
fn pin(h: &Header) -> TokenStream {
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
