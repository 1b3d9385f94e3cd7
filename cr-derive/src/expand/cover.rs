//! `cover` and `ignore`: a compile-time proof, for `CrCopy` headers, that every field of a
//! covered live struct is mapped or deliberately ignored.

use crate::model::{Header, Live};
use crate::place::{Place, Segment, Through};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

/// `cover` and `ignore`, proven by the type checker at no runtime cost: for each covered
/// struct, a destructuring pattern without `..` that lists the fields some mapping or `ignore`
/// reaches, so a live field nobody accounts for fails the build naming it (E0027); and a borrow
/// of each ignored place, so an `ignore` of a place that does not exist fails too.
pub fn coverage(h: &Header, live: &Live) -> TokenStream {
    if live.covers.is_empty() && live.ignores.is_empty() {
        return TokenStream::new();
    }
    let target = &live.target;
    let through = Through {
        unions: &live.unions,
        header: h.ident,
    };
    let t = Ident::new("t", Span::mixed_site());
    let mapped = h.mapped_places();
    let reaching: Vec<&Place> = mapped.iter().map(|(p, _)| *p).chain(live.ignores.iter()).collect();
    let covers = live.covers.iter().map(|cover| {
        let depth = cover.place.segments.len();
        let ty = &cover.ty;
        let span = cover.place.span;
        let whole = reaching.iter().any(|p| p.segments == cover.place.segments);
        // Each field once. A field only an `ignore` reaches is located on that `ignore`, so a
        // field that does not exist is reported there; it comes first, so that rustc's
        // suggestions for a missing field stay on the `cover` entry, where the others are located.
        let mut fields: Vec<(&Segment, Span)> = Vec::new();
        let below = |p: &Place| p.is_below(&cover.place);
        for p in live
            .ignores
            .iter()
            .filter(|p| below(p) && p.segments.len() == depth + 1)
        {
            fields.push((&p.segments[depth], p.span));
        }
        for p in reaching.iter().filter(|p| below(p)) {
            let next = &p.segments[depth];
            // An accessor reaches no field of its own: its storage is ignored by name.
            if matches!(next, Segment::Call(_)) {
                continue;
            }
            if !fields.iter().any(|(seg, _)| *seg == next) {
                fields.push((next, span));
            }
        }
        let place = cover.place.render(&t, &through);
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
        live.covers
            .iter()
            .any(|c| p.segments.len() == c.place.segments.len() + 1 && p.segments.starts_with(&c.place.segments))
    };
    let ignores = live.ignores.iter().filter(|p| !in_pattern(p)).map(|p| {
        let place = p.render(&t, &through);
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
