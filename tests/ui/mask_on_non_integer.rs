use cr_core::CrCopy;

pub struct Live {
    pub fpr: f64,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(path = "fpr", mask = 1.0)]
    pub fpr: f64,
}

fn main() {}
