use cr_core::CrCopy;

pub struct Live {
    pub ksp: u64,
    pub vdso: u64,
}

// One mistake, one error: the misspelt `ignore` is reported by the `cover` pattern only.
#[derive(CrCopy)]
#[cr(target = Live, cover(Live = ""), ignore = "vsdo")]
pub struct Hdr {
    #[cr(path = "ksp")]
    pub ksp: u64,
}

fn main() {}
