//! Checkpoint images: a head, then framed records (one derived header each), then an end
//! record; every byte covered by a CRC-32C. Reading treats the image as untrusted input: each
//! record header is verified before its length is trusted, and every fault is an `Error` with
//! the byte offset where it was found. No allocation except in the `std` adapters.
//!
//! ```text
//! head    magic[8] version:u32 arch:u32 reserved:u32 crc:u32                       24 bytes
//! record  type:u32 len:u32 parent:u32 reserved:u32 fingerprint:u64                 32 bytes
//!         payload_crc:u32 header_crc:u32, then `len` payload bytes (the header's bytes)
//! end     a record of type 0 and length 0
//! ```
//! All integers are little-endian. Payloads are the header structs' bytes as they are in
//! memory; an image is read back only on the architecture it was written for (`arch`).

use crate::{Error, ErrorKind, Layout};
use zerocopy::byteorder::little_endian::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// The first eight bytes of every image.
pub const MAGIC: [u8; 8] = *b"\x89CRIMG\r\n";
/// The format version this build writes and reads.
pub const VERSION: u32 = 1;
/// The record type of the end record; no header may use it.
pub const END: u32 = 0;

const CASTAGNOLI: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI);

fn crc32c(bytes: &[u8]) -> u32 {
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
    /// This header's version of the record type (`#[cr(version = N)]`, 1 by default).
    const VERSION: u32 = 1;
    /// The oldest version a reader of this header accepts: the start of its `prev` chain.
    const OLDEST: u32 = Self::VERSION;
    /// A reader that does not know this record type may skip it (`#[cr(optional)]`).
    const OPTIONAL: bool = false;

    /// The fingerprint and size of `version` of this record type, if the chain holds it.
    fn layout_of(version: u32) -> Option<(u64, usize)> {
        if version == Self::VERSION {
            Some((Self::FINGERPRINT, core::mem::size_of::<Self>()))
        } else {
            None
        }
    }

    /// A payload of `version` (whose fingerprint and length [`layout_of`](Record::layout_of)
    /// accepted), decoded as that version and upgraded to this one.
    fn decode(version: u32, payload: &[u8]) -> Result<Self, Error> {
        let _ = version;
        Self::read_from_bytes(payload).map_err(|_| Error::new(ErrorKind::Truncated))
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

#[derive(Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
struct Head {
    magic: [u8; 8],
    version: U32,
    arch: U32,
    reserved: U32,
    crc: U32,
}

#[derive(Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
struct RecordHeader {
    ty: U32,
    len: U32,
    parent: U32,
    reserved: U32,
    fingerprint: U64,
    payload_crc: U32,
    header_crc: U32,
}

/// The size of the image head in bytes; the first record starts here.
pub const HEAD_SIZE: usize = core::mem::size_of::<Head>();
/// The size of a record's header in bytes; its payload follows.
pub const RECORD_HEADER_SIZE: usize = core::mem::size_of::<RecordHeader>();
const HEAD_LEN: usize = HEAD_SIZE;
const RECORD_LEN: usize = RECORD_HEADER_SIZE;

impl Head {
    fn new(arch: u32) -> Head {
        let mut head = Head {
            magic: MAGIC,
            version: VERSION.into(),
            arch: arch.into(),
            reserved: 0.into(),
            crc: 0.into(),
        };
        head.crc = crc32c(&head.as_bytes()[..HEAD_LEN - 4]).into();
        head
    }
}

impl RecordHeader {
    fn new(ty: u32, parent: u32, fingerprint: u64, payload: &[u8]) -> Result<RecordHeader, Error> {
        let len = u32::try_from(payload.len()).map_err(|_| Error::new(ErrorKind::Io))?;
        let mut header = RecordHeader {
            ty: ty.into(),
            len: len.into(),
            parent: parent.into(),
            reserved: 0.into(),
            fingerprint: fingerprint.into(),
            payload_crc: crc32c(payload).into(),
            header_crc: 0.into(),
        };
        header.header_crc = crc32c(&header.as_bytes()[..RECORD_LEN - 4]).into();
        Ok(header)
    }
}

/// Where a writer's bytes go: any `std::io::Write` (feature `std`), or a [`SliceSink`].
pub trait Sink {
    /// Appends all of `bytes`, or fails with `ErrorKind::Io`.
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error>;
}

#[cfg(feature = "std")]
impl<W: std::io::Write> Sink for W {
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.write_all(bytes).map_err(|_| Error::new(ErrorKind::Io))
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
/// [`Writer::finish`].
pub struct Writer<W: Sink> {
    sink: W,
}

impl<W: Sink> Writer<W> {
    /// Starts an image for architecture `arch` (a tag of the writer's choosing, checked by readers).
    pub fn new(mut sink: W, arch: u32) -> Result<Self, Error> {
        sink.put(Head::new(arch).as_bytes())?;
        Ok(Writer { sink })
    }

    /// Appends `header` as a record whose parent is `parent`.
    pub fn write<H: Record>(&mut self, parent: u32, header: &H) -> Result<(), Error> {
        let payload = header.as_bytes();
        let record = RecordHeader::new(H::TYPE, parent, H::FINGERPRINT, payload)?;
        self.sink.put(record.as_bytes())?;
        self.sink.put(payload)
    }

    /// Writes the end record and hands the sink back.
    pub fn finish(mut self) -> Result<W, Error> {
        let end = RecordHeader::new(END, 0, 0, &[])?;
        self.sink.put(end.as_bytes())?;
        Ok(self.sink)
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
}

/// Reads an image from a byte slice (`no_std`, no allocation). Every read checks before it trusts.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Checks the head: magic, checksum, version, then architecture.
    pub fn new(bytes: &'a [u8], arch: u32) -> Result<Self, Error> {
        let Some(raw) = bytes.get(..HEAD_LEN) else {
            let kind = if bytes.len() < MAGIC.len() && MAGIC.starts_with(bytes) || bytes.starts_with(&MAGIC) {
                ErrorKind::Truncated
            } else {
                ErrorKind::BadMagic
            };
            return Err(Error::new(kind).at_offset(bytes.len() as u64));
        };
        let Ok(head) = Head::read_from_bytes(raw) else {
            return Err(Error::new(ErrorKind::Truncated).at_offset(0));
        };
        if head.magic != MAGIC {
            return Err(Error::new(ErrorKind::BadMagic).at_offset(0));
        }
        if crc32c(&raw[..HEAD_LEN - 4]) != head.crc.get() || head.reserved.get() != 0 {
            return Err(Error::new(ErrorKind::Corrupt).at_offset(0));
        }
        if head.version.get() != VERSION {
            let kind = ErrorKind::UnsupportedVersion {
                found: head.version.get(),
                supported: VERSION,
            };
            return Err(Error::new(kind).at_offset(8));
        }
        if head.arch.get() != arch {
            return Err(Error::new(ErrorKind::ArchMismatch {
                expected: arch,
                found: head.arch.get(),
            })
            .at_offset(12));
        }
        Ok(Reader { bytes, pos: HEAD_LEN })
    }

    /// Byte offset of the next record.
    pub fn offset(&self) -> u64 {
        self.pos as u64
    }

    /// The next record's header, its own checksum verified; nothing after it is trusted yet.
    fn header(&self) -> Result<(RecordInfo, u32), Error> {
        let at = self.pos as u64;
        let raw = self.bytes[self.pos..].get(..RECORD_LEN);
        let Some(Ok(header)) = raw.map(RecordHeader::read_from_bytes) else {
            return Err(Error::new(ErrorKind::Truncated).at_offset(at));
        };
        if crc32c(&header.as_bytes()[..RECORD_LEN - 4]) != header.header_crc.get() || header.reserved.get() != 0 {
            return Err(Error::new(ErrorKind::Corrupt).at_offset(at));
        }
        let info = RecordInfo {
            offset: at,
            ty: header.ty.get(),
            parent: header.parent.get(),
            len: header.len.get(),
            fingerprint: header.fingerprint.get(),
        };
        Ok((info, header.payload_crc.get()))
    }

    /// The payload of a verified record header, checked against its checksum.
    fn payload(&self, info: &RecordInfo, crc: u32) -> Result<&'a [u8], Error> {
        let at = info.offset + RECORD_LEN as u64;
        let start = self.pos + RECORD_LEN;
        let payload = usize::try_from(info.len)
            .ok()
            .and_then(|len| self.bytes[start..].get(..len));
        let Some(payload) = payload else {
            return Err(Error::new(ErrorKind::Truncated).at_offset(at));
        };
        if crc32c(payload) != crc {
            return Err(Error::new(ErrorKind::Corrupt).at_offset(at));
        }
        Ok(payload)
    }

    /// The next record, verified whole. Does not advance.
    fn next(&self) -> Result<(RecordInfo, &'a [u8]), Error> {
        let (info, crc) = self.header()?;
        Ok((info, self.payload(&info, crc)?))
    }

    /// The next record's header, verified (and its payload's checksum), or `None` at the end record.
    pub fn peek(&self) -> Result<Option<RecordInfo>, Error> {
        let (info, _) = self.next()?;
        Ok(if info.ty == END { None } else { Some(info) })
    }

    /// Skips the next record (of any type), verified; `None` at the end record, which stays next.
    pub fn skip(&mut self) -> Result<Option<RecordInfo>, Error> {
        Ok(self.read_raw()?.map(|(info, _)| info))
    }

    /// The next record (of any type) and its payload bytes, verified; `None` at the end record,
    /// which stays next (for [`Reader::finish`]).
    pub fn read_raw(&mut self) -> Result<Option<(RecordInfo, &'a [u8])>, Error> {
        let (info, payload) = self.next()?;
        if info.ty == END {
            return Ok(None);
        }
        self.pos += RECORD_LEN + payload.len();
        Ok(Some((info, payload)))
    }

    /// The next record as an `H`, with its parent. Checks, in order: the record header's checksum,
    /// the type, the length, the layout fingerprint, the payload's checksum.
    pub fn read<H: Record>(&mut self) -> Result<(u32, H), Error> {
        let (info, crc) = self.header()?;
        if info.ty != H::TYPE {
            return Err(Error::new(ErrorKind::WrongRecord {
                expected: H::TYPE,
                found: info.ty,
            })
            .at_offset(info.offset));
        }
        let size = core::mem::size_of::<H>();
        if usize::try_from(info.len).ok() != Some(size) {
            let expected = u32::try_from(size).unwrap_or(u32::MAX);
            return Err(Error::new(ErrorKind::BadLength {
                expected,
                found: info.len,
            })
            .at_offset(info.offset + 4));
        }
        if info.fingerprint != H::FINGERPRINT {
            let kind = ErrorKind::LayoutMismatch {
                expected: H::FINGERPRINT,
                found: info.fingerprint,
            };
            return Err(Error::new(kind).at_offset(info.offset + 16));
        }
        let payload = self.payload(&info, crc)?;
        let Ok(value) = H::read_from_bytes(payload) else {
            return Err(Error::new(ErrorKind::Truncated).at_offset(info.offset + RECORD_LEN as u64));
        };
        self.pos += RECORD_LEN + size;
        Ok((info.parent, value))
    }

    /// Checks that the next record is the end record and that nothing follows it.
    pub fn finish(self) -> Result<(), Error> {
        let (info, _) = self.next()?;
        if info.ty != END || info.len != 0 || info.parent != 0 || info.fingerprint != 0 {
            return Err(Error::new(ErrorKind::TrailingData).at_offset(info.offset));
        }
        let end = self.pos + RECORD_LEN;
        if end != self.bytes.len() {
            return Err(Error::new(ErrorKind::TrailingData).at_offset(end as u64));
        }
        Ok(())
    }
}

/// Reads a whole image from any `std::io::Read` (feature `std`), for a [`Reader`] over it.
#[cfg(feature = "std")]
pub fn read_all<R: std::io::Read>(mut r: R) -> Result<std::vec::Vec<u8>, Error> {
    let mut bytes = std::vec::Vec::new();
    r.read_to_end(&mut bytes).map_err(|_| Error::new(ErrorKind::Io))?;
    Ok(bytes)
}
