//! The header as the derive understands it: the target, the hooks, and one `Mapping` per field,
//! built from the raw attributes. Rules about a single field's keys (exactly one mapping,
//! modifiers that need `path`, conflicting keys) live here; rules across fields live in `check`.

use crate::attr::{self, FieldAttrs, Key};
use crate::ctxt::Ctxt;
use crate::place::Place;
use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Expr, Fields, Ident, Type};

pub struct Header<'a> {
    pub ident: &'a Ident,
    /// The target as written, `'_` lifetimes included.
    pub target: Type,
    pub validate: Option<syn::Path>,
    pub after_restore: Option<syn::Path>,
    pub krate: syn::Path,
    pub fields: Vec<Field<'a>>,
    pub covers: Vec<Cover>,
    pub ignores: Vec<Place>,
    /// `record = N`: the record type, for images.
    pub record: Option<Expr>,
    /// The header was declared with generic parameters (an error; no fallback impl then).
    pub generic: bool,
}

/// `cover(Type = "place")`: every field of `ty`, found at `place`, must be mapped or ignored.
pub struct Cover {
    pub ty: syn::Path,
    pub place: Place,
}

pub struct Field<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    /// The field's `#[cr]` attribute, or its name when it has none.
    pub span: Span,
    pub mapping: Mapping,
}

pub enum Mapping {
    Path(PathMap),
    Flags(Vec<FlagMap>),
    Skip,
    Reserved,
}

pub struct PathMap {
    pub place: Place,
    pub mode: Mode,
    pub mask: Option<Mask>,
    pub save_only: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Copy,
    Bits,
    Convert,
}

pub enum Mask {
    Soft(Box<Expr>),
    Strict(Box<Expr>),
}

pub struct FlagMap {
    pub bit: u32,
    pub bit_span: Span,
    pub place: Place,
    /// `name = "..."` if given, else the place's last segment.
    pub leaf: String,
    pub leaf_span: Span,
}

impl Field<'_> {
    /// The field's name as users write it in messages and constants (`r#type` is `type`).
    pub fn name(&self) -> String {
        self.ident.to_string().trim_start_matches("r#").to_string()
    }
}

/// Builds the model, reporting every problem it can find; `None` if the input is not even a
/// struct with named fields or has no target.
pub fn build<'a>(cx: &mut Ctxt, input: &'a DeriveInput) -> Option<Header<'a>> {
    let container = attr::parse_container(cx, &input.attrs);
    let named = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => Some(named.named.iter().collect::<Vec<_>>()),
            Fields::Unit => Some(Vec::new()),
            Fields::Unnamed(_) => {
                cx.error(
                    input.ident.span(),
                    "`CrCopy` needs a struct with named fields: each header field is named in errors and constants",
                );
                None
            }
        },
        Data::Enum(e) => {
            cx.error(
                e.enum_token.span,
                "`CrCopy` can only be derived for a struct with named fields, not an enum",
            );
            None
        }
        Data::Union(u) => {
            cx.error(
                u.union_token.span,
                "`CrCopy` can only be derived for a struct with named fields, not a union",
            );
            None
        }
    };
    if let Some(param) = input.generics.params.first() {
        cx.error(
            param.span(),
            "an image header has one fixed layout, so `CrCopy` does not take generic parameters; \
             put lifetimes on the target instead (`target = TaskView<'_>`)",
        );
    }
    if container.target.is_none() {
        cx.error(
            input.ident.span(),
            format!(
                "missing `#[cr(target = Type)]` on `{}`: name the live type that every `path` starts from",
                input.ident
            ),
        );
    }
    let fields = named?
        .into_iter()
        .map(|f| {
            let ident = f.ident.as_ref().expect("named field");
            // Errors in a field's attributes name the field.
            let mut field_cx = Ctxt::default();
            let raw = attr::parse_field(&mut field_cx, &f.attrs);
            cx.absorb(
                field_cx,
                &format!("header field `{}`: ", ident.to_string().trim_start_matches("r#")),
            );
            let span = raw.attr_span.unwrap_or_else(|| ident.span());
            let mapping = build_mapping(cx, ident, raw);
            Field {
                ident,
                ty: &f.ty,
                span,
                mapping,
            }
        })
        .collect::<Vec<_>>();
    let krate = container
        .krate
        .map(|k| k.value)
        .unwrap_or_else(|| syn::parse_quote!(::cr_core));
    let covers = container
        .covers
        .iter()
        .filter_map(|(ty, lit)| match Place::parse(lit, true) {
            Ok(place) => Some(Cover { ty: ty.clone(), place }),
            Err(msg) => {
                cx.error(lit.span(), msg);
                None
            }
        })
        .collect();
    let ignores = container.ignores.iter().map(|lit| parse_place(cx, lit, "")).collect();
    if let Some(record) = &container.record {
        check_record(cx, input, record);
    }
    Some(Header {
        ident: &input.ident,
        target: container.target?.value,
        validate: container.validate.map(|k| k.value),
        after_restore: container.after_restore.map(|k| k.value),
        krate,
        fields,
        covers,
        ignores,
        record: container.record.map(|k| k.value),
        generic: !input.generics.params.is_empty(),
    })
}

fn build_mapping(cx: &mut Ctxt, ident: &Ident, raw: FieldAttrs) -> Mapping {
    let name = ident.to_string().trim_start_matches("r#").to_string();
    // Exactly one of path, flag, skip, reserved.
    let mut kinds: Vec<(&str, Span)> = Vec::new();
    if let Some(k) = &raw.path {
        kinds.push((attr::PATH, k.span));
    }
    if let Some(f) = raw.flags.first() {
        kinds.push((attr::FLAG, f.span));
    }
    if let Some(k) = &raw.skip {
        kinds.push((attr::SKIP, k.span));
    }
    if let Some(k) = &raw.reserved {
        kinds.push((attr::RESERVED, k.span));
    }
    let has_modifier = raw.bits.is_some()
        || raw.convert.is_some()
        || raw.mask.is_some()
        || raw.strict_mask.is_some()
        || raw.save_only.is_some();
    // A field whose attribute did not parse, or that has a modifier without `path`, is already
    // reported; "no mapping" would only repeat it.
    if kinds.is_empty() && !raw.had_error && !has_modifier {
        cx.error(
            ident.span(),
            format!(
                "header field `{name}` has no mapping: add `#[cr(path = \"...\")]` (a place in the target), \
                 `#[cr(flag(bit = N, path = \"...\"))]`, `#[cr(skip)]` or `#[cr(reserved)]`"
            ),
        );
    }
    for (other, other_span) in kinds.iter().skip(1) {
        cx.error(
            *other_span,
            format!(
                "header field `{name}`: `{other}` conflicts with `{}`; a field has exactly one of `path`, `flag`, `skip`, `reserved`",
                kinds[0].0
            ),
        );
    }

    // Modifiers of `path`.
    let modifiers: [(&str, Option<Span>); 5] = [
        (attr::BITS, raw.bits.as_ref().map(|k| k.span)),
        (attr::CONVERT, raw.convert.as_ref().map(|k| k.span)),
        (attr::MASK, raw.mask.as_ref().map(|k| k.span)),
        (attr::STRICT_MASK, raw.strict_mask.as_ref().map(|k| k.span)),
        (attr::SAVE_ONLY, raw.save_only.as_ref().map(|k| k.span)),
    ];
    if raw.path.is_none() {
        for (key, key_span) in modifiers.iter().filter_map(|(k, s)| s.map(|s| (k, s))) {
            cx.error(
                key_span,
                format!("header field `{name}`: `{key}` modifies a `path` mapping; add `path = \"...\"`"),
            );
        }
    }
    // Pairs that cannot go together, reported on the second key.
    const CONFLICTS: &[(&str, &str, &str)] = &[
        (
            attr::BITS,
            attr::CONVERT,
            "`bits` reinterprets bytes, `convert` converts values: pick one",
        ),
        (
            attr::MASK,
            attr::STRICT_MASK,
            "`mask` keeps live bits outside the mask, `strict_mask` rejects them: pick one",
        ),
        (
            attr::BITS,
            attr::MASK,
            "a mask applies to an integer copied as is; drop `bits` or the mask",
        ),
        (
            attr::BITS,
            attr::STRICT_MASK,
            "a mask applies to an integer copied as is; drop `bits` or the mask",
        ),
        (
            attr::CONVERT,
            attr::MASK,
            "a mask applies to an integer copied as is; drop `convert` or the mask",
        ),
        (
            attr::CONVERT,
            attr::STRICT_MASK,
            "a mask applies to an integer copied as is; drop `convert` or the mask",
        ),
        (
            attr::MASK,
            attr::SAVE_ONLY,
            "a `save_only` field is never restored, so a restore mask has no effect",
        ),
        (
            attr::STRICT_MASK,
            attr::SAVE_ONLY,
            "a `save_only` field is never restored, so a restore mask has no effect",
        ),
    ];
    let span_of = |key: &str| modifiers.iter().find(|(k, _)| *k == key).and_then(|(_, s)| *s);
    for (a, b, why) in CONFLICTS {
        if let (Some(_), Some(second)) = (span_of(a), span_of(b)) {
            cx.error(
                second,
                format!("header field `{name}`: `{b}` conflicts with `{a}`: {why}"),
            );
        }
    }

    let FieldAttrs {
        path,
        bits,
        convert,
        mask,
        strict_mask,
        save_only,
        skip,
        reserved,
        flags,
        ..
    } = raw;
    if let Some(Key { value: lit, .. }) = path {
        let place = parse_place(cx, &lit, &format!("header field `{name}`: "));
        let mode = if bits.is_some() {
            Mode::Bits
        } else if convert.is_some() {
            Mode::Convert
        } else {
            Mode::Copy
        };
        let mask = match (mask, strict_mask) {
            (Some(m), _) => Some(Mask::Soft(Box::new(m.value))),
            (None, Some(m)) => Some(Mask::Strict(Box::new(m.value))),
            (None, None) => None,
        };
        return Mapping::Path(PathMap {
            place,
            mode,
            mask,
            save_only: save_only.is_some(),
        });
    }
    if !flags.is_empty() {
        let flags = flags
            .into_iter()
            .filter_map(|f| {
                let bit = match &f.bit {
                    Some(lit) => match lit.base10_parse::<u32>() {
                        Ok(bit) => Some((bit, lit.span())),
                        Err(_) => {
                            cx.error(
                                lit.span(),
                                format!("header field `{name}`: a flag bit is a small non-negative integer"),
                            );
                            None
                        }
                    },
                    None => {
                        cx.error(f.span, format!("header field `{name}`: `flag(...)` needs `bit = N`"));
                        None
                    }
                };
                let place = match &f.path {
                    Some(lit) => Some(parse_place(cx, lit, &format!("header field `{name}`: "))),
                    None => {
                        cx.error(
                            f.span,
                            format!("header field `{name}`: `flag(...)` needs `path = \"...\"`, the `bool` it maps to"),
                        );
                        None
                    }
                };
                let (bit, bit_span) = bit?;
                let place = place?;
                let (leaf, leaf_span) = match &f.name {
                    Some(lit) => (lit.value(), lit.span()),
                    None => (place.leaf(), place.span),
                };
                Some(FlagMap {
                    bit,
                    bit_span,
                    place,
                    leaf,
                    leaf_span,
                })
            })
            .collect();
        return Mapping::Flags(flags);
    }
    if skip.is_some() {
        return Mapping::Skip;
    }
    let _ = reserved;
    Mapping::Reserved
}

/// Parses a path; a malformed one is reported after `prefix` (the header field it belongs to, if any).
fn parse_place(cx: &mut Ctxt, lit: &syn::LitStr, prefix: &str) -> Place {
    match Place::parse(lit, false) {
        Ok(place) => place,
        Err(msg) => {
            cx.error(lit.span(), format!("{prefix}{msg}"));
            Place {
                segments: Vec::new(),
                text: lit.value(),
                span: lit.span(),
            }
        }
    }
}

/// A record's bytes go into images: its layout must be the one written, `#[repr(C)]`, and its
/// type must not be the end record's.
fn check_record(cx: &mut Ctxt, input: &DeriveInput, record: &Key<Expr>) {
    let mut repr_c = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("repr")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("C") {
                repr_c = true;
            }
            if meta.input.peek(syn::token::Paren) {
                let _: proc_macro2::TokenTree = meta.input.parse()?;
            }
            Ok(())
        });
    }
    if !repr_c {
        cx.error(
            record.span,
            format!(
                "`{}` is a `record`, so its bytes are the image format: add `#[repr(C)]` so the layout is the \
                 one written (Rust's default layout may reorder fields between builds)",
                input.ident
            ),
        );
    }
    if let Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Int(int),
        ..
    }) = &record.value
    {
        if int.base10_parse::<u32>().ok() == Some(0) {
            cx.error(
                int.span(),
                "record type 0 is reserved for the image's end record; give this header another number",
            );
        }
    }
}
