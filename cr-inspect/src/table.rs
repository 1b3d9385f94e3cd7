//! A header type's description as a tree the tool owns: built from a description record's bytes
//! by cr-core's verifying parser, written back to those bytes (`cr_core::description`'s format,
//! with its tag constants), and to and from the JSON of `decode`/`encode`.

use crate::json::{hex, parse_u64, Bad};
use cr_core::description::{self, format, role, Event, Shape};
use cr_core::image::ByteOrder;
use serde_json::{json, Map, Value};

/// A described header type: a table and the record version the description names.
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    /// The record version described.
    pub version: u32,
    /// The header's table.
    pub table: Table,
}

/// The fields of one header type.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The header type's name.
    pub name: String,
    /// Its size in bytes.
    pub size: u32,
    /// Its layout fingerprint.
    pub fingerprint: u64,
    /// Its fields, in order.
    pub fields: Vec<Field>,
}

/// One field.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Its name.
    pub name: String,
    /// Its live path (informative).
    pub path: Option<String>,
    /// Its offset in its table.
    pub offset: u32,
    /// Its size.
    pub size: u32,
    /// What its bytes are.
    pub format: Format,
    /// How they are read.
    pub role: Role,
}

/// A field's format (`cr_core::layout::Format`).
#[derive(Clone, Debug, PartialEq)]
pub enum Format {
    /// An unsigned integer of this many bytes.
    Unsigned(u8),
    /// A signed integer of this many bytes.
    Signed(u8),
    /// A float of this many bytes.
    Float(u8),
    /// A `bool`.
    Bool,
    /// An array.
    Array(u32, Box<Format>),
    /// A nested header, by fingerprint and size.
    Header(u64, u32),
    /// Bytes the layout does not describe.
    Opaque(u32),
    /// Bytes without a byte order.
    Bytes(u32),
}

/// A field's role.
#[derive(Clone, Debug, PartialEq)]
pub enum Role {
    /// Data, declared with this `#[cr(...)]` key.
    Data(String),
    /// Reserved: zero.
    Reserved,
    /// A flag word.
    Flags(Vec<Flag>),
    /// A tagged variant: live when `tag` holds one of `values`, then read as `live`.
    Variant {
        /// The tag field.
        tag: String,
        /// The values that select it.
        values: Vec<u64>,
        /// Its role while live.
        live: Box<Role>,
    },
    /// A nested header (`array`: an array of `len`).
    Nested {
        /// Whether it is an array.
        array: bool,
        /// The number of headers.
        len: u32,
        /// Their table.
        table: Table,
    },
}

/// One flag of a flag word.
#[derive(Clone, Debug, PartialEq)]
pub struct Flag {
    /// Its name.
    pub name: String,
    /// Its bit.
    pub bit: u32,
    /// The live `bool` it maps to.
    pub path: Option<String>,
}

impl Role {
    /// The role that decides how the bytes read: a variant's live role, any other itself.
    pub fn live(&self) -> &Role {
        match self {
            Role::Variant { live, .. } => live.live(),
            role => role,
        }
    }
}

impl Description {
    /// Parses and verifies a description payload in `order` (`cr_core::description::parse`).
    pub fn parse(bytes: &[u8], order: ByteOrder) -> Result<Description, cr_core::Error> {
        let mut events = Vec::new();
        let summary = description::parse(bytes, order, &mut |e| events.push(e))?;
        let mut events = events.into_iter();
        let table = build_table(&mut events).ok_or_else(|| {
            cr_core::Error::new(cr_core::ErrorKind::Invalid {
                reason: "the description's events do not form a table",
            })
        })?;
        Ok(Description {
            version: summary.version,
            table,
        })
    }

    /// The description's bytes in `order`: what `cr_core::description::encode` writes for the
    /// same layout.
    pub fn to_bytes(&self, order: ByteOrder) -> Vec<u8> {
        let mut w = Bytes { out: Vec::new(), order };
        w.out.extend_from_slice(&description::MAGIC);
        w.u32(description::FORMAT);
        w.u32(self.version);
        w.table(&self.table);
        w.out
    }
}

/// A table from the parser's events (the `Table` event already next).
fn build_table<'a>(events: &mut impl Iterator<Item = Event<'a>>) -> Option<Table> {
    let Some(Event::Table {
        name,
        size,
        fingerprint,
        fields: count,
    }) = events.next()
    else {
        return None;
    };
    let mut fields = Vec::new();
    for _ in 0..count {
        let Some(Event::Field {
            name,
            path,
            offset,
            size,
        }) = events.next()
        else {
            return None;
        };
        let format = build_format(events)?;
        let role = build_role(events)?;
        fields.push(Field {
            name: name.into(),
            path: path.map(Into::into),
            offset,
            size,
            format,
            role,
        });
    }
    matches!(events.next(), Some(Event::EndTable)).then(|| Table {
        name: name.into(),
        size,
        fingerprint,
        fields,
    })
}

fn build_format<'a>(events: &mut impl Iterator<Item = Event<'a>>) -> Option<Format> {
    let Some(Event::Shape(shape)) = events.next() else {
        return None;
    };
    Some(match shape {
        Shape::Unsigned { bytes } => Format::Unsigned(bytes),
        Shape::Signed { bytes } => Format::Signed(bytes),
        Shape::Float { bytes } => Format::Float(bytes),
        Shape::Bool => Format::Bool,
        Shape::Array { len } => Format::Array(len, Box::new(build_format(events)?)),
        Shape::Header { fingerprint, size } => Format::Header(fingerprint, size),
        Shape::Opaque { size } => Format::Opaque(size),
        Shape::Bytes { size } => Format::Bytes(size),
    })
}

fn build_role<'a>(events: &mut impl Iterator<Item = Event<'a>>) -> Option<Role> {
    Some(match events.next()? {
        Event::Data { mode } => Role::Data(mode.into()),
        Event::Reserved => Role::Reserved,
        Event::Flags { count } => {
            let mut flags = Vec::new();
            for _ in 0..count {
                let Some(Event::Flag { name, bit, path }) = events.next() else {
                    return None;
                };
                flags.push(Flag {
                    name: name.into(),
                    bit,
                    path: path.map(Into::into),
                });
            }
            Role::Flags(flags)
        }
        Event::Variant { tag, count } => {
            let mut values = Vec::new();
            for _ in 0..count {
                let Some(Event::Value(v)) = events.next() else {
                    return None;
                };
                values.push(v);
            }
            Role::Variant {
                tag: tag.into(),
                values,
                live: Box::new(build_role(events)?),
            }
        }
        Event::Nested { array, len } => Role::Nested {
            array,
            len,
            table: build_table(events)?,
        },
        _ => return None,
    })
}

/// The description writer: the byte format of `cr_core::description`, into a vector.
struct Bytes {
    out: Vec<u8>,
    order: ByteOrder,
}

impl Bytes {
    fn put<const N: usize>(&mut self, mut le: [u8; N]) {
        if self.order == ByteOrder::Big {
            le.reverse();
        }
        self.out.extend_from_slice(&le);
    }
    fn u8(&mut self, v: u8) {
        self.out.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.put(v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.put(v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        // Names longer than 65535 bytes are refused by `encode` before this is reached.
        self.put((s.len() as u16).to_le_bytes());
        self.out.extend_from_slice(s.as_bytes());
    }
    fn opt(&mut self, s: &Option<String>) {
        match s {
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
            None => self.u8(0),
        }
    }
    fn table(&mut self, table: &Table) {
        self.str(&table.name);
        self.u32(table.size);
        self.u64(table.fingerprint);
        self.u32(table.fields.len() as u32);
        for field in &table.fields {
            self.str(&field.name);
            self.opt(&field.path);
            self.u32(field.offset);
            self.u32(field.size);
            self.format(&field.format);
            self.role(&field.role);
        }
    }
    fn format(&mut self, f: &Format) {
        match f {
            Format::Unsigned(b) => self.out.extend_from_slice(&[format::UNSIGNED, *b]),
            Format::Signed(b) => self.out.extend_from_slice(&[format::SIGNED, *b]),
            Format::Float(b) => self.out.extend_from_slice(&[format::FLOAT, *b]),
            Format::Bool => self.u8(format::BOOL),
            Format::Array(len, elem) => {
                self.u8(format::ARRAY);
                self.u32(*len);
                self.format(elem);
            }
            Format::Header(fp, size) => {
                self.u8(format::HEADER);
                self.u64(*fp);
                self.u32(*size);
            }
            Format::Opaque(size) => {
                self.u8(format::OPAQUE);
                self.u32(*size);
            }
            Format::Bytes(size) => {
                self.u8(format::BYTES);
                self.u32(*size);
            }
        }
    }
    fn role(&mut self, r: &Role) {
        match r {
            Role::Data(mode) => {
                self.u8(role::DATA);
                self.str(mode);
            }
            Role::Reserved => self.u8(role::RESERVED),
            Role::Flags(flags) => {
                self.u8(role::FLAGS);
                self.u32(flags.len() as u32);
                for flag in flags {
                    self.str(&flag.name);
                    self.u32(flag.bit);
                    self.opt(&flag.path);
                }
            }
            Role::Variant { tag, values, live } => {
                self.u8(role::VARIANT);
                self.str(tag);
                self.u32(values.len() as u32);
                for v in values {
                    self.u64(*v);
                }
                self.role(live);
            }
            Role::Nested { array, len, table } => {
                self.u8(role::NESTED);
                self.u8(u8::from(*array));
                self.u32(*len);
                self.table(table);
            }
        }
    }
}

// ---- JSON ------------------------------------------------------------------------------------

impl Format {
    /// The format in JSON: `"u64"`, `{"array": {"len": 16, "of": "u64"}}`, `{"header":
    /// {"fingerprint": "0x..", "size": 16}}`, `{"opaque": 16}`, `{"bytes": 16}`.
    pub fn to_json(&self) -> Value {
        match self {
            Format::Unsigned(b) => Value::from(format!("u{}", u32::from(*b) * 8)),
            Format::Signed(b) => Value::from(format!("i{}", u32::from(*b) * 8)),
            Format::Float(b) => Value::from(format!("f{}", u32::from(*b) * 8)),
            Format::Bool => Value::from("bool"),
            Format::Array(len, elem) => json!({"array": {"len": len, "of": elem.to_json()}}),
            Format::Header(fp, size) => json!({"header": {"fingerprint": hex(*fp), "size": size}}),
            Format::Opaque(size) => json!({ "opaque": size }),
            Format::Bytes(size) => json!({ "bytes": size }),
        }
    }

    /// The format from its JSON.
    pub fn from_json(v: &Value) -> Result<Format, Bad> {
        if let Some(s) = v.as_str() {
            let (kind, bits) = s.split_at(1.min(s.len()));
            let bytes = bits.parse::<u32>().ok().filter(|b| b % 8 == 0 && *b > 0).map(|b| b / 8);
            return match (kind, bytes) {
                _ if s == "bool" => Ok(Format::Bool),
                ("u", Some(b)) => Ok(Format::Unsigned(b as u8)),
                ("i", Some(b)) => Ok(Format::Signed(b as u8)),
                ("f", Some(b)) => Ok(Format::Float(b as u8)),
                _ => Err(Bad::new(format!("unknown format {s:?}"))),
            };
        }
        let obj = v
            .as_object()
            .ok_or_else(|| Bad::new("a format is a string or an object"))?;
        if let Some(a) = obj.get("array") {
            let len = u32_of(a.get("len"), "array.len")?;
            let of = a.get("of").ok_or_else(|| Bad::new("an array format needs `of`"))?;
            return Ok(Format::Array(len, Box::new(Format::from_json(of)?)));
        }
        if let Some(h) = obj.get("header") {
            let fp = parse_u64(h.get("fingerprint").unwrap_or(&Value::Null)).map_err(|e| e.at("fingerprint"))?;
            return Ok(Format::Header(fp, u32_of(h.get("size"), "size")?));
        }
        if let Some(n) = obj.get("opaque") {
            return Ok(Format::Opaque(u32_of(Some(n), "opaque")?));
        }
        if let Some(n) = obj.get("bytes") {
            return Ok(Format::Bytes(u32_of(Some(n), "bytes")?));
        }
        Err(Bad::new("unknown format object"))
    }
}

/// A `u32` member.
pub fn u32_of(v: Option<&Value>, what: &str) -> Result<u32, Bad> {
    let v = v.ok_or_else(|| Bad::new(format!("`{what}` is missing")))?;
    let n = parse_u64(v).map_err(|e| e.at(what))?;
    u32::try_from(n).map_err(|_| Bad::new(format!("`{what}` does not fit 32 bits")))
}

/// A string member.
fn str_of<'v>(v: &'v Value, key: &str) -> Result<&'v str, Bad> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| Bad::new(format!("`{key}` is missing or not a string")))
}

/// An optional string member.
fn opt_of(v: &Value, key: &str) -> Result<Option<String>, Bad> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Bad::new(format!("`{key}` is not a string"))),
    }
}

impl Role {
    /// The role in JSON: `"data"` (with the field's `mode`), `"reserved"`, `{"flags": [..]}`,
    /// `{"variant": {..}}`, `{"nested": {..}}`.
    fn to_json(&self, field: &mut Map<String, Value>) {
        let role = match self {
            Role::Data(mode) => {
                field.insert("mode".into(), mode.clone().into());
                Value::from("data")
            }
            Role::Reserved => Value::from("reserved"),
            Role::Flags(flags) => {
                let flags: Vec<Value> = flags
                    .iter()
                    .map(|f| json!({"name": f.name, "bit": f.bit, "path": f.path}))
                    .collect();
                json!({ "flags": flags })
            }
            Role::Variant { tag, values, live } => {
                let mut inner = Map::new();
                live.to_json(&mut inner);
                let values: Vec<Value> = values.iter().map(|v| Value::from(*v)).collect();
                json!({"variant": {"tag": tag, "values": values, "live": Value::Object(inner)}})
            }
            Role::Nested { array, len, table } => {
                json!({"nested": {"array": array, "len": len, "table": table.to_json()}})
            }
        };
        field.insert("role".into(), role);
    }

    fn from_json(field: &Value) -> Result<Role, Bad> {
        let role = field.get("role").ok_or_else(|| Bad::new("`role` is missing"))?;
        match role.as_str() {
            Some("data") => return Ok(Role::Data(str_of(field, "mode").unwrap_or("path").into())),
            Some("reserved") => return Ok(Role::Reserved),
            Some(other) => return Err(Bad::new(format!("unknown role {other:?}"))),
            None => {}
        }
        if let Some(flags) = role.get("flags") {
            let flags = flags.as_array().ok_or_else(|| Bad::new("`flags` is an array"))?;
            let flags = flags
                .iter()
                .map(|f| {
                    Ok(Flag {
                        name: str_of(f, "name")?.into(),
                        bit: u32_of(f.get("bit"), "bit")?,
                        path: opt_of(f, "path")?,
                    })
                })
                .collect::<Result<_, Bad>>()?;
            return Ok(Role::Flags(flags));
        }
        if let Some(v) = role.get("variant") {
            let values = v
                .get("values")
                .and_then(Value::as_array)
                .ok_or_else(|| Bad::new("`values` is an array"))?;
            let values = values.iter().map(parse_u64).collect::<Result<_, _>>()?;
            let live = v.get("live").ok_or_else(|| Bad::new("`live` is missing"))?;
            return Ok(Role::Variant {
                tag: str_of(v, "tag")?.into(),
                values,
                live: Box::new(Role::from_json(live)?),
            });
        }
        if let Some(n) = role.get("nested") {
            let array = n.get("array").and_then(Value::as_bool).unwrap_or(false);
            let table = n.get("table").ok_or_else(|| Bad::new("`table` is missing"))?;
            return Ok(Role::Nested {
                array,
                len: u32_of(n.get("len"), "len")?,
                table: Table::from_json(table)?,
            });
        }
        Err(Bad::new("unknown role object"))
    }
}

impl Table {
    /// The table in JSON.
    pub fn to_json(&self) -> Value {
        let fields: Vec<Value> = self
            .fields
            .iter()
            .map(|f| {
                let mut m = Map::new();
                m.insert("name".into(), f.name.clone().into());
                m.insert("path".into(), f.path.clone().into());
                m.insert("offset".into(), f.offset.into());
                m.insert("size".into(), f.size.into());
                m.insert("format".into(), f.format.to_json());
                f.role.to_json(&mut m);
                Value::Object(m)
            })
            .collect();
        json!({"name": self.name, "size": self.size, "fingerprint": hex(self.fingerprint), "fields": fields})
    }

    /// The table from its JSON.
    pub fn from_json(v: &Value) -> Result<Table, Bad> {
        let fields = v
            .get("fields")
            .and_then(Value::as_array)
            .ok_or_else(|| Bad::new("`fields` is an array"))?;
        let fields = fields
            .iter()
            .map(|f| {
                let name = str_of(f, "name")?;
                let field = || -> Result<Field, Bad> {
                    Ok(Field {
                        name: name.into(),
                        path: opt_of(f, "path")?,
                        offset: u32_of(f.get("offset"), "offset")?,
                        size: u32_of(f.get("size"), "size")?,
                        format: Format::from_json(f.get("format").unwrap_or(&Value::Null))?,
                        role: Role::from_json(f)?,
                    })
                };
                field().map_err(|e| e.at(name))
            })
            .collect::<Result<_, Bad>>()?;
        let fingerprint = parse_u64(v.get("fingerprint").unwrap_or(&Value::Null)).map_err(|e| e.at("fingerprint"))?;
        Ok(Table {
            name: str_of(v, "name")?.into(),
            size: u32_of(v.get("size"), "size")?,
            fingerprint,
            fields,
        })
    }
}
