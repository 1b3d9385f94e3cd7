use cr_core::CrCopy;

pub struct Live {
    pub noexec: u8,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(flag(bit = 0, path = "noexec"))]
    pub flags: u8,
}

fn main() {}
