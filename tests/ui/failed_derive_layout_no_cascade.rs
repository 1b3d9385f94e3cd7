use cr_core::{CrCopy, Layout, LayoutTable};

pub struct Live {
    pub ksp: u64,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(path = "ksp", save_onl)]
    pub ksp: u64,
}

pub fn describe() -> (u64, String) {
    (Hdr::FINGERPRINT, LayoutTable::<Hdr>::new().to_string())
}

fn main() {}
