//! The `#[cr(...)]` grammar: every keyword as a constant, and the raw parse of container and
//! field attributes into spanned values. Knows nothing about which keys may be combined; that
//! is `model`'s job. Unknown and duplicate keys are reported here and parsing goes on.

use crate::ctxt::{Ctxt, Report};
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
pub const VERSION: &str = "version";
pub const PREV: &str = "prev";
pub const UPGRADE: &str = "upgrade";
pub const DROPPED: &str = "dropped";
pub const FINGERPRINT: &str = "fingerprint";
pub const OPTIONAL: &str = "optional";
pub const CONTAINER_KEYS: &[&str] = &[
    TARGET,
    VALIDATE,
    AFTER_RESTORE,
    CRATE,
    COVER,
    IGNORE,
    RECORD,
    VERSION,
    PREV,
    UPGRADE,
    DROPPED,
    FINGERPRINT,
    OPTIONAL,
];

pub const PATH: &str = "path";
pub const BITS: &str = "bits";
pub const CONVERT: &str = "convert";
pub const MASK: &str = "mask";
pub const STRICT_MASK: &str = "strict_mask";
pub const SAVE_ONLY: &str = "save_only";
pub const FLAG: &str = "flag";
pub const SKIP: &str = "skip";
pub const RESERVED: &str = "reserved";
pub const NESTED: &str = "nested";
pub const SINCE: &str = "since";
pub const DEFAULT: &str = "default";
pub const FIELD_KEYS: &[&str] = &[
    PATH,
    BITS,
    CONVERT,
    MASK,
    STRICT_MASK,
    SAVE_ONLY,
    FLAG,
    SKIP,
    RESERVED,
    NESTED,
    SINCE,
    DEFAULT,
];

pub const BIT: &str = "bit";
pub const NAME: &str = "name";
pub const FLAG_KEYS: &[&str] = &[BIT, PATH, NAME];

/// Where a key is written; each level has its own keys.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Struct,
    Field,
    Flag,
}

impl Level {
    fn keys(self) -> &'static [&'static str] {
        match self {
            Level::Struct => CONTAINER_KEYS,
            Level::Field => FIELD_KEYS,
            Level::Flag => FLAG_KEYS,
        }
    }

    /// Where the key was written, for messages.
    fn describe(self) -> &'static str {
        match self {
            Level::Struct => "on the struct",
            Level::Field => "on a field",
            Level::Flag => "in `flag(...)`",
        }
    }

    /// The other attribute level, whose keys users put here by mistake.
    fn other(self) -> Option<Level> {
        match self {
            Level::Struct => Some(Level::Field),
            Level::Field => Some(Level::Struct),
            Level::Flag => None,
        }
    }
}

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
    /// `version = N`: this header's version of its record type.
    pub version: Option<Key<LitInt>>,
    /// `prev = Type`: the header of the version before.
    pub prev: Option<Key<Type>>,
    /// `upgrade = path`: the user's step from `prev` to this version.
    pub upgrade: Option<Key<syn::Path>>,
    /// `dropped = "name"`: fields of `prev` this version no longer has.
    pub dropped: Vec<LitStr>,
    /// `fingerprint = 0x...`: the pinned layout.
    pub fingerprint: Option<Key<LitInt>>,
    /// `optional`: readers that do not know the record type may skip it.
    pub optional: Option<Key<()>>,
}

#[derive(Default)]
pub struct FieldAttrs {
    /// Span of the first `#[cr]` attribute, for errors about the field's mapping as a whole.
    pub attr_span: Option<Span>,
    /// An attribute of this field did not parse, so the field's mapping is not known.
    pub had_error: bool,
    /// Every key given, once each, with the span where it was first written (`flag` at its
    /// first `flag(...)`). Keys without a value (`bits`, `skip`, ...) are known by this alone.
    pub keys: Vec<(&'static str, Span)>,
    pub path: Option<Key<LitStr>>,
    pub mask: Option<Key<Expr>>,
    pub strict_mask: Option<Key<Expr>>,
    /// `since = N`: the version that added this field.
    pub since: Option<Key<LitInt>>,
    /// `default = EXPR`: the value an upgrade gives a new field.
    pub default: Option<Key<Expr>>,
    pub flags: Vec<RawFlag>,
}

impl FieldAttrs {
    /// The span of `key`, if it was given.
    pub fn span_of(&self, key: &str) -> Option<Span> {
        self.keys.iter().find(|(k, _)| *k == key).map(|(_, span)| *span)
    }

    pub fn has(&self, key: &str) -> bool {
        self.span_of(key).is_some()
    }

    /// Records a key without a value; a second one is reported.
    fn mark(&mut self, cx: &mut impl Report, key: &'static str, span: Span) {
        if self.has(key) {
            cx.error(span, format!("duplicate `{key}`: give it once"));
        } else {
            self.keys.push((key, span));
        }
    }
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
                    let path = parse_fn_path(&meta, VALIDATE)?;
                    set(cx, &mut out.validate, span, path, VALIDATE);
                }
                AFTER_RESTORE => {
                    let path = parse_fn_path(&meta, AFTER_RESTORE)?;
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
                VERSION => {
                    let lit: LitInt = meta.value()?.parse()?;
                    set(cx, &mut out.version, span, lit, VERSION);
                }
                PREV => {
                    let ty: Type = meta.value()?.parse()?;
                    set(cx, &mut out.prev, span, ty, PREV);
                }
                UPGRADE => {
                    let path = parse_fn_path(&meta, UPGRADE)?;
                    set(cx, &mut out.upgrade, span, path, UPGRADE);
                }
                DROPPED => {
                    let lit: LitStr = meta.value()?.parse()?;
                    out.dropped.push(lit);
                }
                FINGERPRINT => {
                    let lit: LitInt = meta.value()?.parse()?;
                    set(cx, &mut out.fingerprint, span, lit, FINGERPRINT);
                }
                OPTIONAL => set(cx, &mut out.optional, span, (), OPTIONAL),
                _ => unknown_key(cx, &meta, &key, Level::Struct)?,
            }
            Ok(())
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
    out
}

pub fn parse_field(cx: &mut impl Report, attrs: &[Attribute]) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident(CR)) {
        out.attr_span.get_or_insert_with(|| span_of(attr));
        let result = attr.parse_nested_meta(|meta| {
            let key = key_name(&meta);
            let span = key_span(&meta);
            match key.as_str() {
                PATH => {
                    let lit: LitStr = meta.value()?.parse()?;
                    set_field_value(cx, &mut out, |o| &mut o.path, PATH, span, lit);
                }
                MASK => {
                    let expr: Expr = meta.value()?.parse()?;
                    set_field_value(cx, &mut out, |o| &mut o.mask, MASK, span, expr);
                }
                STRICT_MASK => {
                    let expr: Expr = meta.value()?.parse()?;
                    set_field_value(cx, &mut out, |o| &mut o.strict_mask, STRICT_MASK, span, expr);
                }
                SINCE => {
                    let lit: LitInt = meta.value()?.parse()?;
                    set_field_value(cx, &mut out, |o| &mut o.since, SINCE, span, lit);
                }
                DEFAULT => {
                    let expr: Expr = meta.value()?.parse()?;
                    set_field_value(cx, &mut out, |o| &mut o.default, DEFAULT, span, expr);
                }
                BITS => out.mark(cx, BITS, span),
                CONVERT => out.mark(cx, CONVERT, span),
                SAVE_ONLY => out.mark(cx, SAVE_ONLY, span),
                SKIP => out.mark(cx, SKIP, span),
                RESERVED => out.mark(cx, RESERVED, span),
                NESTED => out.mark(cx, NESTED, span),
                FLAG => {
                    let flag = parse_flag(cx, &meta, span)?;
                    if !out.has(FLAG) {
                        out.keys.push((FLAG, span));
                    }
                    out.flags.push(flag);
                }
                _ => {
                    out.had_error = true;
                    unknown_key(cx, &meta, &key, Level::Field)?;
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

/// Stores a key's value in its slot and records the key; a second one is reported.
fn set_field_value<T>(
    cx: &mut impl Report,
    out: &mut FieldAttrs,
    slot: impl Fn(&mut FieldAttrs) -> &mut Option<Key<T>>,
    key: &'static str,
    span: Span,
    value: T,
) {
    if out.has(key) {
        cx.error(span, format!("duplicate `{key}`: give it once"));
    } else {
        out.keys.push((key, span));
        *slot(out) = Some(Key { span, value });
    }
}

fn parse_flag(cx: &mut impl Report, meta: &ParseNestedMeta, span: Span) -> syn::Result<RawFlag> {
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
            _ => unknown_key(cx, &inner, &key, Level::Flag)?,
        }
        Ok(())
    })?;
    Ok(flag)
}

fn parse_fn_path(meta: &ParseNestedMeta, key: &str) -> syn::Result<syn::Path> {
    let expr: Expr = meta.value()?.parse()?;
    match expr {
        Expr::Path(p) if p.qself.is_none() => Ok(p.path),
        other => Err(syn::Error::new_spanned(
            other,
            format!("expected the path of a function, e.g. `{key} = my_fn` or `{key} = Self::my_fn`"),
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

// The two spans below are what `syn::spanned::Spanned` gives, without printing the attribute or
// path back into tokens first (a derive asks for one per key and per attribute).

fn key_span(meta: &ParseNestedMeta) -> Span {
    match meta.path.get_ident() {
        Some(ident) => ident.span(),
        None => syn::spanned::Spanned::span(&meta.path),
    }
}

/// From `#` to the closing `]`.
fn span_of(attr: &Attribute) -> Span {
    let first = attr.pound_token.span;
    first.join(attr.bracket_token.span.join()).unwrap_or(first)
}

fn set<T>(cx: &mut impl Report, slot: &mut Option<Key<T>>, span: Span, value: T, key: &str) {
    if slot.is_some() {
        cx.error(span, format!("duplicate `{key}`: give it once"));
    } else {
        *slot = Some(Key { span, value });
    }
}

fn set_plain<T>(cx: &mut impl Report, slot: &mut Option<T>, span: Span, value: T, key: &str) {
    if slot.is_some() {
        cx.error(span, format!("duplicate `{key}` in `flag(...)`: give it once"));
    } else {
        *slot = Some(value);
    }
}

/// Reports an unknown key, skips its value so parsing can go on, and suggests the closest
/// known key (or says where the key belongs when it is a key of the other level).
fn unknown_key(cx: &mut impl Report, meta: &ParseNestedMeta, key: &str, level: Level) -> syn::Result<()> {
    let span = key_span(meta);
    let known = level.keys();
    let here = level.describe();
    let msg = match level.other() {
        Some(other) if other.keys().contains(&key) => {
            format!("`{key}` is not a key {here}: it belongs {}", other.describe())
        }
        _ => match closest(key, known) {
            Some(close) => format!("unknown `cr` key `{key}` {here}; did you mean `{close}`?"),
            None => {
                let list = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
                format!("unknown `cr` key `{key}` {here}; expected one of {list}")
            }
        },
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
