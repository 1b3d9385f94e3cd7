use cr_core::zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};
use cr_core::CrLayout;

#[derive(CrLayout, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(record = 5)]
pub struct V1 {
    pub count: u32,
    #[cr(reserved)]
    pub spare: u32,
}

// `spare` turns from reserved room into data under the same name: old images' bytes would
// become values. A new use of the room is a new field.
#[derive(CrLayout, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(record = 5, version = 2, prev = V1)]
pub struct V2 {
    pub count: u32,
    pub spare: u32,
}

fn main() {}
