use cr_core::CrCopy;

#[derive(Clone, Copy)]
pub struct Regs {
    pub psw: u64,
}

pub struct Live {
    pub regs: Regs,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(path = "regs", bits)]
    pub regs: u64,
    #[cr(path = "regs.psw")]
    pub psw: u64,
}

fn main() {}
