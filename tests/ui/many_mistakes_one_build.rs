use cr_core::CrCopy;

pub struct Live {
    pub ksp: u64,
    pub noexec: bool,
}

#[derive(CrCopy)]
#[cr(target = Live, validator = check)]
pub struct Hdr {
    #[cr(pth = "ksp")]
    pub ksp: u64,
    #[cr(flag(bit = 9, path = "noexec"))]
    pub flags: u8,
    #[cr(path = "a..b")]
    pub broken: u64,
    #[cr(skip, reserved)]
    pub pad: u64,
}

fn main() {}
