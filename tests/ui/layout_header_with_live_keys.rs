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

// A frozen header has no live side: paths, masks and targets belong to `CrCopy`.
#[derive(CrLayout)]
#[cr(target = V1, validate = check)]
pub struct Frozen {
    #[cr(path = "count")]
    pub count: u32,
    #[cr(mask = 0xff)]
    pub reload: u32,
    #[cr(flag(bit = 0, path = "on"))]
    pub flags: u8,
    #[cr(flag(bit = 1))]
    pub more: u8,
}

fn check(_: &Frozen, _: &V1) -> Result<(), cr_core::Error> {
    Ok(())
}

fn main() {}
