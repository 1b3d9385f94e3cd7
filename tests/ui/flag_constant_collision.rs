use cr_core::CrCopy;

pub struct Per {
    pub single_step: bool,
}

pub struct Live {
    pub per: Per,
    pub guest: Per,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(flag(bit = 0, path = "per.single_step"), flag(bit = 1, path = "guest.single_step"))]
    pub flags: u8,
}

fn main() {}
