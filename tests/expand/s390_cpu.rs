// The seed's `cr_hdr_cpu`, as in src/s390.rs.
#[derive(CrCopy)]
#[repr(C)]
#[cr(target = Task, record = CR_HDR_CPU, validate = validate_cpu, after_restore = restore_access_regs)]
#[cr(cover(PtRegs = "regs", ThreadStruct = "thread", PerStruct = "thread.per_info"))]
pub struct CrHdrCpu {
    #[cr(path = "regs.args")]
    pub args: [u64; 1],
    #[cr(path = "regs.psw.mask", mask = PSW_MASK_USER)]
    pub psw_mask: u64,
    #[cr(path = "regs.psw.addr", mask = PSW_ADDR_INSN)]
    pub psw_addr: u64,
    #[cr(path = "regs.gprs")]
    pub gprs: [u64; 16],
    #[cr(path = "regs.orig_gpr2")]
    pub orig_gpr2: u64,
    #[cr(path = "regs.ilc", convert)]
    pub ilc: u32,
    #[cr(path = "regs.svcnr", convert)]
    pub svcnr: u32,
    #[cr(path = "thread.fp_regs.fpc", strict_mask = FPC_VALID_MASK)]
    pub fpc: u32,
    #[cr(path = "thread.per_info.lowcore.words.perc_atmid")]
    pub per_atmid: u16,
    #[cr(path = "thread.per_info.lowcore.words.access_id")]
    pub per_access_id: u8,
    #[cr(
        flag(bit = 0, path = "thread.per_info.single_step"),
        flag(bit = 1, path = "thread.per_info.instruction_fetch")
    )]
    pub em_instr: u8,
    #[cr(path = "thread.fp_regs.fprs", bits)]
    pub fprs: [u64; 16],
    #[cr(path = "thread.acrs")]
    pub acrs: [u32; 16],
    #[cr(path = "thread.ksp", save_only)]
    pub ksp: u64,
    #[cr(path = "thread.ieee_instruction_pointer")]
    pub ieee_instruction_pointer: u64,
    #[cr(path = "thread.per_info.control_regs.words")]
    pub per_control_regs: [u64; 3],
    #[cr(path = "thread.per_info.starting_addr")]
    pub per_starting_addr: u64,
    #[cr(path = "thread.per_info.ending_addr")]
    pub per_ending_addr: u64,
    #[cr(path = "thread.per_info.lowcore.words.address")]
    pub per_address: u64,
    #[cr(reserved)]
    pub reserved: u64,
}
