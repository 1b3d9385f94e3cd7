// Every key the derive accepts, in one header: its expansion must hold no `unsafe`.
#[derive(CrCopy)]
#[cr(target = Task, validate = check, after_restore = reload, crate = "::cr_core")]
pub struct EveryKey {
    #[cr(path = "regs.gprs")]
    pub copy: [u64; 16],
    #[cr(path = "thread.fp_regs.fprs", bits)]
    pub bits: [u64; 16],
    #[cr(path = "regs.ilc", convert)]
    pub convert: u32,
    #[cr(path = "regs.psw.addr", mask = 0x7fff_ffff)]
    pub mask: u64,
    #[cr(path = "regs.psw.mask", strict_mask = USER_MASK)]
    pub strict_mask: u64,
    #[cr(path = "thread.ksp", save_only)]
    pub save_only: u64,
    #[cr(flag(bit = 0, path = "thread.per_info.single_step"), flag(bit = 3, path = "thread.per_info.instruction_fetch", name = "IFETCH"))]
    pub flag: u8,
    #[cr(skip)]
    pub skip: u64,
    #[cr(reserved)]
    pub reserved: [u8; 7],
}
