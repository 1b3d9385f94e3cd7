use cr_core::CrCopy;

pub struct Live {
    pub noexec: bool,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(flag(bit = 0, path = "noexec"))]
    pub flags: usize,
}

fn main() {}
