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

// `version` without `record`, `prev` on version 1, `upgrade` without `prev`.
#[derive(CrLayout)]
#[cr(version = 2)]
pub struct NotARecord {
    pub count: u32,
}

#[derive(CrLayout, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(record = 6, prev = V1, upgrade = step)]
pub struct NoVersion {
    pub count: u32,
}

fn step(_: &V1) -> Result<NoVersion, cr_core::Error> {
    Ok(NoVersion { count: 0 })
}

fn main() {}
