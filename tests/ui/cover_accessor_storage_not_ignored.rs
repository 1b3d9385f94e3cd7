// An accessor (`mode()`) reaches no field of its own: under `cover`, its storage `_bitfield_1` must
// be mapped or ignored like any other field.
use cr_core::CrCopy;

pub struct Entry {
    pub vector: u8,
    pub _bitfield_1: u8,
}

impl Entry {
    pub fn mode(&self) -> u8 {
        self._bitfield_1 & 7
    }
    pub fn set_mode(&mut self, v: u8) {
        self._bitfield_1 = (self._bitfield_1 & !7) | (v & 7);
    }
}

#[derive(CrCopy)]
#[cr(target = Entry, cover(Entry = ""))]
pub struct Hdr {
    #[cr(path = "vector")]
    pub vector: u8,
    #[cr(path = "mode()", strict_mask = 7)]
    pub mode: u8,
}

fn main() {}
