use cr_core::zerocopy::{FromBytes, Immutable};
use cr_core::CrCopy;

#[derive(Clone, Copy, FromBytes, Immutable)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
pub union State {
    pub pic: [u8; 8],
    pub ioapic: u64,
}

// SAFETY: the test never reads a value.
#[allow(unsafe_code)]
unsafe impl cr_core::InitializedUnion<Hdr> for State {}

pub struct Chip {
    pub id: u32,
    pub state: State,
}

pub const PIC_SLAVE: u32 = 1;

// A tag value selects one variant: 1 cannot select both.
#[derive(CrCopy)]
#[cr(target = Chip)]
pub struct Hdr {
    #[cr(path = "id")]
    pub chip_id: u32,
    #[cr(path = "state.pic", when(chip_id = 0 | PIC_SLAVE))]
    pub pic: [u8; 8],
    #[cr(path = "state.ioapic", when(chip_id = 1 | 2))]
    pub ioapic: u64,
}

fn main() {}
