use cr_core::CrCopy;

pub struct Live {
    pub ksp: u64,
    pub noexec: bool,
}

#[derive(CrCopy)]
#[cr(target = Live)]
pub struct Hdr {
    #[cr(path = "ksp", save_onl)]
    pub ksp: u64,
    #[cr(flag(bit = 0, path = "noexec"))]
    pub flags: u8,
}

pub fn checkpoint(task: &Live) -> Hdr {
    let mut hdr = Hdr { ksp: 0, flags: 0 };
    hdr.save(task);
    let _ = hdr.restore(&mut Live { ksp: 0, noexec: false });
    let _ = Hdr::FLAGS_NOEXEC | Hdr::FLAGS_ALL;
    hdr
}

fn main() {}
