//! The `#[cr(...)]` grammar: every key as a variant of a typed enum (with its name as written),
//! and the raw parse of container and field attributes into spanned values. Knows nothing about
//! which keys may be combined; that is `model`'s job (its rule table, one row per key). Unknown
//! and duplicate keys are reported here and parsing goes on.

use crate::ctxt::{Ctxt, Report};
use proc_macro2::Span;
use std::fmt;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, LitInt, LitStr, Token, Type};

pub const CR: &str = "cr";

/// Declares a key enum: its variants, the name each is written with, and `ALL`.
macro_rules! keys {
    ($(#[$doc:meta])* pub enum $name:ident at $level:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl Keyword for $name {
            const ALL: &'static [$name] = &[$($name::$variant,)*];
            const LEVEL: Level = Level::$level;
            fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

/// A key of one attribute level.
pub trait Keyword: Copy + PartialEq + fmt::Display + 'static {
    /// Every key of the level, in the order messages list them.
    const ALL: &'static [Self];
    /// Where keys of this type are written.
    const LEVEL: Level;
    /// The key as written in `#[cr(...)]`.
    fn name(self) -> &'static str;
    /// The key written as `text`, if it is one.
    fn from_name(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.name() == text)
    }
}

keys! {
    /// A key on the struct: `#[cr(target = T, ...)]`.
    pub enum StructKey at Struct {
        Target = "target",
        Validate = "validate",
        AfterRestore = "after_restore",
        Crate = "crate",
        Cover = "cover",
        Ignore = "ignore",
        Union = "union",
        Record = "record",
        Version = "version",
        Prev = "prev",
        Upgrade = "upgrade",
        Dropped = "dropped",
        Fingerprint = "fingerprint",
        Optional = "optional",
    }
}

keys! {
    /// A key on a field: `#[cr(path = "...", ...)]`. In the order of `model`'s rules: the
    /// mappings, then the modifiers of `path`, then the keys of a field's history.
    pub enum FieldKey at Field {
        Path = "path",
        Flag = "flag",
        Skip = "skip",
        Reserved = "reserved",
        Bits = "bits",
        Convert = "convert",
        Mask = "mask",
        StrictMask = "strict_mask",
        SaveOnly = "save_only",
        Nested = "nested",
        When = "when",
        Since = "since",
        Default = "default",
    }
}

keys! {
    /// A key inside `flag(...)`.
    pub enum FlagKey at Flag {
        Bit = "bit",
        Path = "path",
        Name = "name",
    }
}

/// Where a key is written; each level has its own keys.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Level {
    Struct,
    Field,
    Flag,
}

impl Level {
    fn names(self) -> Vec<&'static str> {
        fn of<K: Keyword>() -> Vec<&'static str> {
            K::ALL.iter().map(|k| k.name()).collect()
        }
        match self {
            Level::Struct => of::<StructKey>(),
            Level::Field => of::<FieldKey>(),
            Level::Flag => of::<FlagKey>(),
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

    /// How a duplicate is placed in its message: after the key's name.
    fn within(self) -> &'static str {
        match self {
            Level::Struct | Level::Field => "",
            Level::Flag => " in `flag(...)`",
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

/// The keys given at one level, each once, with the span where it was first written. The one
/// recorder of duplicates.
pub struct Given<K> {
    keys: Vec<(K, Span)>,
}

impl<K> Default for Given<K> {
    fn default() -> Self {
        Given { keys: Vec::new() }
    }
}

impl<K: Keyword> Given<K> {
    /// Records `key` written at `span`. A key given before is reported, and `false` returned.
    fn once(&mut self, cx: &mut impl Report, key: K, span: Span) -> bool {
        if self.has(key) {
            cx.error(span, format!("duplicate `{key}`{}: give it once", K::LEVEL.within()));
            return false;
        }
        self.keys.push((key, span));
        true
    }

    /// Records a key that may be given many times (`flag`, `ignore`, ...), at its first span.
    fn each(&mut self, key: K, span: Span) {
        if !self.has(key) {
            self.keys.push((key, span));
        }
    }

    /// The span of `key`, if it was given.
    pub fn span_of(&self, key: K) -> Option<Span> {
        self.keys.iter().find(|(k, _)| *k == key).map(|(_, span)| *span)
    }

    pub fn has(&self, key: K) -> bool {
        self.span_of(key).is_some()
    }

    /// Every key given, in the order written.
    pub fn iter(&self) -> impl Iterator<Item = (K, Span)> + '_ {
        self.keys.iter().copied()
    }
}

/// Stores a key's value in its slot, once; a second one is reported.
fn set<K: Keyword, T>(
    cx: &mut impl Report,
    given: &mut Given<K>,
    slot: &mut Option<Key<T>>,
    key: K,
    span: Span,
    value: T,
) {
    if given.once(cx, key, span) {
        *slot = Some(Key { span, value });
    }
}

#[derive(Default)]
pub struct ContainerAttrs {
    pub given: Given<StructKey>,
    pub target: Option<Key<Type>>,
    pub validate: Option<Key<syn::Path>>,
    pub after_restore: Option<Key<syn::Path>>,
    pub krate: Option<Key<syn::Path>>,
    /// `cover(Type = "place", ...)`: structs whose every field must be mapped or ignored.
    pub covers: Vec<(syn::Path, LitStr)>,
    /// `ignore = "place"`: live fields deliberately not checkpointed.
    pub ignores: Vec<LitStr>,
    /// `union = "place"`: live places that are C unions.
    pub unions: Vec<LitStr>,
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
    /// Every key given (`flag` at its first `flag(...)`). Keys without a value (`bits`, `skip`,
    /// ...) are known by this alone.
    pub given: Given<FieldKey>,
    pub path: Option<Key<LitStr>>,
    pub mask: Option<Key<Expr>>,
    pub strict_mask: Option<Key<Expr>>,
    /// `since = N`: the version that added this field.
    pub since: Option<Key<LitInt>>,
    /// `default = EXPR`: the value an upgrade gives a new field.
    pub default: Option<Key<Expr>>,
    /// `when(tag = A | B)`: a tagged variant.
    pub when: Option<Key<RawWhen>>,
    pub flags: Vec<RawFlag>,
}

/// `when(tag = A | B)`: the header field holding the tag, and the values that select the field.
pub struct RawWhen {
    pub tag: syn::Ident,
    pub values: Vec<Expr>,
}

impl FieldAttrs {
    /// The span of `key`, if it was given.
    pub fn span_of(&self, key: FieldKey) -> Option<Span> {
        self.given.span_of(key)
    }

    pub fn has(&self, key: FieldKey) -> bool {
        self.given.has(key)
    }
}

pub struct RawFlag {
    pub span: Span,
    pub given: Given<FlagKey>,
    pub bit: Option<Key<LitInt>>,
    pub path: Option<Key<LitStr>>,
    pub name: Option<Key<LitStr>>,
}

pub fn parse_container(cx: &mut Ctxt, attrs: &[Attribute]) -> ContainerAttrs {
    let mut out = ContainerAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident(CR)) {
        let result = attr.parse_nested_meta(|meta| {
            let span = key_span(&meta);
            let Some(key) = StructKey::from_name(&key_name(&meta)) else {
                return unknown_key::<StructKey>(cx, &meta);
            };
            let given = &mut out.given;
            match key {
                StructKey::Target => {
                    let ty: Type = meta.value()?.parse()?;
                    set(cx, given, &mut out.target, key, span, ty);
                }
                StructKey::Validate => {
                    let path = parse_fn_path(&meta, key)?;
                    set(cx, given, &mut out.validate, key, span, path);
                }
                StructKey::AfterRestore => {
                    let path = parse_fn_path(&meta, key)?;
                    set(cx, given, &mut out.after_restore, key, span, path);
                }
                StructKey::Crate => {
                    let lit: LitStr = meta.value()?.parse()?;
                    let path = lit.parse::<syn::Path>().map_err(|_| {
                        syn::Error::new(
                            lit.span(),
                            "`crate` takes the path of cr-core as a string, e.g. `crate = \"my_crate::cr\"`",
                        )
                    })?;
                    set(cx, given, &mut out.krate, key, span, path);
                }
                StructKey::Cover => {
                    if !meta.input.peek(syn::token::Paren) {
                        return Err(meta
                            .error("`cover` lists live struct types and where they are: `cover(PtRegs = \"regs\")`"));
                    }
                    given.each(key, span);
                    meta.parse_nested_meta(|entry| {
                        let lit: LitStr = entry.value()?.parse()?;
                        out.covers.push((entry.path.clone(), lit));
                        Ok(())
                    })?;
                }
                StructKey::Ignore => {
                    let lit: LitStr = meta.value()?.parse()?;
                    given.each(key, span);
                    out.ignores.push(lit);
                }
                StructKey::Union => {
                    let lit: LitStr = meta.value()?.parse()?;
                    given.each(key, span);
                    out.unions.push(lit);
                }
                StructKey::Record => {
                    let expr: Expr = meta.value()?.parse()?;
                    set(cx, given, &mut out.record, key, span, expr);
                }
                StructKey::Version => {
                    let lit: LitInt = meta.value()?.parse()?;
                    set(cx, given, &mut out.version, key, span, lit);
                }
                StructKey::Prev => {
                    let ty: Type = meta.value()?.parse()?;
                    set(cx, given, &mut out.prev, key, span, ty);
                }
                StructKey::Upgrade => {
                    let path = parse_fn_path(&meta, key)?;
                    set(cx, given, &mut out.upgrade, key, span, path);
                }
                StructKey::Dropped => {
                    let lit: LitStr = meta.value()?.parse()?;
                    given.each(key, span);
                    out.dropped.push(lit);
                }
                StructKey::Fingerprint => {
                    let lit: LitInt = meta.value()?.parse()?;
                    set(cx, given, &mut out.fingerprint, key, span, lit);
                }
                StructKey::Optional => set(cx, given, &mut out.optional, key, span, ()),
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
            let span = key_span(&meta);
            let Some(key) = FieldKey::from_name(&key_name(&meta)) else {
                out.had_error = true;
                return unknown_key::<FieldKey>(cx, &meta);
            };
            let given = &mut out.given;
            match key {
                FieldKey::Path => {
                    let lit: LitStr = meta.value()?.parse()?;
                    set(cx, given, &mut out.path, key, span, lit);
                }
                FieldKey::Mask => {
                    let expr: Expr = meta.value()?.parse()?;
                    set(cx, given, &mut out.mask, key, span, expr);
                }
                FieldKey::StrictMask => {
                    let expr: Expr = meta.value()?.parse()?;
                    set(cx, given, &mut out.strict_mask, key, span, expr);
                }
                FieldKey::Since => {
                    let lit: LitInt = meta.value()?.parse()?;
                    set(cx, given, &mut out.since, key, span, lit);
                }
                FieldKey::Default => {
                    let expr: Expr = meta.value()?.parse()?;
                    set(cx, given, &mut out.default, key, span, expr);
                }
                FieldKey::When => {
                    let when = parse_when(&meta)?;
                    set(cx, given, &mut out.when, key, span, when);
                }
                FieldKey::Bits
                | FieldKey::Convert
                | FieldKey::SaveOnly
                | FieldKey::Skip
                | FieldKey::Reserved
                | FieldKey::Nested => {
                    given.once(cx, key, span);
                }
                FieldKey::Flag => {
                    let flag = parse_flag(cx, &meta, span)?;
                    given.each(key, span);
                    out.flags.push(flag);
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

fn parse_flag(cx: &mut impl Report, meta: &ParseNestedMeta, span: Span) -> syn::Result<RawFlag> {
    let mut flag = RawFlag {
        span,
        given: Given::default(),
        bit: None,
        path: None,
        name: None,
    };
    if !meta.input.peek(syn::token::Paren) {
        return Err(meta.error("`flag` takes its bit and place in parentheses: `flag(bit = 0, path = \"a.b\")`"));
    }
    meta.parse_nested_meta(|inner| {
        let span = key_span(&inner);
        let Some(key) = FlagKey::from_name(&key_name(&inner)) else {
            return unknown_key::<FlagKey>(cx, &inner);
        };
        let given = &mut flag.given;
        match key {
            FlagKey::Bit => {
                let lit: LitInt = inner.value()?.parse()?;
                set(cx, given, &mut flag.bit, key, span, lit);
            }
            FlagKey::Path => {
                let lit: LitStr = inner.value()?.parse()?;
                set(cx, given, &mut flag.path, key, span, lit);
            }
            FlagKey::Name => {
                let lit: LitStr = inner.value()?.parse()?;
                set(cx, given, &mut flag.name, key, span, lit);
            }
        }
        Ok(())
    })?;
    Ok(flag)
}

/// `when(tag = A | B | ...)`: one tag field, the values as the arms of a `match` would list them.
fn parse_when(meta: &ParseNestedMeta) -> syn::Result<RawWhen> {
    const FORM: &str =
        "`when` names the header field holding the tag and the values that select this field: `when(chip_id = 0 | 1)`";
    if !meta.input.peek(syn::token::Paren) {
        return Err(meta.error(FORM));
    }
    let mut when = None;
    meta.parse_nested_meta(|inner| {
        let Some(tag) = inner.path.get_ident() else {
            return Err(inner.error(FORM));
        };
        if when.is_some() {
            return Err(inner.error("`when` takes one tag field: `when(chip_id = 0 | 1)`"));
        }
        let expr: Expr = inner.value()?.parse()?;
        let mut values = Vec::new();
        flatten_or(expr, &mut values);
        when = Some(RawWhen {
            tag: tag.clone(),
            values,
        });
        Ok(())
    })?;
    when.ok_or_else(|| meta.error(FORM))
}

/// `A | B | C` as `[A, B, C]`.
fn flatten_or(expr: Expr, out: &mut Vec<Expr>) {
    match expr {
        Expr::Binary(syn::ExprBinary {
            left,
            op: syn::BinOp::BitOr(_),
            right,
            ..
        }) => {
            flatten_or(*left, out);
            flatten_or(*right, out);
        }
        Expr::Paren(p) if matches!(*p.expr, Expr::Binary(_)) => flatten_or(*p.expr, out),
        other => out.push(other),
    }
}

fn parse_fn_path(meta: &ParseNestedMeta, key: StructKey) -> syn::Result<syn::Path> {
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

/// Reports an unknown key of level `K`, skips its value so parsing can go on, and suggests the
/// closest known key (or says where the key belongs when it is a key of the other level).
fn unknown_key<K: Keyword>(cx: &mut impl Report, meta: &ParseNestedMeta) -> syn::Result<()> {
    let key = key_name(meta);
    let span = key_span(meta);
    let level = K::LEVEL;
    let known = level.names();
    let here = level.describe();
    let msg = match level.other() {
        Some(other) if other.names().contains(&key.as_str()) => {
            format!("`{key}` is not a key {here}: it belongs {}", other.describe())
        }
        _ => match closest(&key, &known) {
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
