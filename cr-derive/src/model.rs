//! The header as the derive understands it: the target, the hooks, and one `Mapping` per field,
//! built from the raw attributes, with every generated name computed once. Rules about a single
//! field's keys (exactly one mapping, modifiers that need `path`, conflicting keys: the `RULES`
//! table) live here; rules across fields live in `check`. `expand` only reads what is built here.

use crate::attr::{self, FieldAttrs, Key, RawFlag};
use crate::ctxt::{Ctxt, FieldCtxt, Report};
use crate::ident::{self, GeneratedName};
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
    /// `ignore = "place"`: live fields deliberately not checkpointed (never the root).
    pub ignores: Vec<Place>,
    /// `record = N`: the record type, for images.
    pub record: Option<Expr>,
    /// The header was declared with generic parameters (an error; no fallback impl then).
    pub generic: bool,
}

/// `cover(Type = "place")`: every field of `ty`, found at `place`, must be mapped or ignored.
pub struct Cover {
    pub ty: syn::Path,
    /// May be the root (`""`): the target itself.
    pub place: Place,
}

pub struct Field<'a> {
    pub ident: &'a Ident,
    /// The field's name as users read it in messages (`r#type` is `type`).
    pub name: String,
    pub ty: &'a Type,
    /// The field's `#[cr]` attribute, or its name when it has none.
    pub span: Span,
    pub mapping: Mapping,
}

pub enum Mapping {
    Path(PathMap),
    Flags(FlagWord),
    Skip,
    Reserved,
    /// The field's attributes are in error (already reported): no mapping could be built.
    Unknown,
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
    /// A header of its own (or an array of them), with its own checks.
    Nested,
}

pub enum Mask {
    Soft(Box<Expr>),
    Strict(Box<Expr>),
}

/// A field holding flags: its type and its generated `<FIELD>_ALL` constant.
pub struct FlagWord {
    pub word: WordType,
    pub all: GeneratedName,
    pub flags: Vec<FlagMap>,
}

pub struct FlagMap {
    pub bit: u32,
    pub bit_span: Span,
    pub place: Place,
    /// The flag's name in the layout table: UPPER_SNAKE of `name = "..."` or of the place's leaf.
    pub name: String,
    /// Where the name comes from: `name = "..."`, or the path.
    pub name_span: Span,
    /// The flag's associated constant, `<FIELD>_<NAME>`.
    pub constant: GeneratedName,
}

impl Header<'_> {
    /// Every live place a mapping reaches, with the header field that maps it.
    pub fn mapped_places(&self) -> Vec<(&Place, &str)> {
        let mut out = Vec::new();
        for field in &self.fields {
            match &field.mapping {
                Mapping::Path(p) => out.push((&p.place, field.name.as_str())),
                Mapping::Flags(word) => out.extend(word.flags.iter().map(|f| (&f.place, field.name.as_str()))),
                Mapping::Skip | Mapping::Reserved | Mapping::Unknown => {}
            }
        }
        out
    }
}

/// Builds the model, reporting every problem it can find; `None` if the input is not even a
/// struct with named fields or has no target.
pub fn build<'a>(cx: &mut Ctxt, input: &'a DeriveInput) -> Option<Header<'a>> {
    let container = attr::parse_container(cx, &input.attrs);
    let named = named_fields(cx, input);
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
    let fields = named?.into_iter().map(|f| build_field(cx, f)).collect();
    let krate = container
        .krate
        .map(|k| k.value)
        .unwrap_or_else(|| syn::parse_quote!(::cr_core));
    let covers = container
        .covers
        .iter()
        .filter_map(|(ty, lit)| {
            let place = report(cx, Place::parse_cover(lit))?;
            Some(Cover { ty: ty.clone(), place })
        })
        .collect();
    let ignores = container
        .ignores
        .iter()
        .filter_map(|lit| report(cx, Place::parse(lit)))
        .collect();
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

fn named_fields<'a>(cx: &mut Ctxt, input: &'a DeriveInput) -> Option<Vec<&'a syn::Field>> {
    match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => Some(named.named.iter().collect()),
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
    }
}

/// Reports a parse error at its span, keeping the value otherwise.
fn report<T>(cx: &mut impl Report, parsed: Result<T, (Span, String)>) -> Option<T> {
    parsed.map_err(|(span, msg)| cx.error(span, msg)).ok()
}

fn build_field<'a>(cx: &mut Ctxt, f: &'a syn::Field) -> Field<'a> {
    let ident = f.ident.as_ref().expect("named field");
    let name = ident::unraw(&ident.to_string()).to_string();
    let mut fcx = cx.field(&name);
    let raw = attr::parse_field(&mut fcx, &f.attrs);
    let span = raw.attr_span.unwrap_or_else(|| ident.span());
    // A field whose attribute did not parse, or that has only modifiers, is reported for that;
    // "no mapping" would only repeat it.
    if raw.keys.is_empty() && !raw.had_error {
        fcx.error(
            ident.span(),
            "no mapping; add `#[cr(path = \"...\")]` (a place in the target), \
             `#[cr(flag(bit = N, path = \"...\"))]`, `#[cr(skip)]` or `#[cr(reserved)]`",
        );
    }
    check_keys(&mut fcx, &raw);
    let mapping = build_mapping(&mut fcx, &name, span, &f.ty, raw);
    Field {
        ident,
        name,
        ty: &f.ty,
        span,
        mapping,
    }
}

/// What a field key is to the rules below.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Selects the field's mapping: a field has exactly one.
    Mapping,
    /// Modifies a `path` mapping.
    Modifier,
}

/// One field key: its kind, and the keys listed before it in this table that it cannot go with
/// (reported on this key, with why).
struct Rule {
    key: &'static str,
    kind: Kind,
    conflicts: &'static [(&'static str, &'static str)],
}

const MASK_ON_BITS: &str = "a mask applies to an integer copied as is; drop `bits` or the mask";
const MASK_ON_CONVERT: &str = "a mask applies to an integer copied as is; drop `convert` or the mask";
const NESTED_WHOLE: &str = "a nested header is copied and checked by its own mappings; \
     put the modifier on the nested header's field instead";
const NEVER_RESTORED: &str = "a `save_only` field is never restored, so a restore mask has no effect";

/// Every field key but `flag`'s inner keys. Adding a key is one row here.
const RULES: &[Rule] = &[
    Rule {
        key: attr::PATH,
        kind: Kind::Mapping,
        conflicts: &[],
    },
    Rule {
        key: attr::FLAG,
        kind: Kind::Mapping,
        conflicts: &[],
    },
    Rule {
        key: attr::SKIP,
        kind: Kind::Mapping,
        conflicts: &[],
    },
    Rule {
        key: attr::RESERVED,
        kind: Kind::Mapping,
        conflicts: &[],
    },
    Rule {
        key: attr::BITS,
        kind: Kind::Modifier,
        conflicts: &[],
    },
    Rule {
        key: attr::CONVERT,
        kind: Kind::Modifier,
        conflicts: &[(
            attr::BITS,
            "`bits` reinterprets bytes, `convert` converts values: pick one",
        )],
    },
    Rule {
        key: attr::MASK,
        kind: Kind::Modifier,
        conflicts: &[(attr::BITS, MASK_ON_BITS), (attr::CONVERT, MASK_ON_CONVERT)],
    },
    Rule {
        key: attr::STRICT_MASK,
        kind: Kind::Modifier,
        conflicts: &[
            (
                attr::MASK,
                "`mask` keeps live bits outside the mask, `strict_mask` rejects them: pick one",
            ),
            (attr::BITS, MASK_ON_BITS),
            (attr::CONVERT, MASK_ON_CONVERT),
        ],
    },
    Rule {
        key: attr::SAVE_ONLY,
        kind: Kind::Modifier,
        conflicts: &[(attr::MASK, NEVER_RESTORED), (attr::STRICT_MASK, NEVER_RESTORED)],
    },
    Rule {
        key: attr::NESTED,
        kind: Kind::Modifier,
        conflicts: &[
            (attr::BITS, NESTED_WHOLE),
            (attr::CONVERT, NESTED_WHOLE),
            (attr::MASK, NESTED_WHOLE),
            (attr::STRICT_MASK, NESTED_WHOLE),
            (attr::SAVE_ONLY, NESTED_WHOLE),
        ],
    },
];

/// The rules of `RULES` on one field's keys: exactly one mapping, modifiers only with `path`,
/// no conflicting pair. Each mistake is reported on the key that makes it one.
fn check_keys(cx: &mut FieldCtxt, raw: &FieldAttrs) {
    let given = |kind: Kind| {
        RULES
            .iter()
            .filter(move |rule| rule.kind == kind)
            .filter_map(|rule| Some((rule.key, raw.span_of(rule.key)?)))
    };
    let mappings: Vec<(&str, Span)> = given(Kind::Mapping).collect();
    if !raw.has(attr::PATH) {
        for (key, span) in given(Kind::Modifier) {
            match mappings.first() {
                Some((other, _)) => cx.error(span, format!("`{key}` modifies a `path` mapping, not `{other}`")),
                None => cx.error(span, format!("`{key}` modifies a `path` mapping; add `path = \"...\"`")),
            }
        }
    }
    if let Some((first, _)) = mappings.first() {
        let all = RULES
            .iter()
            .filter(|rule| rule.kind == Kind::Mapping)
            .map(|rule| format!("`{}`", rule.key))
            .collect::<Vec<_>>();
        let (last, init) = all.split_last().expect("mapping keys");
        for (other, span) in &mappings[1..] {
            cx.error(
                *span,
                format!(
                    "`{other}` conflicts with `{first}`; a field has exactly one of {} or {last}",
                    init.join(", ")
                ),
            );
        }
    }
    for rule in RULES {
        let Some(span) = raw.span_of(rule.key) else { continue };
        for (other, why) in rule.conflicts {
            if raw.has(other) {
                cx.error(span, format!("`{}` conflicts with `{other}`: {why}", rule.key));
            }
        }
    }
}

fn build_mapping(cx: &mut FieldCtxt, name: &str, span: Span, ty: &Type, raw: FieldAttrs) -> Mapping {
    if let Some(Key { value: lit, .. }) = &raw.path {
        let Some(place) = report(cx, Place::parse(lit)) else {
            return Mapping::Unknown;
        };
        let mode = if raw.has(attr::NESTED) {
            Mode::Nested
        } else if raw.has(attr::BITS) {
            Mode::Bits
        } else if raw.has(attr::CONVERT) {
            Mode::Convert
        } else {
            Mode::Copy
        };
        let save_only = raw.has(attr::SAVE_ONLY);
        let mask = match (raw.mask, raw.strict_mask) {
            (Some(m), _) => Some(Mask::Soft(Box::new(m.value))),
            (None, Some(m)) => Some(Mask::Strict(Box::new(m.value))),
            (None, None) => None,
        };
        return Mapping::Path(PathMap {
            place,
            mode,
            mask,
            save_only,
        });
    }
    if !raw.flags.is_empty() {
        let field = ident::upper_snake(name);
        let flags = raw.flags.iter().filter_map(|f| build_flag(cx, &field, f)).collect();
        return Mapping::Flags(FlagWord {
            word: word_type(ty),
            all: GeneratedName::new(format!("{field}_ALL"), span),
            flags,
        });
    }
    if raw.has(attr::SKIP) {
        return Mapping::Skip;
    }
    if raw.has(attr::RESERVED) {
        return Mapping::Reserved;
    }
    Mapping::Unknown
}

fn build_flag(cx: &mut FieldCtxt, field: &str, f: &RawFlag) -> Option<FlagMap> {
    let bit = match &f.bit {
        Some(lit) => match lit.base10_parse::<u32>() {
            Ok(bit) => Some((bit, lit.span())),
            Err(_) => {
                cx.error(lit.span(), "a flag bit is a small non-negative integer");
                None
            }
        },
        None => {
            cx.error(f.span, "`flag(...)` needs `bit = N`");
            None
        }
    };
    let place = match &f.path {
        Some(lit) => report(cx, Place::parse(lit)),
        None => {
            cx.error(f.span, "`flag(...)` needs `path = \"...\"`, the `bool` it maps to");
            None
        }
    };
    let (bit, bit_span) = bit?;
    let place = place?;
    let (name, name_span) = match &f.name {
        Some(lit) => (ident::upper_snake(&lit.value()), lit.span()),
        None => (ident::upper_snake(&place.leaf()), place.span),
    };
    let constant = GeneratedName::new(format!("{field}_{name}"), name_span);
    Some(FlagMap {
        bit,
        bit_span,
        place,
        name,
        name_span,
        constant,
    })
}

/// What a flag word's type is, as far as its structure says.
pub enum WordType {
    /// `u8`, `u16`, `u32` or `u64` (also as `core::primitive::u8`, ...): its width in bits.
    Width(u32),
    /// A primitive type that is no flag word (`bool`, a signed integer, `usize`, ...): named.
    Wrong(String),
    /// Another path, such as an alias: the type system checks it (`__private::FlagWord`, and a
    /// compile-time assertion that each bit fits).
    Unknown,
}

/// A flag word's type from its structure: a primitive, written bare or through
/// `core::primitive`/`std::primitive`, or anything else. `usize` is not a flag word: an image's
/// flag word must not change width with the target.
fn word_type(ty: &Type) -> WordType {
    let Type::Path(p) = ty else {
        return WordType::Wrong(quote::ToTokens::to_token_stream(ty).to_string());
    };
    let segments: Vec<String> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
    let primitive = match segments.as_slice() {
        [name] => name,
        [krate, module, name] if (krate == "core" || krate == "std") && module == "primitive" => name,
        _ => return WordType::Unknown,
    };
    match primitive.as_str() {
        "u8" => WordType::Width(8),
        "u16" => WordType::Width(16),
        "u32" => WordType::Width(32),
        "u64" => WordType::Width(64),
        "u128" | "usize" | "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "bool" | "char" | "f32" | "f64"
            if p.qself.is_none() =>
        {
            WordType::Wrong(primitive.clone())
        }
        _ => WordType::Unknown,
    }
}

/// What a struct's `#[repr]` attributes say about `C`.
enum ReprC {
    Yes,
    No,
    /// A `#[repr]` did not parse: rustc reports it, so the derive says nothing more.
    Malformed,
}

fn repr_c(input: &DeriveInput) -> ReprC {
    let mut repr = ReprC::No;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("repr")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("C") {
                repr = ReprC::Yes;
            }
            if meta.input.peek(syn::token::Paren) {
                let _: proc_macro2::TokenTree = meta.input.parse()?;
            }
            Ok(())
        });
        if parsed.is_err() {
            return ReprC::Malformed;
        }
    }
    repr
}

/// A record's bytes go into images: its layout must be the one written, `#[repr(C)]`, and its
/// type must not be the end record's.
fn check_record(cx: &mut Ctxt, input: &DeriveInput, record: &Key<Expr>) {
    if let ReprC::No = repr_c(input) {
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
