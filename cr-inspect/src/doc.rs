//! An image as a JSON document and back: `decode` and `encode`. The schema is in the README
//! ("Debugging a refused image with cr-inspect"); in short:
//!
//! ```text
//! { "schema": "cr-inspect image 1", "format": 3, "arch": "0x73333930", "order": "little-endian",
//!   "records": [ record, ... ] }                       (the end record is implied)
//! record: { "kind": "description" | "header" | "list" | "bytes", "type": N, "parent": N,
//!           "version": N, "optional": bool, "fingerprint": "0x..", ... }
//!   description: "description": { "name", "size", "fingerprint", "fields": [ field, ... ] }
//!   header:      "name", "fields": { field name: value, ... }   (through its description)
//!   list:        "name", "entries": [ { ... }, ... ]            (through its entry's description)
//!   header or list without a description of its layout: "payload": hex digits
//!   bytes:       "size", "crc32c", "zero" (how many are zero), and "file" when extracted
//! ```
//!
//! `encode` recomputes every checksum (`cr_core::image::reseal`), writes descriptions in the
//! image's byte order from their JSON and refuses one whose fields do not hash to its stated
//! fingerprint, a value out of its field's range, and a flag name its flag word lacks.

use crate::frame::{self, Frame, Walk};
use crate::json::{bytes_of_hex, hex, hex_bytes, parse_u64, Bad};
use crate::table::{u32_of, Description, Table};
use crate::value;
use cr_core::image::{
    self, crc32c, record, ByteOrder, RecordKind, DESCRIPTION, HEAD_SIZE, OPTIONAL, RECORD_HEADER_SIZE,
};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The schema name `decode` writes and `encode` expects.
pub const SCHEMA: &str = "cr-inspect image 1";

/// Where `decode` extracts bulk bytes: a directory, and the directory relative paths in the
/// document are taken from (the JSON file's).
pub struct Extract<'a> {
    /// Where the files go.
    pub dir: &'a Path,
    /// What the `file` members are relative to.
    pub base: &'a Path,
}

/// Why an image was not decoded.
#[derive(Debug)]
pub enum Refused {
    /// The image has faults (`verify` lists them); the first of them.
    Faults(Vec<frame::Fault>),
    /// Writing an extracted file failed.
    Io(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Faults(faults) => {
                write!(f, "the image has {} fault(s); the first: ", faults.len())?;
                match faults.first() {
                    Some(fault) => write!(f, "{fault} (`cr-inspect verify` lists them all)"),
                    None => Ok(()),
                }
            }
            Refused::Io(e) => f.write_str(e),
        }
    }
}

/// The descriptions of an image, by record type and fingerprint.
pub struct Descriptions {
    /// (record type, fingerprint, description).
    pub all: Vec<(u32, u64, Description)>,
}

impl Descriptions {
    /// The description of type `ty`'s layout `fingerprint`.
    pub fn of(&self, ty: u32, fingerprint: u64) -> Option<&Table> {
        self.all
            .iter()
            .find(|(t, fp, _)| *t == ty && *fp == fingerprint)
            .map(|(_, _, d)| &d.table)
    }

    /// Whether any description of type `ty` is there.
    pub fn has_type(&self, ty: u32) -> bool {
        self.all.iter().any(|(t, _, _)| *t == ty)
    }

    /// The descriptions of a walked image, each verified against its record; the faults of the
    /// ones that fail.
    pub fn of_walk(walk: &Walk<'_>, order: ByteOrder) -> (Descriptions, Vec<frame::Fault>) {
        let mut all = Vec::new();
        let mut faults = Vec::new();
        for frame in walk.records.iter().filter(|f| f.description()) {
            let checked = cr_core::description::verify(frame.payload, order, frame.version, frame.fingerprint)
                .and_then(|_| Description::parse(frame.payload, order));
            match checked {
                Ok(d) => all.push((frame.ty, frame.fingerprint, d)),
                Err(e) => {
                    let at = frame.payload_at() + e.offset().unwrap_or(0);
                    let what = format!("the description of type {} is refused: {e}", frame.ty);
                    faults.push(frame::Fault::tool(at, what));
                }
            }
        }
        (Descriptions { all }, faults)
    }
}

/// `0x73333930` and, when its four bytes are printable ASCII, `"s390"`.
pub fn arch_name(arch: u32) -> Option<String> {
    let bytes = arch.to_be_bytes();
    bytes
        .iter()
        .all(|b| b.is_ascii_graphic())
        .then(|| bytes.iter().map(|b| *b as char).collect())
}

/// The image `bytes` as a JSON document; bulk bytes extracted into files with `extract`.
pub fn decode(bytes: &[u8], extract: Option<&Extract<'_>>) -> Result<Value, Refused> {
    let walk = frame::walk(bytes);
    let Some(head) = walk.head else {
        return Err(Refused::Faults(walk.faults));
    };
    let (descriptions, described) = Descriptions::of_walk(&walk, head.order);
    if !walk.faults.is_empty() || !described.is_empty() {
        let mut faults = walk.faults;
        faults.extend(described);
        faults.sort_by_key(|f| f.offset);
        return Err(Refused::Faults(faults));
    }
    let mut records = Vec::new();
    for (i, frame) in walk.records.iter().enumerate() {
        records.push(record_json(i, frame, &descriptions, head.order, extract)?);
    }
    let mut doc = Map::new();
    doc.insert("schema".into(), SCHEMA.into());
    doc.insert("format".into(), head.format.into());
    doc.insert("arch".into(), format!("{:#010x}", head.arch).into());
    if let Some(name) = arch_name(head.arch) {
        doc.insert("arch_name".into(), name.into());
    }
    doc.insert("order".into(), head.order.name().into());
    doc.insert("records".into(), Value::Array(records));
    Ok(Value::Object(doc))
}

/// One record's JSON object.
fn record_json(
    index: usize,
    frame: &Frame<'_>,
    descriptions: &Descriptions,
    order: ByteOrder,
    extract: Option<&Extract<'_>>,
) -> Result<Value, Refused> {
    let mut r = Map::new();
    let kind = match (frame.description(), frame.kind()) {
        (true, _) => "description",
        (false, RecordKind::List { .. }) => "list",
        (false, RecordKind::Bytes) => "bytes",
        _ => "header",
    };
    r.insert("kind".into(), kind.into());
    r.insert("offset".into(), frame.offset.into());
    r.insert("type".into(), frame.ty.into());
    r.insert("parent".into(), frame.parent.into());
    r.insert("version".into(), frame.version.into());
    r.insert("optional".into(), frame.optional().into());
    r.insert("fingerprint".into(), hex(frame.fingerprint));
    let payload = frame.payload;
    match frame.kind() {
        _ if frame.description() => {
            let table = descriptions.of(frame.ty, frame.fingerprint).map(Table::to_json);
            r.insert("description".into(), table.unwrap_or(Value::Null));
        }
        RecordKind::Bytes => {
            r.insert("size".into(), payload.len().into());
            r.insert("crc32c".into(), format!("{:#010x}", crc32c(payload)).into());
            r.insert("zero".into(), payload.iter().filter(|b| **b == 0).count().into());
            if let Some(extract) = extract {
                r.insert("file".into(), extract_bytes(extract, index, frame)?.into());
            }
        }
        RecordKind::List { entry } => match descriptions.of(entry, frame.fingerprint) {
            Some(t)
                if t.size > 0
                    && payload.len() % t.size as usize == 0
                    && payload.chunks_exact(t.size as usize).all(|e| value::covers(t, e)) =>
            {
                r.insert("name".into(), t.name.clone().into());
                let entries = payload
                    .chunks_exact(t.size as usize)
                    .map(|e| value::to_json(t, e, order));
                r.insert("entries".into(), Value::Array(entries.collect()));
            }
            found => raw(&mut r, payload, found, descriptions.has_type(entry)),
        },
        _ => match descriptions.of(frame.ty, frame.fingerprint) {
            Some(t) if t.size as usize == payload.len() && value::covers(t, payload) => {
                r.insert("name".into(), t.name.clone().into());
                r.insert("fields".into(), value::to_json(t, payload, order));
            }
            found => raw(&mut r, payload, found, descriptions.has_type(frame.ty)),
        },
    }
    Ok(Value::Object(r))
}

/// A header or list record kept as its bytes, and why.
fn raw(r: &mut Map<String, Value>, payload: &[u8], found: Option<&Table>, typed: bool) {
    let why = match (found, typed) {
        (Some(_), _) => "its length does not fit its description, or bytes no field covers are not zero",
        (None, true) => "written from a layout no description in the image has",
        (None, false) => "no description of its type in the image",
    };
    r.insert("undecoded".into(), why.into());
    r.insert("payload".into(), hex_bytes(payload).into());
}

/// Writes a bulk-bytes record's payload to a file; its path for the document.
fn extract_bytes(extract: &Extract<'_>, index: usize, frame: &Frame<'_>) -> Result<String, Refused> {
    let io = |e: std::io::Error, p: &Path| Refused::Io(format!("cannot write {}: {e}", p.display()));
    std::fs::create_dir_all(extract.dir).map_err(|e| io(e, extract.dir))?;
    let path = extract.dir.join(format!("record-{index}-at-{}.bin", frame.offset));
    std::fs::write(&path, frame.payload).map_err(|e| io(e, &path))?;
    let relative = relative_to(&path, extract.base);
    Ok(relative.to_string_lossy().into_owned())
}

/// `path` relative to `base` when it lies below it, else absolute.
fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let (Ok(path), Ok(base)) = (path.canonicalize(), base.canonicalize()) else {
        return path.to_path_buf();
    };
    path.strip_prefix(&base).map(Path::to_path_buf).unwrap_or(path)
}

/// The image of a JSON document; relative `file` paths are taken from `base`.
pub fn encode(doc: &Value, base: &Path) -> Result<Vec<u8>, Bad> {
    if doc.get("schema").and_then(Value::as_str) != Some(SCHEMA) {
        return Err(Bad::new(format!(
            "not a cr-inspect document (`schema` is not {SCHEMA:?})"
        )));
    }
    let format = u32_of(doc.get("format"), "format")?;
    if !(image::OLDEST_VERSION..=image::VERSION).contains(&format) {
        return Err(Bad::new(format!("format {format} is not one cr writes or reads")).at("format"));
    }
    let arch = u32_of(doc.get("arch"), "arch")?;
    let order = match doc.get("order").and_then(Value::as_str) {
        Some("little-endian") => ByteOrder::Little,
        Some("big-endian") => ByteOrder::Big,
        _ => return Err(Bad::new("`order` is \"little-endian\" or \"big-endian\"").at("order")),
    };
    if format < 3 && order == ByteOrder::Big {
        return Err(Bad::new("formats 1 and 2 are little-endian").at("order"));
    }
    let records = doc
        .get("records")
        .and_then(Value::as_array)
        .ok_or_else(|| Bad::new("`records` is an array"))?;
    let descriptions = described(records, format, order)?;
    let mut out = vec![0u8; HEAD_SIZE];
    out[..image::MAGIC.len()].copy_from_slice(&image::MAGIC);
    out[image::head::VERSION..][..4].copy_from_slice(&format.to_le_bytes());
    out[image::head::ARCH..][..4].copy_from_slice(&arch.to_le_bytes());
    let word = if format < 3 { 0 } else { order.head_word() };
    out[image::head::ORDER..][..4].copy_from_slice(&word.to_le_bytes());
    for (i, r) in records.iter().enumerate() {
        let (header, payload) =
            encode_record(r, format, order, &descriptions, base).map_err(|e| e.at(format!("records[{i}]")))?;
        out.extend_from_slice(&header);
        out.extend_from_slice(&payload);
    }
    out.extend_from_slice(&[0u8; RECORD_HEADER_SIZE]);
    image::reseal(&mut out);
    Ok(out)
}

/// The descriptions of a document's records, each written back to bytes and checked: its
/// fields must hash to its stated fingerprint.
fn described(records: &[Value], format: u32, order: ByteOrder) -> Result<Descriptions, Bad> {
    let mut all = Vec::new();
    for (i, r) in records.iter().enumerate() {
        if r.get("kind").and_then(Value::as_str) != Some("description") {
            continue;
        }
        let at = |e: Bad| e.at(format!("records[{i}]"));
        if format < 3 {
            return Err(at(Bad::new(format!("format {format} has no description records"))));
        }
        let table = r
            .get("description")
            .ok_or_else(|| at(Bad::new("`description` is missing")))?;
        let table = Table::from_json(table).map_err(|e| at(e.at("description")))?;
        let description = Description {
            version: u32_of(r.get("version"), "version").map_err(at)?,
            table,
        };
        check_description(&description, order).map_err(|e| at(e.at("description")))?;
        all.push((
            u32_of(r.get("type"), "type").map_err(at)?,
            description.table.fingerprint,
            description,
        ));
    }
    Ok(Descriptions { all })
}

/// Refuses a description whose fields do not hash to its stated fingerprints (cr-core's parser
/// recomputes them from the bytes it would be written as).
fn check_description(description: &Description, order: ByteOrder) -> Result<(), Bad> {
    let bytes = description.to_bytes(order);
    cr_core::description::parse(&bytes, order, &mut |_| {}).map_err(|e| {
        let message = match e.kind() {
            cr_core::ErrorKind::LayoutMismatch { expected, found } => format!(
                "the description says fingerprint {expected:#018x}, but its fields hash to {found:#018x}: a description must describe its record's layout"
            ),
            _ => format!("not a valid description: {e}"),
        };
        Bad::new(message)
    })?;
    Ok(())
}

/// One record's header (checksums left for `reseal`) and payload.
fn encode_record(
    r: &Value,
    format: u32,
    order: ByteOrder,
    descriptions: &Descriptions,
    base: &Path,
) -> Result<([u8; RECORD_HEADER_SIZE], Vec<u8>), Bad> {
    let kind = r.get("kind").and_then(Value::as_str).unwrap_or("");
    let ty = u32_of(r.get("type"), "type")?;
    let version = u32_of(r.get("version"), "version")?;
    let optional = r.get("optional").and_then(Value::as_bool).unwrap_or(false);
    let stated = r
        .get("fingerprint")
        .map(parse_u64)
        .transpose()
        .map_err(|e| e.at("fingerprint"))?;
    let (fingerprint, payload, flags) = match kind {
        "description" => {
            let table = Table::from_json(r.get("description").unwrap_or(&Value::Null))?;
            // Its fingerprint is the one its fields hash to (`described` checked that).
            let fingerprint = table.fingerprint;
            let bytes = Description { version, table }.to_bytes(order);
            (fingerprint, bytes, OPTIONAL | DESCRIPTION)
        }
        "bytes" => (stated.unwrap_or(0), bulk(r, base)?, 0),
        "header" | "list" => {
            let entry = match RecordKind::of(ty) {
                RecordKind::List { entry } => entry,
                _ => ty,
            };
            let payload = match r.get("payload") {
                Some(p) => bytes_of_hex(p.as_str().unwrap_or("")).map_err(|e| e.at("payload"))?,
                None => typed(r, kind, entry, stated, descriptions, order)?,
            };
            let fp = stated.or_else(|| only_fingerprint(descriptions, entry)).unwrap_or(0);
            (fp, payload, if optional { OPTIONAL } else { 0 })
        }
        other => return Err(Bad::new(format!("unknown record kind {other:?}")).at("kind")),
    };
    if kind == "bytes" && optional {
        return Err(Bad::new("bulk bytes are never optional").at("optional"));
    }
    let len = u32::try_from(payload.len()).map_err(|_| Bad::new("a payload of 4 GiB or more"))?;
    let parent = u32_of(r.get("parent"), "parent")?;
    let mut header = [0u8; RECORD_HEADER_SIZE];
    header[record::TYPE..][..4].copy_from_slice(&ty.to_le_bytes());
    header[record::LEN..][..4].copy_from_slice(&len.to_le_bytes());
    header[record::PARENT..][..4].copy_from_slice(&parent.to_le_bytes());
    if format == 1 {
        if version != 1 || flags != 0 {
            return Err(Bad::new("format-1 records are version 1 and have no flags").at("version"));
        }
    } else {
        let version = u16::try_from(version).map_err(|_| Bad::new("a record version is 16 bits").at("version"))?;
        header[record::VERSION..][..2].copy_from_slice(&version.to_le_bytes());
        header[record::FLAGS..][..2].copy_from_slice(&flags.to_le_bytes());
    }
    header[record::FINGERPRINT..][..8].copy_from_slice(&fingerprint.to_le_bytes());
    Ok((header, payload))
}

/// The fingerprint of the one description of type `ty`, if there is exactly one.
fn only_fingerprint(descriptions: &Descriptions, ty: u32) -> Option<u64> {
    let mut of_type = descriptions.all.iter().filter(|(t, _, _)| *t == ty);
    match (of_type.next(), of_type.next()) {
        (Some((_, fp, _)), None) => Some(*fp),
        _ => None,
    }
}

/// The payload of a header (`fields`) or list (`entries`) record through its description.
fn typed(
    r: &Value,
    kind: &str,
    entry: u32,
    stated: Option<u64>,
    descriptions: &Descriptions,
    order: ByteOrder,
) -> Result<Vec<u8>, Bad> {
    let fingerprint = stated
        .or_else(|| only_fingerprint(descriptions, entry))
        .ok_or_else(|| {
            Bad::new(format!(
                "no description of type {entry} to encode it by; give its `payload`"
            ))
        })?;
    let table = descriptions.of(entry, fingerprint).ok_or_else(|| {
        Bad::new(format!(
            "no description of type {entry} with fingerprint {fingerprint:#018x} to encode it by"
        ))
        .at("fingerprint")
    })?;
    if kind == "header" {
        let fields = r.get("fields").ok_or_else(|| Bad::new("`fields` is missing"))?;
        return value::from_json(table, fields, order).map_err(|e| e.at("fields"));
    }
    let entries = r
        .get("entries")
        .and_then(Value::as_array)
        .ok_or_else(|| Bad::new("`entries` is an array"))?;
    let mut payload = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        payload.extend(value::from_json(table, e, order).map_err(|e| e.at(format!("entries[{i}]")))?);
    }
    Ok(payload)
}

/// A bulk-bytes payload: its extracted file, or zeros when every byte is zero.
fn bulk(r: &Value, base: &Path) -> Result<Vec<u8>, Bad> {
    let size = u32_of(r.get("size"), "size")? as usize;
    if let Some(file) = r.get("file").and_then(Value::as_str) {
        let path = base.join(file);
        let bytes =
            std::fs::read(&path).map_err(|e| Bad::new(format!("cannot read {}: {e}", path.display())).at("file"))?;
        if bytes.len() != size {
            return Err(Bad::new(format!("{} holds {} bytes, not {size}", path.display(), bytes.len())).at("file"));
        }
        return Ok(bytes);
    }
    if r.get("zero").and_then(Value::as_u64) == Some(size as u64) {
        return Ok(vec![0; size]);
    }
    Err(Bad::new(
        "bulk bytes that are not all zero need their `file` (decode with --bytes DIR)",
    ))
}
