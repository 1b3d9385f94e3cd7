use cr_core::zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};
use cr_core::CrLayout;

#[derive(CrLayout, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(record = 5)]
pub struct V1 {
    pub count: u32,
    pub reload: u32,
}

// The pin is of an older layout: a format change must not ship by accident.
#[derive(CrLayout, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(record = 5, version = 2, prev = V1, fingerprint = 0x1234_5678_9abc_def0)]
pub struct V2 {
    pub count: u32,
    pub reload: u32,
}

fn main() {}
