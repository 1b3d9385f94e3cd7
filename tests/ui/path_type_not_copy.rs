use cr_core::CrCopy;

pub struct Inner {
    pub word: u64,
}

pub struct Live {
    pub inner: Inner,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(path = "inner")]
    pub inner: Inner,
}

fn main() {}
