//! A header's bytes and their values, through its description: to JSON (`decode`), from JSON
//! (`encode`, every value checked against its field's range and flag names), and as the lines
//! `show` prints (the layout of `cr_core::dump`). Values are read and written in the image's
//! byte order.
//!
//! Values in JSON: an unsigned integer is a `"0x.."` string (a JSON number is accepted too), a
//! signed one a number (a decimal string for 128 bits), a float a number when finite (exact:
//! the shortest decimal that reads back to the same bits; an `f32` widened to `f64`) or
//! `{"bits": "0x.."}`, a `bool` `true`/`false` (a byte other than 0 or 1 as that number), an
//! array a JSON array, a nested header an object of its fields (an array of them), a flag word
//! the array of its flags' names (bits no flag names as `"0x.."` strings), and bytes the layout
//! does not describe a string of hex digits.

use crate::json::{bytes_of_hex, hex, hex_bytes, parse_i128, parse_u128, Bad};
use crate::table::{Field, Flag, Format, Role, Table};
use cr_core::image::ByteOrder;
use serde_json::{Map, Value};
use std::fmt::Write;

/// An integer of 1 to 16 bytes in `order`.
pub fn int(bytes: &[u8], order: ByteOrder) -> u128 {
    order.unsigned(bytes)
}

/// Writes the low `out.len()` bytes of `v` into `out` in `order`.
fn put_int(out: &mut [u8], v: u128, order: ByteOrder) {
    let n = out.len().min(16);
    match order {
        ByteOrder::Little => out[..n].copy_from_slice(&v.to_le_bytes()[..n]),
        ByteOrder::Big => out[..n].copy_from_slice(&v.to_be_bytes()[16 - n..]),
    }
}

/// The size in bytes of one element of `format`.
pub fn size_of(format: &Format) -> u64 {
    match format {
        Format::Unsigned(b) | Format::Signed(b) | Format::Float(b) => u64::from(*b),
        Format::Bool => 1,
        Format::Array(len, elem) => u64::from(*len).saturating_mul(size_of(elem)),
        Format::Header(_, size) | Format::Opaque(size) | Format::Bytes(size) => u64::from(*size),
    }
}

/// Whether the values of a `table` header give `bytes` back: every byte no field covers is
/// zero, and no table names two fields alike (a JSON object holds each name once).
pub fn covers(table: &Table, bytes: &[u8]) -> bool {
    let mut covered = vec![false; bytes.len()];
    mark(table, 0, &mut covered);
    unique_names(table) && covered.iter().zip(bytes).all(|(c, b)| *c || *b == 0)
}

fn unique_names(table: &Table) -> bool {
    let mut names: Vec<&str> = table.fields.iter().map(|f| f.name.as_str()).collect();
    names.sort_unstable();
    let unique = names.windows(2).all(|w| w[0] != w[1]);
    unique
        && table.fields.iter().all(|f| match f.role.live() {
            Role::Nested { table, .. } => unique_names(table),
            _ => true,
        })
}

fn mark(table: &Table, base: usize, covered: &mut [bool]) {
    for field in &table.fields {
        let start = base + field.offset as usize;
        let end = (start + field.size as usize).min(covered.len());
        if let Role::Nested { table: inner, len, .. } = field.role.live() {
            for i in 0..*len as usize {
                mark(inner, start + i * inner.size as usize, covered);
            }
        } else if start < end {
            covered[start..end].iter_mut().for_each(|c| *c = true);
        }
    }
}

/// The fields of one `table` header held in `bytes`, as a JSON object.
pub fn to_json(table: &Table, bytes: &[u8], order: ByteOrder) -> Value {
    let mut object = Map::new();
    for field in &table.fields {
        let start = field.offset as usize;
        let Some(value) = bytes.get(start..start + field.size as usize) else {
            continue;
        };
        object.insert(
            field.name.clone(),
            field_json(&field.format, field.role.live(), value, order),
        );
    }
    Value::Object(object)
}

fn field_json(format: &Format, role: &Role, bytes: &[u8], order: ByteOrder) -> Value {
    match role {
        Role::Nested { array, table, .. } => {
            let each = bytes
                .chunks_exact(table.size.max(1) as usize)
                .map(|e| to_json(table, e, order));
            match array {
                true => Value::Array(each.collect()),
                false => each.into_iter().next().unwrap_or(Value::Null),
            }
        }
        Role::Flags(flags) => flags_json(flags, int(bytes, order)),
        _ => format_json(format, bytes, order),
    }
}

fn flags_json(flags: &[Flag], v: u128) -> Value {
    let mut out = Vec::new();
    let mut known = 0u128;
    for flag in flags {
        let bit = 1u128.checked_shl(flag.bit).unwrap_or(0);
        known |= bit;
        if v & bit != 0 {
            out.push(Value::from(flag.name.clone()));
        }
    }
    if v & !known != 0 {
        out.push(hex(v & !known));
    }
    Value::Array(out)
}

fn format_json(format: &Format, bytes: &[u8], order: ByteOrder) -> Value {
    match format {
        Format::Unsigned(_) => hex(int(bytes, order)),
        Format::Signed(w) => {
            let shift = 128 - u32::from(*w) * 8;
            let v = ((int(bytes, order) << shift) as i128) >> shift;
            match i64::try_from(v) {
                Ok(v) => Value::from(v),
                Err(_) => Value::from(v.to_string()),
            }
        }
        Format::Float(4) => {
            let v = f32::from_bits(int(bytes, order) as u32);
            match v.is_finite() {
                true => Value::from(f64::from(v)),
                false => serde_json::json!({ "bits": hex(v.to_bits()) }),
            }
        }
        Format::Float(_) => {
            let v = f64::from_bits(int(bytes, order) as u64);
            match v.is_finite() {
                true => Value::from(v),
                false => serde_json::json!({ "bits": hex(v.to_bits()) }),
            }
        }
        Format::Bool => match bytes[0] {
            0 => Value::from(false),
            1 => Value::from(true),
            b => Value::from(b),
        },
        Format::Array(_, elem) => {
            let width = size_of(elem).max(1) as usize;
            Value::Array(bytes.chunks_exact(width).map(|e| format_json(elem, e, order)).collect())
        }
        Format::Header(..) | Format::Opaque(_) | Format::Bytes(_) => Value::from(hex_bytes(bytes)),
    }
}

/// The bytes of one `table` header from its JSON object, in `order`. Every field must be there;
/// each value must fit its field.
pub fn from_json(table: &Table, value: &Value, order: ByteOrder) -> Result<Vec<u8>, Bad> {
    let mut bytes = vec![0u8; table.size as usize];
    fill(table, value, &mut bytes, order)?;
    Ok(bytes)
}

fn fill(table: &Table, value: &Value, bytes: &mut [u8], order: ByteOrder) -> Result<(), Bad> {
    let object = value
        .as_object()
        .ok_or_else(|| Bad::new(format!("a `{}` header is a JSON object of its fields", table.name)))?;
    for name in object.keys() {
        if !table.fields.iter().any(|f| &f.name == name) {
            return Err(Bad::new(format!("`{}` has no field `{name}`", table.name)));
        }
    }
    for field in &table.fields {
        let v = object
            .get(&field.name)
            .ok_or_else(|| Bad::new(format!("field `{}` of `{}` is missing", field.name, table.name)))?;
        let start = field.offset as usize;
        let out = bytes
            .get_mut(start..start + field.size as usize)
            .ok_or_else(|| Bad::new("the field lies outside its header").at(&field.name))?;
        fill_field(field, v, out, order).map_err(|e| e.at(&field.name))?;
    }
    Ok(())
}

fn fill_field(field: &Field, v: &Value, out: &mut [u8], order: ByteOrder) -> Result<(), Bad> {
    match field.role.live() {
        Role::Nested { array, table, len } => {
            let size = table.size.max(1) as usize;
            match (array, v) {
                (true, Value::Array(items)) if items.len() == *len as usize => {
                    for (i, (item, chunk)) in items.iter().zip(out.chunks_exact_mut(size)).enumerate() {
                        fill(table, item, chunk, order).map_err(|e| e.at(format!("[{i}]")))?;
                    }
                    Ok(())
                }
                (true, _) => Err(Bad::new(format!("an array of {len} `{}` headers", table.name))),
                (false, v) => fill(table, v, out, order),
            }
        }
        Role::Flags(flags) => fill_flags(flags, &field.format, v, out, order),
        _ => fill_format(&field.format, v, out, order),
    }
}

fn fill_flags(flags: &[Flag], format: &Format, v: &Value, out: &mut [u8], order: ByteOrder) -> Result<(), Bad> {
    let items = v
        .as_array()
        .ok_or_else(|| Bad::new("a flag word is an array of flag names (and `\"0x..\"` bits)"))?;
    let mut word = 0u128;
    for item in items {
        match item.as_str() {
            Some(s) if s.starts_with("0x") => word |= parse_u128(item)?,
            Some(name) => {
                let Some(flag) = flags.iter().find(|f| f.name == name) else {
                    let known: Vec<&str> = flags.iter().map(|f| f.name.as_str()).collect();
                    return Err(Bad::new(format!(
                        "unknown flag name {name:?} (the flags are {known:?})"
                    )));
                };
                word |= 1u128.checked_shl(flag.bit).unwrap_or(0);
            }
            None => return Err(Bad::new(format!("{item} is not a flag name"))),
        }
    }
    check_width(word, out.len(), format)?;
    put_int(out, word, order);
    Ok(())
}

/// Refuses `v` if it does not fit `width` bytes.
fn check_width(v: u128, width: usize, format: &Format) -> Result<(), Bad> {
    if width < 16 && v >> (width * 8) != 0 {
        let f = format.to_json();
        return Err(Bad::new(format!(
            "{v:#x} is out of range for a {} field",
            f.as_str().unwrap_or("integer")
        )));
    }
    Ok(())
}

fn fill_format(format: &Format, v: &Value, out: &mut [u8], order: ByteOrder) -> Result<(), Bad> {
    match format {
        Format::Unsigned(_) => {
            let n = parse_u128(v)?;
            check_width(n, out.len(), format)?;
            put_int(out, n, order);
        }
        Format::Signed(w) => {
            let n = parse_i128(v)?;
            let bits = u32::from(*w) * 8;
            if bits < 128 && (n < -(1i128 << (bits - 1)) || n >= 1i128 << (bits - 1)) {
                return Err(Bad::new(format!("{n} is out of range for an i{bits} field")));
            }
            put_int(out, n as u128, order);
        }
        Format::Float(w) => {
            let bits = match v.get("bits") {
                Some(b) => parse_u128(b)?,
                None => {
                    let x = v.as_f64().ok_or_else(|| Bad::new(format!("{v} is not a float")))?;
                    match w {
                        4 => {
                            let f = x as f32;
                            if f64::from(f) != x {
                                return Err(Bad::new(format!("{x} is not exactly an f32 (use {{\"bits\": ..}})")));
                            }
                            u128::from(f.to_bits())
                        }
                        _ => u128::from(x.to_bits()),
                    }
                }
            };
            check_width(bits, out.len(), format)?;
            put_int(out, bits, order);
        }
        Format::Bool => {
            out[0] = match v {
                Value::Bool(b) => u8::from(*b),
                other => {
                    let n = parse_u128(other)?;
                    u8::try_from(n).map_err(|_| Bad::new(format!("{n} is out of range for a bool's byte")))?
                }
            };
        }
        Format::Array(len, elem) => {
            let items = v
                .as_array()
                .filter(|a| a.len() == *len as usize)
                .ok_or_else(|| Bad::new(format!("an array of {len} elements")))?;
            let width = size_of(elem).max(1) as usize;
            for (i, (item, chunk)) in items.iter().zip(out.chunks_exact_mut(width)).enumerate() {
                fill_format(elem, item, chunk, order).map_err(|e| e.at(format!("[{i}]")))?;
            }
        }
        Format::Header(..) | Format::Opaque(_) | Format::Bytes(_) => {
            let s = v.as_str().ok_or_else(|| Bad::new("bytes are a string of hex digits"))?;
            let bytes = bytes_of_hex(s)?;
            if bytes.len() != out.len() {
                return Err(Bad::new(format!("{} bytes, not {}", bytes.len(), out.len())));
            }
            out.copy_from_slice(&bytes);
        }
    }
    Ok(())
}

// ---- show ------------------------------------------------------------------------------------

/// Where a nested table's rows are: the routes of header names and live paths that lead to it.
#[derive(Clone, Default)]
struct Prefix {
    names: String,
    paths: String,
}

/// One line per field of a `table` header in `bytes`, as `cr_core::dump` prints them.
pub fn show(out: &mut String, table: &Table, bytes: &[u8], order: ByteOrder) {
    rows(out, table, bytes, order, &Prefix::default());
}

fn rows(out: &mut String, table: &Table, bytes: &[u8], order: ByteOrder, prefix: &Prefix) {
    for field in &table.fields {
        let start = field.offset as usize;
        let Some(value) = bytes.get(start..start + field.size as usize) else {
            continue;
        };
        let name = format!("{}{}", prefix.names, field.name);
        if let Role::Variant { tag, values, .. } = &field.role {
            if !selects(table, bytes, order, tag, values) {
                let _ = writeln!(out, "    {name:<24} (inactive: `{tag}` selects another variant)");
                continue;
            }
        }
        if let Role::Nested {
            array, table: inner, ..
        } = field.role.live()
        {
            for (i, element) in value.chunks_exact(inner.size.max(1) as usize).enumerate() {
                let index = if *array { format!("[{i}]") } else { String::new() };
                let label = field.path.as_deref().unwrap_or(&field.name);
                let inner_prefix = Prefix {
                    names: format!("{}{}{index}.", prefix.names, field.name),
                    paths: format!("{}{label}{index}.", prefix.paths),
                };
                rows(out, inner, element, order, &inner_prefix);
            }
            continue;
        }
        let path = match &field.path {
            Some(path) => format!("{}{path}", prefix.paths),
            None => "-".into(),
        };
        let _ = write!(out, "    {name:<24} {path:<40} ");
        show_value(out, &field.format, field.role.live(), value, order);
        out.push('\n');
    }
}

/// Whether the tag field `tag` of a `table` header in `bytes` holds one of `values`.
fn selects(table: &Table, bytes: &[u8], order: ByteOrder, tag: &str, values: &[u64]) -> bool {
    let field = table.fields.iter().find(|f| f.name == tag);
    let value = field
        .and_then(|f| bytes.get(f.offset as usize..(f.offset + f.size) as usize))
        .map(|b| int(b, order));
    value.is_some_and(|v| values.iter().any(|x| u128::from(*x) == v))
}

/// The width of a scalar format.
fn scalar(format: &Format) -> Option<usize> {
    match format {
        Format::Unsigned(b) | Format::Signed(b) | Format::Float(b) => Some(usize::from(*b)),
        Format::Bool => Some(1),
        _ => None,
    }
}

fn show_value(out: &mut String, format: &Format, role: &Role, bytes: &[u8], order: ByteOrder) {
    if let Some(width) = scalar(format).filter(|w| *w == bytes.len()) {
        let v = int(&bytes[..width], order);
        let _ = write!(out, "{v:#x}");
        if let Role::Flags(flags) = role {
            let mut known = 0u128;
            for flag in flags {
                let bit = 1u128.checked_shl(flag.bit).unwrap_or(0);
                known |= bit;
                if v & bit != 0 {
                    let _ = write!(out, " {}", flag.name);
                }
            }
            if v & !known != 0 {
                let _ = write!(out, " unknown {:#x}", v & !known);
            }
        }
        return;
    }
    if let Format::Array(len, elem) = format {
        if let Some(width) = scalar(elem).filter(|w| w * *len as usize == bytes.len()) {
            return runs(out, bytes.chunks_exact(width).map(|e| int(e, order)));
        }
    }
    if bytes.len() > 16 && bytes.len() % 8 == 0 {
        out.push_str("words ");
        return runs(out, bytes.chunks_exact(8).map(|w| int(w, order)));
    }
    out.push_str(&hex_bytes(bytes));
}

/// `[a, b x3, c]`: as the dump shows an array.
fn runs(out: &mut String, values: impl Iterator<Item = u128>) {
    let _ = cr_core::dump::runs(out, values);
}
