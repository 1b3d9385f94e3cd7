//! Rules that span a whole field's flags or several fields: flag words and their widths,
//! duplicate bits, generated constant names, live places mapped twice, `cover` and `ignore`.
//! Reads the model, reports into the context, generates nothing.

use crate::ctxt::{Ctxt, Report};
use crate::ident;
use crate::ident::GeneratedName;
use crate::model::{Field, FlagWord, Header, Live, Mapping, Mode, Side, WordType};
use crate::place::{Place, Segment};
use std::collections::BTreeMap;

pub fn check(cx: &mut Ctxt, header: &Header) {
    for field in &header.fields {
        if let Some(word) = field.flag_word() {
            check_flags(cx, field, word);
        }
    }
    check_constant_names(cx, header);
    check_places(cx, header);
    check_variants(cx, header);
    check_ranges(cx, header);
    if let Side::Live(live) = &header.side {
        check_ignores(cx, header, live);
        check_covers(cx, header, live);
        check_unions(cx, header, live);
    }
}

/// A tagged variant's tag is an integer header field declared before it (save reads the tag the
/// header already holds), not itself a variant; a variant is a member of something.
fn check_variants(cx: &mut Ctxt, header: &Header) {
    for (i, field) in header.fields.iter().enumerate() {
        let Some(when) = &field.when else { continue };
        let mut cx = cx.field(&field.name);
        let tag = when.tag.to_string();
        let tag = ident::unraw(&tag);
        match header.fields.iter().position(|f| f.name == tag) {
            None => cx.error(
                when.tag.span(),
                format!("`when({tag} = ...)` names no header field: the tag is a header field declared before this one"),
            ),
            Some(t) if t >= i => cx.error(
                when.tag.span(),
                format!("the tag `{tag}` is declared after this variant: declare it first (save reads the tag the header already holds)"),
            ),
            Some(t) => {
                let tag_field = &header.fields[t];
                let integer = match &tag_field.mapping {
                    Mapping::Path(p) => matches!(p.mode, Mode::Copy | Mode::Convert) && !p.save_only,
                    Mapping::Data => true,
                    _ => false,
                };
                if tag_field.when.is_some() || !integer {
                    cx.error(
                        when.tag.span(),
                        format!("the tag `{tag}` must be an integer field copied as is or with `convert` (and no variant itself)"),
                    );
                }
            }
        }
        if when.values.is_empty() {
            cx.error(
                when.span,
                "`when` needs at least one tag value: `when(chip_id = 0 | 1)`",
            );
        }
        if let Mapping::Path(p) = &field.mapping {
            if p.place.segments.len() < 2 || p.place.is_call() {
                cx.error(
                    p.place.span,
                    format!(
                        "a tagged variant is a member of a union, e.g. \"chip.pic\"; `{}` is not a member of anything",
                        p.place.text
                    ),
                );
            }
        }
    }
}

/// A byte range of a register page holds a value of the header field's own type: copied as is
/// (under a mask, if any), never reinterpreted, converted or nested, and no flag's place.
fn check_ranges(cx: &mut Ctxt, header: &Header) {
    for field in &header.fields {
        let mut cx = cx.field(&field.name);
        match &field.mapping {
            Mapping::Path(p) if p.place.is_range() && p.mode != Mode::Copy => cx.error(
                p.place.span,
                format!(
                    "`{}` is a byte range: its bytes are read and written as the header field's type, so `bits`, `convert` and `nested` do not apply; drop the key",
                    p.place.text
                ),
            ),
            Mapping::Flags(word) => {
                for place in word.flags.iter().filter_map(|f| f.place.as_ref()).filter(|p| p.is_range()) {
                    cx.error(
                        place.span,
                        format!(
                            "`{}` is a byte range, which holds an integer, not a flag: map it with `path` and name its bits with `flag(bit = N, name = \"X\")`",
                            place.text
                        ),
                    );
                }
            }
            _ => {}
        }
    }
}

/// Each `union` is given once, is a place some mapping goes into, and is no accessor.
fn check_unions(cx: &mut Ctxt, header: &Header, live: &Live) {
    let mapped = header.mapped_places();
    for (i, union) in live.unions.iter().enumerate() {
        if live.unions[..i].iter().any(|u| u.segments == union.segments) {
            cx.error(
                union.span,
                format!("`union = \"{}\"` is given twice; drop one", union.text),
            );
        } else if union.is_call() {
            cx.error(union.span, format!("`{}` is an accessor, not a union", union.text));
        } else if !mapped.iter().any(|(p, _)| p.is_below(union)) {
            cx.error(
                union.span,
                format!(
                    "no mapping goes into the union `{}`: a `union` says how paths through it are read; drop it, or map a member of it",
                    union.text
                ),
            );
        }
    }
}

fn check_ignores(cx: &mut Ctxt, header: &Header, live: &Live) {
    let mapped = header.mapped_places();
    for (i, ignore) in live.ignores.iter().enumerate() {
        if live.ignores[..i].iter().any(|other| other.segments == ignore.segments) {
            cx.error(
                ignore.span,
                format!("`ignore = \"{}\"` is given twice; drop one", ignore.text),
            );
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

fn check_covers(cx: &mut Ctxt, header: &Header, live: &Live) {
    let mapped = header.mapped_places();
    for (i, cover) in live.covers.iter().enumerate() {
        if live.covers[..i]
            .iter()
            .any(|other| other.place.segments == cover.place.segments)
        {
            cx.error(
                cover.place.span,
                format!("`cover` names the place \"{}\" twice; drop one", cover.place.text),
            );
            continue;
        }
        let depth = cover.place.segments.len();
        let reaching = mapped.iter().map(|(p, _)| *p).chain(live.ignores.iter());
        for place in reaching {
            if place.is_below(&cover.place) {
                if let Segment::Index(_) = place.segments[depth] {
                    cx.error(
                        cover.place.span,
                        format!(
                            "`cover` needs a struct, but \"{}\" is indexed as an array by `{}`; `cover` checks the fields of a struct and an array has none: drop this `cover`, or name a struct place",
                            cover.place.text, place.text
                        ),
                    );
                    break;
                }
            }
        }
    }
}

fn check_flags(cx: &mut Ctxt, field: &Field, word: &FlagWord) {
    let mut cx = cx.field(&field.name);
    let width = match &word.word {
        WordType::Width(width) => Some(*width),
        // The type system checks the type and the bits' width (`expand`).
        WordType::Unknown => None,
        WordType::Wrong { shown, pointer_sized } => {
            let why = if *pointer_sized {
                ", whose width changes with the target: an image format must not"
            } else {
                ""
            };
            cx.error(
                syn::spanned::Spanned::span(field.ty),
                format!("a flag word's type must be `u8`, `u16`, `u32` or `u64`, not `{shown}`{why}"),
            );
            return;
        }
    };
    let mut seen: BTreeMap<u32, &str> = BTreeMap::new();
    for flag in &word.flags {
        if let Some(width) = width.filter(|w| flag.bit >= *w) {
            cx.error(
                flag.bit_span,
                format!(
                    "flag bit {} for `{}` does not fit in {} {width}-bit field (bits 0 to {}); give it a lower bit or the field a wider type",
                    flag.bit,
                    flag.label(),
                    if width == 8 { "an" } else { "a" },
                    width - 1
                ),
            );
        }
        if let Some(first) = seen.insert(flag.bit, flag.label()) {
            cx.error(
                flag.bit_span,
                format!(
                    "flag bit {} is declared twice, for `{first}` and for `{}`; give each flag its own bit",
                    flag.bit,
                    flag.label()
                ),
            );
        }
    }
}

/// Generated constants must be identifiers, and one name must not stand for two things: two
/// flags, a flag and a word's `<FIELD>_ALL`, or the `_ALL` of two fields (`ab_c` and `abC`).
fn check_constant_names(cx: &mut Ctxt, header: &Header) {
    // Each generated name, with what it stands for and whether that is a flag (which a
    // `name = "..."` can rename) or a word's `_ALL` (which only renaming the field can).
    let mut names: BTreeMap<String, (String, bool)> = BTreeMap::new();
    for field in &header.fields {
        let Some(word) = field.flag_word() else {
            continue;
        };
        let mut cx = cx.field(&field.name);
        let all = word.all.text();
        let this = format!("all flags of `{}`", field.name);
        if let Some((other, other_is_flag)) = names.insert(all.clone(), (this.clone(), false)) {
            let fix = if other_is_flag {
                "give that flag another `name = \"...\"`"
            } else {
                "rename one of the fields (a flag word's constants start with its name in UPPER_SNAKE_CASE)"
            };
            cx.error(
                field.span,
                format!("constant `{all}` would stand for both {other} and {this}; {fix}"),
            );
        }
        for flag in &word.flags {
            let constant = match &flag.constant {
                GeneratedName::Valid(ident) => ident.to_string(),
                GeneratedName::Invalid(text) => {
                    cx.error(
                        flag.name_span,
                        format!(
                            "the flag for `{}` would get the constant `{text}`, which is not an identifier; \
                             give it `name = \"...\"` with letters, digits and `_`",
                            flag.label()
                        ),
                    );
                    continue;
                }
            };
            let this = format!("the flag for `{}`", flag.label());
            if let Some((other, other_is_flag)) = names.insert(constant.clone(), (this.clone(), true)) {
                let fix = if other_is_flag {
                    "give one flag `name = \"...\"`"
                } else {
                    "give this flag another `name = \"...\"`"
                };
                cx.error(
                    flag.name_span,
                    format!("constant `{constant}` would stand for both {other} and {this}; {fix}"),
                );
            }
        }
    }
}

fn check_places(cx: &mut Ctxt, header: &Header) {
    let mut places: Vec<(&Place, &str)> = Vec::new();
    for (place, name) in header.mapped_places() {
        if let Some((other, other_field)) = places.iter().find(|(p, _)| p.overlaps(place)) {
            let msg = if other.segments == place.segments {
                format!(
                    "live place `{}` is already mapped by header field `{other_field}`; \
                     restore would write it twice, so map it once",
                    place.text
                )
            } else if other.segments.len() < place.segments.len() {
                format!(
                    "`{}` lies inside `{}`, which header field `{other_field}` already maps; \
                     map the whole or its parts, not both",
                    place.text, other.text
                )
            } else {
                format!(
                    "`{}` contains `{}`, which header field `{other_field}` already maps; \
                     map the whole or its parts, not both",
                    place.text, other.text
                )
            };
            cx.field(name).error(place.span, msg);
        }
        places.push((place, name));
    }
}
