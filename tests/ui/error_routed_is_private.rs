// `Error::routed` puts a nested header's field on an error's route: derived code's business, not
// a public API. Outside cr-core it is private.
use cr_core::{Error, ErrorKind, Layout};

#[derive(cr_core::CrLayout)]
#[repr(C)]
struct Outer {
    inner: u64,
}

fn main() {
    let e = Error::new(ErrorKind::ReservedNotZero).at("x", None);
    let _ = e.routed(&<Outer as Layout>::FIELDS[0], None);
}
