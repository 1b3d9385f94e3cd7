//! The seed's struct pairs: s390 task state as the 2009 Linux checkpoint/restart code used it
//! (`pt_regs`, `thread_struct`, `per_struct`, `mm_context_t`), and the image headers
//! `cr_hdr_cpu` and `cr_hdr_mm_context`, each declared once with `#[derive(CrCopy)]`.

pub mod hand;

use cr_core::{CrCopy, CrLayout, Error};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// PSW mask bits a user may set (`PSW_MASK_USER` in `arch/s390/include/asm/ptrace.h`):
/// address-space control, condition code, program mask, addressing mode.
pub const PSW_MASK_USER: u64 = 0x0000_FF01_8000_0000;
/// The system bits every user task runs with (`PSW_USER_BITS`): DAT, I/O, external interrupts,
/// machine checks, problem state, home address space.
pub const PSW_USER_BITS: u64 = 0x0705_C000_0000_0000 & !PSW_MASK_USER;
/// The problem-state bit: clear means supervisor state.
pub const PSW_MASK_PSTATE: u64 = 0x0001_0000_0000_0000;
/// The instruction-address bits of `psw.addr` (31-bit addressing); the top bit is the
/// addressing mode, which restore keeps from the live task.
pub const PSW_ADDR_INSN: u64 = 0x7FFF_FFFF;
/// The bits of the floating-point control register a task may set (`FPC_VALID_MASK`).
pub const FPC_VALID_MASK: u32 = 0xF8F8_FF03;

/// The architecture tag s390x images carry (`"s390"` in ASCII).
pub const ARCH_S390X: u32 = u32::from_be_bytes(*b"s390");
/// Record type of `cr_hdr_cpu`.
pub const CR_HDR_CPU: u32 = 1;
/// Record type of `cr_hdr_mm_context`.
pub const CR_HDR_MM_CONTEXT: u32 = 2;

/// `psw_t`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Psw {
    pub mask: u64,
    pub addr: u64,
}

/// `struct pt_regs`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PtRegs {
    pub args: [u64; 1],
    pub psw: Psw,
    pub gprs: [u64; 16],
    pub orig_gpr2: u64,
    pub ilc: u16,
    pub svcnr: u16,
}

/// `s390_fp_regs`: the floating-point control word and the sixteen registers.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FpRegs {
    pub fpc: u32,
    pub fprs: [f64; 16],
}

/// `per_cr_words`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PerCrWords {
    pub words: [u64; 3],
}

/// `per_lowcore_words`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PerLowcoreWords {
    pub perc_atmid: u16,
    pub address: u64,
    pub access_id: u8,
}

/// `per_lowcore`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PerLowcore {
    pub words: PerLowcoreWords,
}

/// `per_struct`: program-event recording state; the C bitfields are `bool`s here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PerStruct {
    pub control_regs: PerCrWords,
    pub single_step: bool,
    pub instruction_fetch: bool,
    pub starting_addr: u64,
    pub ending_addr: u64,
    pub lowcore: PerLowcore,
}

/// `struct thread_struct`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ThreadStruct {
    pub fp_regs: FpRegs,
    pub acrs: [u32; 16],
    pub ksp: u64,
    pub ieee_instruction_pointer: u64,
    pub per_info: PerStruct,
    /// The breaking-event address (`last_break`): a later kernel's `thread_struct` field that
    /// v4 of the seed did not checkpoint; version 2 of `cr_hdr_cpu` carries it.
    pub last_break: u64,
}

/// `mm_context_t`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MmContext {
    pub vdso_base: u64,
    pub noexec: bool,
    pub has_pgste: bool,
    pub alloc_pgste: bool,
    pub asce_bits: u64,
    pub asce_limit: u64,
}

/// What the hardware holds for the running task: the access registers `restore_access_regs`
/// loads after a restart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cpu {
    pub acrs: [u32; 16],
    pub acr_loads: u32,
}

/// The task as c/r sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Task {
    pub regs: PtRegs,
    pub thread: ThreadStruct,
    pub mm: MmContext,
    pub cpu: Cpu,
}

/// `psw_t` in an image: the program-status word, as `pt_regs` and the lowcore's many old and new
/// PSWs hold it. Declared once, nested wherever a PSW is checkpointed.
#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = Psw, validate = validate_psw, cover(Psw = ""))]
pub struct PswHeader {
    /// User bits restored from the image, system bits kept; `validate_psw` refuses an image
    /// whose system bits are not the user ones.
    #[cr(path = "mask", mask = PSW_MASK_USER)]
    pub mask: u64,
    #[cr(path = "addr", mask = PSW_ADDR_INSN)]
    pub addr: u64,
}

/// Refuses what the kernel's ptrace code refuses: a PSW whose system bits differ from
/// `PSW_USER_BITS` (a supervisor-state or interrupt-masked task).
pub fn validate_psw(hdr: &PswHeader, _psw: &Psw) -> Result<(), Error> {
    if (hdr.mask ^ PSW_USER_BITS) & !PSW_MASK_USER != 0 {
        return Err(Error::invalid(
            "mask",
            "system bits differ from PSW_USER_BITS (supervisor state or masked interrupts)",
        ));
    }
    Ok(())
}

/// `cr_hdr_cpu`, version 2: the registers of one task. One declaration; save and restore are
/// generated. Version 1 (the seed's) is frozen as [`CrHdrCpuV1`]: an image it wrote is read
/// through it and upgraded. The fingerprint pin makes any further layout change a build error
/// until it is released as version 3.
#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = Task, record = CR_HDR_CPU, after_restore = restore_access_regs)]
#[cr(version = 2, prev = CrHdrCpuV1, fingerprint = 0xdf89_5702_9347_c09a)]
#[cr(cover(PtRegs = "regs", ThreadStruct = "thread", PerStruct = "thread.per_info"))]
pub struct CrHdrCpu {
    #[cr(path = "regs.args")]
    pub args: [u64; 1],
    /// The PSW, checked by its own header (`validate_psw`) before anything is written.
    #[cr(path = "regs.psw", nested)]
    pub psw: PswHeader,
    #[cr(path = "regs.gprs")]
    pub gprs: [u64; 16],
    #[cr(path = "regs.orig_gpr2")]
    pub orig_gpr2: u64,
    /// Widened in the image; restore refuses a value that does not fit `u16`.
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
    /// The seed's `em_instr`: PER trace flags, packed.
    #[cr(
        flag(bit = 0, path = "thread.per_info.single_step"),
        flag(bit = 1, path = "thread.per_info.instruction_fetch")
    )]
    pub em_instr: u8,
    #[cr(path = "thread.fp_regs.fprs", bits)]
    pub fprs: [u64; 16],
    #[cr(path = "thread.acrs")]
    pub acrs: [u32; 16],
    /// The kernel stack pointer, recorded for post-mortem reading; restart builds a new stack.
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
    /// Room for the next format version: written as zero, refused unless zero.
    #[cr(reserved)]
    pub reserved: u64,
    /// New in version 2; an image of version 1 restores it as 0 (no breaking event recorded).
    #[cr(path = "thread.last_break", since = 2)]
    pub last_break: u64,
}

/// `cr_hdr_cpu` version 1, the seed's fields: frozen, its image side only. Copied from version 1's
/// `CrCopy` declaration, paths dropped; the pin proves its layout is the one images of version 1
/// hold (those written since the fingerprint became a hash of the format alone: the seed's own
/// images, fingerprinted from type text, are not read).
#[derive(CrLayout, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(record = CR_HDR_CPU, fingerprint = 0x99dc_1357_e990_653e)]
pub struct CrHdrCpuV1 {
    pub args: [u64; 1],
    #[cr(nested)]
    pub psw: PswHeader,
    pub gprs: [u64; 16],
    pub orig_gpr2: u64,
    pub ilc: u32,
    pub svcnr: u32,
    pub fpc: u32,
    pub per_atmid: u16,
    pub per_access_id: u8,
    #[cr(flag(bit = 0, name = "SINGLE_STEP"), flag(bit = 1, name = "INSTRUCTION_FETCH"))]
    pub em_instr: u8,
    pub fprs: [u64; 16],
    pub acrs: [u32; 16],
    pub ksp: u64,
    pub ieee_instruction_pointer: u64,
    pub per_control_regs: [u64; 3],
    pub per_starting_addr: u64,
    pub per_ending_addr: u64,
    pub per_address: u64,
    #[cr(reserved)]
    pub reserved: u64,
}

/// The seed's `restore_access_regs()`: loads the restored access registers into the CPU.
pub fn restore_access_regs(task: &mut Task) {
    task.cpu.acrs = task.thread.acrs;
    task.cpu.acr_loads = task.cpu.acr_loads.wrapping_add(1);
}

/// `cr_hdr_mm_context`.
#[derive(CrCopy, Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = MmContext, record = CR_HDR_MM_CONTEXT, cover(MmContext = ""), ignore = "vdso_base")]
pub struct CrHdrMmContext {
    /// The vdso is mapped anew at restart, at an address of the new kernel's choosing: the
    /// image never carries it (the seed saved a constant here).
    #[cr(skip)]
    pub vdso_base: u64,
    #[cr(
        flag(bit = 0, path = "noexec"),
        flag(bit = 1, path = "has_pgste"),
        flag(bit = 2, path = "alloc_pgste")
    )]
    pub flags: u32,
    #[cr(reserved)]
    pub reserved: u32,
    #[cr(path = "asce_bits")]
    pub asce_bits: u64,
    #[cr(path = "asce_limit")]
    pub asce_limit: u64,
}

/// A task with recognisable state in every field the headers map.
pub fn sample_task() -> Task {
    let mut task = Task::default();
    task.regs.args = [0xA5A5];
    task.regs.psw = Psw {
        mask: PSW_USER_BITS | 0x0000_3000_8000_0000,
        addr: 0x8000_0000 | 0x0040_1000,
    };
    for (i, g) in task.regs.gprs.iter_mut().enumerate() {
        *g = 0x1000 + i as u64;
    }
    task.regs.orig_gpr2 = 0xdead_0002;
    task.regs.ilc = 4;
    task.regs.svcnr = 93;
    task.thread.fp_regs.fpc = 0x0800_0000;
    for (i, f) in task.thread.fp_regs.fprs.iter_mut().enumerate() {
        *f = 1.5 * i as f64;
    }
    for (i, a) in task.thread.acrs.iter_mut().enumerate() {
        *a = 0xac00 + i as u32;
    }
    task.thread.ksp = 0xffff_8000_0001_0000;
    task.thread.ieee_instruction_pointer = 0x0040_2000;
    task.thread.last_break = 0x0040_0ff6;
    task.thread.per_info = PerStruct {
        control_regs: PerCrWords {
            words: [0x4000_0000, 0x0040_0000, 0x0040_ffff],
        },
        single_step: true,
        instruction_fetch: false,
        starting_addr: 0x0040_0000,
        ending_addr: 0x0040_ffff,
        lowcore: PerLowcore {
            words: PerLowcoreWords {
                perc_atmid: 0x40,
                address: 0x0040_1234,
                access_id: 3,
            },
        },
    };
    task.mm = MmContext {
        vdso_base: 0x7fff_f000,
        noexec: true,
        has_pgste: false,
        alloc_pgste: true,
        asce_bits: 0x0c,
        asce_limit: 1 << 42,
    };
    task
}

/// Saves a task's registers into a fresh header.
pub fn checkpoint_cpu(task: &Task) -> CrHdrCpu {
    let mut hdr = CrHdrCpu::default();
    hdr.save(task);
    hdr
}

/// The record kinds of an s390 task image, for [`cr_core::dump::dump`].
pub const KINDS: [cr_core::dump::Kind; 3] = [
    cr_core::dump::Kind::of::<CrHdrCpu>(),
    cr_core::dump::Kind::of::<CrHdrCpuV1>(),
    cr_core::dump::Kind::of::<CrHdrMmContext>(),
];

/// Checkpoints `task` into an image: the cpu record, then the mm context as its child.
pub fn checkpoint_image(task: &Task) -> Vec<u8> {
    let mut mm = CrHdrMmContext::default();
    mm.save(&task.mm);
    image_of(&checkpoint_cpu(task), &mm)
}

/// The image of two headers as the checkpointer writes them (also for building tampered images).
pub fn image_of(cpu: &CrHdrCpu, mm: &CrHdrMmContext) -> Vec<u8> {
    const VEC: &str = "writing to a Vec cannot fail";
    let mut image = cr_core::image::Writer::new(Vec::new(), ARCH_S390X).expect(VEC);
    image.write(0, cpu).expect(VEC);
    image.write(CR_HDR_CPU, mm).expect(VEC);
    image.finish().expect(VEC)
}

/// Restarts `task` from an image: reads and verifies every record, then restores each header.
/// On `Err`, `task` is exactly as it was.
pub fn restart_from_image(image: &[u8], task: &mut Task) -> Result<(), Error> {
    let mut reader = cr_core::image::Reader::new(image, ARCH_S390X)?;
    let (_, cpu) = reader.read::<CrHdrCpu>()?;
    let (_, mm) = reader.read::<CrHdrMmContext>()?;
    reader.finish()?;
    // Both headers are checked before either writes: restore into a copy, then commit.
    let mut next = *task;
    cpu.restore(&mut next)?;
    mm.restore(&mut next.mm)?;
    *task = next;
    Ok(())
}
