//! A place in the live object, parsed once from a path string (`"a.b[2].c"`) into typed
//! segments with the string's span. Codegen renders places from here and never re-parses text.

use crate::ident::{self, IdentKind};
use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::{quote_spanned, ToTokens, TokenStreamExt};
use syn::LitStr;

#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Segment {
    /// `.name` or `.r#name`, held without the raw prefix (`r#type` is `type`).
    Field(String),
    /// `.0` on a tuple struct.
    Tuple(u32),
    /// `[N]` on an array.
    Index(usize),
    /// `.name()`, the last segment only: an accessor (a bindgen bitfield's getter `name()` and
    /// setter `set_name(v)`), held without the parentheses.
    Call(String),
}

#[derive(Clone)]
pub struct Place {
    pub segments: Vec<Segment>,
    /// The path as the user wrote it, for messages and error values.
    pub text: String,
    pub span: Span,
}

impl Place {
    /// Parses the path of a mapping or an `ignore`: a place inside the target, never the root.
    /// The error (at the string) says what is malformed and what is expected.
    pub fn parse(lit: &LitStr) -> Result<Place, (Span, String)> {
        let place = Place::parse_cover(lit)?;
        if place.is_root() {
            return Err((
                lit.span(),
                "the path is empty: write the place in the target it maps to, e.g. `\"regs.psw.mask\"`".into(),
            ));
        }
        Ok(place)
    }

    /// Parses the place of a `cover`, which may be the root: `""` is the target itself.
    pub fn parse_cover(lit: &LitStr) -> Result<Place, (Span, String)> {
        let text = lit.value();
        let segments = parse_segments(&text).map_err(|msg| (lit.span(), msg))?;
        Ok(Place {
            segments,
            text,
            span: lit.span(),
        })
    }

    /// The target itself (`""`), which only a `cover` may name.
    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    /// Last named segment, for generated constant names: `a.b` is `b`, `a.0` is `F0`, `a.b[2]` is `b_2`.
    pub fn leaf(&self) -> String {
        let mut suffix = String::new();
        for seg in self.segments.iter().rev() {
            match seg {
                Segment::Field(name) | Segment::Call(name) => return format!("{name}{suffix}"),
                Segment::Tuple(i) => return format!("F{i}{suffix}"),
                Segment::Index(i) => suffix = format!("_{i}{suffix}"),
            }
        }
        suffix
    }

    /// True when this place lies strictly inside `outer` (`a.b` is below `a` and below the root).
    pub fn is_below(&self, outer: &Place) -> bool {
        self.segments.len() > outer.segments.len() && self.segments.starts_with(&outer.segments)
    }

    /// True when one place contains the other (or they are the same place).
    pub fn overlaps(&self, other: &Place) -> bool {
        let n = self.segments.len().min(other.segments.len());
        self.segments[..n] == other.segments[..n]
    }

    /// The place that holds this one (`a.b` for `a.b.c`, the root for `a`); `None` for the root.
    pub fn parent(&self) -> Option<Place> {
        let (_, segments) = self.segments.split_last()?;
        let cut = self.text.rfind(['.', '[']).unwrap_or(0);
        Some(Place {
            segments: segments.to_vec(),
            text: self.text[..cut].to_string(),
            span: self.span,
        })
    }

    /// Whether the last segment is an accessor (`name()`).
    pub fn is_call(&self) -> bool {
        matches!(self.segments.last(), Some(Segment::Call(_)))
    }

    /// The place read from `root` as an expression, every token located on the path string
    /// (the root keeps its own hygiene, so errors about the whole expression land on the path
    /// too). `through` says which places are unions, whose members are read from their bytes.
    pub fn render<'a>(&'a self, root: &'a Ident, through: &'a Through<'a>) -> Live<'a> {
        Live {
            place: self,
            root,
            through,
            element: None,
        }
    }
}

/// What rendering a place needs to know beyond its segments: the places the header declared to
/// be unions (every place inside one is reached through its bytes), and the header whose derive
/// reads them (the `H` of `cr_core::InitializedUnion<H>`).
pub struct Through<'a> {
    pub unions: &'a [Place],
    pub header: &'a Ident,
}

impl Through<'_> {
    fn is_union(&self, prefix: &[Segment]) -> bool {
        self.unions.iter().any(|u| u.segments == prefix)
    }

    /// Where the segment after `prefix` is a member of a declared union.
    fn enters_union(&self, segments: &[Segment], i: usize) -> bool {
        matches!(segments[i], Segment::Field(_) | Segment::Tuple(_)) && self.is_union(&segments[..i])
    }
}

/// A place rendered from a root binding: read as an expression (its `ToTokens`), or written
/// ([`Live::assign`]). Without unions it writes its tokens straight into the surrounding stream:
/// the derive builds thousands of these, and every intermediate token stream is a round trip to
/// the compiler.
pub struct Live<'a> {
    place: &'a Place,
    root: &'a Ident,
    through: &'a Through<'a>,
    /// A loop's index after the place (an element of a nested array).
    element: Option<&'a Ident>,
}

impl<'a> Live<'a> {
    /// The place's element `i` (a nested array field's loop).
    pub fn at(mut self, i: &'a Ident) -> Self {
        self.element = Some(i);
        self
    }

    fn span(&self) -> Span {
        self.place.span
    }

    fn root(&self) -> Ident {
        let mut root = self.root.clone();
        root.set_span(root.span().located_at(self.span()));
        root
    }

    /// `.name`, `.0`, `[2]` or `.name()` after an expression.
    fn segment(&self, seg: &Segment, tokens: &mut TokenStream) {
        let span = self.span();
        match seg {
            Segment::Index(i) => {
                let mut lit = Literal::usize_unsuffixed(*i);
                lit.set_span(span);
                tokens.append(bracket(TokenTree::from(lit), span));
            }
            Segment::Call(name) => {
                tokens.append(dot(span));
                tokens.append(Ident::new(name, span));
                let mut group = Group::new(Delimiter::Parenthesis, TokenStream::new());
                group.set_span(span);
                tokens.append(group);
            }
            member => {
                tokens.append(dot(span));
                tokens.extend(member.member(span));
            }
        }
    }

    fn element(&self, tokens: &mut TokenStream) {
        if let Some(i) = self.element {
            tokens.append(bracket(TokenTree::Ident(i.clone()), self.span()));
        }
    }

    /// The first `n` segments read as an expression: projections, and each member of a declared
    /// union read from the union's bytes (`__cr::union_of::<H, _>(&u).view().member(|__u| &raw
    /// const __u.m)`), which is safe Rust where a read of the union field is not.
    fn read(&self, n: usize) -> TokenStream {
        let span = self.span();
        let segments = &self.place.segments[..n];
        let mut expr = TokenStream::from(TokenTree::Ident(self.root()));
        for (i, seg) in segments.iter().enumerate() {
            if !self.through.enters_union(segments, i) {
                self.segment(seg, &mut expr);
                continue;
            }
            let cr = Ident::new("__cr", Span::call_site().located_at(span));
            let u = Ident::new("__u", Span::mixed_site());
            let header = self.through.header;
            let member = seg.member(span);
            let union = match i {
                0 => quote_spanned!(span=> &*#expr),
                _ => quote_spanned!(span=> &#expr),
            };
            expr = quote_spanned! {span=>
                #cr::union_of::<#header, _>(#union).view().member(|#u| &raw const #u.#member)
            };
        }
        expr
    }

    /// The first `n` segments as the target of an assignment: projections only. Assigning to a
    /// place inside a union is safe Rust (it reads nothing).
    fn target(&self, n: usize) -> TokenStream {
        let mut tokens = TokenStream::from(TokenTree::Ident(self.root()));
        for seg in &self.place.segments[..n] {
            self.segment(seg, &mut tokens);
        }
        tokens
    }

    /// The statement that writes `value` to the place: an assignment, or an accessor's setter
    /// (`set_name(value)`). A setter behind a union borrows the member, which Rust allows only
    /// through `unsafe`: the member is read as save reads it, set, and assigned back whole.
    pub fn assign(&self, value: TokenStream) -> TokenStream {
        let span = self.span();
        let segments = &self.place.segments;
        let Some(Segment::Call(name)) = segments.last() else {
            let mut target = self.target(segments.len());
            self.element(&mut target);
            return quote_spanned!(span=> #target = #value;);
        };
        let setter = Ident::new(&format!("set_{name}"), span);
        let last = segments.len() - 1;
        // The innermost union the accessor lies in: its member is segment `k`.
        let Some(k) = (0..last).rev().find(|k| self.through.enters_union(segments, *k)) else {
            let target = self.target(last);
            return quote_spanned!(span=> #target.#setter(#value););
        };
        let copy = Ident::new("__m", Span::mixed_site());
        let member = self.read(k + 1);
        let mut inner = TokenStream::from(TokenTree::Ident(copy.clone()));
        for seg in &segments[k + 1..last] {
            self.segment(seg, &mut inner);
        }
        let whole = self.target(k + 1);
        quote_spanned! {span=>
            {
                let mut #copy = #member;
                #inner.#setter(#value);
                #whole = #copy;
            }
        }
    }
}

impl ToTokens for Live<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let segments = &self.place.segments;
        let plain =
            self.through.unions.is_empty() || !(0..segments.len()).any(|i| self.through.enters_union(segments, i));
        if plain {
            tokens.append(self.root());
            for seg in segments {
                self.segment(seg, tokens);
            }
        } else {
            tokens.extend(self.read(segments.len()));
        }
        self.element(tokens);
    }
}

fn dot(span: Span) -> Punct {
    let mut dot = Punct::new('.', Spacing::Alone);
    dot.set_span(span);
    dot
}

fn bracket(inner: TokenTree, span: Span) -> Group {
    let mut group = Group::new(Delimiter::Bracket, TokenStream::from(inner));
    group.set_span(span);
    group
}

impl Segment {
    /// The segment as a struct member (`name`, `r#name` or `0`), for field access and patterns;
    /// `None` for an array index or an accessor.
    pub fn member(&self, span: Span) -> Option<TokenTree> {
        match self {
            Segment::Field(name) => Some(TokenTree::Ident(match ident::classify(name) {
                IdentKind::Keyword => Ident::new_raw(name, span),
                IdentKind::Plain | IdentKind::Invalid => Ident::new(name, span),
            })),
            Segment::Tuple(i) => {
                let mut index = Literal::u32_unsuffixed(*i);
                index.set_span(span);
                Some(TokenTree::Literal(index))
            }
            Segment::Index(_) | Segment::Call(_) => None,
        }
    }
}

fn parse_segments(text: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut rest = text;
    let mut first = true;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            if first {
                return Err(malformed(text, "a path starts with a field name, not an index"));
            }
            let end = after
                .find(']')
                .ok_or_else(|| malformed(text, "`[` without a closing `]`"))?;
            let digits = &after[..end];
            let index = digits
                .parse::<usize>()
                .ok()
                .filter(|_| digits.chars().all(|c| c.is_ascii_digit()))
                .ok_or_else(|| {
                    malformed(
                        text,
                        &format!("`[{digits}]` is not a constant index; write a decimal number such as `[2]`"),
                    )
                })?;
            segments.push(Segment::Index(index));
            rest = &after[end + 1..];
            continue;
        }
        if !first {
            rest = rest
                .strip_prefix('.')
                .ok_or_else(|| malformed(text, "expected `.` or `[` between segments"))?;
        }
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let name = &rest[..end];
        rest = &rest[end..];
        first = false;
        if let Some(accessor) = name.strip_suffix("()") {
            if !rest.is_empty() {
                return Err(malformed(
                    text,
                    &format!("`{name}` calls an accessor, which only the last segment may (its getter reads the place, `set_{}(v)` writes it)", ident::unraw(accessor)),
                ));
            }
            let Segment::Field(accessor) = parse_name(text, accessor)? else {
                return Err(malformed(text, &format!("`{name}` is not an accessor name")));
            };
            segments.push(Segment::Call(accessor));
            break;
        }
        segments.push(parse_name(text, name)?);
    }
    Ok(segments)
}

fn parse_name(text: &str, name: &str) -> Result<Segment, String> {
    if name.is_empty() {
        return Err(malformed(
            text,
            "empty segment (two dots, or a dot at the start or end)",
        ));
    }
    if name.chars().all(|c| c.is_ascii_digit()) {
        return name
            .parse::<u32>()
            .map(Segment::Tuple)
            .map_err(|_| malformed(text, &format!("`{name}` is not a tuple field index")));
    }
    let bare = ident::unraw(name);
    match ident::classify(bare) {
        IdentKind::Plain => Ok(Segment::Field(bare.to_string())),
        // Path keywords name no field and have no raw form.
        IdentKind::Keyword if matches!(bare, "self" | "Self" | "super" | "crate") => {
            Err(malformed(text, &format!("`{name}` is not a field name")))
        }
        IdentKind::Keyword if bare != name => Ok(Segment::Field(bare.to_string())),
        IdentKind::Keyword => Err(malformed(
            text,
            &format!("`{name}` is a keyword; write it as `r#{name}`"),
        )),
        IdentKind::Invalid => Err(malformed(text, &format!("`{name}` is not a field name"))),
    }
}

fn malformed(text: &str, why: &str) -> String {
    format!("malformed path \"{text}\": {why}; a path is field names separated by `.`, with constant indexes such as `[2]` and an accessor `name()` last, e.g. \"thread.acrs[3]\" or \"per_info.single_step()\"")
}
