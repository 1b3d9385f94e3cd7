// A flag place is a `bool` or an unsigned integer holding 0 or 1 (a one-bit bitfield's getter).
use cr_core::CrCopy;

pub struct Live {
    pub noexec: i32,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(flag(bit = 0, path = "noexec"))]
    pub flags: u8,
}

fn main() {}
