//! The framing of an image as a tool sees it: the head and every record, with every check a
//! reader makes that needs no header type, each fault with its byte offset. Unlike
//! `cr_core::image::Reader`, which stops at the first fault, the walk goes on past a fault
//! whenever the record lengths can still be trusted, so `verify` reports them all; its first
//! fault is the one the reader reports (tests/verify.rs checks that on every bit flip).

use cr_core::image::{
    self, head, record, RecordKind, DESCRIPTION, END, HEAD_SIZE, MAGIC, OPTIONAL, RECORD_HEADER_SIZE,
};
use cr_core::image::{crc32c, ByteOrder};
use cr_core::ErrorKind;

/// A fault: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// Byte offset in the image.
    pub offset: u64,
    /// The error kind the reader would report, when it is one of the reader's checks.
    pub kind: Option<ErrorKind>,
    /// What is wrong, for people.
    pub message: String,
}

impl Fault {
    fn reader(offset: usize, kind: ErrorKind, message: impl Into<String>) -> Fault {
        Fault {
            offset: offset as u64,
            kind: Some(kind),
            message: message.into(),
        }
    }

    /// A fault a tool finds beyond the reader's checks (from a description).
    pub fn tool(offset: u64, message: impl Into<String>) -> Fault {
        Fault {
            offset,
            kind: None,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "@{}: {}", self.offset, self.message)
    }
}

/// The head of an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    /// The format version.
    pub format: u32,
    /// The architecture tag.
    pub arch: u32,
    /// The payloads' byte order.
    pub order: ByteOrder,
}

/// One record as framed: its header's words and its payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame<'a> {
    /// Byte offset of its header.
    pub offset: u64,
    /// Its type.
    pub ty: u32,
    /// Its parent.
    pub parent: u32,
    /// Its version as the reader sees it (1 for format-1 records).
    pub version: u32,
    /// Its flags word.
    pub flags: u16,
    /// Its layout fingerprint.
    pub fingerprint: u64,
    /// Its payload.
    pub payload: &'a [u8],
}

impl Frame<'_> {
    /// Whether it is a description record.
    pub fn description(&self) -> bool {
        self.flags & DESCRIPTION != 0
    }
    /// Whether it is optional.
    pub fn optional(&self) -> bool {
        self.flags & OPTIONAL != 0
    }
    /// Byte offset of its payload.
    pub fn payload_at(&self) -> u64 {
        self.offset + RECORD_HEADER_SIZE as u64
    }
    /// What its type says it holds.
    pub fn kind(&self) -> RecordKind {
        RecordKind::of(self.ty)
    }
}

/// An image walked: the head (if it could be read), the records up to the end record (or the
/// first fault that makes lengths untrustworthy), and every fault.
#[derive(Debug)]
pub struct Walk<'a> {
    /// The head, if its magic and format were readable.
    pub head: Option<Head>,
    /// The records, the end record excluded.
    pub records: Vec<Frame<'a>>,
    /// Whether the end record was reached.
    pub ended: bool,
    /// Every fault found, in image order.
    pub faults: Vec<Fault>,
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or([0; 4]))
}
fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(bytes[at..at + 2].try_into().unwrap_or([0; 2]))
}
fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8]))
}

/// Walks `bytes` as an image of any architecture.
pub fn walk(bytes: &[u8]) -> Walk<'_> {
    let mut walk = Walk {
        head: None,
        records: Vec::new(),
        ended: false,
        faults: Vec::new(),
    };
    if bytes.len() < HEAD_SIZE {
        let truncated = bytes.len() < MAGIC.len() && MAGIC.starts_with(bytes) || bytes.starts_with(&MAGIC);
        let (kind, what) = match truncated {
            true => (ErrorKind::Truncated, "the image ends inside its 24-byte head"),
            false => (
                ErrorKind::BadMagic,
                "not a cr image: it does not start with the image magic",
            ),
        };
        walk.faults.push(Fault::reader(bytes.len(), kind, what));
        return walk;
    }
    if bytes[head::MAGIC..head::MAGIC + MAGIC.len()] != MAGIC {
        walk.faults.push(Fault::reader(
            head::MAGIC,
            ErrorKind::BadMagic,
            "not a cr image: it does not start with the image magic",
        ));
        return walk;
    }
    if crc32c(&bytes[..head::CRC]) != u32_at(bytes, head::CRC) {
        walk.faults.push(Fault::reader(
            0,
            ErrorKind::Corrupt,
            "the head's checksum does not match its bytes",
        ));
    }
    let format = u32_at(bytes, head::VERSION);
    if !(image::OLDEST_VERSION..=image::VERSION).contains(&format) {
        let kind = ErrorKind::UnsupportedVersion {
            found: format,
            supported: image::VERSION,
        };
        let what = format!(
            "format version {format}; this tool reads formats {} to {}",
            image::OLDEST_VERSION,
            image::VERSION
        );
        walk.faults.push(Fault::reader(head::VERSION, kind, what));
        return walk;
    }
    let word = u32_at(bytes, head::ORDER);
    let Some(order) = image::order_of(format, word) else {
        let what = format!("byte-order word {word:#x} is not one format {format} defines");
        walk.faults.push(Fault::reader(head::ORDER, ErrorKind::Corrupt, what));
        return walk;
    };
    walk.head = Some(Head {
        format,
        arch: u32_at(bytes, head::ARCH),
        order,
    });
    records(bytes, format, &mut walk);
    walk
}

/// The records of an image of `format` from the first one on.
fn records<'a>(bytes: &'a [u8], format: u32, walk: &mut Walk<'a>) {
    let mut pos = HEAD_SIZE;
    loop {
        let Some(header) = bytes.get(pos..pos + RECORD_HEADER_SIZE) else {
            walk.faults.push(Fault::reader(
                pos,
                ErrorKind::Truncated,
                "the image ends before the end record (inside a record header)",
            ));
            return;
        };
        if crc32c(&header[..record::HEADER_CRC]) != u32_at(header, record::HEADER_CRC) {
            let what = "the record header's checksum does not match its bytes: its length cannot be trusted, nothing after it is read";
            walk.faults.push(Fault::reader(pos, ErrorKind::Corrupt, what));
            return;
        }
        let ty = u32_at(header, record::TYPE);
        let len = u32_at(header, record::LEN) as usize;
        let version = u16_at(header, record::VERSION);
        let flags = u16_at(header, record::FLAGS);
        if let Some(what) = tag_fault(format, ty, version, flags) {
            walk.faults.push(Fault::reader(pos, ErrorKind::Corrupt, what));
        }
        let start = pos + RECORD_HEADER_SIZE;
        let Some(payload) = start.checked_add(len).and_then(|end| bytes.get(start..end)) else {
            let what =
                format!("the {len}-byte payload of the record at @{pos} (type {ty}) runs past the end of the image");
            walk.faults.push(Fault::reader(start, ErrorKind::Truncated, what));
            return;
        };
        if crc32c(payload) != u32_at(header, record::PAYLOAD_CRC) {
            let what =
                format!("the payload of the record at @{pos} (type {ty}): its checksum does not match its bytes");
            walk.faults.push(Fault::reader(start, ErrorKind::Corrupt, what));
        }
        let frame = Frame {
            offset: pos as u64,
            ty,
            parent: u32_at(header, record::PARENT),
            version: match format {
                1 => u32::from(ty != END),
                _ => u32::from(version),
            },
            flags,
            fingerprint: u64_at(header, record::FINGERPRINT),
            payload,
        };
        pos = start + len;
        if ty == END {
            end_record(bytes, &frame, walk);
            return;
        }
        walk.records.push(frame);
    }
}

/// Why a record's tag word is one `format` does not define, if it is.
fn tag_fault(format: u32, ty: u32, version: u16, flags: u16) -> Option<String> {
    if flags & !image::flags_of(format) != 0 {
        return Some(format!(
            "record flags {flags:#06x} include bits format {format} does not define"
        ));
    }
    if format == 1 && version != 0 {
        return Some("a record version in a format-1 image (its word at offset 12 is zero)".into());
    }
    let header = matches!(RecordKind::of(ty), RecordKind::Header);
    if flags & DESCRIPTION != 0 && (flags & OPTIONAL == 0 || !header) {
        return Some("a description record that is not optional or not of a header type".into());
    }
    None
}

/// The end record's own checks, and that nothing follows it.
fn end_record(bytes: &[u8], frame: &Frame<'_>, walk: &mut Walk<'_>) {
    walk.ended = true;
    let canonical = frame.payload.is_empty()
        && frame.parent == 0
        && frame.fingerprint == 0
        && frame.version == 0
        && !frame.optional();
    if !canonical {
        walk.faults.push(Fault::reader(
            frame.offset as usize,
            ErrorKind::TrailingData,
            "the end record is not empty (length, parent, version, flags and fingerprint all zero)",
        ));
    }
    let after = frame.offset as usize + RECORD_HEADER_SIZE;
    if canonical && after != bytes.len() {
        let what = format!("{} bytes follow the end record", bytes.len() - after);
        walk.faults.push(Fault::reader(after, ErrorKind::TrailingData, what));
    }
}
