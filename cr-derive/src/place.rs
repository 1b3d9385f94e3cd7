//! A place in the live object, parsed once from a path string (`"a.b[2].c"`) into typed
//! segments with the string's span. Codegen renders places from here and never re-parses text.

use crate::ident::{self, IdentKind};
use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::{ToTokens, TokenStreamExt};
use syn::LitStr;

#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Segment {
    /// `.name` or `.r#name`, held without the raw prefix (`r#type` is `type`).
    Field(String),
    /// `.0` on a tuple struct.
    Tuple(u32),
    /// `[N]` on an array.
    Index(usize),
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
                Segment::Field(name) => return format!("{name}{suffix}"),
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

    /// `root.a.b[2].c`, every token located on the path string (the root keeps its own
    /// hygiene, so errors about the whole expression land on the path too).
    pub fn render<'a>(&'a self, root: &'a Ident) -> Live<'a> {
        Live { place: self, root }
    }
}

/// A place rendered as an expression from a root binding. It writes its tokens straight into
/// the surrounding stream: the derive builds thousands of these, and every intermediate token
/// stream is a round trip to the compiler.
pub struct Live<'a> {
    place: &'a Place,
    root: &'a Ident,
}

impl ToTokens for Live<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let span = self.place.span;
        let mut root = self.root.clone();
        root.set_span(root.span().located_at(span));
        tokens.append(root);
        for seg in &self.place.segments {
            match seg {
                Segment::Index(i) => {
                    let mut lit = Literal::usize_unsuffixed(*i);
                    lit.set_span(span);
                    let mut group = Group::new(Delimiter::Bracket, TokenStream::from(TokenTree::from(lit)));
                    group.set_span(span);
                    tokens.append(group);
                }
                member => {
                    let mut dot = Punct::new('.', Spacing::Alone);
                    dot.set_span(span);
                    tokens.append(dot);
                    tokens.extend(member.member(span));
                }
            }
        }
    }
}

impl Segment {
    /// The segment as a struct member (`name`, `r#name` or `0`), for field access and patterns;
    /// `None` for an array index.
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
            Segment::Index(_) => None,
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
        segments.push(parse_name(text, name)?);
        rest = &rest[end..];
        first = false;
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
    format!("malformed path \"{text}\": {why}; a path is field names separated by `.`, with constant indexes such as `[2]`, e.g. \"thread.acrs[3]\"")
}
