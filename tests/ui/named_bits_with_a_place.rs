use cr_core::CrCopy;

pub struct Pit {
    pub flags: u32,
    pub speaker: bool,
}

// Beside `path`, `flag(...)` names a bit of the copied word: it has no place of its own.
#[derive(CrCopy)]
#[cr(target = Pit)]
pub struct Hdr {
    #[cr(path = "flags", flag(bit = 0, name = "HPET_LEGACY"), flag(bit = 1, path = "speaker"))]
    pub flags: u32,
}

fn main() {}
