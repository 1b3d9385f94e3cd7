use cr_core::CrCopy;

pub struct Live {
    pub noexec: bool,
    pub has_pgste: bool,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(flag(bit = 1, path = "noexec"), flag(bit = 1, path = "has_pgste"))]
    pub flags: u32,
}

fn main() {}
