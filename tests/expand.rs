//! Expansion snapshots: every header in `tests/expand/*.rs` is expanded by the derive's own code
//! and pretty-printed; the result must equal the committed `*.expanded.rs` next to it. A change to
//! generated code therefore shows up in review as a diff of those files. After reading the diff,
//! regenerate with `CR_BLESS=1 cargo test --test expand`.
//!
//! The derive's modules are compiled into this test directly (a proc-macro crate exports no
//! functions), so what is checked here is the very code `#[derive(CrCopy)]` runs.

#[allow(dead_code)]
#[path = "../cr-derive/src/attr.rs"]
mod attr;
#[allow(dead_code)]
#[path = "../cr-derive/src/check.rs"]
mod check;
#[allow(dead_code)]
#[path = "../cr-derive/src/ctxt.rs"]
mod ctxt;
#[allow(dead_code)]
#[path = "../cr-derive/src/expand.rs"]
mod expand;
#[allow(dead_code)]
#[path = "../cr-derive/src/model.rs"]
mod model;
#[allow(dead_code)]
#[path = "../cr-derive/src/place.rs"]
mod place;

use std::fs;
use std::path::{Path, PathBuf};

/// Expands every `#[derive(CrCopy)]` struct of a source file, pretty-printed.
fn expand_file(source: &str) -> String {
    let file = syn::parse_file(source).expect("snapshot input parses");
    let mut items = Vec::new();
    for item in file.items {
        let syn::Item::Struct(s) = item else { continue };
        let derives_cr_copy = s.attrs.iter().any(|a| {
            a.path().is_ident("derive") && quote::ToTokens::to_token_stream(&a.meta).to_string().contains("CrCopy")
        });
        if !derives_cr_copy {
            continue;
        }
        let input: syn::DeriveInput = syn::parse2(quote::ToTokens::to_token_stream(&s)).expect("derive input");
        let output = expand::derive(&input);
        let expanded: syn::File = syn::parse2(output).expect("expansion parses as items");
        items.extend(expanded.items);
    }
    let file = syn::File {
        shebang: None,
        frontmatter: None,
        attrs: Vec::new(),
        items,
    };
    prettyplease::unparse(&file)
}

fn inputs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expand");
    let mut inputs: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("tests/expand exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs") && !p.to_string_lossy().ends_with(".expanded.rs"))
        .collect();
    inputs.sort();
    inputs
}

#[test]
fn expansions_match_snapshots() {
    let bless = std::env::var_os("CR_BLESS").is_some();
    let inputs = inputs();
    assert!(
        inputs.len() >= 3,
        "expected the s390, flags-only and view snapshots, found {inputs:?}"
    );
    let mut stale = Vec::new();
    for input in inputs {
        let expanded = expand_file(&fs::read_to_string(&input).expect("read input"));
        let snapshot = input.with_extension("expanded.rs");
        if bless {
            fs::write(&snapshot, &expanded).expect("write snapshot");
            continue;
        }
        match fs::read_to_string(&snapshot) {
            Ok(committed) if committed == expanded => {}
            Ok(committed) => stale.push(format!("{}:\n{}", snapshot.display(), line_diff(&committed, &expanded))),
            Err(_) => stale.push(format!("{}: missing", snapshot.display())),
        }
    }
    assert!(
        stale.is_empty(),
        "generated code changed; review the diff, then run `CR_BLESS=1 cargo test --test expand`:\n{}",
        stale.join("\n")
    );
}

/// Lines only in the snapshot (`-`) and only in the new expansion (`+`), in order.
fn line_diff(old: &str, new: &str) -> String {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let mut out = String::new();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            i += 1;
            j += 1;
        } else if j < new.len() && !old[i..].contains(&new[j]) {
            out.push_str(&format!("+ {}\n", new[j]));
            j += 1;
        } else if i < old.len() {
            out.push_str(&format!("- {}\n", old[i]));
            i += 1;
        } else {
            out.push_str(&format!("+ {}\n", new[j]));
            j += 1;
        }
    }
    out
}

/// The `unsafe_code` lint does not see derive output, so `forbid(unsafe_code)` in a user's crate
/// proves nothing: scan the expansion of a header that uses every key instead.
#[test]
fn expansion_holds_no_unsafe() {
    let source = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expand/every_key.rs"))
        .expect("every_key.rs");
    for key in [
        "path",
        "bits",
        "convert",
        "mask",
        "strict_mask",
        "save_only",
        "flag",
        "skip",
        "reserved",
        "validate",
        "after_restore",
        "crate",
        "name",
    ] {
        assert!(
            source.contains(&format!("{key} "))
                || source.contains(&format!("{key}("))
                || source.contains(&format!("{key},"))
                || source.contains(&format!("{key})")),
            "every_key.rs does not use `{key}`"
        );
    }
    let file = syn::parse_file(&source).expect("parses");
    let mut expanded_any = false;
    for item in file.items {
        let syn::Item::Struct(s) = item else { continue };
        let input: syn::DeriveInput = syn::parse2(quote::ToTokens::to_token_stream(&s)).expect("derive input");
        let output = expand::derive(&input);
        assert!(
            !output.to_string().contains("compile_error"),
            "every_key.rs must expand cleanly: {output}"
        );
        assert_no_unsafe(output);
        expanded_any = true;
    }
    assert!(expanded_any);
}

fn assert_no_unsafe(tokens: proc_macro2::TokenStream) {
    for tt in tokens {
        match tt {
            proc_macro2::TokenTree::Ident(ident) => assert_ne!(ident, "unsafe", "the expansion contains `unsafe`"),
            proc_macro2::TokenTree::Group(g) => assert_no_unsafe(g.stream()),
            _ => {}
        }
    }
}
