//! The image side of every header, `CrCopy` or `CrLayout`: the flag constants, the field table
//! (`Layout`), and with `record` the `Record` impl and its evolution checks (`record.rs`).

use super::{record, type_text};
use crate::model::{self, Derive, Field, FlagWord, Header, Mapping, Mask, Mode};
use crate::place::Place;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

/// How the field table names the layout of a `nested` field mapped to a live place.
pub trait NestedRows {
    /// The layout (a `cr_core::layout::Nested`) of field `f`, nested at `place`.
    fn layout(&self, f: &Field, place: &Place) -> TokenStream;
}

/// A `CrLayout` header maps no live places (the model refuses `path` there): its nested fields
/// are `Mapping::NestedData`, described by their type's `Frozen` layout.
pub struct NoLivePlaces;

impl NestedRows for NoLivePlaces {
    fn layout(&self, _: &Field, _: &Place) -> TokenStream {
        TokenStream::new()
    }
}

/// What every header has: compile-time bit checks of flag words, the flag constants, the field
/// table and, with `record = N`, the `Record` impl, its evolution checks and the pin.
pub fn image_side(h: &Header, nested: &dyn NestedRows) -> TokenStream {
    let asserts: TokenStream = h.fields.iter().map(bit_asserts).collect();
    let constants = constants(h);
    let layout = layout(h, nested);
    let record = record::record(h);
    let pin = record::pin(h);
    quote! {
        #asserts
        #constants
        #layout
        #record
        #pin
    }
}

/// A flag word whose type the derive cannot read (an alias): each bit must fit the type's
/// width, proven while type-checking. (`check` proves it already for `u8`..`u64` as written.)
fn bit_asserts(f: &Field) -> TokenStream {
    let Some(word) = f.flag_word() else {
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

fn constants(h: &Header) -> TokenStream {
    let ident = h.ident;
    let items: TokenStream = h
        .fields
        .iter()
        .filter_map(|f| Some(flag_constants(h, f, f.flag_word()?)))
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
    let refusal = match h.derive() {
        Derive::CrCopy => "; restore rejects any other bit",
        Derive::CrLayout => "",
    };
    let doc = format!(" Every flag bit of `{field}` ({which} {}){refusal}.", bits.join(", "));
    out.extend(quote_spanned!(f.span=> #[doc = #doc] pub const #all: #ty = #(Self::#names)|*;));
    out
}

fn layout(h: &Header, nested: &dyn NestedRows) -> TokenStream {
    let krate = &h.krate;
    let ident = h.ident;
    let name = ident.to_string();
    let fields: TokenStream = h.fields.iter().map(|f| layout_row(h, nested, f)).collect();
    quote! {
        #[automatically_derived]
        impl #krate::Layout for #ident {
            const NAME: &'static str = #name;
            const FIELDS: &'static [#krate::FieldInfo] = &[#fields];
            const FINGERPRINT: u64 = #krate::layout::fingerprint(::core::mem::size_of::<Self>(), __cr::fields_of::<Self>());
        }
    }
}

/// The `FlagInfo`s of a flag word's row.
fn flag_infos(flags: &[crate::model::FlagMap]) -> TokenStream {
    flags
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
        .collect()
}

/// One `FieldInfo` of the table, built by `__cr::row::<T>` (`path_row` for a mapped field),
/// which takes the field's size and format from its type `T`: a type with no format is reported
/// on the field's type, whose spans `T` keeps. Each row is quoted whole, with only tokens and
/// small syntax trees interpolated: a header of hundreds of fields otherwise spends most of the
/// derive's time joining token streams.
fn layout_row(h: &Header, nested: &dyn NestedRows, f: &Field) -> TokenStream {
    let ident = h.ident;
    let member = f.ident;
    let field_name = &f.name;
    let ty = f.ty;
    let ty_text = type_text(ty);
    // A tagged variant's row says which tag values make it live, around its mode while live.
    let variant = |mode: TokenStream| match &f.when {
        Some(when) => {
            let tag = crate::ident::unraw(&when.tag.to_string()).to_string();
            let values = when.values.iter();
            quote! {
                __cr::Mode::Variant(__cr::Variant {
                    tag: #tag,
                    values: &[#((#values) as u64),*],
                    mode: &#mode,
                })
            }
        }
        None => mode,
    };
    macro_rules! row {
        (path: [Some($($path:tt)*)], mode: [$($mode:tt)*]) => {{
            let mode = variant(quote!(__cr::Mode::$($mode)*));
            quote! {
                __cr::path_row::<#ty>(
                    #field_name,
                    $($path)*,
                    __cr::offset_of!(#ident, #member),
                    #ty_text,
                    #mode,
                ),
            }
        }};
        (path: [None], mode: [$($mode:tt)*]) => {{
            let mode = variant(quote!(__cr::Mode::$($mode)*));
            quote! {
                __cr::row::<#ty>(
                    #field_name,
                    __cr::offset_of!(#ident, #member),
                    #ty_text,
                    #mode,
                ),
            }
        }};
    }
    match &f.mapping {
        Mapping::Path(p) if p.named.is_some() => {
            let text = &p.place.text;
            let infos = flag_infos(p.named.as_ref().map_or(&[][..], |w| &w.flags));
            row!(path: [Some(#text)], mode: [Flags(&[#infos])])
        }
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
                    let layout = nested.layout(f, &p.place);
                    row!(path: [Some(#text)], mode: [Nested(#layout)])
                }
            }
        }
        Mapping::Flags(word) => {
            let infos = flag_infos(&word.flags);
            row!(path: [None], mode: [Flags(&[#infos])])
        }
        Mapping::Skip => row!(path: [None], mode: [Skip]),
        Mapping::Reserved(None) => row!(path: [None], mode: [Reserved]),
        Mapping::Reserved(Some(place)) => {
            let text = &place.text;
            row!(path: [Some(#text)], mode: [Reserved])
        }
        Mapping::Data => row!(path: [None], mode: [Data]),
        Mapping::NestedData => {
            let nested = quote!(<#ty as __cr::Frozen>::LAYOUT);
            row!(path: [None], mode: [Nested(#nested)])
        }
        Mapping::Unknown => TokenStream::new(),
    }
}
