// A flag place is a `bool` or an integer of C's widths holding 0 or 1 (a one-bit bitfield's getter,
// a C `int` flag): `u8` to `u64`, `i8` to `i64`. A 128-bit integer is none of them.
use cr_core::CrCopy;

pub struct Live {
    pub wide: u128,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(flag(bit = 0, path = "wide"))]
    pub flags: u8,
}

fn main() {}
