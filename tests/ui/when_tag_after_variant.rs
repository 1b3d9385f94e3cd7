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

// Save reads the tag the header already holds: the tag comes before its variants.
#[derive(CrCopy)]
#[cr(target = Chip)]
pub struct Hdr {
    #[cr(path = "state.ioapic", when(chip_id = 2))]
    pub ioapic: u64,
    #[cr(path = "id")]
    pub chip_id: u32,
}

fn main() {}
