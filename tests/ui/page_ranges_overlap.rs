use cr_core::CrCopy;

pub struct Lapic {
    pub regs: [i8; 1024],
}

// Two header fields over the same bytes of the page: restore would write them twice.
#[derive(CrCopy)]
#[cr(target = Lapic)]
pub struct Hdr {
    #[cr(path = "regs[0x20..0x24]")]
    pub id: u32,
    #[cr(path = "regs[0x23..0x27]")]
    pub other: u32,
}

fn main() {}
