//! The manifests say `license = "MIT OR Apache-2.0"`: every crate that can be published ships both
//! texts (`cargo package` takes only files inside the crate's directory; the crates' copies are
//! links to the workspace's).

use std::fs;
use std::path::Path;

fn text(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_published_crate_ships_both_licence_texts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(text(&root.join("Cargo.toml")).contains("license = \"MIT OR Apache-2.0\""));
    for krate in ["cr-core", "cr-derive"] {
        let dir = root.join(krate);
        let manifest = text(&dir.join("Cargo.toml"));
        assert!(
            manifest.contains("license.workspace = true"),
            "{krate} takes the workspace's licence"
        );
        assert!(!manifest.contains("publish = false"), "{krate} is published");
        let mit = text(&dir.join("LICENSE-MIT"));
        assert!(
            mit.starts_with("Copyright (c) The cr developers"),
            "{krate}/LICENSE-MIT"
        );
        assert!(
            mit.contains("Permission is hereby granted, free of charge"),
            "{krate}/LICENSE-MIT"
        );
        let apache = text(&dir.join("LICENSE-APACHE"));
        assert!(apache.contains("Apache License") && apache.contains("Version 2.0, January 2004"));
        assert!(
            apache.contains("END OF TERMS AND CONDITIONS"),
            "{krate}/LICENSE-APACHE is whole"
        );
    }
}
