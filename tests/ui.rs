//! Compile-fail cases for `#[derive(CrCopy)]`: each file in `tests/ui/` is one misuse, named after it, and its
//! `.stderr` is the exact diagnostic the user sees. After reading a changed diagnostic, regenerate with
//! `TRYBUILD=overwrite cargo test --test ui`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
