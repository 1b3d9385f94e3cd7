use cr_core::CrCopy;

pub struct Regs {
    pub ilc: u16,
}

pub struct Thread {
    pub ksp: u64,
}

pub struct Live {
    pub regs: Regs,
    pub thread: Thread,
}

// `cover` names the type expected at the place; `thread` is a `Thread`, not `Regs`.
#[derive(CrCopy)]
#[cr(target = Live, cover(Regs = "thread"))]
pub struct Hdr {
    #[cr(path = "thread.ksp")]
    pub ksp: u64,
}

fn main() {}
