//! A review dump of an image (cr's answer to CRIU's `crit`): every record with its offset, type,
//! parent and, for the header types the caller knows, one line per field (name, live path,
//! value) read through the generated `Layout` table; a list record's entries one by one, a
//! bulk-bytes record as its size, zero bytes and checksum; a description record of a type the
//! caller does not know by the name it gives, once it verifies (`crate::description`). Unknown
//! record types are listed, not refused. Values are shown as the writer held them, in the image's byte order (named on the
//! first line), on a machine of either order.
//! Writes to any `core::fmt::Write`; no allocation.

use crate::image::{Reader, Record, RecordKind, BYTES};
use crate::layout::{padded, FieldInfo, Format, Mode, Prefix};
use crate::order::ByteOrder;
use crate::{Error, ErrorKind};
use core::fmt::{self, Write};

/// A header type the dump can decode: `Kind::of::<CrHdrCpu>()`.
#[derive(Clone, Copy, Debug)]
pub struct Kind {
    /// Its record type.
    pub ty: u32,
    /// Its name.
    pub name: &'static str,
    /// Its field table.
    pub fields: &'static [FieldInfo],
    /// Its layout fingerprint.
    pub fingerprint: u64,
    /// Its size in bytes.
    pub size: usize,
}

impl Kind {
    /// The kind of record header `H`.
    pub const fn of<H: Record>() -> Kind {
        Kind {
            ty: H::TYPE,
            name: H::NAME,
            fields: H::FIELDS,
            fingerprint: H::FINGERPRINT,
            size: size_of::<H>(),
        }
    }
}

/// Writes the dump of `image` (written for `arch`) to `out`, decoding the records of `kinds`.
/// Fails with the image's first fault, after dumping every record before it.
pub fn dump(image: &[u8], arch: u32, kinds: &[Kind], out: &mut dyn Write) -> Result<(), Error> {
    let io = |_| Error::new(ErrorKind::Io);
    let mut reader = Reader::new(image, arch)?;
    let order = reader.order();
    writeln!(
        out,
        "cr image, format {}, arch {arch:#010x}, {order}, {} bytes",
        reader.format(),
        image.len()
    )
    .map_err(io)?;
    while let Some((info, payload)) = reader.read_raw()? {
        let record_kind = RecordKind::of(info.ty);
        // The kind of that type and version (a frozen older header of it, say), else of that type.
        let of_type = |ty: u32| {
            let mut of_type = kinds.iter().filter(move |k| k.ty == ty);
            let exact = of_type.clone().find(|k| k.fingerprint == info.fingerprint);
            exact.or_else(|| of_type.next())
        };
        let kind = match record_kind {
            RecordKind::List { entry } => of_type(entry),
            RecordKind::Bytes => None,
            _ => of_type(info.ty),
        };
        if info.description {
            write!(out, "@{:<6} description of type {}", info.offset, info.ty).map_err(io)?;
            // A type the caller knows by its kind's name; another by the name its description
            // gives once it verifies (its fields hash to its record's fingerprint), never trusted
            // otherwise.
            match kind {
                Some(kind) => write!(out, " ({})", kind.name),
                None => match crate::description::verify(payload, order, info.version, info.fingerprint) {
                    Ok(summary) => write!(out, " ({}, from its description)", summary.name),
                    Err(_) => write!(out, " (a description that does not verify)"),
                },
            }
            .map_err(io)?;
            writeln!(
                out,
                ", version {}, fingerprint {:#018x}, {} bytes",
                info.version, info.fingerprint, info.len
            )
            .map_err(io)?;
            continue;
        }
        match record_kind {
            RecordKind::List { entry } => write!(out, "@{:<6} type LIST+{entry}", info.offset),
            RecordKind::Bytes => write!(out, "@{:<6} type BYTES+{}", info.offset, info.ty - BYTES),
            _ => write!(out, "@{:<6} type {}", info.offset, info.ty),
        }
        .map_err(io)?;
        match (kind, record_kind) {
            (Some(kind), RecordKind::List { .. }) => write!(out, " (list of {})", kind.name).map_err(io)?,
            (Some(kind), _) => write!(out, " ({})", kind.name).map_err(io)?,
            (None, RecordKind::Bytes) => out.write_str(" (bytes)").map_err(io)?,
            (None, _) => {}
        }
        let optional = if info.optional { ", optional" } else { "" };
        writeln!(
            out,
            ", version {}{optional}, parent {}, {} bytes",
            info.version, info.parent, info.len
        )
        .map_err(io)?;
        match (kind, record_kind) {
            (_, RecordKind::Bytes) => {
                let zero = payload.iter().filter(|b| **b == 0).count();
                writeln!(
                    out,
                    "    {} bytes ({} zero), crc32c {:#010x}",
                    payload.len(),
                    zero,
                    crate::image::crc32c(payload)
                )
                .map_err(io)?;
            }
            (Some(kind), _) if kind.fingerprint != info.fingerprint => writeln!(
                out,
                "    written from another layout of {} (fingerprint {:#018x}, this build {:#018x}): not decoded",
                kind.name, info.fingerprint, kind.fingerprint
            )
            .map_err(io)?,
            (Some(kind), RecordKind::List { .. }) if kind.size > 0 && payload.len() % kind.size == 0 => {
                writeln!(out, "    {} entries", payload.len() / kind.size).map_err(io)?;
                for (i, entry) in payload.chunks_exact(kind.size).enumerate() {
                    writeln!(out, "    [{i}]").map_err(io)?;
                    fields(out, kind.fields, entry, order, None).map_err(io)?;
                }
            }
            (Some(kind), RecordKind::Header) if kind.size == payload.len() => {
                fields(out, kind.fields, payload, order, None).map_err(io)?;
            }
            _ => {}
        }
    }
    let end = reader.offset();
    reader.finish()?;
    writeln!(out, "@{end:<6} end").map_err(io)
}

/// One line per field of `table` over `payload` (the bytes of one header, in `order`), nested
/// headers' fields named by their route (`segs[2].dpl`).
fn fields(
    out: &mut dyn Write,
    table: &'static [FieldInfo],
    payload: &[u8],
    order: ByteOrder,
    prefix: Option<&Prefix<'_>>,
) -> fmt::Result {
    for field in table {
        let Some(bytes) = payload.get(field.offset..field.offset + field.size) else {
            continue;
        };
        if let Mode::Variant(variant) = field.mode {
            if !selects(table, payload, order, &variant) {
                out.write_str("    ")?;
                padded(out, 24, format_args!("{}{}", Prefix::names(prefix), field.name))?;
                writeln!(out, " (inactive: `{}` selects another variant)", variant.tag)?;
                continue;
            }
        }
        if let Some(nested) = field.mode.nested() {
            for i in 0..nested.count() {
                let inner = Prefix::below(prefix, field, &nested, i);
                if let Some(element) = bytes.get(i * nested.size..(i + 1) * nested.size) {
                    fields(out, nested.fields, element, order, Some(&inner))?;
                }
            }
            continue;
        }
        out.write_str("    ")?;
        padded(out, 24, format_args!("{}{}", Prefix::names(prefix), field.name))?;
        out.write_char(' ')?;
        match field.path {
            Some(path) => padded(out, 40, format_args!("{}{path}", Prefix::paths(prefix)))?,
            None => padded(out, 40, format_args!("-"))?,
        }
        out.write_char(' ')?;
        value(out, field, bytes, order)?;
        writeln!(out)?;
    }
    Ok(())
}

/// Whether the tag field of `variant`, in the header `payload` (in `order`) whose table is
/// `table`, selects it.
fn selects(table: &[FieldInfo], payload: &[u8], order: ByteOrder, variant: &crate::layout::Variant) -> bool {
    let tag = table.iter().find(|f| f.name == variant.tag);
    let value = tag
        .and_then(|f| payload.get(f.offset..f.offset + f.size))
        .map(|b| int(b, order));
    value.is_some_and(|v| variant.values.iter().any(|x| u128::from(*x) == v))
}

/// An integer of 1 to 16 bytes in `order` (the image's).
fn int(bytes: &[u8], order: ByteOrder) -> u128 {
    order.unsigned(bytes)
}

/// The width in bytes of the scalar a format is, if it is one.
fn scalar(format: &Format) -> Option<usize> {
    match *format {
        Format::Unsigned { bytes } | Format::Signed { bytes } | Format::Float { bytes } => Some(bytes as usize),
        Format::Bool => Some(1),
        _ => None,
    }
}

/// One value: integers and their arrays in hex (runs of equal elements folded), flag words
/// decoded, anything else as bytes. Read from the field's [`Format`], never from its type's name,
/// in the image's byte order `order`.
fn value(out: &mut dyn Write, field: &FieldInfo, bytes: &[u8], order: ByteOrder) -> fmt::Result {
    if let Some(width) = scalar(&field.format).filter(|w| *w == bytes.len() && *w <= 16) {
        let v = int(&bytes[..width], order);
        write!(out, "{v:#x}")?;
        if let Mode::Flags(flags) = field.mode {
            let mut known = 0u128;
            for flag in flags {
                let bit = 1u128.checked_shl(flag.bit).unwrap_or(0);
                known |= bit;
                if v & bit != 0 {
                    write!(out, " {}", flag.name)?;
                }
            }
            if v & !known != 0 {
                write!(out, " unknown {:#x}", v & !known)?;
            }
        }
        return Ok(());
    }
    // An array of scalars: the elements, runs of equal values folded.
    if let Format::Array { elem, len } = field.format {
        if let Some(width) = scalar(elem).filter(|w| *w <= 16 && w * len == bytes.len()) {
            return runs(out, bytes.chunks_exact(width).map(|e| int(e, order)));
        }
    }
    // A long value of another type (a struct under `bits`): 8-byte words in the image's order,
    // runs of equal words folded, so a mostly-zero 4 KiB area stays one short line.
    if bytes.len() > 16 && bytes.len() % 8 == 0 {
        out.write_str("words ")?;
        return runs(out, bytes.chunks_exact(8).map(|w| int(w, order)));
    }
    for b in bytes {
        write!(out, "{b:02x}")?;
    }
    Ok(())
}

/// `[a, b x3, c]`: values in hex, runs of equal values folded (how the dump shows an array, and
/// `cr-inspect show` too).
pub fn runs(out: &mut dyn Write, values: impl Iterator<Item = u128>) -> fmt::Result {
    out.write_char('[')?;
    let mut values = values.peekable();
    let mut first = true;
    while let Some(v) = values.next() {
        let mut run = 1;
        while values.peek() == Some(&v) {
            values.next();
            run += 1;
        }
        if !first {
            out.write_str(", ")?;
        }
        first = false;
        write!(out, "{v:#x}")?;
        if run > 1 {
            write!(out, " x{run}")?;
        }
    }
    out.write_char(']')
}
