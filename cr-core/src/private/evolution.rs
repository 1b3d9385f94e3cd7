//! Format evolution: the compile-time checks of `prev`, `since`, `dropped` and `fingerprint`,
//! the allocation-free message builder they report with, and the derived upgrade. The checks run
//! in `const` items the derive emits; a failure is a compile error (a `const` panic) whose
//! message names the field and the fix. Nothing here runs per field at restore.

use crate::layout::{FieldInfo, Format, Mode};
use crate::{Error, ErrorKind};

/// A compile-time message built from pieces, without allocation.
pub struct Msg {
    buf: [u8; 512],
    len: usize,
}

impl Msg {
    /// An empty message.
    pub const fn new() -> Self {
        Msg { buf: [0; 512], len: 0 }
    }
    /// The message with `s` appended (cut at 512 bytes, on a character boundary).
    pub const fn str(mut self, s: &str) -> Self {
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() && self.len < self.buf.len() {
            self.buf[self.len] = bytes[i];
            self.len += 1;
            i += 1;
        }
        self
    }
    /// The message with `v` appended as `0x` and 16 hex digits.
    pub const fn hex(mut self, v: u64) -> Self {
        self = self.str("0x");
        let mut shift = 64;
        while shift > 0 {
            shift -= 4;
            let digit = ((v >> shift) & 0xf) as u8;
            let c = if digit < 10 { b'0' + digit } else { b'a' + digit - 10 };
            if self.len < self.buf.len() {
                self.buf[self.len] = c;
                self.len += 1;
            }
        }
        self
    }
    /// The message with `v` appended in decimal.
    pub const fn dec(mut self, v: u64) -> Self {
        let mut digits = [0u8; 20];
        let (mut n, mut len) = (v, 0);
        loop {
            digits[len] = b'0' + (n % 10) as u8;
            len += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        while len > 0 {
            len -= 1;
            if self.len < self.buf.len() {
                self.buf[self.len] = digits[len];
                self.len += 1;
            }
        }
        self
    }

    /// The text so far.
    pub const fn as_str(&self) -> &str {
        let mut len = self.len;
        // A cut inside a multi-byte character: back off to its start.
        while len > 0 && len < self.buf.len() && (self.buf[len] & 0xc0) == 0x80 {
            len -= 1;
        }
        let (head, _) = self.buf.split_at(len);
        match core::str::from_utf8(head) {
            Ok(s) => s,
            Err(_) => "cr: (message not valid UTF-8)",
        }
    }
}

impl Default for Msg {
    fn default() -> Self {
        Msg::new()
    }
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn find(fields: &[FieldInfo], name: &str) -> Option<usize> {
    let mut i = 0;
    while i < fields.len() {
        if str_eq(fields[i].name, name) {
            return Some(i);
        }
        i += 1;
    }
    None
}

const fn formats_eq(a: &Format, b: &Format) -> bool {
    match (*a, *b) {
        (Format::Unsigned { bytes: x }, Format::Unsigned { bytes: y })
        | (Format::Signed { bytes: x }, Format::Signed { bytes: y })
        | (Format::Float { bytes: x }, Format::Float { bytes: y }) => x == y,
        (Format::Bool, Format::Bool) => true,
        (Format::Array { elem: x, len: m }, Format::Array { elem: y, len: n }) => m == n && formats_eq(x, y),
        (
            Format::Header {
                fingerprint: x,
                size: m,
            },
            Format::Header {
                fingerprint: y,
                size: n,
            },
        ) => x == y && m == n,
        (
            Format::Opaque { size: m } | Format::Bytes { size: m },
            Format::Opaque { size: n } | Format::Bytes { size: n },
        ) => m == n,
        _ => false,
    }
}

/// An integer that a derived upgrade widens: unsigned to a wider unsigned or signed, signed to a
/// wider signed. Nothing else changes format on the way.
const fn widens(from: &Format, to: &Format) -> bool {
    match (*from, *to) {
        (Format::Unsigned { bytes: a }, Format::Unsigned { bytes: b })
        | (Format::Signed { bytes: a }, Format::Signed { bytes: b }) => a <= b,
        (Format::Unsigned { bytes: a }, Format::Signed { bytes: b }) => a < b,
        _ => false,
    }
}

/// A flag word's flags carry when every flag of the older one keeps its name and bit.
const fn flags_carry(prev: &Mode, this: &Mode) -> bool {
    match (*prev, *this) {
        (Mode::Flags(old), Mode::Flags(new)) => {
            let mut i = 0;
            while i < old.len() {
                let mut found = false;
                let mut j = 0;
                while j < new.len() {
                    if str_eq(old[i].name, new[j].name) && old[i].bit == new[j].bit {
                        found = true;
                    }
                    j += 1;
                }
                if !found {
                    return false;
                }
                i += 1;
            }
            true
        }
        (Mode::Flags(_), _) | (_, Mode::Flags(_)) => false,
        _ => true,
    }
}

/// Compile-time: the newer header's field `field` (named in neither `since` nor a user upgrade)
/// is carried from the same name in `prev`.
pub const fn check_carried(prev: &[FieldInfo], field: &FieldInfo, this: &str, prev_name: &str) {
    let Some(i) = find(prev, field.name) else {
        let msg = Msg::new()
            .str("cr: header field `")
            .str(field.name)
            .str("` of `")
            .str(this)
            .str("` is not in `")
            .str(prev_name)
            .str("`, the previous version: if it is new, mark it `#[cr(since = N)]` with this version (and `default = ...` when zero is not its value); if it was renamed or computed, write the step yourself with `upgrade = path`");
        panic!("{}", msg.as_str());
    };
    let old = &prev[i];
    let (was_reserved, is_reserved) = (matches!(old.mode, Mode::Reserved), matches!(field.mode, Mode::Reserved));
    if was_reserved != is_reserved {
        let msg = Msg::new()
            .str("cr: header field `")
            .str(field.name)
            .str("` is reserved in one of `")
            .str(prev_name)
            .str("` and `")
            .str(this)
            .str("` and data in the other: an upgrade would carry its bytes into the other role; give the new use a new name (`since`) and drop the old one (`dropped`), or write the step with `upgrade = path`");
        panic!("{}", msg.as_str());
    }
    // Reserved room may grow or shrink: the upgrade refuses a record whose room is not zero.
    let same = formats_eq(&old.format, &field.format) || widens(&old.format, &field.format);
    if !is_reserved && (!same || !flags_carry(&old.mode, &field.mode)) {
        let msg = Msg::new()
            .str("cr: header field `")
            .str(field.name)
            .str("` changed its format since `")
            .str(prev_name)
            .str("` (")
            .str(old.ty)
            .str(" there, ")
            .str(field.ty)
            .str(" here): a derived upgrade carries a field unchanged, widens an integer, and keeps every flag's name and bit; for anything else write the step with `upgrade = path`");
        panic!("{}", msg.as_str());
    }
}

/// Compile-time: a field marked `since` is new, so `prev` does not have it.
pub const fn check_new(prev: &[FieldInfo], field: &FieldInfo, this: &str, prev_name: &str) {
    if find(prev, field.name).is_some() {
        let msg = Msg::new()
            .str("cr: header field `")
            .str(field.name)
            .str("` of `")
            .str(this)
            .str("` is marked `since`, but `")
            .str(prev_name)
            .str("` already has it: drop `since` to carry it over");
        panic!("{}", msg.as_str());
    }
}

/// Compile-time: every field of `prev` is in `this` or named in `dropped`, and every `dropped`
/// name is a field of `prev` that `this` no longer has.
pub const fn check_dropped(prev: &[FieldInfo], this: &[FieldInfo], dropped: &[&str], this_name: &str, prev_name: &str) {
    let mut i = 0;
    while i < prev.len() {
        let name = prev[i].name;
        let mut named = false;
        let mut j = 0;
        while j < dropped.len() {
            named |= str_eq(dropped[j], name);
            j += 1;
        }
        if find(this, name).is_none() && !named {
            let msg = Msg::new()
                .str("cr: field `")
                .str(name)
                .str("` of `")
                .str(prev_name)
                .str("` is not in `")
                .str(this_name)
                .str("`: a removal is a decision, so name it with `#[cr(dropped = \"")
                .str(name)
                .str("\")]`, or keep the field");
            panic!("{}", msg.as_str());
        }
        i += 1;
    }
    let mut j = 0;
    while j < dropped.len() {
        if find(prev, dropped[j]).is_none() {
            let msg = Msg::new()
                .str("cr: `dropped = \"")
                .str(dropped[j])
                .str("\"` names no field of `")
                .str(prev_name)
                .str("`");
            panic!("{}", msg.as_str());
        }
        if find(this, dropped[j]).is_some() {
            let msg = Msg::new()
                .str("cr: `dropped = \"")
                .str(dropped[j])
                .str("\"`, but `")
                .str(this_name)
                .str("` still has that field: drop the `dropped`");
            panic!("{}", msg.as_str());
        }
        j += 1;
    }
}

/// Compile-time: `prev` is the same record type, one version older.
pub const fn check_chain(prev_type: u32, prev_version: u32, this_type: u32, this_version: u32, prev_name: &str) {
    if prev_type != this_type {
        let msg = Msg::new()
            .str("cr: `prev = ")
            .str(prev_name)
            .str("` is another record type: a `prev` is an older version of this same record");
        panic!("{}", msg.as_str());
    }
    if prev_version.checked_add(1).is_none() || prev_version + 1 != this_version {
        let msg = Msg::new()
            .str("cr: `prev = ")
            .str(prev_name)
            .str("` is not the version just before this one: each version names the one before it (its `version` is this one's minus 1)");
        panic!("{}", msg.as_str());
    }
}

/// Compile-time: the layout is the pinned one.
pub const fn check_pin(computed: u64, pinned: u64, this: &str) {
    if computed != pinned {
        let msg = Msg::new()
            .str("cr: the layout of `")
            .str(this)
            .str("` has fingerprint ")
            .hex(computed)
            .str(", but `fingerprint = ")
            .hex(pinned)
            .str("` pins another: if the pinned layout was released, images of it exist, so keep it as a frozen header (copy the struct, derive `CrLayout`) named by `prev`, and bump `version`; if it was never released, update the pin to ")
            .hex(computed);
        panic!("{}", msg.as_str());
    }
}

/// The derived upgrade `P -> H`: every field of `H` that `P` has is carried by name (its bytes,
/// or an integer widened); the rest start at zero, then `since` gives new fields their defaults.
/// The compile-time checks above prove every step is one of these. A reserved field that changed
/// size is not carried: its room must be zero in `prev`, or the record is refused as a restore
/// of `prev` would refuse it.
pub fn upgrade<P: crate::image::Record, H: crate::image::Record>(
    prev: &P,
    since: impl FnOnce(&mut H),
) -> Result<H, Error> {
    let mut out = H::new_zeroed();
    let from = prev.as_bytes();
    let to = out.as_mut_bytes();
    for field in H::FIELDS {
        let Some(old) = P::FIELDS.iter().find(|p| p.name == field.name) else {
            continue;
        };
        let (Some(src), Some(dst)) = (
            from.get(old.offset..old.offset + old.size),
            to.get_mut(field.offset..field.offset + field.size),
        ) else {
            continue;
        };
        if src.len() == dst.len() && formats_eq(&old.format, &field.format) {
            dst.copy_from_slice(src);
        } else if matches!(old.mode, Mode::Reserved) {
            if src.iter().any(|b| *b != 0) {
                return Err(Error::new(ErrorKind::ReservedNotZero).at(old.name, None));
            }
        } else if widens(&old.format, &field.format) {
            let signed = matches!(old.format, Format::Signed { .. });
            widen(src, dst, signed);
        }
    }
    since(&mut out);
    Ok(out)
}

/// Writes the integer in `src` (native order) into the wider `dst`, sign-extended if `signed`.
fn widen(src: &[u8], dst: &mut [u8], signed: bool) {
    let mut wide = [0u8; 16];
    let n = src.len().min(16);
    let negative = signed && n > 0 && {
        let top = if cfg!(target_endian = "little") {
            src[n - 1]
        } else {
            src[0]
        };
        top & 0x80 != 0
    };
    if negative {
        wide = [0xff; 16];
    }
    let m = dst.len().min(16);
    if cfg!(target_endian = "little") {
        wide[..n].copy_from_slice(&src[..n]);
        dst[..m].copy_from_slice(&wide[..m]);
    } else {
        wide[16 - n..].copy_from_slice(&src[..n]);
        dst[..m].copy_from_slice(&wide[16 - m..]);
    }
}

/// A record payload of exactly this header's version (length and fingerprint already checked).
pub fn read_exact<H: crate::image::Record>(payload: crate::image::Payload<'_>) -> Result<H, Error> {
    payload.read::<H>()
}
