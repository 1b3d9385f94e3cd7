//! JSON helpers shared by the image and table conversions: exact integers, hex strings, and the
//! error of a JSON document that does not say what `encode` needs, named by its route.

use serde_json::Value;

/// A JSON document `encode` refuses, with the route to the value at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bad {
    route: Vec<String>,
    message: String,
}

impl Bad {
    /// A fault in the value at hand.
    pub fn new(message: impl Into<String>) -> Bad {
        Bad {
            route: Vec::new(),
            message: message.into(),
        }
    }

    /// The same fault, inside member (or element) `segment`.
    pub fn at(mut self, segment: impl Into<String>) -> Bad {
        self.route.insert(0, segment.into());
        self
    }

    /// The route, e.g. `records[3].fields.psw.mask`.
    pub fn route(&self) -> String {
        let mut out = String::new();
        for segment in &self.route {
            if !segment.starts_with('[') && !out.is_empty() {
                out.push('.');
            }
            out.push_str(segment);
        }
        out
    }
}

impl std::fmt::Display for Bad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.route.is_empty() {
            true => f.write_str(&self.message),
            false => write!(f, "`{}`: {}", self.route(), self.message),
        }
    }
}

impl std::error::Error for Bad {}

/// `0x` and lowercase hex digits.
pub fn hex(v: impl std::fmt::LowerHex) -> Value {
    Value::from(format!("{v:#x}"))
}

/// Bytes as lowercase hex digits, two per byte.
pub fn hex_bytes(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Bytes from hex digits, two per byte.
pub fn bytes_of_hex(s: &str) -> Result<Vec<u8>, Bad> {
    if s.len() % 2 != 0 {
        return Err(Bad::new("hex bytes have an even number of digits"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|d| u8::from_str_radix(d, 16).ok())
                .ok_or_else(|| Bad::new(format!("{s:?} is not hex bytes")))
        })
        .collect()
}

/// An unsigned integer of up to 128 bits: a JSON number, or a string of `0x` hex or decimal.
pub fn parse_u128(v: &Value) -> Result<u128, Bad> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .map(u128::from)
            .ok_or_else(|| Bad::new(format!("{n} is not an unsigned integer"))),
        Value::String(s) => {
            let parsed = match s.strip_prefix("0x") {
                Some(digits) => u128::from_str_radix(&digits.replace('_', ""), 16),
                None => s.parse::<u128>(),
            };
            parsed.map_err(|_| Bad::new(format!("{s:?} is not an unsigned integer")))
        }
        _ => Err(Bad::new(format!("{v} is not an unsigned integer"))),
    }
}

/// An unsigned 64-bit integer (see [`parse_u128`]).
pub fn parse_u64(v: &Value) -> Result<u64, Bad> {
    let n = parse_u128(v)?;
    u64::try_from(n).map_err(|_| Bad::new(format!("{n:#x} does not fit 64 bits")))
}

/// A signed integer of up to 128 bits: a JSON number or a decimal string.
pub fn parse_i128(v: &Value) -> Result<i128, Bad> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .ok_or_else(|| Bad::new(format!("{n} is not an integer"))),
        Value::String(s) => s
            .parse::<i128>()
            .map_err(|_| Bad::new(format!("{s:?} is not an integer"))),
        _ => Err(Bad::new(format!("{v} is not an integer"))),
    }
}
