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

// Version 3 names version 1 as its `prev`: each version names the one before it.
#[derive(CrLayout, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(record = 5, version = 3, prev = V1)]
pub struct V3 {
    pub count: u32,
    pub reload: u32,
}

fn main() {}
