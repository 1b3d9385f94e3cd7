use cr_core::CrCopy;

pub struct Live {
    pub on: bool,
    pub off: bool,
}

// A flag named `B_ALL` on field `a` is `A_B_ALL`, the `_ALL` constant of the flag word `a_b`.
#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(flag(bit = 0, path = "on", name = "B_ALL"))]
    pub a: u8,
    #[cr(flag(bit = 0, path = "off"))]
    pub a_b: u8,
}

fn main() {}
