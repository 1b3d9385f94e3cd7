//! The `#[cr(...)]` grammar: every keyword as a constant, and the raw parse of container and
//! field attributes into spanned values. Knows nothing about which keys may be combined; that
//! is `model`'s job. Unknown and duplicate keys are reported here and parsing goes on.

use crate::ctxt::Ctxt;
use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, LitInt, LitStr, Token, Type};

pub const CR: &str = "cr";

pub const TARGET: &str = "target";
pub const VALIDATE: &str = "validate";
pub const AFTER_RESTORE: &str = "after_restore";
pub const CRATE: &str = "crate";
pub const COVER: &str = "cover";
pub const IGNORE: &str = "ignore";
pub const RECORD: &str = "record";
const CONTAINER_KEYS: &[&str] = &[TARGET, VALIDATE, AFTER_RESTORE, CRATE, COVER, IGNORE, RECORD];

pub const PATH: &str = "path";
pub const BITS: &str = "bits";
pub const CONVERT: &str = "convert";
pub const MASK: &str = "mask";
pub const STRICT_MASK: &str = "strict_mask";
pub const SAVE_ONLY: &str = "save_only";
pub const FLAG: &str = "flag";
pub const SKIP: &str = "skip";
pub const RESERVED: &str = "reserved";
const FIELD_KEYS: &[&str] = &[PATH, BITS, CONVERT, MASK, STRICT_MASK, SAVE_ONLY, FLAG, SKIP, RESERVED];

pub const BIT: &str = "bit";
pub const NAME: &str = "name";
const FLAG_KEYS: &[&str] = &[BIT, PATH, NAME];

/// A value and the span of the key that introduced it.
pub struct Key<T> {
    pub span: Span,
    pub value: T,
}

#[derive(Default)]
pub struct ContainerAttrs {
    pub target: Option<Key<Type>>,
    pub validate: Option<Key<syn::Path>>,
    pub after_restore: Option<Key<syn::Path>>,
    pub krate: Option<Key<syn::Path>>,
    /// `cover(Type = "place", ...)`: structs whose every field must be mapped or ignored.
    pub covers: Vec<(syn::Path, LitStr)>,
    /// `ignore = "place"`: live fields deliberately not checkpointed.
    pub ignores: Vec<LitStr>,
    /// `record = N`: the header's record type in images.
    pub record: Option<Key<Expr>>,
}

#[derive(Default)]
pub struct FieldAttrs {
    /// Span of the first `#[cr]` attribute, for errors about the field's mapping as a whole.
    pub attr_span: Option<Span>,
    /// An attribute of this field did not parse, so the field's mapping is not known.
    pub had_error: bool,
    pub path: Option<Key<LitStr>>,
    pub bits: Option<Key<()>>,
    pub convert: Option<Key<()>>,
    pub mask: Option<Key<Expr>>,
    pub strict_mask: Option<Key<Expr>>,
    pub save_only: Option<Key<()>>,
    pub skip: Option<Key<()>>,
    pub reserved: Option<Key<()>>,
    pub flags: Vec<RawFlag>,
}

pub struct RawFlag {
    pub span: Span,
    pub bit: Option<LitInt>,
    pub path: Option<LitStr>,
    pub name: Option<LitStr>,
}

pub fn parse_container(cx: &mut Ctxt, attrs: &[Attribute]) -> ContainerAttrs {
    let mut out = ContainerAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident(CR)) {
        let result = attr.parse_nested_meta(|meta| {
            let key = key_name(&meta);
            let span = key_span(&meta);
            match key.as_str() {
                TARGET => {
                    let ty: Type = meta.value()?.parse()?;
                    set(cx, &mut out.target, span, ty, TARGET);
                }
                VALIDATE => {
                    let path = parse_fn_path(&meta)?;
                    set(cx, &mut out.validate, span, path, VALIDATE);
                }
                AFTER_RESTORE => {
                    let path = parse_fn_path(&meta)?;
                    set(cx, &mut out.after_restore, span, path, AFTER_RESTORE);
                }
                CRATE => {
                    let lit: LitStr = meta.value()?.parse()?;
                    let path = lit.parse::<syn::Path>().map_err(|_| {
                        syn::Error::new(
                            lit.span(),
                            "`crate` takes the path of cr-core as a string, e.g. `crate = \"my_crate::cr\"`",
                        )
                    })?;
                    set(cx, &mut out.krate, span, path, CRATE);
                }
                COVER => {
                    if !meta.input.peek(syn::token::Paren) {
                        return Err(meta
                            .error("`cover` lists live struct types and where they are: `cover(PtRegs = \"regs\")`"));
                    }
                    meta.parse_nested_meta(|entry| {
                        let lit: LitStr = entry.value()?.parse()?;
                        out.covers.push((entry.path.clone(), lit));
                        Ok(())
                    })?;
                }
                IGNORE => {
                    let lit: LitStr = meta.value()?.parse()?;
                    out.ignores.push(lit);
                }
                RECORD => {
                    let expr: Expr = meta.value()?.parse()?;
                    set(cx, &mut out.record, span, expr, RECORD);
                }
                _ => {
                    unknown_key(cx, &meta, &key, "on the struct", CONTAINER_KEYS, FIELD_KEYS)?;
                }
            }
            Ok(())
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
    out
}

pub fn parse_field(cx: &mut Ctxt, attrs: &[Attribute]) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident(CR)) {
        out.attr_span.get_or_insert_with(|| span_of(attr));
        let result = attr.parse_nested_meta(|meta| {
            let key = key_name(&meta);
            let span = key_span(&meta);
            match key.as_str() {
                PATH => {
                    let lit: LitStr = meta.value()?.parse()?;
                    set(cx, &mut out.path, span, lit, PATH);
                }
                BITS => set(cx, &mut out.bits, span, (), BITS),
                CONVERT => set(cx, &mut out.convert, span, (), CONVERT),
                SAVE_ONLY => set(cx, &mut out.save_only, span, (), SAVE_ONLY),
                SKIP => set(cx, &mut out.skip, span, (), SKIP),
                RESERVED => set(cx, &mut out.reserved, span, (), RESERVED),
                MASK => {
                    let expr: Expr = meta.value()?.parse()?;
                    set(cx, &mut out.mask, span, expr, MASK);
                }
                STRICT_MASK => {
                    let expr: Expr = meta.value()?.parse()?;
                    set(cx, &mut out.strict_mask, span, expr, STRICT_MASK);
                }
                FLAG => {
                    let flag = parse_flag(cx, &meta, span)?;
                    out.flags.push(flag);
                }
                _ => {
                    out.had_error = true;
                    unknown_key(cx, &meta, &key, "on a field", FIELD_KEYS, CONTAINER_KEYS)?;
                }
            }
            Ok(())
        });
        if let Err(err) = result {
            out.had_error = true;
            cx.syn_error(err);
        }
    }
    out
}

fn parse_flag(cx: &mut Ctxt, meta: &ParseNestedMeta, span: Span) -> syn::Result<RawFlag> {
    let mut flag = RawFlag {
        span,
        bit: None,
        path: None,
        name: None,
    };
    if !meta.input.peek(syn::token::Paren) {
        return Err(meta.error("`flag` takes its bit and place in parentheses: `flag(bit = 0, path = \"a.b\")`"));
    }
    meta.parse_nested_meta(|inner| {
        let key = key_name(&inner);
        match key.as_str() {
            BIT => {
                let lit: LitInt = inner.value()?.parse()?;
                set_plain(cx, &mut flag.bit, key_span(&inner), lit, BIT);
            }
            PATH => {
                let lit: LitStr = inner.value()?.parse()?;
                set_plain(cx, &mut flag.path, key_span(&inner), lit, PATH);
            }
            NAME => {
                let lit: LitStr = inner.value()?.parse()?;
                set_plain(cx, &mut flag.name, key_span(&inner), lit, NAME);
            }
            _ => unknown_key(cx, &inner, &key, "in `flag(...)`", FLAG_KEYS, &[])?,
        }
        Ok(())
    })?;
    Ok(flag)
}

fn parse_fn_path(meta: &ParseNestedMeta) -> syn::Result<syn::Path> {
    let expr: Expr = meta.value()?.parse()?;
    match expr {
        Expr::Path(p) if p.qself.is_none() => Ok(p.path),
        other => Err(syn::Error::new_spanned(
            other,
            "expected the path of a function, e.g. `validate = check_cpu` or `validate = Self::check`",
        )),
    }
}

fn key_name(meta: &ParseNestedMeta) -> String {
    match meta.path.get_ident() {
        Some(ident) => ident.to_string(),
        None => quote::ToTokens::to_token_stream(&meta.path)
            .to_string()
            .replace(' ', ""),
    }
}

fn key_span(meta: &ParseNestedMeta) -> Span {
    syn::spanned::Spanned::span(&meta.path)
}

fn span_of(attr: &Attribute) -> Span {
    syn::spanned::Spanned::span(attr)
}

fn set<T>(cx: &mut Ctxt, slot: &mut Option<Key<T>>, span: Span, value: T, key: &str) {
    if slot.is_some() {
        cx.error(span, format!("duplicate `{key}`: give it once"));
    } else {
        *slot = Some(Key { span, value });
    }
}

fn set_plain<T>(cx: &mut Ctxt, slot: &mut Option<T>, span: Span, value: T, key: &str) {
    if slot.is_some() {
        cx.error(span, format!("duplicate `{key}` in `flag(...)`: give it once"));
    } else {
        *slot = Some(value);
    }
}

/// Reports an unknown key, skips its value so parsing can go on, and suggests the closest
/// known key (or says where the key belongs when it is a key of the other level).
fn unknown_key(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta,
    key: &str,
    place: &str,
    known: &[&str],
    other_level: &[&str],
) -> syn::Result<()> {
    let span = key_span(meta);
    let list = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
    let msg = if other_level.contains(&key) {
        let belongs = if place == "on a field" {
            "on the struct"
        } else {
            "on a field"
        };
        format!("`{key}` is not a key {place}: it belongs {belongs}")
    } else if let Some(close) = closest(key, known) {
        format!("unknown `cr` key `{key}` {place}; did you mean `{close}`?")
    } else {
        format!("unknown `cr` key `{key}` {place}; expected one of {list}")
    };
    cx.error(span, msg);
    skip_value(meta)
}

fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        let _: Token![=] = meta.input.parse()?;
        // A value runs to the next top-level comma.
        while !meta.input.is_empty() && !meta.input.peek(Token![,]) {
            let _: proc_macro2::TokenTree = meta.input.parse()?;
        }
    } else if meta.input.peek(syn::token::Paren) {
        let _: proc_macro2::TokenTree = meta.input.parse()?;
    }
    Ok(())
}

fn closest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb { prev } else { 1 + prev.min(row[j]).min(cur) };
            prev = cur;
        }
    }
    row[b.len()]
}
