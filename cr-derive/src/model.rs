//! The header as the derive understands it: the image side every header has, the live side only
//! a `CrCopy` header has (`Side`), and one `Mapping` per field, built from the raw attributes with
//! every generated name computed once. Rules about a single field's keys (exactly one mapping,
//! modifiers that need `path`, conflicting keys, keys a derive refuses) are one row per key in
//! `FieldKey::rule` and `StructKey::live_only`; rules across fields live in `check`. `expand`
//! only reads what is built here.

use crate::attr::{self, ContainerAttrs, FieldAttrs, FieldKey, Key, Keyword, RawFlag, StructKey};
use crate::ctxt::{Ctxt, FieldCtxt, Report};
use crate::ident::{self, GeneratedName};
use crate::place::Place;
use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Expr, Fields, Ident, LitStr, Type};

/// Which derive is running: both share the model, and differ in what a header may say.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Derive {
    /// `#[derive(CrCopy)]`: a header mapped onto a live target.
    CrCopy,
    /// `#[derive(CrLayout)]`: an image-only header (a frozen version), no target.
    CrLayout,
}

impl Derive {
    pub fn name(self) -> &'static str {
        match self {
            Derive::CrCopy => "CrCopy",
            Derive::CrLayout => "CrLayout",
        }
    }
}

pub struct Header<'a> {
    pub ident: &'a Ident,
    pub krate: syn::Path,
    pub fields: Vec<Field<'a>>,
    /// `record = N`: the record type, for images.
    pub record: Option<Expr>,
    /// `version`, `prev`, `upgrade`, `dropped`, `fingerprint`, `optional`.
    pub evolution: Evolution,
    /// The header was declared with generic parameters (an error; no fallback impl then).
    pub generic: bool,
    /// `#[repr(packed)]`: its live struct is packed too, so values move by copy, never by reference.
    pub packed: bool,
    /// What the header is mapped onto, if anything.
    pub side: Side,
}

/// The live side of a header: a `CrCopy` header has one, a `CrLayout` header none. What exists
/// only for a live side is carried here, so nothing downstream checks for it again.
pub enum Side {
    /// `#[derive(CrCopy)]`.
    Live(Box<Live>),
    /// `#[derive(CrLayout)]`: the image side only.
    Image,
}

/// A `CrCopy` header's target and what restore runs against it.
pub struct Live {
    /// The target as written, `'_` lifetimes included.
    pub target: Type,
    pub validate: Option<syn::Path>,
    pub after_restore: Option<syn::Path>,
    pub covers: Vec<Cover>,
    /// `ignore = "place"`: live fields deliberately not checkpointed (never the root).
    pub ignores: Vec<Place>,
    /// Live places that are C unions: `union = "place"`, and the parent of every tagged
    /// variant's place. A member inside one is read from the union's bytes.
    pub unions: Vec<Place>,
}

impl Header<'_> {
    /// Which derive built this header.
    pub fn derive(&self) -> Derive {
        match self.side {
            Side::Live(_) => Derive::CrCopy,
            Side::Image => Derive::CrLayout,
        }
    }
}

/// How the header's record type evolves.
#[derive(Default)]
pub struct Evolution {
    /// `version = N`, with the key's span.
    pub version: Option<(u32, Span)>,
    /// `prev = Type`: the header of version N - 1, with the key's span.
    pub prev: Option<(Type, Span)>,
    /// `upgrade = path`: the user's step from `prev`.
    pub upgrade: Option<syn::Path>,
    /// `dropped = "name"`: fields of `prev` this version no longer has.
    pub dropped: Vec<LitStr>,
    /// `fingerprint = 0x...`, with the key's span.
    pub pin: Option<(u64, Span)>,
    pub optional: bool,
}

/// `since = N` on a field: the version that added it, and its value after an upgrade.
pub struct Since {
    pub span: Span,
    pub default: Option<Expr>,
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
    pub since: Option<Since>,
    /// `when(tag = ...)`: the field is a tagged variant.
    pub when: Option<When>,
}

/// `when(tag = A | B)`: the field is live only when the header field `tag` holds one of `values`.
pub struct When {
    /// The header field holding the tag, as written.
    pub tag: Ident,
    pub values: Vec<Expr>,
    /// The `when` key.
    pub span: Span,
}

pub enum Mapping {
    Path(PathMap),
    Flags(FlagWord),
    Skip,
    /// `reserved`, with `path` when the padding exists on the live side too (restore zeroes it).
    Reserved(Option<Place>),
    /// `CrLayout`: a field of the image, copied nowhere.
    Data,
    /// `CrLayout`: a nested header (or an array of them) of the image.
    NestedData,
    /// The field's attributes are in error (already reported): no mapping could be built.
    Unknown,
}

pub struct PathMap {
    pub place: Place,
    pub mode: Mode,
    pub mask: Option<Mask>,
    pub save_only: bool,
    /// `flag(bit = N, name = "X")` beside `path`: the copied word's bits have names, and restore
    /// refuses the others.
    pub named: Option<FlagWord>,
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
    /// The `bool` place; `None` in a `CrLayout` header, which has no live side.
    pub place: Option<Place>,
    /// The flag's name in the layout table: UPPER_SNAKE of `name = "..."` or of the place's leaf.
    pub name: String,
    /// Where the name comes from: `name = "..."`, or the path.
    pub name_span: Span,
    /// The flag's associated constant, `<FIELD>_<NAME>`.
    pub constant: GeneratedName,
}

impl Field<'_> {
    /// The field's flag word: a word of flags, or the named bits of a copied word.
    pub fn flag_word(&self) -> Option<&FlagWord> {
        match &self.mapping {
            Mapping::Flags(word) => Some(word),
            Mapping::Path(PathMap { named: Some(word), .. }) => Some(word),
            _ => None,
        }
    }
}

impl FlagMap {
    /// How messages name the flag: its place, or in a `CrLayout` header its name.
    pub fn label(&self) -> &str {
        match &self.place {
            Some(place) => &place.text,
            None => &self.name,
        }
    }
}

impl Header<'_> {
    /// Every live place a mapping reaches, with the header field that maps it.
    pub fn mapped_places(&self) -> Vec<(&Place, &str)> {
        let mut out = Vec::new();
        for field in &self.fields {
            match &field.mapping {
                Mapping::Path(p) => out.push((&p.place, field.name.as_str())),
                Mapping::Flags(word) => out.extend(
                    word.flags
                        .iter()
                        .filter_map(|f| Some((f.place.as_ref()?, field.name.as_str()))),
                ),
                Mapping::Reserved(Some(place)) => out.push((place, field.name.as_str())),
                Mapping::Skip | Mapping::Reserved(None) | Mapping::Data | Mapping::NestedData | Mapping::Unknown => {}
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// The rules of one header's keys: one row per key, matched exhaustively, so a new key is a
// compile error here until its row is written.
// ---------------------------------------------------------------------------------------------

/// What a field key is to one derive.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Selects the field's mapping: a field has at most one (a `CrCopy` field exactly one).
    Mapping,
    /// Modifies a `path` mapping.
    Modifier,
    /// Goes with any mapping (`since`, `default`; `when` in a `CrLayout` header).
    Any,
    /// Not a key of this derive: it is about the live side, which a `CrLayout` header has none of.
    Refused,
}

/// One field key's row: its kind in each derive, and the keys before it in `FieldKey::ALL` that
/// it cannot go with (reported on this key, with why).
struct Rule {
    live: Kind,
    image: Kind,
    conflicts: &'static [(FieldKey, &'static str)],
}

impl Rule {
    fn kind(&self, derive: Derive) -> Kind {
        match derive {
            Derive::CrCopy => self.live,
            Derive::CrLayout => self.image,
        }
    }
}

const MASK_ON_BITS: &str = "a mask applies to an integer copied as is; drop `bits` or the mask";
const MASK_ON_CONVERT: &str = "a mask applies to an integer copied as is; drop `convert` or the mask";
const NESTED_WHOLE: &str = "a nested header is copied and checked by its own mappings; \
     put the modifier on the nested header's field instead";
const NAMED_BITS: &str = "`flag` beside `path` names the bits of a word copied as is; drop one of them";
const PADDING: &str = "a `reserved` place is padding, saved as zero and zeroed by restore; drop one of them";
const NEVER_RESTORED: &str = "a `save_only` field is never restored, so a restore mask has no effect";

impl FieldKey {
    /// The key's row of rules.
    const fn rule(self) -> Rule {
        use Kind::{Any, Mapping, Modifier, Refused};
        const fn row(live: Kind, image: Kind, conflicts: &'static [(FieldKey, &'static str)]) -> Rule {
            Rule { live, image, conflicts }
        }
        match self {
            FieldKey::Path => row(Mapping, Refused, &[]),
            FieldKey::Flag => row(Mapping, Mapping, &[]),
            FieldKey::Skip => row(Mapping, Refused, &[]),
            FieldKey::Reserved => row(Mapping, Mapping, &[]),
            FieldKey::Bits => row(
                Modifier,
                Refused,
                &[(FieldKey::Flag, NAMED_BITS), (FieldKey::Reserved, PADDING)],
            ),
            FieldKey::Convert => row(
                Modifier,
                Refused,
                &[(
                    FieldKey::Bits,
                    "`bits` reinterprets bytes, `convert` converts values: pick one",
                )],
            ),
            FieldKey::Mask => row(
                Modifier,
                Refused,
                &[
                    (FieldKey::Bits, MASK_ON_BITS),
                    (FieldKey::Convert, MASK_ON_CONVERT),
                    (FieldKey::Flag, NAMED_BITS),
                    (FieldKey::Reserved, PADDING),
                ],
            ),
            FieldKey::StrictMask => row(
                Modifier,
                Refused,
                &[
                    (
                        FieldKey::Mask,
                        "`mask` keeps live bits outside the mask, `strict_mask` rejects them: pick one",
                    ),
                    (FieldKey::Bits, MASK_ON_BITS),
                    (FieldKey::Convert, MASK_ON_CONVERT),
                    (FieldKey::Flag, NAMED_BITS),
                    (FieldKey::Reserved, PADDING),
                ],
            ),
            FieldKey::SaveOnly => row(
                Modifier,
                Refused,
                &[
                    (FieldKey::Mask, NEVER_RESTORED),
                    (FieldKey::StrictMask, NEVER_RESTORED),
                    (FieldKey::Reserved, PADDING),
                ],
            ),
            // In a `CrLayout` header, `nested` says what the field's bytes are: a mapping of its own.
            FieldKey::Nested => row(
                Modifier,
                Mapping,
                &[
                    (FieldKey::Bits, NESTED_WHOLE),
                    (FieldKey::Convert, NESTED_WHOLE),
                    (FieldKey::Mask, NESTED_WHOLE),
                    (FieldKey::StrictMask, NESTED_WHOLE),
                    (FieldKey::SaveOnly, NESTED_WHOLE),
                    (FieldKey::Flag, NESTED_WHOLE),
                    (FieldKey::Reserved, NESTED_WHOLE),
                ],
            ),
            // A tagged variant: a place in a `CrCopy` header, data or a nested header in a
            // `CrLayout` one (which the image side describes the same way).
            FieldKey::When => row(
                Modifier,
                Any,
                &[(
                    FieldKey::SaveOnly,
                    "a tagged variant is checked and written by its tag; a `save_only` field is never restored",
                )],
            ),
            FieldKey::Since => row(Any, Any, &[]),
            FieldKey::Default => row(Any, Any, &[]),
        }
    }
}

impl StructKey {
    /// A key about the live side, which a `CrLayout` header refuses.
    const fn live_only(self) -> bool {
        match self {
            StructKey::Target
            | StructKey::Validate
            | StructKey::AfterRestore
            | StructKey::Cover
            | StructKey::Ignore
            | StructKey::Union => true,
            StructKey::Crate
            | StructKey::Record
            | StructKey::Version
            | StructKey::Prev
            | StructKey::Upgrade
            | StructKey::Dropped
            | StructKey::Fingerprint
            | StructKey::Optional => false,
        }
    }
}

/// What `key` is among `raw`'s keys: its row's kind, except that beside `path` in a `CrCopy`
/// header, `flag` names the copied word's bits and `reserved` says the live place is padding: both
/// modify the `path` then.
fn kind_of(key: FieldKey, raw: &FieldAttrs, derive: Derive) -> Kind {
    match (derive, key) {
        (Derive::CrCopy, FieldKey::Flag | FieldKey::Reserved) if raw.has(FieldKey::Path) => Kind::Modifier,
        _ => key.rule().kind(derive),
    }
}

/// The keys of `raw` of `kind` in `derive`, in the rules' order, with their spans.
fn keys_of(raw: &FieldAttrs, derive: Derive, kind: Kind) -> Vec<(FieldKey, Span)> {
    FieldKey::ALL
        .iter()
        .filter(|key| kind_of(**key, raw, derive) == kind)
        .filter_map(|key| Some((*key, raw.span_of(*key)?)))
        .collect()
}

/// The rules on one field's keys: keys the derive refuses, at most one mapping (exactly one in
/// a `CrCopy` header), modifiers only with `path`, no conflicting pair. Each mistake is reported
/// on the key that makes it one.
fn check_keys(cx: &mut FieldCtxt, raw: &FieldAttrs, derive: Derive) {
    for (key, span) in keys_of(raw, derive, Kind::Refused) {
        cx.error(
            span,
            format!("`{key}` is about the live side, and a `CrLayout` header has none: drop it"),
        );
    }
    let mappings = keys_of(raw, derive, Kind::Mapping);
    if !raw.has(FieldKey::Path) {
        for (key, span) in keys_of(raw, derive, Kind::Modifier) {
            match mappings.first() {
                Some((other, _)) => cx.error(
                    span,
                    format!("`{key}` modifies a `path` mapping, not `{other}`: drop `{key}`, or map the field with `path = \"...\"` instead"),
                ),
                None => cx.error(span, format!("`{key}` modifies a `path` mapping; add `path = \"...\"`")),
            }
        }
    }
    if let Some((first, _)) = mappings.first() {
        for (other, span) in &mappings[1..] {
            let why = match derive {
                Derive::CrCopy => {
                    let all: Vec<String> = FieldKey::ALL
                        .iter()
                        .filter(|key| key.rule().live == Kind::Mapping)
                        .map(|key| format!("`{key}`"))
                        .collect();
                    let (last, init) = all.split_last().expect("mapping keys");
                    format!("; a field has exactly one of {} or {last}", init.join(", "))
                }
                Derive::CrLayout => ": a field is data, flags, reserved or nested; keep one of them".to_string(),
            };
            cx.error(*span, format!("`{other}` conflicts with `{first}`{why}"));
        }
    }
    for key in FieldKey::ALL {
        let Some(span) = raw.span_of(*key) else { continue };
        if kind_of(*key, raw, derive) == Kind::Refused {
            continue;
        }
        for (other, why) in key.rule().conflicts {
            // Without `path`, `flag` and `reserved` are mappings, and a modifier beside them is
            // reported as needing `path` already.
            let mapping =
                matches!(other, FieldKey::Flag | FieldKey::Reserved) && kind_of(*other, raw, derive) != Kind::Modifier;
            if raw.has(*other) && !mapping {
                cx.error(span, format!("`{key}` conflicts with `{other}`: {why}"));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Building the model.
// ---------------------------------------------------------------------------------------------

/// Builds the model, reporting every problem it can find; `None` if the input is not even a
/// struct with named fields, or a `CrCopy` header has no target.
pub fn build<'a>(cx: &mut Ctxt, input: &'a DeriveInput, derive: Derive) -> Option<Header<'a>> {
    let container = attr::parse_container(cx, &input.attrs);
    let named = named_fields(cx, input, derive);
    if let Some(param) = input.generics.params.first() {
        let advice = match derive {
            Derive::CrCopy => "; put lifetimes on the target instead (`target = TaskView<'_>`)",
            Derive::CrLayout => "",
        };
        cx.error(
            param.span(),
            format!(
                "an image header has one fixed layout, so `{}` does not take generic parameters{advice}",
                derive.name()
            ),
        );
    }
    let side = side(cx, input, &container, derive);
    let evolution = evolution(cx, &container);
    let fields: Vec<Field> = named?
        .into_iter()
        .map(|f| build_field(cx, f, derive, &evolution))
        .collect();
    let krate = container
        .krate
        .map(|k| k.value)
        .unwrap_or_else(|| syn::parse_quote!(::cr_core));
    if let Some(record) = &container.record {
        check_record(cx, input, record);
    }
    let mut side = side?;
    if let Side::Live(live) = &mut side {
        add_variant_unions(live, &fields);
    }
    Some(Header {
        ident: &input.ident,
        krate,
        fields,
        record: container.record.map(|k| k.value),
        evolution,
        generic: !input.generics.params.is_empty(),
        packed: repr_packed(input),
        side,
    })
}

/// A tagged variant is a member of a union: the place that holds it is one, declared or not.
fn add_variant_unions(live: &mut Live, fields: &[Field]) {
    for field in fields {
        let (Some(_), Mapping::Path(p)) = (&field.when, &field.mapping) else {
            continue;
        };
        if let Some(parent) = p.place.parent() {
            if !live.unions.iter().any(|u| u.segments == parent.segments) {
                live.unions.push(parent);
            }
        }
    }
}

/// The live side of a `CrCopy` header (`None`, reported, without a target); for a `CrLayout`
/// header, the refusal of every key about a live side.
fn side(cx: &mut Ctxt, input: &DeriveInput, c: &ContainerAttrs, derive: Derive) -> Option<Side> {
    if derive == Derive::CrLayout {
        for (key, span) in c.given.iter().filter(|(key, _)| key.live_only()) {
            cx.error(
                span,
                format!(
                    "`{key}` is about the live side, and a `CrLayout` header has none: drop it (derive `CrCopy` for a header with a target)"
                ),
            );
        }
        return Some(Side::Image);
    }
    let covers = c
        .covers
        .iter()
        .filter_map(|(ty, lit)| {
            let place = report(cx, Place::parse_cover(lit))?;
            Some(Cover { ty: ty.clone(), place })
        })
        .collect();
    let ignores = c
        .ignores
        .iter()
        .filter_map(|lit| report(cx, Place::parse(lit)))
        .collect();
    let unions = c
        .unions
        .iter()
        .filter_map(|lit| report(cx, Place::parse_cover(lit)))
        .collect();
    let Some(target) = &c.target else {
        cx.error(
            input.ident.span(),
            format!(
                "missing `#[cr(target = Type)]` on `{}`: name the live type that every `path` starts from",
                input.ident
            ),
        );
        return None;
    };
    Some(Side::Live(Box::new(Live {
        target: target.value.clone(),
        validate: c.validate.as_ref().map(|k| k.value.clone()),
        after_restore: c.after_restore.as_ref().map(|k| k.value.clone()),
        covers,
        ignores,
        unions,
    })))
}

/// The evolution keys, each checked against the ones it needs.
fn evolution(cx: &mut Ctxt, c: &ContainerAttrs) -> Evolution {
    let version = c.version.as_ref().and_then(|k| match k.value.base10_parse::<u16>() {
        Ok(v) if v >= 1 => Some((u32::from(v), k.span)),
        _ => {
            cx.error(
                k.value.span(),
                "a record version is a number from 1 to 65535 (an image holds it in 16 bits)",
            );
            None
        }
    });
    if let (Some(k), None) = (&c.version, &c.record) {
        cx.error(k.span, "`version` is a record's version: add `record = N`");
    }
    if let (Some(k), None) = (&c.optional, &c.record) {
        cx.error(k.span, "`optional` says a record may be skipped: add `record = N`");
    }
    let prev = c.prev.as_ref().map(|k| (k.value.clone(), k.span));
    if let Some((_, span)) = &prev {
        match version {
            Some((v, _)) if v >= 2 => {}
            _ => cx.error(
                *span,
                "`prev` names the version before this one: give this header `version = N` with N >= 2",
            ),
        }
    }
    if let (Some(k), None) = (&c.upgrade, &prev) {
        cx.error(k.span, "`upgrade` is the step from `prev`: add `prev = Type`");
    }
    if let Some(lit) = c.dropped.first() {
        if prev.is_none() {
            cx.error(lit.span(), "`dropped` names fields of `prev`: add `prev = Type`");
        } else if c.upgrade.is_some() {
            cx.error(
                lit.span(),
                "`dropped` is for the derived upgrade; with `upgrade = path` your function decides what becomes of each field",
            );
        }
    }
    let pin = c
        .fingerprint
        .as_ref()
        .and_then(|k| match k.value.base10_parse::<u64>() {
            Ok(v) => Some((v, k.span)),
            Err(_) => {
                cx.error(
                    k.value.span(),
                    "a fingerprint is a `u64`, e.g. `fingerprint = 0x1c7f_4c92_8089_8dcf`",
                );
                None
            }
        });
    Evolution {
        version,
        prev,
        upgrade: c.upgrade.as_ref().map(|k| k.value.clone()),
        dropped: c.dropped.clone(),
        pin,
        optional: c.optional.is_some(),
    }
}

fn named_fields<'a>(cx: &mut Ctxt, input: &'a DeriveInput, derive: Derive) -> Option<Vec<&'a syn::Field>> {
    let derive = derive.name();
    match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => Some(named.named.iter().collect()),
            Fields::Unit => Some(Vec::new()),
            Fields::Unnamed(_) => {
                cx.error(
                    input.ident.span(),
                    format!("`{derive}` needs a struct with named fields: each header field is named in errors and constants"),
                );
                None
            }
        },
        Data::Enum(e) => {
            cx.error(
                e.enum_token.span,
                format!("`{derive}` can only be derived for a struct with named fields, not an enum"),
            );
            None
        }
        Data::Union(u) => {
            cx.error(
                u.union_token.span,
                format!("`{derive}` can only be derived for a struct with named fields, not a union"),
            );
            None
        }
    }
}

/// Reports a parse error at its span, keeping the value otherwise.
fn report<T>(cx: &mut impl Report, parsed: Result<T, (Span, String)>) -> Option<T> {
    parsed.map_err(|(span, msg)| cx.error(span, msg)).ok()
}

fn build_field<'a>(cx: &mut Ctxt, f: &'a syn::Field, derive: Derive, evolution: &Evolution) -> Field<'a> {
    let ident = f.ident.as_ref().expect("named field");
    let name = ident::unraw(&ident.to_string()).to_string();
    let mut fcx = cx.field(&name);
    let raw = attr::parse_field(&mut fcx, &f.attrs);
    let span = raw.attr_span.unwrap_or_else(|| ident.span());
    let since = since(&mut fcx, &raw, evolution);
    // A field whose attribute did not parse, or that has only modifiers, is reported for that;
    // "no mapping" would only repeat it. (A `CrLayout` field without one is data.)
    let maps = [Kind::Mapping, Kind::Modifier]
        .into_iter()
        .any(|kind| !keys_of(&raw, derive, kind).is_empty());
    if derive == Derive::CrCopy && !maps && !raw.had_error {
        fcx.error(
            ident.span(),
            "no mapping; add `#[cr(path = \"...\")]` (a place in the target), \
             `#[cr(flag(bit = N, path = \"...\"))]`, `#[cr(skip)]` or `#[cr(reserved)]`",
        );
    }
    check_keys(&mut fcx, &raw, derive);
    let when = raw.when.as_ref().map(|k| When {
        tag: k.value.tag.clone(),
        values: k.value.values.clone(),
        span: k.span,
    });
    let mapping = match derive {
        Derive::CrCopy => build_mapping(&mut fcx, &name, span, &f.ty, raw),
        Derive::CrLayout => build_image_field(&mut fcx, &name, span, &f.ty, raw),
    };
    Field {
        ident,
        name,
        ty: &f.ty,
        span,
        mapping,
        since,
        when,
    }
}

/// `since = N` and `default = EXPR`: a field new in this version, with its value after an upgrade.
fn since(cx: &mut FieldCtxt, raw: &FieldAttrs, evolution: &Evolution) -> Option<Since> {
    if let (Some(default), None) = (&raw.default, &raw.since) {
        cx.error(
            default.span,
            "`default` is the value of a new field: mark the field `since = N`",
        );
    }
    let key = raw.since.as_ref()?;
    let Ok(version) = key.value.base10_parse::<u32>() else {
        cx.error(
            key.value.span(),
            "`since` takes the version that added the field, e.g. `since = 2`",
        );
        return None;
    };
    match (&evolution.prev, evolution.version) {
        (None, _) => cx.error(
            key.span,
            "`since` marks a field added after the first version: the header needs `prev = Type` (and `version = N`)",
        ),
        (Some(_), Some((v, _))) if v != version => cx.error(
            key.value.span(),
            format!(
                "`since = {version}`, but this header is version {v}: a field new in this version has `since = {v}`"
            ),
        ),
        _ => {}
    }
    if let (Some(default), Some(_)) = (&raw.default, &evolution.upgrade) {
        cx.error(
            default.span,
            "`default` is for the derived upgrade; with `upgrade = path` your function sets the new field",
        );
    }
    Some(Since {
        span: key.span,
        default: raw.default.as_ref().map(|k| k.value.clone()),
    })
}

/// A field of a `CrLayout` header: plain data, flags with names, reserved bytes or a nested header.
fn build_image_field(cx: &mut FieldCtxt, name: &str, span: Span, ty: &Type, raw: FieldAttrs) -> Mapping {
    if raw.had_error {
        return Mapping::Unknown;
    }
    if let (Some(when), Some(other)) = (
        raw.span_of(FieldKey::When),
        [FieldKey::Flag, FieldKey::Reserved].into_iter().find(|k| raw.has(*k)),
    ) {
        cx.error(
            when,
            format!("`when` makes the field a tagged variant, which is data or a nested header, not `{other}`: drop one of them"),
        );
    }
    if !raw.flags.is_empty() {
        return flag_word(cx, name, span, ty, &raw, FlagSide::Image);
    }
    if raw.has(FieldKey::Reserved) {
        return Mapping::Reserved(None);
    }
    if raw.has(FieldKey::Nested) {
        return Mapping::NestedData;
    }
    Mapping::Data
}

/// What a `flag(...)` names: a live place (a `CrCopy` flag word), or only a bit (a `CrLayout`
/// header's flag word, or the named bits of a word a `path` copies).
#[derive(Clone, Copy, PartialEq, Eq)]
enum FlagSide {
    Place,
    Image,
    Named,
}

fn flag_word(cx: &mut FieldCtxt, name: &str, span: Span, ty: &Type, raw: &FieldAttrs, side: FlagSide) -> Mapping {
    let field = ident::upper_snake(name);
    let flags = raw
        .flags
        .iter()
        .filter_map(|f| build_flag(cx, &field, f, side))
        .collect();
    Mapping::Flags(FlagWord {
        word: word_type(ty),
        all: GeneratedName::new(format!("{field}_ALL"), span),
        flags,
    })
}

fn build_mapping(cx: &mut FieldCtxt, name: &str, span: Span, ty: &Type, raw: FieldAttrs) -> Mapping {
    if let Some(Key { value: lit, .. }) = &raw.path {
        let Some(place) = report(cx, Place::parse(lit)) else {
            return Mapping::Unknown;
        };
        if raw.has(FieldKey::Reserved) {
            return Mapping::Reserved(Some(place));
        }
        let named = match raw.flags.is_empty() {
            true => None,
            false => match flag_word(cx, name, span, ty, &raw, FlagSide::Named) {
                Mapping::Flags(word) => Some(word),
                _ => None,
            },
        };
        let mode = if raw.has(FieldKey::Nested) {
            Mode::Nested
        } else if raw.has(FieldKey::Bits) {
            Mode::Bits
        } else if raw.has(FieldKey::Convert) {
            Mode::Convert
        } else {
            Mode::Copy
        };
        let save_only = raw.has(FieldKey::SaveOnly);
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
            named,
        });
    }
    if !raw.flags.is_empty() {
        return flag_word(cx, name, span, ty, &raw, FlagSide::Place);
    }
    if raw.has(FieldKey::Skip) {
        return Mapping::Skip;
    }
    if raw.has(FieldKey::Reserved) {
        return Mapping::Reserved(None);
    }
    Mapping::Unknown
}

fn build_flag(cx: &mut FieldCtxt, field: &str, f: &RawFlag, side: FlagSide) -> Option<FlagMap> {
    let bit = match &f.bit {
        Some(Key { value: lit, .. }) => match lit.base10_parse::<u32>() {
            Ok(bit) => Some((bit, lit.span())),
            Err(_) => {
                cx.error(lit.span(), "a flag bit is a small non-negative integer, e.g. `bit = 3`");
                None
            }
        },
        None => {
            cx.error(f.span, "`flag(...)` needs `bit = N`");
            None
        }
    };
    // A `CrCopy` flag maps a `bool` place; a `CrLayout` flag has no live side, only its name, and
    // a named bit of a copied word is only a name too.
    let place = match (side, &f.path) {
        (FlagSide::Place, Some(Key { value: lit, .. })) => Some(report(cx, Place::parse(lit))?),
        (FlagSide::Place, None) => {
            cx.error(f.span, "`flag(...)` needs `path = \"...\"`, the `bool` it maps to");
            return None;
        }
        (FlagSide::Image, Some(Key { value: lit, .. })) => {
            cx.error(
                lit.span(),
                "a `CrLayout` flag has no live place: write `flag(bit = N, name = \"X\")`",
            );
            return None;
        }
        (FlagSide::Named, Some(Key { value: lit, .. })) => {
            cx.error(
                lit.span(),
                "beside `path`, `flag(...)` names a bit of the copied word and has no place of its own: write `flag(bit = N, name = \"X\")`",
            );
            return None;
        }
        (FlagSide::Image | FlagSide::Named, None) => None,
    };
    let (bit, bit_span) = bit?;
    let (name, name_span) = match (&f.name, &place) {
        (Some(Key { value: lit, .. }), _) => (ident::upper_snake(&lit.value()), lit.span()),
        (None, Some(place)) => (ident::upper_snake(&place.leaf()), place.span),
        (None, None) => {
            let what = match side {
                FlagSide::Named => "a named bit of a copied word",
                _ => "a `CrLayout` flag",
            };
            cx.error(f.span, format!("{what} is known by its name: add `name = \"X\"`"));
            return None;
        }
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
    /// A type that is no flag word (`bool`, a signed integer, `usize`, an array, ...).
    Wrong {
        /// The type as messages show it.
        shown: String,
        /// `usize` or `isize`, whose width changes with the target.
        pointer_sized: bool,
    },
    /// Another path, such as an alias: the type system checks it (`__private::FlagWord`, and a
    /// compile-time assertion that each bit fits).
    Unknown,
}

/// A flag word's type from its structure: a primitive, written bare or through
/// `core::primitive`/`std::primitive`, or anything else. `usize` is not a flag word: an image's
/// flag word must not change width with the target.
fn word_type(ty: &Type) -> WordType {
    let Type::Path(p) = ty else {
        return WordType::Wrong {
            shown: quote::ToTokens::to_token_stream(ty).to_string(),
            pointer_sized: false,
        };
    };
    let segments: Vec<&Ident> = p.path.segments.iter().map(|s| &s.ident).collect();
    let primitive = match segments.as_slice() {
        [name] => *name,
        [krate, module, name] if (*krate == "core" || *krate == "std") && *module == "primitive" => *name,
        _ => return WordType::Unknown,
    };
    const WRONG: &[&str] = &[
        "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize", "bool", "char", "f32", "f64",
    ];
    let text = primitive.to_string();
    match text.as_str() {
        "u8" => WordType::Width(8),
        "u16" => WordType::Width(16),
        "u32" => WordType::Width(32),
        "u64" => WordType::Width(64),
        wrong if WRONG.contains(&wrong) && p.qself.is_none() => WordType::Wrong {
            pointer_sized: matches!(wrong, "usize" | "isize"),
            shown: text.clone(),
        },
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

/// Whether a `#[repr]` says `packed` (or `packed(N)`).
fn repr_packed(input: &DeriveInput) -> bool {
    let mut packed = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("repr")) {
        let _ = attr.parse_nested_meta(|meta| {
            packed |= meta.path.is_ident("packed");
            if meta.input.peek(syn::token::Paren) {
                let _: proc_macro2::TokenTree = meta.input.parse()?;
            }
            Ok(())
        });
    }
    packed
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
