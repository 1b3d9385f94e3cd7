//! Output tests of the derive, run inside the crate so they call the very code
//! `#[derive(CrCopy)]` runs: expansion snapshots, and the scan of a header using every key.
//!
//! Snapshots: every `#[derive(CrCopy)]` struct of `tests/expand/*.rs` (workspace root), and the
//! real s390 headers of `src/s390.rs`, is expanded and pretty-printed as `cargo expand` shows it;
//! the result must equal the committed `tests/expand/<name>.expanded.rs`. A change to generated
//! code therefore shows up in review as a diff of those files. After reading the diff,
//! regenerate with `CR_BLESS=1 cargo test -p cr-derive`.

use crate::attr;
use proc_macro2::{TokenStream, TokenTree};
use std::fs;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cr-derive lies in the workspace")
        .to_path_buf()
}

/// The structs of a source file that derive `CrCopy`, as derive input.
fn headers(source: &str) -> Vec<syn::DeriveInput> {
    let file = syn::parse_file(source).expect("snapshot input parses");
    file.items
        .into_iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s),
            _ => None,
        })
        .filter(|s| {
            s.attrs.iter().any(|a| {
                let mut derives = false;
                if a.path().is_ident("derive") {
                    let _ = a.parse_nested_meta(|meta| {
                        derives |= is_derive(&meta.path, "CrCopy") || is_derive(&meta.path, "CrLayout");
                        Ok(())
                    });
                }
                derives
            })
        })
        .map(|s| syn::parse2(quote::ToTokens::to_token_stream(&s)).expect("derive input"))
        .collect()
}

/// Whether a derive's path names `name`: `CrCopy`, `cr_core::CrCopy`, `::cr_core::CrCopy`.
fn is_derive(path: &syn::Path, name: &str) -> bool {
    path.segments.last().is_some_and(|s| s.ident == name)
}

/// Whether `input` derives `name`.
fn derives(input: &syn::DeriveInput, name: &str) -> bool {
    input.attrs.iter().any(|a| {
        let mut found = false;
        if a.path().is_ident("derive") {
            let _ = a.parse_nested_meta(|meta| {
                found |= is_derive(&meta.path, name);
                Ok(())
            });
        }
        found
    })
}

/// Expands every header of a source file, pretty-printed.
fn expand_file(source: &str) -> String {
    let mut items = Vec::new();
    for input in headers(source) {
        let derive = if derives(&input, "CrLayout") {
            crate::model::Derive::CrLayout
        } else {
            crate::model::Derive::CrCopy
        };
        let expanded: syn::File =
            syn::parse2(crate::expand::derive(&input, derive)).expect("expansion parses as items");
        items.extend(expanded.items);
    }
    prettyplease::unparse(&syn::File {
        shebang: None,
        frontmatter: None,
        attrs: Vec::new(),
        items,
    })
}

/// (input, snapshot) pairs.
fn snapshots() -> Vec<(PathBuf, PathBuf)> {
    let dir = workspace().join("tests/expand");
    let mut pairs: Vec<(PathBuf, PathBuf)> = fs::read_dir(&dir)
        .expect("tests/expand exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs") && !p.to_string_lossy().ends_with(".expanded.rs"))
        .map(|p| {
            let snapshot = p.with_extension("expanded.rs");
            (p, snapshot)
        })
        .collect();
    pairs.push((workspace().join("src/s390.rs"), dir.join("s390.expanded.rs")));
    pairs.sort();
    pairs
}

#[test]
fn expansions_match_snapshots() {
    let bless = std::env::var_os("CR_BLESS").is_some();
    let pairs = snapshots();
    let names: Vec<String> = pairs
        .iter()
        .map(|(_, s)| s.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "s390.expanded.rs",
        "flags_only.expanded.rs",
        "view.expanded.rs",
        "every_key.expanded.rs",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "no snapshot {expected} among {names:?}"
        );
    }
    let mut stale = Vec::new();
    for (input, snapshot) in pairs {
        let expanded = expand_file(&fs::read_to_string(&input).expect("read input"));
        if bless {
            fs::write(&snapshot, &expanded).expect("write snapshot");
            continue;
        }
        match fs::read_to_string(&snapshot) {
            Ok(committed) if committed == expanded => {}
            Ok(committed) => {
                let diff = similar::TextDiff::from_lines(&committed, &expanded);
                let name = snapshot.display().to_string();
                stale.push(
                    diff.unified_diff()
                        .context_radius(3)
                        .header(&format!("{name} (committed)"), &format!("{name} (generated now)"))
                        .to_string(),
                );
            }
            Err(_) => stale.push(format!("{}: missing", snapshot.display())),
        }
    }
    assert!(
        stale.is_empty(),
        "generated code changed; review the diff, then run `CR_BLESS=1 cargo test -p cr-derive`:\n{}",
        stale.join("\n")
    );
}

/// Every key the derive's own parser records for `input`: its struct keys, its fields' keys and
/// the keys inside their `flag(...)`s (values never count as keys).
struct Used {
    structs: Vec<attr::StructKey>,
    fields: Vec<attr::FieldKey>,
    flags: Vec<attr::FlagKey>,
}

fn used_keys(inputs: &[syn::DeriveInput]) -> Used {
    let mut used = Used {
        structs: Vec::new(),
        fields: Vec::new(),
        flags: Vec::new(),
    };
    for input in inputs {
        let mut cx = crate::ctxt::Ctxt::default();
        let container = attr::parse_container(&mut cx, &input.attrs);
        used.structs.extend(container.given.iter().map(|(k, _)| k));
        let syn::Data::Struct(data) = &input.data else {
            panic!("a struct")
        };
        for field in &data.fields {
            let raw = attr::parse_field(&mut cx, &field.attrs);
            used.fields.extend(raw.given.iter().map(|(k, _)| k));
            for flag in &raw.flags {
                used.flags.extend(flag.given.iter().map(|(k, _)| k));
            }
        }
        assert!(!cx.has_errors(), "every_key.rs parses without errors");
    }
    used
}

fn assert_all_used<K: attr::Keyword + std::fmt::Debug>(used: &[K]) {
    for key in K::ALL {
        assert!(
            used.contains(key),
            "every_key.rs does not use the key `{key}` ({key:?})"
        );
    }
}

#[test]
fn a_value_named_like_a_key_is_no_use_of_it() {
    let input: syn::DeriveInput = syn::parse_str(
        r#"#[cr(target = skip)] struct H { #[cr(path = "a", mask = bits)] f: u8, #[cr(flag(bit = 0, path = "name"))] g: u8 }"#,
    )
    .expect("derive input");
    let used = used_keys(&[input]);
    assert_eq!(used.structs, [attr::StructKey::Target]);
    assert_eq!(
        used.fields,
        [attr::FieldKey::Path, attr::FieldKey::Mask, attr::FieldKey::Flag]
    );
    assert_eq!(used.flags, [attr::FlagKey::Bit, attr::FlagKey::Path]);
}

/// The `unsafe_code` lint does not see derive output, so `forbid(unsafe_code)` in a user's crate
/// proves nothing: scan the expansion of headers that use every key of `attr` instead.
#[test]
fn expansion_of_every_key_holds_no_unsafe() {
    let source = fs::read_to_string(workspace().join("tests/expand/every_key.rs")).expect("every_key.rs");
    let inputs = headers(&source);
    assert!(!inputs.is_empty(), "every_key.rs declares headers");
    let used = used_keys(&inputs);
    assert_all_used(&used.structs);
    assert_all_used(&used.fields);
    assert_all_used(&used.flags);
    for input in &inputs {
        let derive = if derives(input, "CrLayout") {
            crate::model::Derive::CrLayout
        } else {
            crate::model::Derive::CrCopy
        };
        let output = crate::expand::derive(input, derive);
        assert_no_token(&output, "compile_error");
        assert_no_token(&output, "unsafe");
    }
}

fn assert_no_token(tokens: &TokenStream, word: &str) {
    for tt in tokens.clone() {
        match tt {
            TokenTree::Ident(ident) => assert_ne!(ident, word, "the expansion contains `{word}`:\n{tokens}"),
            TokenTree::Group(g) => assert_no_token(&g.stream(), word),
            _ => {}
        }
    }
}

/// What the derive reports for one header, message by message.
fn errors(source: &str) -> Vec<String> {
    let input: syn::DeriveInput = syn::parse_str(source).expect("derive input");
    let mut messages = Vec::new();
    let output = crate::expand::derive(&input, crate::model::Derive::CrCopy);
    let mut tokens = output.into_iter().peekable();
    while let Some(tt) = tokens.next() {
        // `::core::compile_error! { "message" }`
        if let TokenTree::Ident(ident) = &tt {
            if ident == "compile_error" {
                tokens.next(); // `!`
                if let Some(TokenTree::Group(g)) = tokens.next() {
                    let lit: syn::LitStr = syn::parse2(g.stream()).expect("a message");
                    messages.push(lit.value());
                }
            }
        }
    }
    messages
}

#[test]
fn a_field_error_is_prefixed_once_with_the_unraw_name() {
    assert_eq!(
        errors(r#"#[cr(target = T)] struct H { #[cr(path = "a", bits, bits)] r#type: u8 }"#),
        ["header field `type`: duplicate `bits`: give it once"]
    );
    assert_eq!(
        errors(r#"#[cr(target = T)] struct H { #[cr(path = "a", mask = )] m: u8 }"#),
        ["header field `m`: unexpected end of input, expected an expression"]
    );
}

#[test]
fn conflicts_follow_the_rules_table() {
    assert_eq!(
        errors(r#"#[cr(target = T)] struct H { #[cr(path = "a", bits, strict_mask = 1, save_only)] f: u8 }"#),
        [
            "header field `f`: `strict_mask` conflicts with `bits`: a mask applies to an integer copied as is; \
             drop `bits` or the mask",
            "header field `f`: `save_only` conflicts with `strict_mask`: a `save_only` field is never restored, \
             so a restore mask has no effect",
        ]
    );
    assert_eq!(
        errors(r#"#[cr(target = T)] struct H { #[cr(skip, reserved, flag(bit = 0, path = "b"))] f: u8 }"#),
        [
            // Reported on each key after the first in the table's order, whatever the order written.
            "header field `f`: `skip` conflicts with `flag`; a field has exactly one of `path`, `flag`, `skip` or `reserved`",
            "header field `f`: `reserved` conflicts with `flag`; a field has exactly one of `path`, `flag`, `skip` or `reserved`",
        ]
    );
}

#[test]
fn path_keywords_and_raw_names() {
    assert_eq!(
        errors(r#"#[cr(target = T)] struct H { #[cr(path = "r#self")] f: u8, #[cr(path = "a.type")] g: u8 }"#),
        [
            "header field `f`: malformed path \"r#self\": `r#self` is not a field name; a path is field names \
             separated by `.`, with constant indexes such as `[2]` and an accessor `name()` last, e.g. \"thread.acrs[3]\" or \
             \"per_info.single_step()\"",
            "header field `g`: malformed path \"a.type\": `type` is a keyword; write it as `r#type`; a path is \
             field names separated by `.`, with constant indexes such as `[2]` and an accessor `name()` last, e.g. \"thread.acrs[3]\" or \
             \"per_info.single_step()\"",
        ]
    );
    assert!(errors(r#"#[cr(target = T)] struct H { #[cr(path = "a.r#type")] r#type: u8 }"#).is_empty());
}

#[test]
fn usize_is_no_flag_word() {
    assert_eq!(
        errors(r#"#[cr(target = T)] struct H { #[cr(flag(bit = 0, path = "b"))] f: usize }"#),
        [
            "header field `f`: a flag word's type must be `u8`, `u16`, `u32` or `u64`, not `usize`, whose width \
          changes with the target: an image format must not"
        ]
    );
}

#[test]
fn a_malformed_repr_is_left_to_rustc() {
    assert!(errors(r#"#[repr(C = 1)] #[cr(target = T, record = 3)] struct H { #[cr(skip)] f: u8 }"#).is_empty());
    assert_eq!(
        errors(r#"#[repr(packed)] #[cr(target = T, record = 3)] struct H { #[cr(skip)] f: u8 }"#),
        [
            "`H` is a `record`, so its bytes are the image format: add `#[repr(C)]` so the layout is the one \
          written (Rust's default layout may reorder fields between builds)"
        ]
    );
}

/// Not a test: prints the expansion of every derived header of the file `$CR_EXPAND_IN` into
/// `$CR_EXPAND_OUT`, as the snapshots print it, for measuring what rustc spends on generated code
/// without running the macro (BENCHMARKS.md, "What a call costs rustc"). Needs no nightly:
/// `CR_EXPAND_IN=lib.rs CR_EXPAND_OUT=out.rs cargo test -p cr-derive print_expansion -- --ignored`.
#[test]
#[ignore = "a tool: run with CR_EXPAND_IN and CR_EXPAND_OUT set"]
fn print_expansion() {
    let input = std::env::var("CR_EXPAND_IN").expect("CR_EXPAND_IN names a Rust file");
    let output = std::env::var("CR_EXPAND_OUT").expect("CR_EXPAND_OUT names the file to write");
    let source = fs::read_to_string(&input).expect("CR_EXPAND_IN is readable");
    fs::write(&output, expand_file(&source)).expect("CR_EXPAND_OUT is writable");
}
