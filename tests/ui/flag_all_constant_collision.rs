use cr_core::CrCopy;

pub struct Live {
    pub on: bool,
    pub off: bool,
}

// `ab_c` and `abC` are both `AB_C` in UPPER_SNAKE_CASE: their `_ALL` constants would clash.
#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(flag(bit = 0, path = "on"))]
    pub ab_c: u8,
    #[allow(non_snake_case)]
    #[cr(flag(bit = 0, path = "off"))]
    pub abC: u8,
}

fn main() {}
