use cr_core::CrCopy;

pub struct Regs {
    pub ilc: u16,
}

pub struct Live {
    pub regs: Regs,
}

#[derive(CrCopy)]
#[cr(target = Live, cover(Regs = "regz"))]
pub struct Hdr {
    #[cr(path = "regs.ilc")]
    pub ilc: u16,
}

fn main() {}
