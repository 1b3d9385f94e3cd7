//! The reports for people: `show` (every record with its fields, as `cr_core::dump` prints it,
//! from the image's own descriptions), `verify` (every fault with its byte offset) and `diff`
//! (two images field by field, by route).

use crate::doc::{arch_name, Descriptions};
use crate::frame::{self, Fault, Frame, Head, Walk};
use crate::table::Table;
use crate::value;
use cr_core::image::{crc32c, ByteOrder, RecordKind, BYTES};
use serde_json::Value;
use std::fmt::Write;

/// The first line of `show` and `verify`.
fn head_line(out: &mut String, head: &Head, len: usize) {
    let name = arch_name(head.arch).map(|n| format!(" ({n:?})")).unwrap_or_default();
    let _ = writeln!(
        out,
        "cr image, format {}, arch {:#010x}{name}, {}, {len} bytes",
        head.format, head.arch, head.order
    );
    if head.format < 3 {
        let _ = writeln!(
            out,
            "(format {} has no description records: the description is missing, records are shown by type and size)",
            head.format
        );
    }
}

/// `show`: the report, and the image's faults (the report stops at the first one that makes
/// lengths untrustworthy, as a reader does).
pub fn show(bytes: &[u8]) -> (String, Vec<Fault>) {
    let mut out = String::new();
    let walk = frame::walk(bytes);
    let Some(head) = walk.head else {
        return (out, walk.faults);
    };
    head_line(&mut out, &head, bytes.len());
    let (descriptions, described) = Descriptions::of_walk(&walk, head.order);
    for frame in &walk.records {
        record(&mut out, frame, &descriptions, head.order);
    }
    if walk.ended {
        let end = walk.records.last().map(|f| f.payload_at() + f.payload.len() as u64);
        let _ = writeln!(out, "@{:<6} end", end.unwrap_or(cr_core::image::HEAD_SIZE as u64));
    }
    let mut faults = walk.faults;
    faults.extend(described);
    faults.sort_by_key(|f| f.offset);
    (out, faults)
}

/// One record's lines.
fn record(out: &mut String, frame: &Frame<'_>, descriptions: &Descriptions, order: ByteOrder) {
    let kind = frame.kind();
    let entry = match kind {
        RecordKind::List { entry } => entry,
        _ => frame.ty,
    };
    let table = descriptions.of(entry, frame.fingerprint);
    if frame.description() {
        let name = table.map(|t| format!(" ({})", t.name)).unwrap_or_default();
        let fields = table
            .map(|t| format!(", {} fields", t.fields.len()))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "@{:<6} description of type {}{name}, version {}, fingerprint {:#018x}, {} bytes{fields}",
            frame.offset,
            frame.ty,
            frame.version,
            frame.fingerprint,
            frame.payload.len()
        );
        return;
    }
    let _ = match kind {
        RecordKind::List { entry } => write!(out, "@{:<6} type LIST+{entry}", frame.offset),
        RecordKind::Bytes => write!(out, "@{:<6} type BYTES+{}", frame.offset, frame.ty - BYTES),
        _ => write!(out, "@{:<6} type {}", frame.offset, frame.ty),
    };
    let _ = match (table, kind) {
        (Some(t), RecordKind::List { .. }) => write!(out, " (list of {})", t.name),
        (Some(t), _) => write!(out, " ({})", t.name),
        (None, RecordKind::Bytes) => write!(out, " (bytes)"),
        (None, _) => Ok(()),
    };
    let optional = if frame.optional() { ", optional" } else { "" };
    let _ = writeln!(
        out,
        ", version {}{optional}, parent {}, {} bytes",
        frame.version,
        frame.parent,
        frame.payload.len()
    );
    body(out, frame, table, descriptions.has_type(entry), order);
}

/// A record's fields, entries or bytes.
fn body(out: &mut String, frame: &Frame<'_>, table: Option<&Table>, typed: bool, order: ByteOrder) {
    let payload = frame.payload;
    match (table, frame.kind()) {
        (_, RecordKind::Bytes) => {
            let zero = payload.iter().filter(|b| **b == 0).count();
            let _ = writeln!(
                out,
                "    {} bytes ({zero} zero), crc32c {:#010x}",
                payload.len(),
                crc32c(payload)
            );
        }
        (Some(t), RecordKind::List { .. }) if t.size > 0 && payload.len() % t.size as usize == 0 => {
            let _ = writeln!(out, "    {} entries", payload.len() / t.size as usize);
            for (i, entry) in payload.chunks_exact(t.size as usize).enumerate() {
                let _ = writeln!(out, "    [{i}]");
                value::show(out, t, entry, order);
            }
        }
        (Some(t), RecordKind::Header) if t.size as usize == payload.len() => value::show(out, t, payload, order),
        (Some(t), _) => {
            let _ = writeln!(
                out,
                "    {} bytes, which do not fit its description ({} bytes): not decoded",
                payload.len(),
                t.size
            );
        }
        (None, _) => {
            let why = match typed {
                true => "written from a layout no description in the image has",
                false => "no description of this type in the image",
            };
            let _ = writeln!(
                out,
                "    {why}: {} bytes, crc32c {:#010x}, fingerprint {:#018x}",
                payload.len(),
                crc32c(payload),
                frame.fingerprint
            );
        }
    }
}

/// `verify`: every fault of the image (framing, checksums, descriptions, and the records of a
/// described type against their description), and a summary.
pub fn verify(bytes: &[u8]) -> (String, Vec<Fault>) {
    let mut out = String::new();
    let walk = frame::walk(bytes);
    let Some(head) = walk.head else {
        return (out, walk.faults);
    };
    head_line(&mut out, &head, bytes.len());
    let (descriptions, described) = Descriptions::of_walk(&walk, head.order);
    // Framing faults first, then what the descriptions find; in image order, stably.
    let mut faults = walk.faults.clone();
    faults.extend(described);
    for frame in walk.records.iter().filter(|f| !f.description()) {
        against_description(frame, &descriptions, head.order, &mut faults);
    }
    faults.sort_by_key(|f| f.offset);
    summary(&mut out, &walk, &descriptions);
    (out, faults)
}

/// The counts of records by kind, and which types lack a description.
fn summary(out: &mut String, walk: &Walk<'_>, descriptions: &Descriptions) {
    let count = |pred: &dyn Fn(&Frame<'_>) -> bool| walk.records.iter().filter(|f| pred(f)).count();
    let _ = writeln!(
        out,
        "{} records: {} descriptions, {} headers, {} lists, {} bulk bytes{}",
        walk.records.len(),
        count(&|f| f.description()),
        count(&|f| !f.description() && f.kind() == RecordKind::Header),
        count(&|f| matches!(f.kind(), RecordKind::List { .. })),
        count(&|f| f.kind() == RecordKind::Bytes),
        if walk.ended { ", then the end record" } else { "" }
    );
    let mut missing: Vec<u32> = walk
        .records
        .iter()
        .filter_map(|f| match f.kind() {
            RecordKind::Header if !f.description() => Some(f.ty),
            RecordKind::List { entry } => Some(entry),
            _ => None,
        })
        .filter(|ty| !descriptions.has_type(*ty))
        .collect();
    missing.dedup();
    missing.sort_unstable();
    missing.dedup();
    if !missing.is_empty() {
        let _ = writeln!(
            out,
            "the description is missing for record type(s) {missing:?}: their contents were not checked"
        );
    }
}

/// The checks a record of a described type gets from its description: its layout is the
/// described one, its length fits it, reserved fields are zero, flag words hold only named
/// flags, `bool`s are 0 or 1.
fn against_description(frame: &Frame<'_>, descriptions: &Descriptions, order: ByteOrder, faults: &mut Vec<Fault>) {
    let entry = match frame.kind() {
        RecordKind::List { entry } => entry,
        RecordKind::Header => frame.ty,
        _ => return,
    };
    let Some(table) = descriptions.of(entry, frame.fingerprint) else {
        if descriptions.has_type(entry) {
            let what = format!(
                "record of type {} has layout fingerprint {:#018x}, which no description of its type in the image has",
                frame.ty, frame.fingerprint
            );
            faults.push(Fault::tool(
                frame.offset + cr_core::image::record::FINGERPRINT as u64,
                what,
            ));
        }
        return;
    };
    let size = table.size as usize;
    let fits = match frame.kind() {
        RecordKind::List { .. } => size > 0 && frame.payload.len() % size == 0,
        _ => frame.payload.len() == size,
    };
    if !fits {
        let what = format!(
            "{} bytes do not fit {} ({size} bytes per header)",
            frame.payload.len(),
            table.name
        );
        faults.push(Fault::tool(frame.offset + cr_core::image::record::LEN as u64, what));
        return;
    }
    for (i, entry) in frame.payload.chunks_exact(size.max(1)).enumerate() {
        let at = frame.payload_at() + (i * size) as u64;
        values(table, entry, order, at, &table.name, faults);
    }
}

/// The value checks of one `table` header at byte `at`, its fields named after `route`.
fn values(table: &Table, bytes: &[u8], order: ByteOrder, at: u64, route: &str, faults: &mut Vec<Fault>) {
    use crate::table::{Format, Role};
    for field in &table.fields {
        let start = field.offset as usize;
        let Some(v) = bytes.get(start..start + field.size as usize) else {
            continue;
        };
        let here = at + u64::from(field.offset);
        let name = format!("{route}.{}", field.name);
        match field.role.live() {
            Role::Reserved if v.iter().any(|b| *b != 0) => {
                faults.push(Fault::tool(
                    here,
                    format!("header field `{name}` is reserved but not zero"),
                ));
            }
            Role::Flags(flags) if v.len() <= 16 => {
                let known = flags
                    .iter()
                    .fold(0u128, |k, f| k | 1u128.checked_shl(f.bit).unwrap_or(0));
                let unknown = value::int(v, order) & !known;
                if unknown != 0 {
                    let what = format!("header field `{name}` has flag bits {unknown:#x} set that no flag declares");
                    faults.push(Fault::tool(here, what));
                }
            }
            Role::Nested {
                array, table: inner, ..
            } => {
                for (i, element) in v.chunks_exact(inner.size.max(1) as usize).enumerate() {
                    let index = if *array { format!("[{i}]") } else { String::new() };
                    let element_at = here + (i * inner.size as usize) as u64;
                    values(inner, element, order, element_at, &format!("{name}{index}"), faults);
                }
            }
            _ if field.format == Format::Bool && v[0] > 1 => {
                faults.push(Fault::tool(
                    here,
                    format!("header field `{name}` is a bool holding {}", v[0]),
                ));
            }
            _ => {}
        }
    }
}

/// `diff`: the differences between two decoded images, one line each, by route
/// (`CrHdrCpu.psw.mask: 0x.. -> 0x..`). Records are paired by kind and type, in order.
pub fn diff(a: &Value, b: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    for key in ["format", "arch", "order"] {
        if a.get(key) != b.get(key) {
            lines.push(format!("{key}: {} -> {}", show_json(a.get(key)), show_json(b.get(key))));
        }
    }
    let records = |doc: &Value| -> Vec<Value> {
        let all = doc
            .get("records")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        all.into_iter().filter(|r| r["kind"] != "description").collect()
    };
    let (ra, rb) = (records(a), records(b));
    let mut seen: Vec<(Value, u64)> = Vec::new();
    let label = |r: &Value, seen: &mut Vec<(Value, u64)>, count: bool| {
        let key = r["type"].clone();
        let n = match seen.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) if count => {
                *n += 1;
                *n - 1
            }
            Some((_, n)) => *n,
            None => {
                seen.push((key, 1));
                0
            }
        };
        let name = r["name"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("type {}", r["type"]));
        match n {
            0 => name,
            n => format!("{name}#{n}"),
        }
    };
    for i in 0..ra.len().max(rb.len()) {
        match (ra.get(i), rb.get(i)) {
            (Some(x), Some(y)) if x["type"] == y["type"] => {
                let route = label(x, &mut seen, true);
                for key in [
                    "parent",
                    "version",
                    "optional",
                    "fingerprint",
                    "size",
                    "crc32c",
                    "payload",
                ] {
                    if x.get(key) != y.get(key) {
                        lines.push(format!(
                            "{route} ({key}): {} -> {}",
                            show_json(x.get(key)),
                            show_json(y.get(key))
                        ));
                    }
                }
                for key in ["fields", "entries"] {
                    values_diff(&route, x.get(key), y.get(key), &mut lines);
                }
            }
            (x, y) => lines.push(format!(
                "record {i}: {} -> {}",
                x.map(|r| label(r, &mut seen, false)).unwrap_or_else(|| "none".into()),
                y.map(|r| label(r, &mut seen, false)).unwrap_or_else(|| "none".into())
            )),
        }
    }
    lines
}

fn values_diff(route: &str, a: Option<&Value>, b: Option<&Value>, lines: &mut Vec<String>) {
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            for (k, v) in x {
                values_diff(&format!("{route}.{k}"), Some(v), y.get(k), lines);
            }
            for (k, v) in y.iter().filter(|(k, _)| !x.contains_key(*k)) {
                values_diff(&format!("{route}.{k}"), None, Some(v), lines);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) if x.len() == y.len() && x.iter().any(Value::is_object) => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                values_diff(&format!("{route}[{i}]"), Some(p), Some(q), lines);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) if x.len() == y.len() && !is_flags(x) && !is_flags(y) => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                values_diff(&format!("{route}[{i}]"), Some(p), Some(q), lines);
            }
        }
        (x, y) if x != y => lines.push(format!("{route}: {} -> {}", show_json(x), show_json(y))),
        _ => {}
    }
}

/// Whether an array is a flag word's list of names.
fn is_flags(values: &[Value]) -> bool {
    values
        .iter()
        .any(|v| v.as_str().is_some_and(|s| !s.starts_with("0x") && !s.is_empty()))
}

fn show_json(v: Option<&Value>) -> String {
    match v {
        None => "(none)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}
