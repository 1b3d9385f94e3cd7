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

#[derive(CrLayout, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(record = 5, version = 2, prev = V1, dropped = "relaod")]
pub struct V2 {
    pub count: u32,
    #[cr(since = 2)]
    pub period: u32,
}

fn main() {}
