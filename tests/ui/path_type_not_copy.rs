use cr_core::CrCopy;

pub struct Inner {
    pub word: u64,
}

// It has an image format; only `Copy` is missing.
impl cr_core::layout::Describe for Inner {
    const FORMAT: cr_core::layout::Format = cr_core::layout::Format::Opaque { size: 8 };
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
