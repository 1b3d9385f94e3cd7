use cr_core::CrCopy;

pub struct Lapic {
    pub regs: [i8; 1024],
}

// The page has 0x400 bytes; this range ends past it.
#[derive(CrCopy)]
#[cr(target = Lapic)]
pub struct Hdr {
    #[cr(path = "regs[0x3fe..0x402]")]
    pub last: u32,
}

fn main() {}
