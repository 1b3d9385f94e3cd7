use cr_core::zerocopy::{FromBytes, Immutable};
use cr_core::CrCopy;

#[derive(Clone, Copy, FromBytes, Immutable)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
pub union State {
    pub pic: [u8; 8],
    pub ioapic: u64,
}

pub struct Chip {
    pub id: u32,
    pub state: State,
}

// The tag of a variant is a header field: `id` is the live field's name, not the header's.
#[derive(CrCopy)]
#[cr(target = Chip)]
pub struct Hdr {
    #[cr(path = "id")]
    pub chip_id: u32,
    #[cr(path = "state.ioapic", when(id = 2))]
    pub ioapic: u64,
}

fn main() {}
