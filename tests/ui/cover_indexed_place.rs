use cr_core::CrCopy;

pub struct Live {
    pub acrs: [u32; 2],
}

#[derive(CrCopy)]
#[cr(target = Live, cover(Live = "acrs"))]
pub struct Hdr {
    #[cr(path = "acrs[0]")]
    pub acr0: u32,
    #[cr(path = "acrs[1]")]
    pub acr1: u32,
}

fn main() {}
