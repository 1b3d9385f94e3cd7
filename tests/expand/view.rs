// A header over a view: the target borrows several kernel objects at once.
#[derive(CrCopy)]
#[cr(target = TaskView<'_>)]
pub struct PerHdr {
    #[cr(path = "regs.psw.addr")]
    pub psw_addr: u64,
    #[cr(path = "thread.per_info.starting_addr")]
    pub starting_addr: u64,
    #[cr(flag(bit = 0, path = "thread.per_info.single_step"))]
    pub trace: u16,
}
