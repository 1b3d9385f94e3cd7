// A header that is one flag word: the mm context's bools, packed.
use cr_core::CrCopy;

#[derive(Clone, Copy, Default)]
pub struct MmContext {
    pub noexec: bool,
    pub has_pgste: bool,
    pub alloc_pgste: bool,
}

#[derive(CrCopy, Default)]
#[cr(target = MmContext)]
pub struct MmFlags {
    #[cr(
        flag(bit = 0, path = "noexec"),
        flag(bit = 1, path = "has_pgste"),
        flag(bit = 5, path = "alloc_pgste", name = "ALLOC")
    )]
    pub flags: u32,
}
