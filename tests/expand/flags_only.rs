// A header that is one flag word: the mm context's bools, packed.
#[derive(CrCopy)]
#[cr(target = MmContext)]
pub struct MmFlags {
    #[cr(
        flag(bit = 0, path = "noexec"),
        flag(bit = 1, path = "has_pgste"),
        flag(bit = 5, path = "alloc_pgste", name = "ALLOC")
    )]
    pub flags: u32,
}
