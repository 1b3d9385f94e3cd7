//! Self-descriptions of header types (image format 3): the payload of a description record, its
//! byte format written once here, its encoder from a [`Layout`] and its verifying parser. Owns
//! no I/O and no framing (`image` does); `no_std`, no allocation, no panics on any input.
//!
//! A description record ([`image::DESCRIPTION`](crate::image::DESCRIPTION)) carries the record
//! type, version and layout fingerprint of the header type it describes in its record header,
//! and this payload. Every integer is in the image's payload byte order (the head's byte-order
//! word), as a header's are; strings are UTF-8.
//!
//! ```text
//! description  magic "CRDS"  format:u32 (= 1)  version:u32  table
//! table        name:str  size:u32  fingerprint:u64  count:u32  field * count
//! field        name:str  path:opt  offset:u32  size:u32  format  role
//! format       tag:u8, then by tag:  1 unsigned  2 signed  3 float: width:u8  |  4 bool
//!              5 array: len:u32, format (the element)  |  6 header: fingerprint:u64 size:u32
//!              7 opaque  8 bytes (no byte order): size:u32
//! role         tag:u8, then by tag:  1 data: mode:str  |  2 reserved
//!              3 flags: count:u32, (name:str bit:u32 path:opt) * count
//!              4 variant: tag:str count:u32 value:u64 * count, role (its role while live)
//!              5 nested: array:u8 (0 or 1) len:u32 (1 unless an array), table (of one element)
//! str          len:u16, `len` bytes of UTF-8
//! opt          present:u8 (0 or 1), then str if present
//! ```
//!
//! `mode` is the `#[cr(...)]` key the field was declared with ([`Mode::name`]) and `path` its
//! live path: informative, never hashed. The parser recomputes each table's fingerprint from its
//! fields by the steps [`layout::fingerprint`] takes, and refuses a
//! table whose stated fingerprint differs (`LayoutMismatch`), a nested table other than the one
//! its field's format names, a field outside its table, a format whose size is not its field's,
//! and bytes after the description (`Invalid`, each at its byte offset in the payload).

use crate::layout::{self, FieldInfo, FlagInfo, Fnv, Format, FormatHead, Layout, Mode, Nested};
use crate::order::ByteOrder;
use crate::{Error, ErrorKind};

/// The first four bytes of every description.
pub const MAGIC: [u8; 4] = *b"CRDS";
/// The description format this build writes and reads.
pub const FORMAT: u32 = 1;
/// The deepest nesting of tables and formats the parser follows (a header nested in a header
/// ... 16 deep); deeper is `Invalid`, so no input can exhaust the stack.
pub const MAX_DEPTH: usize = 16;

/// The tags of a field's role in a description.
pub mod role {
    /// Data (every mode but the ones below).
    pub const DATA: u8 = 1;
    /// `reserved`: zero.
    pub const RESERVED: u8 = 2;
    /// A flag word.
    pub const FLAGS: u8 = 3;
    /// A tagged variant (`when`).
    pub const VARIANT: u8 = 4;
    /// A nested header or array of headers.
    pub const NESTED: u8 = 5;
}

/// The tags of a field's format in a description (the fingerprint hashes the same numbers).
pub mod format {
    use crate::layout;
    /// An unsigned integer.
    pub const UNSIGNED: u8 = layout::FORMAT_UNSIGNED;
    /// A two's-complement signed integer.
    pub const SIGNED: u8 = layout::FORMAT_SIGNED;
    /// An IEEE 754 float.
    pub const FLOAT: u8 = layout::FORMAT_FLOAT;
    /// A `bool`.
    pub const BOOL: u8 = layout::FORMAT_BOOL;
    /// An array.
    pub const ARRAY: u8 = layout::FORMAT_ARRAY;
    /// A nested header, by fingerprint and size.
    pub const HEADER: u8 = layout::FORMAT_HEADER;
    /// Bytes the layout does not describe.
    pub const OPAQUE: u8 = layout::FORMAT_OPAQUE;
    /// Bytes without a byte order.
    pub const BYTES: u8 = layout::FORMAT_BYTES;
}

/// Where a description's bytes go: the writer's sink, or a measure of length and checksum.
pub trait Emit {
    /// Appends `bytes`.
    fn emit(&mut self, bytes: &[u8]) -> Result<(), Error>;
}

/// A vector collects the bytes (feature `std`).
#[cfg(feature = "std")]
impl Emit for std::vec::Vec<u8> {
    fn emit(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.extend_from_slice(bytes);
        Ok(())
    }
}

/// The length and CRC-32C of the bytes emitted to it: the first of the writer's two passes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Measure {
    /// Bytes emitted.
    pub len: usize,
    /// Their CRC-32C.
    pub crc: u32,
}

impl Emit for Measure {
    fn emit(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.len = self.len.saturating_add(bytes.len());
        self.crc = crate::image::crc32c_append(self.crc, bytes);
        Ok(())
    }
}

/// Writes the description of header type `H` (record version `version`) to `out`, its integers
/// in `order`. No allocation: the bytes are produced as they are emitted.
pub fn encode<H: Layout>(version: u32, order: ByteOrder, out: &mut dyn Emit) -> Result<(), Error> {
    let mut w = Writer {
        buf: [0; Writer::CHUNK],
        len: 0,
        out,
        order,
    };
    w.put(&MAGIC)?;
    w.u32(FORMAT)?;
    w.u32(version)?;
    let nested = Nested::of::<H>();
    w.table(nested.name, nested.size, nested.fingerprint, nested.fields, 0)?;
    w.flush()
}

/// The encoder's state: the chunk being filled, where full chunks go, and the byte order. The
/// many small pieces (some 600 for the s390 cpu header) are gathered on the stack, so the
/// checksum and the sink see a few calls per description, not one per integer.
struct Writer<'a> {
    buf: [u8; Writer::CHUNK],
    len: usize,
    out: &'a mut dyn Emit,
    order: ByteOrder,
}

impl Writer<'_> {
    const CHUNK: usize = 512;

    /// Appends `bytes` to the chunk (a piece longer than a chunk goes out by itself).
    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if self.len + bytes.len() > Writer::CHUNK {
            self.flush()?;
            if bytes.len() > Writer::CHUNK {
                return self.out.emit(bytes);
            }
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
        Ok(())
    }

    /// Hands the chunk on.
    fn flush(&mut self) -> Result<(), Error> {
        let len = core::mem::take(&mut self.len);
        match len {
            0 => Ok(()),
            _ => self.out.emit(&self.buf[..len]),
        }
    }

    fn u8(&mut self, v: u8) -> Result<(), Error> {
        self.put(&[v])
    }
    fn u16(&mut self, v: u16) -> Result<(), Error> {
        self.put(&order_bytes(v.to_le_bytes(), v.to_be_bytes(), self.order))
    }
    fn u32(&mut self, v: u32) -> Result<(), Error> {
        self.put(&order_bytes(v.to_le_bytes(), v.to_be_bytes(), self.order))
    }
    fn u64(&mut self, v: u64) -> Result<(), Error> {
        self.put(&order_bytes(v.to_le_bytes(), v.to_be_bytes(), self.order))
    }
    /// A size or offset, which a description holds in 32 bits.
    fn size(&mut self, v: usize) -> Result<(), Error> {
        self.u32(u32::try_from(v).map_err(|_| too_large())?)
    }
    fn str(&mut self, s: &str) -> Result<(), Error> {
        self.u16(u16::try_from(s.len()).map_err(|_| too_large())?)?;
        self.put(s.as_bytes())
    }
    fn opt(&mut self, s: Option<&str>) -> Result<(), Error> {
        match s {
            Some(s) => {
                self.u8(1)?;
                self.str(s)
            }
            None => self.u8(0),
        }
    }

    fn table(
        &mut self,
        name: &str,
        size: usize,
        fingerprint: u64,
        fields: &'static [FieldInfo],
        depth: usize,
    ) -> Result<(), Error> {
        if depth >= MAX_DEPTH {
            return Err(too_large());
        }
        self.str(name)?;
        self.size(size)?;
        self.u64(fingerprint)?;
        self.size(fields.len())?;
        for field in fields {
            self.str(field.name)?;
            self.opt(field.path)?;
            self.size(field.offset)?;
            self.size(field.size)?;
            self.format(&field.format, depth)?;
            self.role(&field.mode, depth)?;
        }
        Ok(())
    }

    fn format(&mut self, format: &Format, depth: usize) -> Result<(), Error> {
        if depth >= MAX_DEPTH {
            return Err(too_large());
        }
        match *format {
            Format::Unsigned { bytes } => self.scalar(format::UNSIGNED, bytes),
            Format::Signed { bytes } => self.scalar(format::SIGNED, bytes),
            Format::Float { bytes } => self.scalar(format::FLOAT, bytes),
            Format::Bool => self.u8(format::BOOL),
            Format::Array { elem, len } => {
                self.u8(format::ARRAY)?;
                self.size(len)?;
                self.format(elem, depth + 1)
            }
            Format::Header { fingerprint, size } => {
                self.u8(format::HEADER)?;
                self.u64(fingerprint)?;
                self.size(size)
            }
            Format::Opaque { size } => {
                self.u8(format::OPAQUE)?;
                self.size(size)
            }
            Format::Bytes { size } => {
                self.u8(format::BYTES)?;
                self.size(size)
            }
        }
    }

    fn scalar(&mut self, tag: u8, bytes: u8) -> Result<(), Error> {
        self.u8(tag)?;
        self.u8(bytes)
    }

    fn role(&mut self, mode: &Mode, depth: usize) -> Result<(), Error> {
        match *mode {
            Mode::Reserved => self.u8(role::RESERVED),
            Mode::Flags(flags) => self.flags(flags),
            Mode::Variant(variant) => {
                self.u8(role::VARIANT)?;
                self.str(variant.tag)?;
                self.size(variant.values.len())?;
                for value in variant.values {
                    self.u64(*value)?;
                }
                self.role(variant.mode, depth)
            }
            Mode::Nested(nested) => {
                self.u8(role::NESTED)?;
                self.u8(u8::from(nested.len.is_some()))?;
                self.size(nested.count())?;
                self.table(nested.name, nested.size, nested.fingerprint, nested.fields, depth + 1)
            }
            _ => {
                self.u8(role::DATA)?;
                self.str(mode.name())
            }
        }
    }

    fn flags(&mut self, flags: &[FlagInfo]) -> Result<(), Error> {
        self.u8(role::FLAGS)?;
        self.size(flags.len())?;
        for flag in flags {
            self.str(flag.name)?;
            self.u32(flag.bit)?;
            self.opt(flag.path)?;
        }
        Ok(())
    }
}

/// `little` or `big`, as `order` says.
fn order_bytes<const N: usize>(little: [u8; N], big: [u8; N], order: ByteOrder) -> [u8; N] {
    match order {
        ByteOrder::Little => little,
        ByteOrder::Big => big,
    }
}

/// A layout a description cannot hold (a name longer than 65535 bytes, a size beyond 4 GiB, a
/// nesting deeper than [`MAX_DEPTH`]).
fn too_large() -> Error {
    Error::new(ErrorKind::Invalid {
        reason:
            "the layout does not fit a description (a name over 65535 bytes, a size over 4 GiB or nesting over 16 deep)",
    })
}

/// What a description says of itself, once verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary<'a> {
    /// The header type's name.
    pub name: &'a str,
    /// Its record version.
    pub version: u32,
    /// Its size in bytes.
    pub size: u32,
    /// Its layout fingerprint, as recomputed from the description (and equal to the stated one).
    pub fingerprint: u64,
}

/// One level of a field's format, as the parser meets it (an array's element follows it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// An unsigned integer of `bytes` bytes.
    Unsigned {
        /// Its width.
        bytes: u8,
    },
    /// A signed integer of `bytes` bytes.
    Signed {
        /// Its width.
        bytes: u8,
    },
    /// A float of `bytes` bytes.
    Float {
        /// Its width.
        bytes: u8,
    },
    /// A `bool`.
    Bool,
    /// `len` elements; the element's shape is the next event.
    Array {
        /// The number of elements.
        len: u32,
    },
    /// A nested header by fingerprint and size.
    Header {
        /// Its fingerprint.
        fingerprint: u64,
        /// Its size.
        size: u32,
    },
    /// Bytes the layout does not describe.
    Opaque {
        /// Their number.
        size: u32,
    },
    /// Bytes without a byte order.
    Bytes {
        /// Their number.
        size: u32,
    },
}

/// What the parser meets, in the order of the byte format: a visitor builds what it needs from
/// these (a tool its own tree). Events of a nested table come between its field's
/// [`Event::Nested`] and [`Event::EndTable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// A table starts (the root, or a nested field's).
    Table {
        /// Its header type's name.
        name: &'a str,
        /// Its size.
        size: u32,
        /// Its fingerprint (verified when its [`Event::EndTable`] comes).
        fingerprint: u64,
        /// Its number of fields.
        fields: u32,
    },
    /// A field starts; its format's shapes, then its role follow.
    Field {
        /// Its name.
        name: &'a str,
        /// Its live path.
        path: Option<&'a str>,
        /// Its offset in its table.
        offset: u32,
        /// Its size.
        size: u32,
    },
    /// One level of the field's format.
    Shape(Shape),
    /// The field holds data, declared with `mode`.
    Data {
        /// The `#[cr(...)]` key ([`Mode::name`]).
        mode: &'a str,
    },
    /// The field is reserved (zero).
    Reserved,
    /// The field is a flag word of `count` flags (each an [`Event::Flag`]).
    Flags {
        /// The number of flags.
        count: u32,
    },
    /// One flag.
    Flag {
        /// Its name.
        name: &'a str,
        /// Its bit.
        bit: u32,
        /// The live `bool` it maps to.
        path: Option<&'a str>,
    },
    /// The field is a tagged variant live when `tag` holds one of the `count` values that follow
    /// (each a [`Event::Value`]); its role while live follows them.
    Variant {
        /// The tag field's name.
        tag: &'a str,
        /// The number of values.
        count: u32,
    },
    /// One tag value of a variant.
    Value(u64),
    /// The field is a nested header (`array`: an array of `len`); its table follows.
    Nested {
        /// Whether it is an array of headers.
        array: bool,
        /// The number of headers.
        len: u32,
    },
    /// The current table ends, its fingerprint verified.
    EndTable,
}

/// Parses and verifies a description payload whose integers are in `order`, handing each
/// [`Event`] to `visit`. Returns what the description says of itself; its fingerprint is the
/// recomputed one, equal to the stated one. The caller checks it against the record header's
/// (see [`verify`]).
pub fn parse<'a>(bytes: &'a [u8], order: ByteOrder, visit: &mut dyn FnMut(Event<'a>)) -> Result<Summary<'a>, Error> {
    let mut p = Parser {
        bytes,
        pos: 0,
        order,
        visit,
    };
    let magic = p.take(MAGIC.len())?;
    if magic != MAGIC {
        return Err(invalid("a description starts with \"CRDS\"", 0));
    }
    let at = p.pos;
    if p.u32()? != FORMAT {
        return Err(invalid(
            "a description of another format (this build reads format 1)",
            at,
        ));
    }
    let version = p.u32()?;
    let (name, size, fingerprint) = p.table(0)?;
    if p.pos != bytes.len() {
        return Err(invalid("bytes follow the description", p.pos));
    }
    Ok(Summary {
        name,
        version,
        size,
        fingerprint,
    })
}

/// [`parse`] without a visitor, then the checks against the description record's header: its
/// version and fingerprint (`fingerprint`, `version`) are the description's own. The error's
/// offset is in the payload.
pub fn verify(bytes: &[u8], order: ByteOrder, version: u32, fingerprint: u64) -> Result<Summary<'_>, Error> {
    let summary = parse(bytes, order, &mut |_| {})?;
    if summary.fingerprint != fingerprint {
        let kind = ErrorKind::LayoutMismatch {
            expected: fingerprint,
            found: summary.fingerprint,
        };
        return Err(Error::new(kind).at_offset(0));
    }
    if summary.version != version {
        return Err(invalid("the description's version is not its record's", 8));
    }
    Ok(summary)
}

/// An `Invalid` description fault at byte `at` of the payload.
fn invalid(reason: &'static str, at: usize) -> Error {
    Error::new(ErrorKind::Invalid { reason }).at_offset(at as u64)
}

/// The parser's state: the bytes, where it is, their order, and the visitor.
struct Parser<'a, 'v> {
    bytes: &'a [u8],
    pos: usize,
    order: ByteOrder,
    visit: &'v mut dyn FnMut(Event<'a>),
}

impl<'a> Parser<'a, '_> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let taken = self.pos.checked_add(n).and_then(|end| self.bytes.get(self.pos..end));
        let Some(taken) = taken else {
            return Err(Error::new(ErrorKind::Truncated).at_offset(self.bytes.len() as u64));
        };
        self.pos += n;
        Ok(taken)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        if matches!(self.order, ByteOrder::Big) {
            out.reverse();
        }
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, Error> {
        self.array().map(u16::from_le_bytes)
    }
    fn u32(&mut self) -> Result<u32, Error> {
        self.array().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Result<u64, Error> {
        self.array().map(u64::from_le_bytes)
    }
    fn str(&mut self) -> Result<&'a str, Error> {
        let len = usize::from(self.u16()?);
        let at = self.pos;
        core::str::from_utf8(self.take(len)?).map_err(|_| invalid("a name is not UTF-8", at))
    }
    fn opt(&mut self) -> Result<Option<&'a str>, Error> {
        let at = self.pos;
        match self.u8()? {
            0 => Ok(None),
            1 => self.str().map(Some),
            _ => Err(invalid("a presence byte is neither 0 nor 1", at)),
        }
    }
    fn flag(&mut self, at: usize) -> Result<bool, Error> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(invalid("an array byte is neither 0 nor 1", at)),
        }
    }

    /// A table: its events, its fingerprint recomputed and compared. Returns its name, size and
    /// fingerprint.
    fn table(&mut self, depth: usize) -> Result<(&'a str, u32, u64), Error> {
        let at = self.pos;
        if depth >= MAX_DEPTH {
            return Err(invalid("tables nested more than 16 deep", at));
        }
        let name = self.str()?;
        let size = self.u32()?;
        let fingerprint = self.u64()?;
        let count = self.u32()?;
        (self.visit)(Event::Table {
            name,
            size,
            fingerprint,
            fields: count,
        });
        let mut h = layout::hash_table(u64::from(size), u64::from(count));
        for _ in 0..count {
            h = self.field(h, size, depth)?;
        }
        if h.0 != fingerprint {
            let kind = ErrorKind::LayoutMismatch {
                expected: fingerprint,
                found: h.0,
            };
            return Err(Error::new(kind).at_offset(at as u64));
        }
        (self.visit)(Event::EndTable);
        Ok((name, size, fingerprint))
    }

    /// One field of a table of `table` bytes, hashed onto `h`.
    fn field(&mut self, h: Fnv, table: u32, depth: usize) -> Result<Fnv, Error> {
        let at = self.pos;
        let name = self.str()?;
        let path = self.opt()?;
        let offset = self.u32()?;
        let size = self.u32()?;
        if offset.checked_add(size).is_none_or(|end| end > table) {
            return Err(invalid("a field lies outside its table", at));
        }
        (self.visit)(Event::Field {
            name,
            path,
            offset,
            size,
        });
        let h = layout::hash_field(h, name, u64::from(offset), u64::from(size));
        let format_at = self.pos;
        let (h, format) = self.format(h, depth)?;
        if format.size != Some(u64::from(size)) {
            return Err(invalid("a field's format is not of its size", format_at));
        }
        self.role(h, format, depth)
    }

    /// A format, hashed onto `h`: its size and what a role may need of it.
    fn format(&mut self, h: Fnv, depth: usize) -> Result<(Fnv, Sized), Error> {
        let at = self.pos;
        if depth >= MAX_DEPTH {
            return Err(invalid("formats nested more than 16 deep", at));
        }
        let tag = self.u8()?;
        let (shape, head) = match tag {
            format::UNSIGNED | format::SIGNED | format::FLOAT => {
                let bytes = self.u8()?;
                let valid = match tag {
                    format::FLOAT => matches!(bytes, 4 | 8),
                    _ => matches!(bytes, 1 | 2 | 4 | 8 | 16),
                };
                if !valid {
                    return Err(invalid("a scalar of a width no format has", at + 1));
                }
                let shape = match tag {
                    format::UNSIGNED => Shape::Unsigned { bytes },
                    format::SIGNED => Shape::Signed { bytes },
                    _ => Shape::Float { bytes },
                };
                (shape, FormatHead::Scalar { tag, bytes })
            }
            format::BOOL => (Shape::Bool, FormatHead::Bool),
            format::ARRAY => {
                let len = self.u32()?;
                (Shape::Array { len }, FormatHead::Array { len: u64::from(len) })
            }
            format::HEADER => {
                let fingerprint = self.u64()?;
                let size = self.u32()?;
                let head = FormatHead::Header {
                    fingerprint,
                    size: u64::from(size),
                };
                (Shape::Header { fingerprint, size }, head)
            }
            format::OPAQUE | format::BYTES => {
                let size = self.u32()?;
                let shape = match tag {
                    format::OPAQUE => Shape::Opaque { size },
                    _ => Shape::Bytes { size },
                };
                (shape, FormatHead::Sized { size: u64::from(size) })
            }
            _ => return Err(invalid("a format tag no format has", at)),
        };
        (self.visit)(Event::Shape(shape));
        let h = layout::format_head(h, head);
        Ok(match shape {
            Shape::Array { len } => {
                let (h, elem) = self.format(h, depth + 1)?;
                let size = elem.size.and_then(|s| s.checked_mul(u64::from(len)));
                let header = elem.header.map(|(fp, size, _)| (fp, size, Some(len)));
                (
                    h,
                    Sized {
                        size,
                        scalar: false,
                        header,
                    },
                )
            }
            Shape::Unsigned { bytes } | Shape::Signed { bytes } => (h, Sized::scalar(bytes, true)),
            Shape::Float { bytes } => (h, Sized::scalar(bytes, false)),
            Shape::Bool => (h, Sized::scalar(1, false)),
            Shape::Header { fingerprint, size } => (
                h,
                Sized {
                    size: Some(u64::from(size)),
                    scalar: false,
                    header: Some((fingerprint, size, None)),
                },
            ),
            Shape::Opaque { size } | Shape::Bytes { size } => (
                h,
                Sized {
                    size: Some(u64::from(size)),
                    scalar: false,
                    header: None,
                },
            ),
        })
    }

    /// A field's role, hashed onto `h`; `format` is the field's.
    fn role(&mut self, h: Fnv, format: Sized, depth: usize) -> Result<Fnv, Error> {
        let at = self.pos;
        match self.u8()? {
            role::DATA => {
                let mode = self.str()?;
                (self.visit)(Event::Data { mode });
                Ok(layout::hash_role(h, layout::ROLE_DATA))
            }
            role::RESERVED => {
                (self.visit)(Event::Reserved);
                Ok(layout::hash_role(h, layout::ROLE_RESERVED))
            }
            role::FLAGS if format.scalar => {
                let count = self.u32()?;
                (self.visit)(Event::Flags { count });
                let mut h = layout::hash_flags(h, u64::from(count));
                for _ in 0..count {
                    let name = self.str()?;
                    let bit = self.u32()?;
                    let path = self.opt()?;
                    (self.visit)(Event::Flag { name, bit, path });
                    h = layout::hash_flag(h, name, bit);
                }
                Ok(h)
            }
            role::VARIANT => {
                let tag = self.str()?;
                let count = self.u32()?;
                (self.visit)(Event::Variant { tag, count });
                let mut h = layout::hash_variant(h, tag, u64::from(count));
                for _ in 0..count {
                    let value = self.u64()?;
                    (self.visit)(Event::Value(value));
                    h = h.u64(value);
                }
                // Its role while live is described, not hashed (the fingerprint hashes the variant).
                let inner_at = self.pos;
                if self.bytes.get(inner_at) == Some(&role::VARIANT) {
                    return Err(invalid("a variant of a variant", inner_at));
                }
                self.role(Fnv(0), format, depth)?;
                Ok(h)
            }
            role::NESTED => {
                let array = self.flag(self.pos)?;
                let len = self.u32()?;
                (self.visit)(Event::Nested { array, len });
                let expected = format
                    .header
                    .filter(|(_, _, n)| *n == array.then_some(len) && (array || len == 1));
                let Some((fingerprint, size, _)) = expected else {
                    return Err(invalid("a nested field whose format is not that header", at));
                };
                let (_, table_size, table_fingerprint) = self.table(depth + 1)?;
                if (table_size, table_fingerprint) != (size, fingerprint) {
                    return Err(invalid("a nested table that is not the header its format names", at));
                }
                Ok(layout::hash_role(h, layout::ROLE_DATA))
            }
            _ => Err(invalid(
                "a role tag no role has, or flags on a field that is no integer",
                at,
            )),
        }
    }
}

/// What the parser knows of a format once read: its size (`None` if it overflows), whether it
/// is an integer (which flags need), and the header it is or is an array of (fingerprint, size,
/// array length).
#[derive(Clone, Copy)]
struct Sized {
    size: Option<u64>,
    scalar: bool,
    header: Option<(u64, u32, Option<u32>)>,
}

impl Sized {
    fn scalar(bytes: u8, integer: bool) -> Sized {
        Sized {
            size: Some(u64::from(bytes)),
            scalar: integer,
            header: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A buffer sink for tests.
    struct Buf {
        bytes: [u8; 4096],
        len: usize,
    }

    impl Emit for Buf {
        fn emit(&mut self, bytes: &[u8]) -> Result<(), Error> {
            let end = self.len + bytes.len();
            self.bytes[self.len..end].copy_from_slice(bytes);
            self.len = end;
            Ok(())
        }
    }

    struct Inner(#[allow(dead_code)] u8);
    impl Layout for Inner {
        const NAME: &'static str = "Inner";
        const FIELDS: &'static [FieldInfo] = &[FieldInfo {
            name: "dpl",
            path: Some("dpl"),
            offset: 0,
            size: 1,
            ty: "u8",
            format: Format::Unsigned { bytes: 1 },
            mode: Mode::Copy,
        }];
        const FINGERPRINT: u64 = layout::fingerprint(1, Self::FIELDS);
    }

    struct Outer(#[allow(dead_code)] [u8; 8]);
    const FLAGS: &[FlagInfo] = &[FlagInfo {
        name: "ON",
        bit: 3,
        path: Some("on"),
    }];
    impl Layout for Outer {
        const NAME: &'static str = "Outer";
        const FIELDS: &'static [FieldInfo] = &[
            FieldInfo {
                name: "flags",
                path: None,
                offset: 0,
                size: 4,
                ty: "u32",
                format: Format::Unsigned { bytes: 4 },
                mode: Mode::Flags(FLAGS),
            },
            FieldInfo {
                name: "segs",
                path: Some("segs"),
                offset: 4,
                size: 2,
                ty: "[Inner; 2]",
                format: Format::Array {
                    elem: &Format::Header {
                        fingerprint: Inner::FINGERPRINT,
                        size: 1,
                    },
                    len: 2,
                },
                mode: Mode::Nested(Nested::array::<Inner>(2)),
            },
            FieldInfo {
                name: "pad",
                path: None,
                offset: 6,
                size: 2,
                ty: "u16",
                format: Format::Unsigned { bytes: 2 },
                mode: Mode::Reserved,
            },
        ];
        const FINGERPRINT: u64 = layout::fingerprint(8, Self::FIELDS);
    }

    fn encoded(order: ByteOrder) -> Buf {
        let mut buf = Buf {
            bytes: [0; 4096],
            len: 0,
        };
        encode::<Outer>(3, order, &mut buf).unwrap();
        buf
    }

    #[test]
    fn a_description_parses_back_to_its_layouts_fingerprint_in_either_order() {
        for order in [ByteOrder::Little, ByteOrder::Big] {
            let buf = encoded(order);
            let mut events = 0;
            let summary = verify(&buf.bytes[..buf.len], order, 3, Outer::FINGERPRINT).unwrap();
            parse(&buf.bytes[..buf.len], order, &mut |_| events += 1).unwrap();
            assert_eq!((summary.name, summary.size, summary.version), ("Outer", 8, 3));
            assert_eq!(summary.fingerprint, Outer::FINGERPRINT);
            assert!(events > 10, "{events} events");
        }
    }

    #[test]
    fn the_measure_pass_gives_the_length_and_checksum_of_the_bytes() {
        let buf = encoded(ByteOrder::NATIVE);
        let mut measure = Measure::default();
        encode::<Outer>(3, ByteOrder::NATIVE, &mut measure).unwrap();
        assert_eq!(measure.len, buf.len);
        assert_eq!(measure.crc, crate::image::crc32c(&buf.bytes[..buf.len]));
        assert_eq!(measure.crc, crate::image::crc32c_table(&buf.bytes[..buf.len]));
    }

    #[test]
    fn a_checksum_made_in_passes_is_the_checksum_of_the_whole_with_or_without_std() {
        use crate::image::{crc32c, crc32c_append, crc32c_table, crc32c_table_append};
        let bytes: [u8; 300] = core::array::from_fn(|i| (i * 31 % 256) as u8);
        for cut in [0, 1, 7, 150, 299, 300] {
            let (a, b) = bytes.split_at(cut);
            assert_eq!(crc32c_append(crc32c(a), b), crc32c(&bytes), "cut at {cut}");
            assert_eq!(crc32c_table_append(crc32c_table(a), b), crc32c(&bytes), "cut at {cut}");
        }
        assert_eq!(crc32c_table_append(0, &bytes), crc32c_append(0, &bytes));
    }

    #[test]
    fn a_description_read_in_the_wrong_order_or_altered_is_refused_without_panicking() {
        let buf = encoded(ByteOrder::Little);
        let bytes = &buf.bytes[..buf.len];
        assert!(parse(bytes, ByteOrder::Big, &mut |_| {}).is_err());
        assert_eq!(
            verify(bytes, ByteOrder::Little, 3, 1).unwrap_err().kind(),
            ErrorKind::LayoutMismatch {
                expected: 1,
                found: Outer::FINGERPRINT
            }
        );
        // Every byte altered and every truncation: an error or a (different) valid description.
        for i in 0..bytes.len() {
            let mut altered = [0u8; 4096];
            altered[..bytes.len()].copy_from_slice(bytes);
            altered[i] ^= 0x41;
            let _ = parse(&altered[..bytes.len()], ByteOrder::Little, &mut |_| {});
            assert!(parse(&bytes[..i], ByteOrder::Little, &mut |_| {}).is_err());
        }
        // A renamed flag changes the fingerprint: the description no longer matches it.
        let at = bytes.windows(2).position(|w| w == b"ON").unwrap();
        let mut renamed = [0u8; 4096];
        renamed[..bytes.len()].copy_from_slice(bytes);
        renamed[at] = b'O';
        renamed[at + 1] = b'F';
        let err = parse(&renamed[..bytes.len()], ByteOrder::Little, &mut |_| {}).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::LayoutMismatch { .. }), "{err}");
    }
}
