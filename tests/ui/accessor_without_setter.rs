use cr_core::CrCopy;

pub struct Per {
    pub bits: u32,
}

// bindgen emits `single_step()` and `set_single_step(v)` for a bitfield; here the setter is missing.
impl Per {
    pub fn single_step(&self) -> u32 {
        self.bits & 1
    }
}

pub struct Live {
    pub per: Per,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(path = "per.single_step()")]
    pub step: u32,
}

fn main() {}
