//! Names: how a header field or a path segment is named in messages (`r#type` is `type`), what
//! counts as an identifier, and the UPPER_SNAKE_CASE of generated constants. The one owner of
//! these rules; it reports nothing and generates nothing.

use proc_macro2::{Ident, Span};

/// A name without its raw prefix: `r#type` is named `type` in messages and constants.
pub fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// What a piece of text is as an identifier.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum IdentKind {
    /// A plain identifier, usable as written.
    Plain,
    /// A keyword: usable only as a raw identifier (`r#type`).
    Keyword,
    /// Not an identifier at all (empty, a digit first, punctuation, `_` alone).
    Invalid,
}

/// Classifies `text` (without any `r#` prefix). Keywords are those syn refuses as identifiers,
/// so the derive and the code it generates agree on them.
pub fn classify(text: &str) -> IdentKind {
    // Every keyword is lowercase ASCII letters, or `Self`: any other identifier-shaped text is
    // plain without asking (most path segments have a digit or an underscore).
    if text != "Self" && !text.bytes().all(|b| b.is_ascii_lowercase()) {
        return classify_uncached_shape(text);
    }
    // Once per distinct text: syn::parse_str is a round trip to the compiler's lexer, and a derive
    // classifies every path segment each time a place is rendered (BENCHMARKS.md, compile time).
    thread_local! {
        static SEEN: std::cell::RefCell<std::collections::HashMap<String, IdentKind>> = Default::default();
    }
    if let Some(kind) = SEEN.with(|seen| seen.borrow().get(text).copied()) {
        return kind;
    }
    let kind = classify_uncached(text);
    SEEN.with(|seen| seen.borrow_mut().insert(text.to_owned(), kind));
    kind
}

fn classify_uncached(text: &str) -> IdentKind {
    match classify_uncached_shape(text) {
        IdentKind::Plain if syn::parse_str::<Ident>(text).is_err() => IdentKind::Keyword,
        kind => kind,
    }
}

/// `Plain` if `text` has an identifier's shape, `Invalid` if not (keywords not considered).
fn classify_uncached_shape(text: &str) -> IdentKind {
    let mut chars = text.chars();
    let shape = chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
        && text != "_";
    if shape {
        IdentKind::Plain
    } else {
        IdentKind::Invalid
    }
}

/// UPPER_SNAKE_CASE of a snake_case or CamelCase name (its raw prefix dropped).
pub fn upper_snake(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in unraw(name).chars() {
        if c.is_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        out.extend(c.to_uppercase());
    }
    out
}

/// The identifier of a generated item, or the text that would not make one.
#[derive(Clone)]
pub enum GeneratedName {
    Valid(Ident),
    Invalid(String),
}

impl GeneratedName {
    /// `text` as an identifier located at `span`, if it is a plain identifier.
    pub fn new(text: String, span: Span) -> Self {
        match classify(&text) {
            IdentKind::Plain => GeneratedName::Valid(Ident::new(&text, span)),
            IdentKind::Keyword | IdentKind::Invalid => GeneratedName::Invalid(text),
        }
    }

    pub fn ident(&self) -> Option<&Ident> {
        match self {
            GeneratedName::Valid(ident) => Some(ident),
            GeneratedName::Invalid(_) => None,
        }
    }

    pub fn text(&self) -> String {
        match self {
            GeneratedName::Valid(ident) => ident.to_string(),
            GeneratedName::Invalid(text) => text.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_names() {
        assert_eq!(classify("access_id"), IdentKind::Plain);
        assert_eq!(classify("type"), IdentKind::Keyword);
        assert_eq!(classify("Self"), IdentKind::Keyword);
        assert_eq!(classify("_"), IdentKind::Invalid);
        assert_eq!(classify("2x"), IdentKind::Invalid);
        assert_eq!(classify("a-b"), IdentKind::Invalid);
        assert_eq!(classify("x14"), IdentKind::Plain);
        assert_eq!(classify("Type"), IdentKind::Plain);
        assert_eq!(classify("__cr_x"), IdentKind::Plain);
        assert_eq!(classify("é"), IdentKind::Plain);
        assert_eq!(classify(""), IdentKind::Invalid);
    }

    #[test]
    fn upper_snake_cases() {
        assert_eq!(upper_snake("single_step"), "SINGLE_STEP");
        assert_eq!(upper_snake("r#type"), "TYPE");
        assert_eq!(upper_snake("hasPgste"), "HAS_PGSTE");
        assert_eq!(upper_snake("IFETCH"), "IFETCH");
        assert_eq!(upper_snake("cr0Bits"), "CR0_BITS");
    }

    #[test]
    fn generated_names() {
        let span = Span::call_site();
        assert_eq!(
            GeneratedName::new("EM_ALL".into(), span).ident().map(|i| i.to_string()),
            Some("EM_ALL".into())
        );
        assert!(GeneratedName::new("EM-X".into(), span).ident().is_none());
        assert_eq!(GeneratedName::new("EM-X".into(), span).text(), "EM-X");
    }
}
