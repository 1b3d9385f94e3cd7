use cr_core::CrCopy;

pub struct Lapic {
    pub regs: [i8; 1024],
}

// Four bytes of the page into an eight-byte header field.
#[derive(CrCopy)]
#[cr(target = Lapic)]
pub struct Hdr {
    #[cr(path = "regs[0x80..0x84]")]
    pub tpr: u64,
}

fn main() {}
