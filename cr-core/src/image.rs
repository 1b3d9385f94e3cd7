//! Checkpoint images: a head, then framed records, then an end record; every byte covered by a
//! CRC-32C. Reading treats the image as untrusted input: each record header is verified before
//! its length is trusted, and every fault is an `Error` with the byte offset where it was found.
//! No allocation except in the `std` adapters.
//!
//! ```text
//! head    magic[8] version:u32 arch:u32 order:u32 crc:u32                          24 bytes
//! record  type:u32 len:u32 parent:u32 rversion:u16 flags:u16 fingerprint:u64      32 bytes
//!         payload_crc:u32 header_crc:u32, then `len` payload bytes
//! end     a record of type 0 and length 0
//! ```
//!
//! The head and every record header are little-endian, whatever machine wrote the image. The
//! payloads of header and list records are in the writer's own byte order, written straight
//! from memory; format 3 (this build writes it) names that order in the head's `order` word
//! ([`ByteOrder`]: 1 little-endian, 2 big-endian). Formats 1 and 2 had a zero word there and
//! were only ever written on little-endian machines (x86-64): their payloads are read as
//! little-endian. A reader on a machine of the other order converts each header field by field
//! from its layout ([`crate::order`]) before the header's own checks; bulk bytes are never
//! converted. An image is read back only for the architecture it was written for (`arch`),
//! which a reader of either byte order may be emulating or inspecting.
//!
//! Format 2 gave each record the version of its header type (`rversion`, [`Record::VERSION`])
//! and flags: bit 0, [`OPTIONAL`], says a reader that does not know the record type may skip
//! it. Format 1 had a zero word there (every record version 1, none optional). Format 3 adds
//! flag bit 1, [`DESCRIPTION`]: the record describes a header type instead of holding one (its
//! type, version and fingerprint are those of the header it describes; always optional; typed
//! reads pass over it; its payload is in [`crate::description`]'s byte format, written by
//! [`Writer::describing`] and [`Writer::describe`]). Other flag bits are zero. This build reads
//! formats 1 to 3.
//! The record type says what the payload is ([`RecordKind`]):
//!
//! | type | kind | payload | fingerprint |
//! |---|---|---|---|
//! | 0 | end | none | 0 |
//! | 1 to `LIST - 1` | one header | the header's bytes, `len` = its size | the header's layout |
//! | `LIST + t` (`t` < 2^30) | a list | the bytes of `n` headers of record type `t`, `len` = `n` x their size | the entry header's layout |
//! | `BYTES + t` (`t` < 2^30) | bulk bytes | opaque bytes of any length (guest memory) | 0 |
//! | 1 to `LIST - 1`, flag [`DESCRIPTION`] | a description of header type `t` | its self-description | the described layout |
//!
//! Lists and bulk bytes were added without a new format version: they use type numbers that no
//! header record may have ([`Writer::write`] refuses them at compile time), so a reader that
//! predates them still verifies such a record and can [`Reader::skip`] it.

pub use crate::order::ByteOrder;
use crate::{Error, ErrorKind, Layout};

#[cfg(feature = "std")]
pub use crate::entries::restore_entries;
use zerocopy::byteorder::little_endian::{U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// The first eight bytes of every image.
pub const MAGIC: [u8; 8] = *b"\x89CRIMG\r\n";
/// The format version this build writes.
pub const VERSION: u32 = 3;
/// The oldest format version this build reads: every format cr has written stays readable.
pub const OLDEST_VERSION: u32 = 1;
/// Record flag: a reader that does not know the record's type may skip it.
pub const OPTIONAL: u16 = 1;
/// Record flag (format 3): the record describes header type `type` (in version `rversion`, of
/// layout `fingerprint`) instead of holding one. Always with [`OPTIONAL`]; typed reads pass over
/// it, [`Reader::read_raw`] and [`Reader::skip`] return it ([`RecordInfo::description`]).
pub const DESCRIPTION: u16 = 2;
/// The record type of the end record; no header may use it.
pub const END: u32 = 0;

/// Record types from here up to [`BYTES`] hold a list of headers: the list of headers of record
/// type `t` has type `LIST + t`.
pub const LIST: u32 = 0x8000_0000;
/// Record types from here up hold bulk bytes (see [`BytesType`]).
pub const BYTES: u32 = 0xC000_0000;

/// What a record's payload is, from its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    /// The end record (type 0).
    End,
    /// One header (types 1 to `LIST - 1`).
    Header,
    /// A list of headers of record type `entry` (types `LIST` to `BYTES - 1`).
    List {
        /// The record type of each entry.
        entry: u32,
    },
    /// Bulk bytes (types from `BYTES` up).
    Bytes,
}

impl RecordKind {
    /// The kind of records of type `ty`.
    pub const fn of(ty: u32) -> RecordKind {
        match ty {
            END => RecordKind::End,
            t if t < LIST => RecordKind::Header,
            t if t < BYTES => RecordKind::List { entry: t - LIST },
            _ => RecordKind::Bytes,
        }
    }
}

/// The record type of a bulk-bytes record: `BYTES + n`. Made by [`BytesType::new`], so a
/// bulk-bytes record can only be written with a type in the bulk-bytes range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BytesType(u32);

impl BytesType {
    /// Bulk-bytes record type `n` (`n` < 2^30), i.e. record type `BYTES + n`; `None` for a larger
    /// `n`. In a constant: `const MEMORY: BytesType = BytesType::new(1).unwrap();`.
    pub const fn new(n: u32) -> Option<BytesType> {
        if n < 1 << 30 {
            Some(BytesType(BYTES + n))
        } else {
            None
        }
    }

    /// The record type.
    pub const fn get(self) -> u32 {
        self.0
    }
}

/// The record type of a single `H` header: a compile error (in `const { }`) outside 1 to `LIST - 1`.
const fn header_type<H: Record>() -> u32 {
    assert!(
        H::TYPE != END && H::TYPE < LIST,
        "a header record needs a record type from 1 to LIST - 1"
    );
    H::TYPE
}

/// The record type of a list of `E` headers. Only ever evaluated in `const { }` blocks, so an
/// entry type that does not fit below 2^30 is a compile error, never a panic.
const fn list_type<E: Record>() -> u32 {
    assert!(
        E::TYPE != END && E::TYPE < 1 << 30,
        "a header written in a list needs a record type below 2^30"
    );
    LIST + E::TYPE
}

/// CRC-32C (Castagnoli, the iSCSI polynomial), the checksum of every part of an image. With the
/// `std` feature it runs on the CPU's CRC32 instruction where there is one (the `crc32c` crate
/// detects it at run time), otherwise a slice-by-16 table (the `crc` crate): the same values.
pub fn crc32c(bytes: &[u8]) -> u32 {
    #[cfg(feature = "std")]
    {
        crc32c::crc32c(bytes)
    }
    #[cfg(not(feature = "std"))]
    {
        crc32c_table(bytes)
    }
}

/// The CRC-32C of the bytes whose CRC-32C is `crc` followed by `bytes`: `crc32c(a ++ b) ==
/// crc32c_append(crc32c(a), b)`, and `crc32c_append(0, b) == crc32c(b)`. For a checksum made
/// in passes (a description's, [`crate::description::Measure`]).
pub fn crc32c_append(crc: u32, bytes: &[u8]) -> u32 {
    #[cfg(feature = "std")]
    {
        crc32c::crc32c_append(crc, bytes)
    }
    #[cfg(not(feature = "std"))]
    {
        crc32c_table_append(crc, bytes)
    }
}

/// [`crc32c_append`] by table, without CPU instructions.
pub fn crc32c_table_append(crc: u32, bytes: &[u8]) -> u32 {
    const CASTAGNOLI: crc::Crc<u32, crc::Table<16>> = crc::Crc::<u32, crc::Table<16>>::new(&crc::CRC_32_ISCSI);
    // The register after `crc` (reflected, before the final inversion), as `digest_with_initial`
    // takes an initial value: reflected on the way in.
    let mut digest = CASTAGNOLI.digest_with_initial((crc ^ u32::MAX).reverse_bits());
    digest.update(bytes);
    digest.finalize()
}

/// CRC-32C by table (slice-by-16), without CPU instructions: what [`crc32c()`] computes without
/// the `std` feature, and a cross-check of it with.
pub fn crc32c_table(bytes: &[u8]) -> u32 {
    const CASTAGNOLI: crc::Crc<u32, crc::Table<16>> = crc::Crc::<u32, crc::Table<16>>::new(&crc::CRC_32_ISCSI);
    CASTAGNOLI.checksum(bytes)
}

/// A header that can be written to an image as a record: `#[cr(record = N)]`.
///
/// A record type evolves through versions: each version is a header (the newest a `CrCopy`
/// header, released older ones frozen with `#[derive(CrLayout)]`), each naming the one before it
/// with `prev`. A reader of the newest accepts a record of any version of the chain and upgrades
/// it step by step.
pub trait Record: Layout + RecordBytes + Sized {
    /// The record type (never 0, which is the end record's).
    const TYPE: u32;
    /// This header's version of the record type (`#[cr(version = N)]`, 1 by default): from 1
    /// to 65535, as a record header holds it in 16 bits. The derive refuses any other `N`; for
    /// an impl written by hand, writing the header does not compile:
    ///
    /// ```compile_fail,E0080
    /// # use cr_core::image::{Record, Writer};
    /// # #[derive(cr_core::CrLayout, Default, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::Immutable, zerocopy::KnownLayout)]
    /// # #[repr(C)]
    /// # struct Hdr { value: u64 }
    /// impl Record for Hdr {
    ///     const TYPE: u32 = 1;
    ///     const VERSION: u32 = 70_000; // "a record version is a number from 1 to 65535"
    /// }
    /// let mut image = Writer::new(Vec::new(), 1)?;
    /// image.write(0, &Hdr::default())?;
    /// # Ok::<(), cr_core::Error>(())
    /// ```
    const VERSION: u32 = 1;
    /// The oldest version a reader of this header accepts: the start of its `prev` chain.
    const OLDEST: u32 = Self::VERSION;
    /// A reader that does not know this record type may skip it (`#[cr(optional)]`).
    const OPTIONAL: bool = false;
    /// The most entries a list of these headers may hold when read as live entries
    /// ([`Reader::read_entries`], `#[cr(max_entries = N)]`); unbounded by default.
    const MAX_ENTRIES: usize = usize::MAX;

    /// The header fields that tell entries of a list apart (`#[cr(unique = "field")]`,
    /// repeatable), named by a duplicate's error.
    const UNIQUE: &'static [&'static str] = &[];

    /// Whether two entries of a list are the same live entry, which a list must not hold twice:
    /// equal in every [`UNIQUE`](Record::UNIQUE) field; never by default.
    fn same_entry(&self, other: &Self) -> bool {
        let _ = other;
        false
    }

    /// The fingerprint and size of `version` of this record type, if the chain holds it.
    fn layout_of(version: u32) -> Option<(u64, usize)> {
        if version == Self::VERSION {
            Some((Self::FINGERPRINT, core::mem::size_of::<Self>()))
        } else {
            None
        }
    }

    /// A payload of `version` (whose fingerprint and length [`layout_of`](Record::layout_of)
    /// accepted), decoded as that version, in this machine's byte order
    /// ([`Payload::read`]), and upgraded to this one.
    fn decode(version: u32, payload: Payload<'_>) -> Result<Self, Error> {
        let _ = version;
        crate::__private::read_exact::<Self>(payload)
    }
}

/// A record's payload as a typed read hands it to [`Record::decode`]: its bytes, verified, and
/// the byte order they are in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Payload<'a> {
    bytes: &'a [u8],
    order: ByteOrder,
}

impl<'a> Payload<'a> {
    /// `bytes` in `order`.
    pub const fn new(bytes: &'a [u8], order: ByteOrder) -> Self {
        Payload { bytes, order }
    }

    /// The bytes as the image holds them.
    pub const fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The byte order they are in.
    pub const fn order(&self) -> ByteOrder {
        self.order
    }

    /// The payload as one header `H` (it must be exactly `H`'s size), in this machine's byte
    /// order: converted field by field from `H`'s layout when the image is of the other order
    /// ([`crate::order::swap`], which refuses a field it cannot convert).
    #[inline]
    pub fn read<H: Layout + FromBytes + IntoBytes>(self) -> Result<H, Error> {
        if !self.order.is_native() {
            return self.read_converted();
        }
        H::read_from_bytes(self.bytes).map_err(|_| Error::new(ErrorKind::Truncated))
    }

    /// [`Payload::read`] of a payload of the other byte order.
    fn read_converted<H: Layout + FromBytes + IntoBytes>(self) -> Result<H, Error> {
        let Ok(mut value) = H::read_from_bytes(self.bytes) else {
            return Err(Error::new(ErrorKind::Truncated));
        };
        crate::order::swap(crate::__private::fields_of::<H>(), value.as_mut_bytes(), self.order)?;
        Ok(value)
    }
}

/// What a record's bytes need: zerocopy's byte-view traits, which with `#[repr(C)]` also prove
/// the header has no padding.
#[diagnostic::on_unimplemented(
    message = "cr: `{Self}` is a `record`, so its bytes go into images: it must derive zerocopy's `IntoBytes`, `FromBytes`, `KnownLayout` and `Immutable`",
    note = "add `#[derive(zerocopy::IntoBytes, zerocopy::FromBytes, zerocopy::KnownLayout, zerocopy::Immutable)]` and `#[repr(C)]`; zerocopy then also proves the header has no padding"
)]
pub trait RecordBytes: IntoBytes + FromBytes + KnownLayout + Immutable {}
impl<T: IntoBytes + FromBytes + KnownLayout + Immutable> RecordBytes for T {}

/// The image head, the first [`HEAD_SIZE`] bytes.
#[derive(Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
struct Head {
    magic: [u8; 8],
    version: U32,
    arch: U32,
    order: U32,
    crc: U32,
}

/// The header of every record, [`RECORD_HEADER_SIZE`] bytes; its payload follows.
#[derive(Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
struct RecordHeader {
    ty: U32,
    len: U32,
    parent: U32,
    version: U16,
    flags: U16,
    fingerprint: U64,
    payload_crc: U32,
    header_crc: U32,
}

/// The size of the image head in bytes; the first record starts here.
pub const HEAD_SIZE: usize = core::mem::size_of::<Head>();
/// The size of a record's header in bytes; its payload follows.
pub const RECORD_HEADER_SIZE: usize = core::mem::size_of::<RecordHeader>();

/// Byte offsets of the head's fields from the start of the image, taken from its struct: the
/// one place the head's layout is written down. Errors about the head point at them.
pub mod head {
    use super::Head;
    use core::mem::offset_of;

    /// The magic, [`MAGIC`](super::MAGIC).
    pub const MAGIC: usize = offset_of!(Head, magic);
    /// The format version (`u32`).
    pub const VERSION: usize = offset_of!(Head, version);
    /// The architecture tag (`u32`).
    pub const ARCH: usize = offset_of!(Head, arch);
    /// The payloads' byte order (`u32`, format 3: 1 little-endian, 2 big-endian; zero in
    /// formats 1 and 2, which are little-endian).
    pub const ORDER: usize = offset_of!(Head, order);
    /// The CRC-32C of the bytes before it (`u32`).
    pub const CRC: usize = offset_of!(Head, crc);
}

/// Byte offsets of a record header's fields from the start of the record, taken from its
/// struct: the one place the record header's layout is written down. Errors about a record
/// point at them.
pub mod record {
    use super::RecordHeader;
    use core::mem::offset_of;

    /// The record type (`u32`).
    pub const TYPE: usize = offset_of!(RecordHeader, ty);
    /// The payload length (`u32`).
    pub const LEN: usize = offset_of!(RecordHeader, len);
    /// The parent record (`u32`).
    pub const PARENT: usize = offset_of!(RecordHeader, parent);
    /// The record version (`u16`; format 1 had a zero `u32` here, over the flags too).
    pub const VERSION: usize = offset_of!(RecordHeader, version);
    /// The record flags (`u16`).
    pub const FLAGS: usize = offset_of!(RecordHeader, flags);
    /// The layout fingerprint (`u64`).
    pub const FINGERPRINT: usize = offset_of!(RecordHeader, fingerprint);
    /// The payload's CRC-32C (`u32`).
    pub const PAYLOAD_CRC: usize = offset_of!(RecordHeader, payload_crc);
    /// The CRC-32C of the record header's bytes before it (`u32`).
    pub const HEADER_CRC: usize = offset_of!(RecordHeader, header_crc);
}

impl ByteOrder {
    /// The head's `order` word of a format-3 image in this order: 1 little-endian, 2 big-endian
    /// (formats 1 and 2 have 0 there, and are little-endian).
    pub const fn head_word(self) -> u32 {
        match self {
            ByteOrder::Little => 1,
            ByteOrder::Big => 2,
        }
    }
}

/// The byte order of an image of `format` whose head's `order` word is `word`, if valid (what
/// [`Reader::new`] decides; tools that walk an image themselves use it too).
pub const fn order_of(format: u32, word: u32) -> Option<ByteOrder> {
    const LITTLE: u32 = ByteOrder::Little.head_word();
    const BIG: u32 = ByteOrder::Big.head_word();
    match (format, word) {
        (1 | 2, 0) => Some(ByteOrder::Little),
        (1 | 2, _) => None,
        (_, LITTLE) => Some(ByteOrder::Little),
        (_, BIG) => Some(ByteOrder::Big),
        _ => None,
    }
}

/// The record flags image format `format` defines: none in format 1, [`OPTIONAL`] from
/// format 2, [`DESCRIPTION`] from format 3. A record with any other flag bit is `Corrupt`.
pub const fn flags_of(format: u32) -> u16 {
    match format {
        1 => 0,
        2 => OPTIONAL,
        _ => OPTIONAL | DESCRIPTION,
    }
}

impl Head {
    fn new(arch: u32) -> Head {
        let mut head = Head {
            magic: MAGIC,
            version: VERSION.into(),
            arch: arch.into(),
            order: ByteOrder::NATIVE.head_word().into(),
            crc: 0.into(),
        };
        head.seal();
        head
    }

    /// Sets the checksum from the bytes before it.
    fn seal(&mut self) {
        self.crc = crc32c(&self.as_bytes()[..head::CRC]).into();
    }

    /// Whether the checksum matches the bytes before it.
    fn sealed(&self) -> bool {
        crc32c(&self.as_bytes()[..head::CRC]) == self.crc.get()
    }
}

/// What a record's header says of it besides type, parent and payload.
#[derive(Clone, Copy)]
struct Tag {
    fingerprint: u64,
    version: u16,
    flags: u16,
}

impl Tag {
    /// The tag of a record of header `H`'s type (a header or a list of them). Only ever
    /// evaluated in `const { }` blocks, so a version the record header cannot hold is a compile
    /// error, never a run-time one: `#[cr(version = N)]` refuses such an `N` itself, and this
    /// refuses it from a `Record` impl written by hand.
    const fn of<H: Record>() -> Tag {
        assert!(
            H::VERSION >= 1 && H::VERSION <= u16::MAX as u32,
            "a record version is a number from 1 to 65535 (an image holds it in 16 bits)"
        );
        Tag {
            fingerprint: H::FINGERPRINT,
            version: H::VERSION as u16,
            flags: if H::OPTIONAL { OPTIONAL } else { 0 },
        }
    }
}

impl RecordHeader {
    fn new(ty: u32, parent: u32, tag: Tag, payload: &[u8]) -> Result<RecordHeader, Error> {
        RecordHeader::sealed_for(ty, parent, tag, payload.len(), crc32c(payload))
    }

    /// The sealed header of a record whose payload has `len` bytes and checksum `payload_crc`.
    fn sealed_for(ty: u32, parent: u32, tag: Tag, len: usize, payload_crc: u32) -> Result<RecordHeader, Error> {
        let len = u32::try_from(len).map_err(|_| Error::new(ErrorKind::Io))?;
        let fingerprint = tag.fingerprint;
        let mut header = RecordHeader {
            ty: ty.into(),
            len: len.into(),
            parent: parent.into(),
            version: tag.version.into(),
            flags: tag.flags.into(),
            fingerprint: fingerprint.into(),
            payload_crc: payload_crc.into(),
            header_crc: 0.into(),
        };
        header.seal();
        Ok(header)
    }

    /// Sets the header's own checksum from the bytes before it.
    fn seal(&mut self) {
        self.header_crc = crc32c(&self.as_bytes()[..record::HEADER_CRC]).into();
    }

    /// Whether the header's own checksum matches the bytes before it.
    fn sealed(&self) -> bool {
        crc32c(&self.as_bytes()[..record::HEADER_CRC]) == self.header_crc.get()
    }
}

/// Recomputes every checksum of `image` in place: the head's, then, record by record while each
/// payload length stays inside the image, the payload's and the record header's. Stops at the
/// first record that does not fit, and returns the byte offset where it stopped (the image's
/// length when every record was sealed).
///
/// For tools that craft images on purpose: a fuzzer that hands restore arbitrary header values
/// inside an otherwise well-formed image, a test of a tampered field, an encoder of edited
/// records. A checksum detects accidents, never authorship (anyone can compute one), so this
/// gives nothing away: what keeps a crafted image out is every check `read` and `restore` make
/// after the checksums. Readers never call it.
pub fn reseal(image: &mut [u8]) -> usize {
    let Ok((head, mut rest)) = Head::mut_from_prefix(image) else {
        return 0;
    };
    head.seal();
    let mut pos = HEAD_SIZE;
    while let Ok((header, after)) = RecordHeader::mut_from_prefix(rest) {
        let Some((payload, next)) = usize::try_from(header.len.get())
            .ok()
            .and_then(|len| after.split_at_mut_checked(len))
        else {
            break;
        };
        header.payload_crc = crc32c(payload).into();
        header.seal();
        pos += RECORD_HEADER_SIZE + payload.len();
        rest = next;
    }
    pos
}

/// Where a writer's bytes go: any `std::io::Write` (feature `std`), or a [`SliceSink`].
pub trait Sink {
    /// Appends all of `bytes`, or fails with `ErrorKind::Io`.
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error>;

    /// Whether a [`Writer`] should describe header type `ty` (of layout `fingerprint`) before
    /// writing a record of it: never for a plain sink (the default, which compiles to nothing on
    /// the write path); once per type for a [`Describing`] one.
    #[inline(always)]
    fn describe_first(&mut self, ty: u32, fingerprint: u64) -> bool {
        let _ = (ty, fingerprint);
        false
    }
}

/// A sink whose [`Writer`] describes each header type once, before its first record
/// ([`Writer::describing`] makes one). Remembers the types it described in a fixed set, no
/// allocation: once the set is full, a type not in it is described again before each of its
/// records (a reader takes any number of descriptions), so a writer of many types stays
/// correct, only larger.
pub struct Describing<W> {
    sink: W,
    len: usize,
    types: [(u32, u64); Describing::<()>::CAPACITY],
}

impl<W> Describing<W> {
    /// How many header types it remembers.
    pub const CAPACITY: usize = 32;

    /// `sink`, describing.
    pub fn new(sink: W) -> Self {
        Describing {
            sink,
            len: 0,
            types: [(0, 0); Describing::<()>::CAPACITY],
        }
    }

    /// The sink it writes to.
    pub fn into_inner(self) -> W {
        self.sink
    }
}

impl<W: Sink> Sink for Describing<W> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.sink.put(bytes)
    }

    fn describe_first(&mut self, ty: u32, fingerprint: u64) -> bool {
        if self.types[..self.len].contains(&(ty, fingerprint)) {
            return false;
        }
        if self.len < Self::CAPACITY {
            self.types[self.len] = (ty, fingerprint);
            self.len += 1;
        }
        true
    }
}

#[cfg(feature = "std")]
impl<W: std::io::Write> Sink for W {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.write_all(bytes).map_err(|_| Error::new(ErrorKind::Io))
    }
}

/// A sink as a description's [`Emit`](crate::description::Emit) target.
struct SinkEmit<'a, W: Sink>(&'a mut W);

impl<W: Sink> crate::description::Emit for SinkEmit<'_, W> {
    fn emit(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.0.put(bytes)
    }
}

/// A `no_std` sink: fills a caller's buffer.
pub struct SliceSink<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> SliceSink<'a> {
    /// Writes into `buf` from its start.
    pub fn new(buf: &'a mut [u8]) -> Self {
        SliceSink { buf, len: 0 }
    }

    /// The bytes written so far.
    pub fn written(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl Sink for SliceSink<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let end = self.len.checked_add(bytes.len()).filter(|end| *end <= self.buf.len());
        let Some(end) = end else {
            return Err(Error::new(ErrorKind::Io).at_offset(self.len as u64));
        };
        self.buf[self.len..end].copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }
}

/// Writes an image: the head on creation, one record per [`Writer::write`], the end record on
/// [`Writer::finish`]. Made with [`Writer::describing`], it also writes the description of each
/// header type before that type's first record (see [`crate::description`]).
pub struct Writer<W: Sink> {
    sink: W,
}

impl<W: Sink> Writer<W> {
    /// Starts an image for architecture `arch` (a tag of the writer's choosing, checked by
    /// readers), its payloads in this machine's byte order ([`ByteOrder::NATIVE`], named in the
    /// head).
    pub fn new(mut sink: W, arch: u32) -> Result<Self, Error> {
        sink.put(Head::new(arch).as_bytes())?;
        Ok(Writer { sink })
    }

    /// Writes the description of header type `H` now, as a description record (type
    /// `H::TYPE`, version `H::VERSION`, fingerprint `H::FINGERPRINT`, flags optional and
    /// description). The description is produced twice, once to measure its length and
    /// checksum, once into the sink: nothing is allocated.
    pub fn describe<H: Record>(&mut self) -> Result<(), Error> {
        let tag = const { Tag::of::<H>() };
        let order = ByteOrder::NATIVE;
        let mut measure = crate::description::Measure::default();
        crate::description::encode::<H>(H::VERSION, order, &mut measure)?;
        let tag = Tag {
            flags: OPTIONAL | DESCRIPTION,
            ..tag
        };
        let record = RecordHeader::sealed_for(H::TYPE, 0, tag, measure.len, measure.crc)?;
        self.sink.put(record.as_bytes())?;
        crate::description::encode::<H>(H::VERSION, order, &mut SinkEmit(&mut self.sink))
    }

    /// Describes `H` first if the sink asks for it ([`Sink::describe_first`]).
    #[inline(always)]
    fn describe_first<H: Record>(&mut self) -> Result<(), Error> {
        match self.sink.describe_first(H::TYPE, H::FINGERPRINT) {
            false => Ok(()),
            true => self.describe::<H>(),
        }
    }

    /// Appends `header` as a record whose parent is `parent`. A header whose record type is in
    /// the list or bulk-bytes range (`LIST` and up) does not compile here.
    pub fn write<H: Record>(&mut self, parent: u32, header: &H) -> Result<(), Error> {
        let (ty, tag) = const { (header_type::<H>(), Tag::of::<H>()) };
        self.describe_first::<H>()?;
        self.frame(ty, parent, tag, header.as_bytes())
    }

    /// Appends `entries` as one list record (type `LIST + E::TYPE`) whose parent is `parent`:
    /// their bytes as they are in memory, written straight from the slice. An entry type of
    /// 2^30 or more does not compile here.
    pub fn write_list<E: Record>(&mut self, parent: u32, entries: &[E]) -> Result<(), Error> {
        let (ty, tag) = const { (list_type::<E>(), Tag::of::<E>()) };
        self.describe_first::<E>()?;
        self.frame(ty, parent, tag, entries.as_bytes())
    }

    /// Appends `bytes` as one bulk-bytes record of type `ty` whose parent is `parent`, written
    /// straight from the slice: one pass for the checksum, then the bytes go to the sink (no
    /// copy is made). A record holds at most 4 GiB - 1 bytes (`ErrorKind::Io` beyond): write a
    /// larger region as several records.
    pub fn write_bytes(&mut self, ty: BytesType, parent: u32, bytes: &[u8]) -> Result<(), Error> {
        let tag = Tag {
            fingerprint: 0,
            version: 1,
            flags: 0,
        };
        self.frame(ty.get(), parent, tag, bytes)
    }

    /// One record: its header (with the payload's checksum), then the payload.
    fn frame(&mut self, ty: u32, parent: u32, tag: Tag, payload: &[u8]) -> Result<(), Error> {
        let record = RecordHeader::new(ty, parent, tag, payload)?;
        self.sink.put(record.as_bytes())?;
        self.sink.put(payload)
    }

    /// Writes the end record and hands the sink back.
    pub fn finish(mut self) -> Result<W, Error> {
        let tag = Tag {
            fingerprint: 0,
            version: 0,
            flags: 0,
        };
        let end = RecordHeader::new(END, 0, tag, &[])?;
        self.sink.put(end.as_bytes())?;
        Ok(self.sink)
    }
}

impl<W: Sink> Writer<Describing<W>> {
    /// [`Writer::new`], and each header type written (by [`Writer::write`] or as the entries
    /// of [`Writer::write_list`]) is described once, before its first record: an image that
    /// tools such as `cr-inspect` read without the build that wrote it. Opt-in, for what it
    /// costs: for the s390 task image, descriptions make the image 3.7x larger and its writing
    /// 18x the instructions (README, "Descriptions"). [`Writer::finish`] hands back
    /// the [`Describing`] sink (`into_inner()` for `sink`).
    pub fn describing(sink: W, arch: u32) -> Result<Self, Error> {
        Writer::new(Describing::new(sink), arch)
    }
}

/// A record as the reader found it, before its payload is interpreted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordInfo {
    /// Byte offset of the record's header in the image.
    pub offset: u64,
    /// Its type.
    pub ty: u32,
    /// Its parent.
    pub parent: u32,
    /// Its payload length.
    pub len: u32,
    /// The layout fingerprint it was written with.
    pub fingerprint: u64,
    /// The version of its header type (1 in a format-1 image).
    pub version: u32,
    /// A reader that does not know its type may skip it.
    pub optional: bool,
    /// It describes header type `ty` (of `version` and `fingerprint`) instead of holding one
    /// (format 3, flag [`DESCRIPTION`]; always optional).
    pub description: bool,
}

/// Reads an image from a byte slice (`no_std`, no allocation). Every read checks before it trusts.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// The image's format version.
    format: u32,
    /// The record flags it defines.
    flags: u16,
    /// The byte order of its payloads.
    order: ByteOrder,
}

impl<'a> Reader<'a> {
    /// Checks the head: magic, checksum, version, byte order, then architecture. An image of
    /// either byte order is accepted: headers of the other one are converted as they are read.
    pub fn new(bytes: &'a [u8], arch: u32) -> Result<Self, Error> {
        let Ok((head, _)) = Head::ref_from_prefix(bytes) else {
            let kind = if bytes.len() < MAGIC.len() && MAGIC.starts_with(bytes) || bytes.starts_with(&MAGIC) {
                ErrorKind::Truncated
            } else {
                ErrorKind::BadMagic
            };
            return Err(Error::new(kind).at_offset(bytes.len() as u64));
        };
        if head.magic != MAGIC {
            return Err(Error::new(ErrorKind::BadMagic).at_offset(head::MAGIC as u64));
        }
        if !head.sealed() {
            return Err(Error::new(ErrorKind::Corrupt).at_offset(0));
        }
        let format = head.version.get();
        if !(OLDEST_VERSION..=VERSION).contains(&format) {
            let kind = ErrorKind::UnsupportedVersion {
                found: format,
                supported: VERSION,
            };
            return Err(Error::new(kind).at_offset(head::VERSION as u64));
        }
        let Some(order) = order_of(format, head.order.get()) else {
            return Err(Error::new(ErrorKind::Corrupt).at_offset(head::ORDER as u64));
        };
        if head.arch.get() != arch {
            return Err(Error::new(ErrorKind::ArchMismatch {
                expected: arch,
                found: head.arch.get(),
            })
            .at_offset(head::ARCH as u64));
        }
        Ok(Reader {
            bytes,
            pos: HEAD_SIZE,
            format,
            flags: flags_of(format),
            order,
        })
    }

    /// The image's format version (from its head).
    pub fn format(&self) -> u32 {
        self.format
    }

    /// The byte order of the image's header and list payloads (from its head; little-endian in
    /// formats 1 and 2).
    pub fn order(&self) -> ByteOrder {
        self.order
    }

    /// Byte offset of the next record.
    pub fn offset(&self) -> u64 {
        self.pos as u64
    }

    /// The next record's header, its own checksum verified; nothing after it is trusted yet.
    /// Every read parses a record header here once.
    #[inline]
    fn header(&self) -> Result<Framed, Error> {
        self.header_at(self.pos)
    }

    /// The header of the record at byte `pos` (a record boundary), its own checksum verified.
    #[inline]
    fn header_at(&self, pos: usize) -> Result<Framed, Error> {
        let at = pos as u64;
        let rest = self.bytes.get(pos..).unwrap_or_default();
        let Ok((header, _)) = RecordHeader::ref_from_prefix(rest) else {
            return Err(Error::new(ErrorKind::Truncated).at_offset(at));
        };
        let (ty, version, flags) = (header.ty.get(), header.version.get(), header.flags.get());
        // Format 1 had a zero word where format 2 has the version and flags; flags the format
        // does not define are corruption, as a non-zero reserved word is. A description (format
        // 3) is optional and describes a header type.
        let tag_ok = flags & !self.flags == 0
            && (self.format != 1 || version == 0)
            && (flags & DESCRIPTION == 0 || flags & OPTIONAL != 0 && matches!(RecordKind::of(ty), RecordKind::Header));
        if !header.sealed() || !tag_ok {
            return Err(Error::new(ErrorKind::Corrupt).at_offset(at));
        }
        let info = RecordInfo {
            offset: at,
            ty,
            parent: header.parent.get(),
            len: header.len.get(),
            fingerprint: header.fingerprint.get(),
            // Format 1 records are version 1 (its end record, like format 2's, version 0).
            version: match self.format {
                1 => u32::from(ty != END),
                _ => u32::from(version),
            },
            optional: flags & OPTIONAL != 0,
            description: flags & DESCRIPTION != 0,
        };
        Ok(Framed {
            info,
            payload_crc: header.payload_crc.get(),
        })
    }

    /// The next record that is not a description (descriptions before it verified and passed
    /// over, as every typed read does), and where it is.
    #[inline]
    fn past_descriptions(&self) -> Result<Framed, Error> {
        let framed = self.header()?;
        match framed.info.description {
            false => Ok(framed),
            true => self.after_descriptions(framed),
        }
    }

    /// [`Reader::past_descriptions`] once one was found.
    #[cold]
    fn after_descriptions(&self, mut framed: Framed) -> Result<Framed, Error> {
        while framed.info.description {
            let payload = self.payload(&framed)?;
            framed = self.header_at(framed.at() + RECORD_HEADER_SIZE + payload.len())?;
        }
        Ok(framed)
    }

    /// The payload of a verified record header, checked against its checksum.
    fn payload(&self, framed: &Framed) -> Result<&'a [u8], Error> {
        let at = payload_at(&framed.info);
        let start = framed.at() + RECORD_HEADER_SIZE;
        let payload = usize::try_from(framed.info.len)
            .ok()
            .and_then(|len| self.bytes.get(start..)?.get(..len));
        let Some(payload) = payload else {
            return Err(Error::new(ErrorKind::Truncated).at_offset(at));
        };
        // An empty payload's CRC-32C is 0 (the end record's): no call for it.
        let crc = if payload.is_empty() { 0 } else { crc32c(payload) };
        if crc != framed.payload_crc {
            return Err(Error::new(ErrorKind::Corrupt).at_offset(at));
        }
        Ok(payload)
    }

    /// The payload of the record `framed`, verified, and the reader moved past it.
    fn take(&mut self, framed: &Framed) -> Result<&'a [u8], Error> {
        let payload = self.payload(framed)?;
        self.consume(framed, payload);
        Ok(payload)
    }

    /// Moves the reader past the record `framed`, whose verified payload is `payload`.
    fn consume(&mut self, framed: &Framed, payload: &[u8]) {
        self.pos = framed.at() + RECORD_HEADER_SIZE + payload.len();
    }

    /// The next record's header, verified (and its payload's checksum), or `None` at the end
    /// record. Description records are passed over (verified), as typed reads pass over them:
    /// this is the record the next typed read meets.
    pub fn peek(&self) -> Result<Option<RecordInfo>, Error> {
        let framed = self.past_descriptions()?;
        self.payload(&framed)?;
        Ok(if framed.info.ty == END { None } else { Some(framed.info) })
    }

    /// Skips the next record (of any type, descriptions included), verified; `None` at the end
    /// record, which stays next.
    pub fn skip(&mut self) -> Result<Option<RecordInfo>, Error> {
        Ok(self.read_raw()?.map(|(info, _)| info))
    }

    /// The next record (of any type, descriptions included) and its payload bytes, verified;
    /// `None` at the end record, which stays next (for [`Reader::finish`]).
    pub fn read_raw(&mut self) -> Result<Option<(RecordInfo, &'a [u8])>, Error> {
        let framed = self.header()?;
        if framed.info.ty == END {
            self.payload(&framed)?;
            return Ok(None);
        }
        let payload = self.take(&framed)?;
        Ok(Some((framed.info, payload)))
    }

    /// The next record of `H`'s type, with its parent: optional records of other types before it
    /// are skipped (a newer writer's state this build does not know), a mandatory one is
    /// `WrongRecord`; descriptions are passed over. The record may be of any version in `H`'s
    /// `prev` chain: it is decoded as that version, converted to this machine's byte order if
    /// the image is of the other one, and upgraded to `H`. Checks, in order: the record header's
    /// checksum, the type, the version (`UnsupportedRecordVersion` outside the chain), the
    /// length and the layout fingerprint of that version, the payload's checksum; then the
    /// conversion (`Unconvertible`) and the upgrade.
    pub fn read<H: Record>(&mut self) -> Result<(u32, H), Error> {
        let ty = const { header_type::<H>() };
        loop {
            let framed = self.header()?;
            let info = &framed.info;
            if !info.optional || (info.ty == ty && !info.description) || info.ty == END {
                return self.versioned::<H>(ty, &framed);
            }
            self.take(&framed)?;
        }
    }

    /// The next record of `H`'s type, if it comes before any mandatory record of another type
    /// (optional records of other types are passed over); `None` otherwise, having consumed
    /// nothing. How a newer build adds state that an older one may lack (QEMU's subsections).
    pub fn read_optional<H: Record>(&mut self) -> Result<Option<(u32, H)>, Error> {
        let ty = const { header_type::<H>() };
        let start = self.pos;
        let found = self.optional::<H>(ty);
        if !matches!(found, Ok(Some(_))) {
            self.pos = start;
        }
        found
    }

    /// [`Reader::read_optional`], leaving the reader wherever it stopped.
    fn optional<H: Record>(&mut self, ty: u32) -> Result<Option<(u32, H)>, Error> {
        loop {
            let framed = self.header()?;
            if framed.info.ty == ty && !framed.info.description {
                return self.versioned::<H>(ty, &framed).map(Some);
            }
            if framed.info.ty == END || !framed.info.optional {
                return Ok(None);
            }
            self.take(&framed)?;
        }
    }

    /// The record `framed` (the next one) as a version of `H`, upgraded.
    fn versioned<H: Record>(&mut self, ty: u32, framed: &Framed) -> Result<(u32, H), Error> {
        let info = &framed.info;
        let layout = if info.ty == ty {
            H::layout_of(info.version)
        } else {
            None
        };
        let (fingerprint, size) = match layout {
            Some(layout) => layout,
            None if info.ty != ty => (H::FINGERPRINT, core::mem::size_of::<H>()),
            None => {
                let kind = ErrorKind::UnsupportedRecordVersion {
                    ty,
                    found: info.version,
                    oldest: H::OLDEST,
                    newest: H::VERSION,
                };
                return Err(Error::new(kind).at_offset(info.offset + record::VERSION as u64));
            }
        };
        let payload = self.checked(framed, ty, Length::Exactly(size), fingerprint)?;
        let payload = Payload::new(payload, self.order);
        let value = H::decode(info.version, payload).map_err(|e| e.at_offset(payload_at(info)))?;
        Ok((info.parent, value))
    }

    /// The next record as a list of `E` headers (type `LIST + E::TYPE`), with its parent. Checks,
    /// in order: the record header's checksum, the type, the length (a whole number of entries),
    /// the entry layout's fingerprint, the payload's checksum; in an image of the other byte
    /// order, that every field of `E` converts (`Unconvertible`). The entries are not copied:
    /// see [`List`].
    pub fn read_list<E: Record>(&mut self) -> Result<(u32, List<'a, E>), Error> {
        let ty = const { list_type::<E>() };
        let size = core::mem::size_of::<E>();
        let framed = self.past_descriptions()?;
        let at = payload_at(&framed.info);
        self.checks(&framed, ty, Length::Entries(size), E::FINGERPRINT)?;
        let payload = self.payload(&framed)?;
        if !self.order.is_native() {
            crate::order::check(crate::__private::fields_of::<E>(), self.order).map_err(|e| e.at_offset(at))?;
        }
        self.consume(&framed, payload);
        let list = List {
            bytes: payload,
            offset: at,
            order: self.order,
            entry: core::marker::PhantomData,
        };
        Ok((framed.info.parent, list))
    }

    /// The next record as bulk bytes of type `ty` and exactly `len` bytes, with its parent and
    /// the payload's offset in the image. Checks, in order: the record header's checksum, the
    /// type, the length, the fingerprint (0), the payload's checksum. The bytes are not copied.
    pub fn read_bytes(&mut self, ty: BytesType, len: usize) -> Result<(u32, u64, &'a [u8]), Error> {
        let framed = self.past_descriptions()?;
        let payload = self.checked(&framed, ty.get(), Length::Exactly(len), 0)?;
        Ok((framed.info.parent, payload_at(&framed.info), payload))
    }

    /// The record `framed` (the next one), checked in the order every typed read documents, and
    /// consumed.
    fn checked(&mut self, framed: &Framed, ty: u32, len: Length, fingerprint: u64) -> Result<&'a [u8], Error> {
        self.checks(framed, ty, len, fingerprint)?;
        self.take(framed)
    }

    /// The checks of [`Reader::checked`] before the payload's: type, length, fingerprint.
    fn checks(&self, framed: &Framed, ty: u32, len: Length, fingerprint: u64) -> Result<(), Error> {
        let info = &framed.info;
        if info.ty != ty {
            return Err(Error::new(ErrorKind::WrongRecord {
                expected: ty,
                found: info.ty,
            })
            .at_offset(info.offset + record::TYPE as u64));
        }
        if let Some(kind) = len.refuses(info.len) {
            return Err(Error::new(kind).at_offset(info.offset + record::LEN as u64));
        }
        if info.fingerprint != fingerprint {
            let kind = ErrorKind::LayoutMismatch {
                expected: fingerprint,
                found: info.fingerprint,
            };
            return Err(Error::new(kind).at_offset(info.offset + record::FINGERPRINT as u64));
        }
        Ok(())
    }

    /// Checks that the next record is the end record (descriptions before it passed over) and
    /// that nothing follows it.
    pub fn finish(self) -> Result<(), Error> {
        let framed = self.past_descriptions()?;
        self.payload(&framed)?;
        let info = framed.info;
        if info.ty != END
            || info.len != 0
            || info.parent != 0
            || info.fingerprint != 0
            || info.version != 0
            || info.optional
        {
            return Err(Error::new(ErrorKind::TrailingData).at_offset(info.offset));
        }
        let end = framed.at() + RECORD_HEADER_SIZE;
        if end != self.bytes.len() {
            return Err(Error::new(ErrorKind::TrailingData).at_offset(end as u64));
        }
        Ok(())
    }
}

/// A record header as [`Reader`] parsed it: what it says, where it is, and the payload
/// checksum to check.
struct Framed {
    info: RecordInfo,
    payload_crc: u32,
}

impl Framed {
    /// Byte offset of the record, as an index (it was one when the header was parsed).
    #[inline(always)]
    fn at(&self) -> usize {
        self.info.offset as usize
    }
}

/// Byte offset of a record's payload in the image.
fn payload_at(info: &RecordInfo) -> u64 {
    info.offset + RECORD_HEADER_SIZE as u64
}

/// What a typed read expects of a record's length.
#[derive(Clone, Copy)]
enum Length {
    /// Exactly this many bytes.
    Exactly(usize),
    /// A whole number of entries of this size (a zero size matches nothing).
    Entries(usize),
}

impl Length {
    /// The fault in a record of `found` bytes, if it has one.
    fn refuses(self, found: u32) -> Option<ErrorKind> {
        let len = usize::try_from(found).ok();
        match self {
            Length::Exactly(size) if len != Some(size) => Some(ErrorKind::BadLength {
                expected: u32::try_from(size).unwrap_or(u32::MAX),
                found,
            }),
            Length::Entries(size) if len.and_then(|n| n.checked_rem(size)) != Some(0) => {
                Some(ErrorKind::BadListLength {
                    entry: u32::try_from(size).unwrap_or(u32::MAX),
                    found,
                })
            }
            _ => None,
        }
    }
}

/// The entries of a list record, verified, still in the image's bytes: nothing is copied to
/// read them. [`List::as_slice`] views them in place when the payload is aligned for `E` and in
/// this machine's byte order; [`List::get`] and [`List::iter`] work at any alignment and in
/// either order (each entry read by value, converted from the other order).
pub struct List<'a, E> {
    bytes: &'a [u8],
    offset: u64,
    order: ByteOrder,
    entry: core::marker::PhantomData<E>,
}

impl<E> core::fmt::Debug for List<'_, E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("List")
            .field("offset", &self.offset)
            .field("bytes", &self.bytes.len())
            .field("order", &self.order)
            .finish()
    }
}

impl<E> Clone for List<'_, E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E> Copy for List<'_, E> {}

impl<'a, E: Record> List<'a, E> {
    /// The number of entries.
    pub fn len(&self) -> usize {
        self.bytes.len().checked_div(size_of::<E>()).unwrap_or(0)
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The entries in place, without a copy, when the payload is aligned for `E` in memory and
    /// in this machine's byte order (`None` otherwise: use [`List::iter`]).
    pub fn as_slice(&self) -> Option<&'a [E]> {
        if !self.order.is_native() {
            return None;
        }
        <[E]>::ref_from_bytes(self.bytes).ok()
    }

    /// Entry `i`, read by value (converted from the other byte order).
    pub fn get(&self, i: usize) -> Option<E> {
        let size = size_of::<E>();
        let start = i.checked_mul(size)?;
        let entry = self.bytes.get(start..start.checked_add(size)?)?;
        Payload::new(entry, self.order).read::<E>().ok()
    }

    /// The entries in order, each read by value (converted from the other byte order:
    /// [`Reader::read_list`] checked that every field converts).
    pub fn iter(&self) -> impl Iterator<Item = E> + 'a {
        let size = size_of::<E>().max(1);
        let order = self.order;
        self.bytes
            .chunks_exact(size)
            .filter_map(move |c| Payload::new(c, order).read::<E>().ok())
    }

    /// The byte order of the entries' bytes ([`List::bytes`]).
    pub fn order(&self) -> ByteOrder {
        self.order
    }

    /// Byte offset of entry `i` in the image (for errors about one entry).
    pub fn offset_of(&self, i: usize) -> u64 {
        self.offset
            .saturating_add((i as u64).saturating_mul(size_of::<E>() as u64))
    }

    /// The payload's bytes, as the image holds them (in [`List::order`]).
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

/// Reads a whole image from any `std::io::Read` (feature `std`), for a [`Reader`] over it.
#[cfg(feature = "std")]
pub fn read_all<R: std::io::Read>(mut r: R) -> Result<std::vec::Vec<u8>, Error> {
    let mut bytes = std::vec::Vec::new();
    r.read_to_end(&mut bytes).map_err(|_| Error::new(ErrorKind::Io))?;
    Ok(bytes)
}
