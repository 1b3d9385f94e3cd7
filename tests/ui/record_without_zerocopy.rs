use cr_core::CrCopy;

pub struct Live {
    pub ksp: u64,
}

// A record's bytes go into images: without zerocopy's byte-view derives it cannot be one.
#[derive(CrCopy)]
#[repr(C)]
#[cr(target = Live, record = 3)]
pub struct Hdr {
    #[cr(path = "ksp")]
    pub ksp: u64,
}

fn main() {}
