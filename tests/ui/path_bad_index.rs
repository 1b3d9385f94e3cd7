use cr_core::CrCopy;

pub struct Live {
    pub regs: [u16; 2],
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(path = "regs[x]")]
    pub ilc: u16,
}

fn main() {}
