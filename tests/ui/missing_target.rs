use cr_core::CrCopy;

#[derive(CrCopy)]
pub struct Hdr {
    #[cr(skip)]
    pub word: u64,
}

fn main() {}
