//! A place in the live object, parsed once from a path string (`"a.b[2].c"`) into typed
//! segments with the string's span. Codegen renders places from here and never re-parses text.

use crate::ident::{self, IdentKind};
use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens, TokenStreamExt};
use syn::LitStr;

#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Segment {
    /// `.name` or `.r#name`, held without the raw prefix (`r#type` is `type`).
    Field(String),
    /// `.0` on a tuple struct.
    Tuple(u32),
    /// `[N]` on an array.
    Index(usize),
    /// `[start..end]`, the last segment only: the bytes `start..end` of a byte-array place (a register
    /// page), read and written as the header field's type.
    Range { start: usize, end: usize },
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
                Segment::Range { start, .. } => suffix = format!("_{start:x}{suffix}"),
            }
        }
        suffix
    }

    /// True when this place lies strictly inside `outer` (`a.b` is below `a` and below the root).
    pub fn is_below(&self, outer: &Place) -> bool {
        self.segments.len() > outer.segments.len() && self.segments.starts_with(&outer.segments)
    }

    /// True when one place contains the other (or they are the same place). Two byte ranges of
    /// one page overlap when their bytes do, and so do a range and an index of the same array.
    pub fn overlaps(&self, other: &Place) -> bool {
        let n = self.segments.len().min(other.segments.len());
        let (a, b) = (&self.segments[..n], &other.segments[..n]);
        match (a.split_last(), b.split_last()) {
            (Some((x, pa)), Some((y, pb))) if pa == pb => match (bytes(x), bytes(y)) {
                (Some((s1, e1)), Some((s2, e2))) => s1 < e2 && s2 < e1,
                _ => x == y,
            },
            _ => a == b,
        }
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

    /// Whether the last segment is a byte range (`[0x20..0x24]`).
    pub fn is_range(&self) -> bool {
        matches!(self.segments.last(), Some(Segment::Range { .. }))
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
            ty: None,
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
    /// Whether `place` lies inside one of the unions.
    pub fn reaches(&self, place: &Place) -> bool {
        (0..place.segments.len()).any(|i| self.enters_union(&place.segments, i))
    }

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
    /// The value's type, for a byte range (the header field's: a range has no type of its own).
    ty: Option<&'a syn::Type>,
}

impl<'a> Live<'a> {
    /// The place read as a value of `ty` (the header field's type): what a byte range holds.
    pub fn typed(mut self, ty: &'a syn::Type) -> Self {
        self.ty = Some(ty);
        self
    }

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
            // A byte range wraps the expression before it (`__cr::page_get(&page, start)`): `read`
            // and `assign` render it.
            Segment::Range { .. } => {}
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

    /// The steps from the root: the segments, then the loop's element if there is one.
    fn steps(&self) -> Vec<Step<'a>> {
        let mut steps: Vec<Step<'a>> = self.place.segments.iter().map(Step::Segment).collect();
        steps.extend(self.element.map(Step::Element));
        steps
    }

    fn step(&self, step: &Step, tokens: &mut TokenStream) {
        match step {
            Step::Segment(seg) => self.segment(seg, tokens),
            Step::Element(i) => tokens.append(bracket(TokenTree::Ident((*i).clone()), self.span())),
        }
    }

    /// Whether step `i` is a member of a declared union (the steps before it are one).
    fn enters_union(&self, i: usize) -> bool {
        i < self.place.segments.len() && self.through.enters_union(&self.place.segments, i)
    }

    /// Steps `from..to` read as an expression from `root`: projections, and each member of a
    /// declared union read from the union's bytes (`__cr::union_of::<H, _>(&u).view().member(|__u|
    /// &raw const __u.m)`), which is safe Rust where a read of the union field is not.
    fn read(&self, root: TokenStream, from: usize, to: usize) -> TokenStream {
        let span = self.span();
        let steps = self.steps();
        let mut expr = root;
        for (i, step) in steps.iter().enumerate().take(to).skip(from) {
            if let Step::Segment(Segment::Range { start, .. }) = step {
                let cr = Ident::new("__cr", Span::call_site().located_at(span));
                let start = Literal::usize_unsuffixed(*start);
                let ty = match self.ty {
                    Some(ty) => quote!(#ty),
                    None => quote!(_),
                };
                expr = quote_spanned!(span=> #cr::page_get::<_, #ty>(&#expr, #start));
                continue;
            }
            if !self.enters_union(i) {
                self.step(step, &mut expr);
                continue;
            }
            let cr = Ident::new("__cr", Span::call_site().located_at(span));
            let u = Ident::new("__u", Span::mixed_site());
            let header = self.through.header;
            let member = match step {
                Step::Segment(seg) => seg.member(span),
                Step::Element(_) => None,
            };
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

    /// Steps `from..to` after `root` as the target of an assignment: projections only.
    fn target(&self, root: TokenStream, from: usize, to: usize) -> TokenStream {
        let mut tokens = root;
        for step in &self.steps()[from..to] {
            self.step(step, &mut tokens);
        }
        tokens
    }

    fn root_tokens(&self) -> TokenStream {
        TokenStream::from(TokenTree::Ident(self.root()))
    }

    /// The statement that writes `value` to the place: an assignment, or an accessor's setter
    /// (`set_name(value)`). Assigning through a union field is safe Rust, but borrowing one (a
    /// setter's `&mut self`) or indexing behind one is not: there the union's member is read as
    /// save reads it, written, and assigned back whole.
    pub fn assign(&self, value: TokenStream) -> TokenStream {
        self.assign_from(self.root_tokens(), 0, value, 0)
    }

    fn assign_from(&self, root: TokenStream, from: usize, value: TokenStream, depth: usize) -> TokenStream {
        let span = self.span();
        let steps = self.steps();
        // The first union member after which a step needs a borrow (an index, an accessor).
        let borrowing = |i: usize| {
            steps[i + 1..].iter().any(|s| {
                matches!(
                    s,
                    Step::Element(_) | Step::Segment(Segment::Index(_) | Segment::Call(_))
                )
            })
        };
        let Some(k) = (from..steps.len()).find(|&i| self.enters_union(i) && borrowing(i)) else {
            return match steps.last() {
                Some(Step::Segment(Segment::Range { start, .. })) => {
                    let cr = Ident::new("__cr", Span::call_site().located_at(span));
                    let start = Literal::usize_unsuffixed(*start);
                    let target = self.target(root, from, steps.len() - 1);
                    // The value may read the page (a mask keeps its other bits): first, then the
                    // mutable borrow.
                    let v = Ident::new("__v", Span::mixed_site());
                    quote_spanned!(span=> { let #v = #value; #cr::page_set(&mut #target, #start, #v); })
                }
                Some(Step::Segment(Segment::Call(name))) => {
                    let setter = Ident::new(&format!("set_{name}"), span);
                    let target = self.target(root, from, steps.len() - 1);
                    quote_spanned!(span=> #target.#setter(#value);)
                }
                _ => {
                    let target = self.target(root, from, steps.len());
                    quote_spanned!(span=> #target = #value;)
                }
            };
        };
        let copy = Ident::new(&format!("__m{depth}"), Span::mixed_site());
        let member = self.read(root.clone(), from, k + 1);
        let inner = self.assign_from(
            TokenStream::from(TokenTree::Ident(copy.clone())),
            k + 1,
            value,
            depth + 1,
        );
        let whole = self.target(root, from, k + 1);
        quote_spanned! {span=>
            {
                let mut #copy = #member;
                #inner
                #whole = #copy;
            }
        }
    }
}

/// One step from a place's root: a segment, or a loop's element of a nested array.
enum Step<'a> {
    Segment(&'a Segment),
    Element(&'a Ident),
}

impl ToTokens for Live<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let n = self.place.segments.len();
        if (0..n).any(|i| self.enters_union(i)) || self.place.is_range() {
            let steps = self.steps().len();
            tokens.extend(self.read(self.root_tokens(), 0, steps));
            return;
        }
        // No union on the way: the tokens go straight into the stream.
        tokens.append(self.root());
        for seg in &self.place.segments {
            self.segment(seg, tokens);
        }
        if let Some(i) = self.element {
            tokens.append(bracket(TokenTree::Ident(i.clone()), self.span()));
        }
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
            Segment::Index(_) | Segment::Call(_) | Segment::Range { .. } => None,
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
            let inside = &after[..end];
            rest = &after[end + 1..];
            if let Some((from, to)) = inside.split_once("..") {
                let bad = || {
                    malformed(
                        text,
                        &format!("`[{inside}]` is not a byte range; write constant offsets such as `[0x20..0x24]`, the end after the start"),
                    )
                };
                let (start, end) = (number(from).ok_or_else(bad)?, number(to).ok_or_else(bad)?);
                if start >= end {
                    return Err(bad());
                }
                if !rest.is_empty() {
                    return Err(malformed(
                        text,
                        &format!("`[{inside}]` is a byte range of a register page, which only the last segment may be"),
                    ));
                }
                segments.push(Segment::Range { start, end });
                break;
            }
            let index = number(inside).ok_or_else(|| {
                malformed(
                    text,
                    &format!("`[{inside}]` is not a constant index; write a number such as `[2]` or `[0x20]`"),
                )
            })?;
            segments.push(Segment::Index(index));
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

/// The elements (or bytes) an index or a range names, for overlaps.
fn bytes(segment: &Segment) -> Option<(usize, usize)> {
    match segment {
        Segment::Index(i) => Some((*i, i + 1)),
        Segment::Range { start, end } => Some((*start, *end)),
        _ => None,
    }
}

/// A decimal or `0x` hexadecimal constant, `_` allowed between digits.
fn number(text: &str) -> Option<usize> {
    let text = text.trim();
    let (digits, radix) = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => (hex, 16),
        None => (text, 10),
    };
    let digits: String = digits.chars().filter(|c| *c != '_').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    usize::from_str_radix(&digits, radix).ok()
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
