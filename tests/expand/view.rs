// A header over a view: the target borrows several kernel objects at once.
use cr_core::CrCopy;

#[derive(Clone, Copy, Default)]
pub struct Psw {
    pub addr: u64,
}

#[derive(Clone, Copy, Default)]
pub struct PtRegs {
    pub psw: Psw,
}

#[derive(Clone, Copy, Default)]
pub struct PerStruct {
    pub starting_addr: u64,
    pub single_step: bool,
}

#[derive(Clone, Copy, Default)]
pub struct ThreadStruct {
    pub per_info: PerStruct,
}

pub struct TaskView<'a> {
    pub regs: &'a mut PtRegs,
    pub thread: &'a mut ThreadStruct,
}

#[derive(CrCopy, Default)]
#[cr(target = TaskView<'_>)]
pub struct PerHdr {
    #[cr(path = "regs.psw.addr")]
    pub psw_addr: u64,
    #[cr(path = "thread.per_info.starting_addr")]
    pub starting_addr: u64,
    #[cr(flag(bit = 0, path = "thread.per_info.single_step"))]
    pub trace: u16,
}
