//! Rules that span a whole field's flags or several fields: flag words and their widths,
//! duplicate bits, generated constant names, and live places mapped twice. Reads the model,
//! reports into the context, generates nothing.

use crate::ctxt::Ctxt;
use crate::model::{Field, Header, Mapping};
use crate::place::Place;
use std::collections::BTreeMap;

pub fn check(cx: &mut Ctxt, header: &Header) {
    for field in &header.fields {
        if let Mapping::Flags(flags) = &field.mapping {
            check_flags(cx, field, flags);
        }
    }
    check_constant_names(cx, header);
    check_places(cx, header);
    check_ignores(cx, header);
    check_covers(cx, header);
}

/// Every live place a mapping reaches, with the header field that maps it.
pub fn mapped_places<'h>(header: &'h Header) -> Vec<(&'h Place, String)> {
    let mut out = Vec::new();
    for field in &header.fields {
        let name = field.name();
        match &field.mapping {
            Mapping::Path(p) => out.push((&p.place, name)),
            Mapping::Flags(flags) => out.extend(flags.iter().map(|f| (&f.place, name.clone()))),
            Mapping::Skip | Mapping::Reserved => {}
        }
    }
    out.retain(|(p, _)| !p.segments.is_empty());
    out
}

fn check_ignores(cx: &mut Ctxt, header: &Header) {
    let mapped = mapped_places(header);
    for (i, ignore) in header.ignores.iter().enumerate() {
        if ignore.segments.is_empty() {
            continue;
        }
        if header.ignores[..i]
            .iter()
            .any(|other| other.segments == ignore.segments)
        {
            cx.error(ignore.span, format!("`ignore = \"{}\"` is given twice", ignore.text));
        } else if let Some((place, field)) = mapped.iter().find(|(p, _)| p.overlaps(ignore)) {
            cx.error(
                ignore.span,
                format!(
                    "`ignore = \"{}\"` contradicts header field `{field}`, which maps `{}`; drop the `ignore` or the mapping",
                    ignore.text, place.text
                ),
            );
        }
    }
}

fn check_covers(cx: &mut Ctxt, header: &Header) {
    let mapped = mapped_places(header);
    for (i, cover) in header.covers.iter().enumerate() {
        if header.covers[..i]
            .iter()
            .any(|other| other.place.segments == cover.place.segments)
        {
            cx.error(
                cover.place.span,
                format!("`cover` names the place \"{}\" twice", cover.place.text),
            );
            continue;
        }
        let depth = cover.place.segments.len();
        let reaching = mapped.iter().map(|(p, _)| *p).chain(header.ignores.iter());
        for place in reaching {
            if place.segments.len() > depth && place.segments[..depth] == cover.place.segments[..] {
                if let crate::place::Segment::Index(_) = place.segments[depth] {
                    cx.error(
                        cover.place.span,
                        format!(
                            "`cover` needs a struct, but \"{}\" is indexed as an array by `{}`",
                            cover.place.text, place.text
                        ),
                    );
                    break;
                }
            }
        }
    }
}

/// The width of a flag word, read from the field's type as written.
pub fn flag_width(ty: &syn::Type) -> Option<u32> {
    let syn::Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let ident = p.path.get_ident()?;
    match ident.to_string().as_str() {
        "u8" => Some(8),
        "u16" => Some(16),
        "u32" => Some(32),
        "u64" => Some(64),
        _ => None,
    }
}

fn check_flags(cx: &mut Ctxt, field: &Field, flags: &[crate::model::FlagMap]) {
    let name = field.name();
    let Some(width) = flag_width(field.ty) else {
        let ty = quote::ToTokens::to_token_stream(field.ty).to_string();
        cx.error(
            syn::spanned::Spanned::span(field.ty),
            format!("header field `{name}` holds flags, so its type must be `u8`, `u16`, `u32` or `u64`, not `{ty}`"),
        );
        return;
    };
    let mut seen: BTreeMap<u32, &str> = BTreeMap::new();
    for flag in flags {
        if flag.bit >= width {
            cx.error(
                flag.bit_span,
                format!(
                    "header field `{name}`: flag bit {} for `{}` does not fit in {} {width}-bit field (bits 0 to {})",
                    flag.bit,
                    flag.place.text,
                    if width == 8 { "an" } else { "a" },
                    width - 1
                ),
            );
        }
        if let Some(first) = seen.insert(flag.bit, &flag.place.text) {
            cx.error(
                flag.bit_span,
                format!(
                    "header field `{name}`: flag bit {} is declared twice, for `{first}` and for `{}`; give each flag its own bit",
                    flag.bit, flag.place.text
                ),
            );
        }
    }
}

/// UPPER_SNAKE_CASE of a snake_case or CamelCase name.
pub fn upper_snake(s: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in s.trim_start_matches("r#").chars() {
        if c.is_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        out.extend(c.to_uppercase());
    }
    out
}

/// The associated constant of a flag: `<FIELD>_<LEAF>`.
pub fn flag_const(field: &Field, leaf: &str) -> String {
    format!("{}_{}", upper_snake(&field.name()), upper_snake(leaf))
}

/// The associated constant with all of a field's flags: `<FIELD>_ALL`.
pub fn all_const(field: &Field) -> String {
    format!("{}_ALL", upper_snake(&field.name()))
}

fn check_constant_names(cx: &mut Ctxt, header: &Header) {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for field in &header.fields {
        let Mapping::Flags(flags) = &field.mapping else {
            continue;
        };
        names.insert(all_const(field), format!("all flags of `{}`", field.name()));
        for flag in flags {
            let constant = flag_const(field, &flag.leaf);
            if syn::parse_str::<syn::Ident>(&constant).is_err() {
                cx.error(
                    flag.leaf_span,
                    format!("flag name `{}` does not make a valid constant name (`{constant}`); use `name = \"...\"` with letters, digits and `_`", flag.leaf),
                );
                continue;
            }
            let this = format!("the flag for `{}`", flag.place.text);
            if let Some(other) = names.insert(constant.clone(), this.clone()) {
                cx.error(
                    flag.leaf_span,
                    format!(
                        "header field `{}`: constant `{constant}` would stand for both {other} and {this}; give one flag `name = \"...\"`",
                        field.name()
                    ),
                );
            }
        }
    }
}

fn check_places(cx: &mut Ctxt, header: &Header) {
    let mut places: Vec<(&Place, String)> = Vec::new();
    for (place, name) in mapped_places(header) {
        {
            if let Some((other, other_field)) = places.iter().find(|(p, _)| p.overlaps(place)) {
                let msg = if other.segments == place.segments {
                    format!(
                        "header field `{name}`: live place `{}` is already mapped by header field `{other_field}`; \
                         restore would write it twice, so map it once",
                        place.text
                    )
                } else if other.segments.len() < place.segments.len() {
                    format!(
                        "header field `{name}`: `{}` lies inside `{}`, which header field `{other_field}` already maps; \
                         map the whole or its parts, not both",
                        place.text, other.text
                    )
                } else {
                    format!(
                        "header field `{name}`: `{}` contains `{}`, which header field `{other_field}` already maps; \
                         map the whole or its parts, not both",
                        place.text, other.text
                    )
                };
                cx.error(place.span, msg);
            }
            places.push((place, name));
        }
    }
}
