use cr_core::CrCopy;

pub struct Lapic {
    pub regs: [i8; 1024],
}

// A register page's byte range is read and written as the header field's own type.
#[derive(CrCopy)]
#[cr(target = Lapic)]
pub struct Hdr {
    #[cr(path = "regs[0x80..0x84]", convert)]
    pub tpr: u64,
}

fn main() {}
