//! cr-inspect: reads, checks, converts and compares cr checkpoint images without the build that
//! wrote them, from the description records a describing writer puts in them (image format 3,
//! `cr_core::description`). Depends on cr-core only, never on the crates whose headers wrote an
//! image. The command line is `main.rs`; this library is what it runs, for tests and tools.
//!
//! - [`frame`]: the head and records, every reader check that needs no header type;
//! - [`table`]: a description as a tree, from and to its bytes and JSON;
//! - [`value`]: a header's values through its description, to and from JSON, and as text;
//! - [`doc`]: a whole image as JSON (`decode`) and back (`encode`);
//! - [`report`]: `show`, `verify`, `diff`.

pub mod doc;
pub mod frame;
pub mod json;
pub mod report;
pub mod table;
pub mod value;
