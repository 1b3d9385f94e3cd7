//! Checkpoint/restart of a live Linux x86-64 thread through ptrace: the image headers for the kernel's
//! `user_regs_struct` and `user_fpregs_struct` (records of a `cr_core::image` file), validated as the
//! kernel's `putreg()` and `xfpregs_set()` validate, and the tracer's steps (spawn, stop, save, clobber,
//! restart from the image) shared by the example and its test. It traces a copy of the calling program
//! running [`child_main`]; it never traces anything else.

use cr_core::dump::Kind;
use cr_core::image::{Reader, Writer};
use cr_core::{CrCopy, Error, ErrorKind};
use libc::{user_fpregs_struct, user_regs_struct};
use nix::errno::Errno;
use nix::sys::ptrace::{self, regset};
use nix::sys::signal::Signal;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use std::fmt;
use std::io::{self, BufRead, BufReader};
use std::mem::offset_of;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout};

// ---------------------------------------------------------------------------------------------
// What the kernel lets a tracer write (arch/x86/kernel/ptrace.c, arch/x86/kernel/fpu/regset.c).
// ---------------------------------------------------------------------------------------------

/// Carry.
pub const X86_EFLAGS_CF: u64 = 1 << 0;
/// Bit 1: reserved, always set.
pub const X86_EFLAGS_FIXED: u64 = 1 << 1;
/// Parity.
pub const X86_EFLAGS_PF: u64 = 1 << 2;
/// Auxiliary carry.
pub const X86_EFLAGS_AF: u64 = 1 << 4;
/// Zero.
pub const X86_EFLAGS_ZF: u64 = 1 << 6;
/// Sign.
pub const X86_EFLAGS_SF: u64 = 1 << 7;
/// Trap (single step).
pub const X86_EFLAGS_TF: u64 = 1 << 8;
/// Interrupt enable: set in every user task.
pub const X86_EFLAGS_IF: u64 = 1 << 9;
/// Direction.
pub const X86_EFLAGS_DF: u64 = 1 << 10;
/// Overflow.
pub const X86_EFLAGS_OF: u64 = 1 << 11;
/// I/O privilege level (two bits).
pub const X86_EFLAGS_IOPL: u64 = 3 << 12;
/// Nested task.
pub const X86_EFLAGS_NT: u64 = 1 << 14;
/// Resume.
pub const X86_EFLAGS_RF: u64 = 1 << 16;
/// Virtual-8086 mode.
pub const X86_EFLAGS_VM: u64 = 1 << 17;
/// Alignment check.
pub const X86_EFLAGS_AC: u64 = 1 << 18;
/// Virtual interrupt flag.
pub const X86_EFLAGS_VIF: u64 = 1 << 19;
/// Virtual interrupt pending.
pub const X86_EFLAGS_VIP: u64 = 1 << 20;
/// CPUID available: user code may toggle it with `popf`, but ptrace cannot set it.
pub const X86_EFLAGS_ID: u64 = 1 << 21;

/// The flags a tracer may set: the kernel's x86-64 `FLAG_MASK` (`FLAG_MASK_32 | X86_EFLAGS_NT`).
/// `ID` is not in it: `set_flags()` keeps the live ID bit like every other bit outside this mask.
pub const FLAG_MASK: u64 = X86_EFLAGS_CF
    | X86_EFLAGS_PF
    | X86_EFLAGS_AF
    | X86_EFLAGS_ZF
    | X86_EFLAGS_SF
    | X86_EFLAGS_TF
    | X86_EFLAGS_DF
    | X86_EFLAGS_OF
    | X86_EFLAGS_RF
    | X86_EFLAGS_AC
    | X86_EFLAGS_NT;

/// Bits of the 64-bit RFLAGS register that are reserved (3, 5, 15, 22 to 63).
pub const X86_EFLAGS_RESERVED: u64 = !((1 << 22) - 1) | (1 << 3) | (1 << 5) | (1 << 15);

/// A selector's requested privilege level (`SEGMENT_RPL_MASK`).
pub const SEGMENT_RPL_MASK: u64 = 3;
/// The privilege level of user mode (`USER_RPL`).
pub const USER_RPL: u64 = 3;
/// A segment selector is 16 bits wide; `user_regs_struct` widens it to 64.
pub const SELECTOR_MASK: u64 = 0xFFFF;

/// The kernel's `TASK_SIZE_MAX` with 4-level paging: `(1 << 47) - PAGE_SIZE`, the first address a user
/// base may not hold. It is one page below the canonical boundary 0x0000_8000_0000_0000 (the last page is
/// never mapped, so a `syscall` at the top of user space cannot return to a non-canonical address). With
/// 5-level paging the kernel's bound is `(1 << 56) - PAGE_SIZE`; an image is checked against the 4-level
/// bound so that it restarts on either kind of machine.
pub const TASK_SIZE_MAX: u64 = (1 << 47) - 4096;

/// The architectural MXCSR bits (0 to 15); bits 16 to 31 are reserved and make `fxrstor` fault.
pub const MXCSR_MASK: u32 = 0xFFFF;
/// The MXCSR feature mask the kernel assumes when `fxsave` reports 0 (`mxcsr_feature_mask_init()`): all
/// bits but DAZ.
pub const MXCSR_DEFAULT_FEATURE_MASK: u32 = 0xFFBF;

// ---------------------------------------------------------------------------------------------
// The image headers.
// ---------------------------------------------------------------------------------------------

/// The general registers of one thread, as `PTRACE_GETREGS` returns them.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = user_regs_struct, record = CR_HDR_X86_64_REGS, validate = validate_regs)]
pub struct CrHdrRegs {
    #[cr(path = "r15")]
    pub r15: u64,
    #[cr(path = "r14")]
    pub r14: u64,
    #[cr(path = "r13")]
    pub r13: u64,
    #[cr(path = "r12")]
    pub r12: u64,
    #[cr(path = "rbp")]
    pub rbp: u64,
    #[cr(path = "rbx")]
    pub rbx: u64,
    #[cr(path = "r11")]
    pub r11: u64,
    #[cr(path = "r10")]
    pub r10: u64,
    #[cr(path = "r9")]
    pub r9: u64,
    #[cr(path = "r8")]
    pub r8: u64,
    #[cr(path = "rax")]
    pub rax: u64,
    #[cr(path = "rcx")]
    pub rcx: u64,
    #[cr(path = "rdx")]
    pub rdx: u64,
    #[cr(path = "rsi")]
    pub rsi: u64,
    #[cr(path = "rdi")]
    pub rdi: u64,
    /// The system call being restarted, or -1: what the kernel's signal code looks at on resume.
    #[cr(path = "orig_rax")]
    pub orig_rax: u64,
    #[cr(path = "rip")]
    pub rip: u64,
    /// The kernel truncates a selector to 16 bits; an image with more is corrupt, so it is refused.
    #[cr(path = "cs", strict_mask = SELECTOR_MASK)]
    pub cs: u64,
    /// `mask`, not `strict_mask`, because this is what the kernel's `set_flags()` does: the bits outside
    /// `FLAG_MASK` (IF, IOPL, VM, VIF, VIP, ID, the fixed bit 1) belong to the kernel and keep their live
    /// value whatever the image says. A strict mask would refuse every real image, since every user task
    /// runs with IF and bit 1 set. Refusing outside bits no user task holds (IOPL, VM, reserved bits) is
    /// `validate_regs`'s job: it knows which outside bits are legitimate.
    #[cr(path = "eflags", mask = FLAG_MASK)]
    pub eflags: u64,
    #[cr(path = "rsp")]
    pub rsp: u64,
    #[cr(path = "ss", strict_mask = SELECTOR_MASK)]
    pub ss: u64,
    #[cr(path = "fs_base")]
    pub fs_base: u64,
    #[cr(path = "gs_base")]
    pub gs_base: u64,
    #[cr(path = "ds", strict_mask = SELECTOR_MASK)]
    pub ds: u64,
    #[cr(path = "es", strict_mask = SELECTOR_MASK)]
    pub es: u64,
    #[cr(path = "fs", strict_mask = SELECTOR_MASK)]
    pub fs: u64,
    #[cr(path = "gs", strict_mask = SELECTOR_MASK)]
    pub gs: u64,
    /// Room for the next format version: written as zero, refused unless zero.
    #[cr(reserved)]
    pub reserved: u64,
}

/// Refuses what the kernel's `putreg()` refuses, and what no user task can hold: a null or kernel-privilege
/// `cs`/`ss`, a data selector with RPL other than 3, a segment base at or above [`TASK_SIZE_MAX`], and
/// EFLAGS bits outside [`FLAG_MASK`] that are not a 64-bit user task's.
pub fn validate_regs(hdr: &CrHdrRegs, _live: &user_regs_struct) -> Result<(), Error> {
    code_selector("cs", hdr.cs)?;
    code_selector("ss", hdr.ss)?;
    data_selector("ds", hdr.ds)?;
    data_selector("es", hdr.es)?;
    data_selector("fs", hdr.fs)?;
    data_selector("gs", hdr.gs)?;
    user_flags(hdr.eflags)?;
    user_base("fs_base", hdr.fs_base)?;
    user_base("gs_base", hdr.gs_base)?;
    Ok(())
}

/// `cs` and `ss`: never null (`set_segment_reg()`), always RPL 3 (`invalid_selector()`).
fn code_selector(field: &'static str, selector: u64) -> Result<(), Error> {
    if selector == 0 {
        return Err(Error::invalid(
            field,
            "null selector: a user task's cs and ss are never null",
        ));
    }
    if selector & SEGMENT_RPL_MASK != USER_RPL {
        return Err(Error::invalid(field, "RPL is not 3: a kernel-privilege selector"));
    }
    Ok(())
}

/// `ds`, `es`, `fs`, `gs`: null or RPL 3 (`invalid_selector()`).
fn data_selector(field: &'static str, selector: u64) -> Result<(), Error> {
    if selector != 0 && selector & SEGMENT_RPL_MASK != USER_RPL {
        return Err(Error::invalid(field, "RPL is not 3: a kernel-privilege selector"));
    }
    Ok(())
}

/// The EFLAGS bits outside `FLAG_MASK`: restore keeps the live ones, but an image whose bits are not a user
/// task's was not taken from one.
fn user_flags(eflags: u64) -> Result<(), Error> {
    let reason = if eflags & X86_EFLAGS_IOPL != 0 {
        "IOPL is not 0: a user task never runs with I/O privilege"
    } else if eflags & (X86_EFLAGS_VM | X86_EFLAGS_VIF | X86_EFLAGS_VIP) != 0 {
        "virtual-8086 flags (VM, VIF, VIP) set: not a 64-bit user task"
    } else if eflags & X86_EFLAGS_RESERVED != 0 {
        "reserved bits set"
    } else if eflags & (X86_EFLAGS_FIXED | X86_EFLAGS_IF) != X86_EFLAGS_FIXED | X86_EFLAGS_IF {
        "bit 1 or IF clear: every user task runs with both set"
    } else {
        return Ok(());
    };
    Err(Error::invalid("eflags", reason))
}

/// `fs_base` and `gs_base`: `putreg()` refuses `value >= TASK_SIZE_MAX` with EIO.
fn user_base(field: &'static str, base: u64) -> Result<(), Error> {
    if base >= TASK_SIZE_MAX {
        return Err(Error::invalid(
            field,
            "not below TASK_SIZE_MAX (0x7fff_ffff_f000): not a user address",
        ));
    }
    Ok(())
}

/// The FP/SSE state of one thread, as `PTRACE_GETFPREGS` returns it: the 512-byte `fxsave` area.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = user_fpregs_struct, record = CR_HDR_X86_64_FPREGS, validate = validate_fpregs)]
pub struct CrHdrFpregs {
    #[cr(path = "cwd")]
    pub cwd: u16,
    #[cr(path = "swd")]
    pub swd: u16,
    /// The abridged tag word.
    #[cr(path = "ftw")]
    pub ftw: u16,
    #[cr(path = "fop")]
    pub fop: u16,
    #[cr(path = "rip")]
    pub rip: u64,
    #[cr(path = "rdp")]
    pub rdp: u64,
    /// Since Linux 5.14, `xfpregs_set()` refuses (EINVAL) an MXCSR with bits outside the CPU's feature
    /// mask instead of masking them, so the image refuses them too: reserved bits with `strict_mask`,
    /// feature bits this CPU lacks (DAZ on the oldest CPUs) in `validate_fpregs`.
    #[cr(path = "mxcsr", strict_mask = MXCSR_MASK)]
    pub mxcsr: u32,
    /// A property of the CPU the image was taken on, not of the task: recorded, never restored.
    #[cr(path = "mxcr_mask", save_only)]
    pub mxcr_mask: u32,
    /// ST0 to ST7: 80 bits each, in 16-byte slots (`st_space` is 32 `u32`s).
    #[cr(path = "st_space", bits)]
    pub st: [u128; 8],
    /// XMM0 to XMM15 (`xmm_space` is 64 `u32`s).
    #[cr(path = "xmm_space", bits)]
    pub xmm: [u128; 16],
    /// The rest of the 512-byte area (the kernel's `padding` and `sw_reserved`): never carried. Not named
    /// `reserved` like `CrHdrRegs`'s: an error names the field, not the header it is in.
    #[cr(reserved)]
    pub fx_reserved: [u32; 24],
}

/// Refuses MXCSR bits the restoring CPU does not implement, as `xfpregs_set()` does with the kernel's
/// `mxcsr_feature_mask` (the live `mxcr_mask`, or [`MXCSR_DEFAULT_FEATURE_MASK`] when that is 0).
pub fn validate_fpregs(hdr: &CrHdrFpregs, live: &user_fpregs_struct) -> Result<(), Error> {
    let feature_mask = match live.mxcr_mask {
        0 => MXCSR_DEFAULT_FEATURE_MASK,
        mask => mask,
    };
    if hdr.mxcsr & !feature_mask != 0 {
        return Err(Error::invalid(
            "mxcsr",
            "sets a feature bit this CPU's MXCSR does not have",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The image: a `cr_core::image` file holding one record per header.
// ---------------------------------------------------------------------------------------------

/// The architecture tag of x86-64 images: the ASCII bytes `"x864"` (x86, 64-bit), read big-endian so
/// that the dump's `arch 0x78383634` spells them in order, as s390's `"s390"` does.
pub const ARCH_X86_64: u32 = u32::from_be_bytes(*b"x864");
/// Record type of [`CrHdrRegs`]. Record types are numbered per architecture: a reader checks the arch
/// tag first, so these may share numbers with another architecture's records.
pub const CR_HDR_X86_64_REGS: u32 = 1;
/// Record type of [`CrHdrFpregs`].
pub const CR_HDR_X86_64_FPREGS: u32 = 2;

/// The record kinds of an x86-64 thread image, for [`cr_core::dump::dump`].
pub const KINDS: [Kind; 2] = [Kind::of::<CrHdrRegs>(), Kind::of::<CrHdrFpregs>()];

/// What an image of one thread holds, decoded: the thread it was taken from and both headers.
///
/// In the file, both records have the thread id as their parent (the object they belong to, as the
/// parent of a `cr_hdr` was in the seed): the general registers first, then the FP state, then the
/// end record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The thread the registers were taken from, for whoever reads the image.
    pub tid: u32,
    /// The general registers: the first record.
    pub regs: CrHdrRegs,
    /// The FP/SSE state: the second record.
    pub fpregs: CrHdrFpregs,
}

impl Checkpoint {
    /// Saves a thread's registers.
    pub fn save(tid: u32, regs: &user_regs_struct, fpregs: &user_fpregs_struct) -> Checkpoint {
        let mut checkpoint = Checkpoint {
            tid,
            regs: CrHdrRegs::new_zeroed(),
            fpregs: CrHdrFpregs::new_zeroed(),
        };
        checkpoint.regs.save(regs);
        checkpoint.fpregs.save(fpregs);
        checkpoint
    }

    /// Restores both headers into copies of the live registers. Every check of both headers runs before
    /// either copy is returned, so on `Err` nothing reaches the thread.
    pub fn restore(
        &self,
        regs: &user_regs_struct,
        fpregs: &user_fpregs_struct,
    ) -> Result<(user_regs_struct, user_fpregs_struct), Error> {
        let (mut regs, mut fpregs) = (*regs, *fpregs);
        self.regs.restore(&mut regs)?;
        self.fpregs.restore(&mut fpregs)?;
        Ok((regs, fpregs))
    }
}

/// Writes `checkpoint` as an image (through [`Writer`]).
pub fn write_image(checkpoint: &Checkpoint) -> Vec<u8> {
    const VEC: &str = "writing to a Vec cannot fail";
    let mut image = Writer::new(Vec::new(), ARCH_X86_64).expect(VEC);
    image.write(checkpoint.tid, &checkpoint.regs).expect(VEC);
    image.write(checkpoint.tid, &checkpoint.fpregs).expect(VEC);
    image.finish().expect(VEC)
}

/// Reads an image back (through [`Reader`]): the head, both records (checksums, types, lengths, layout
/// fingerprints), the end record and nothing after it. Both records must name the same thread.
pub fn read_image(image: &[u8]) -> Result<Checkpoint, Error> {
    let mut reader = Reader::new(image, ARCH_X86_64)?;
    let (tid, regs) = reader.read::<CrHdrRegs>()?;
    let fpregs_at = reader.offset();
    let (fp_tid, fpregs) = reader.read::<CrHdrFpregs>()?;
    reader.finish()?;
    if fp_tid != tid {
        let kind = ErrorKind::WrongParent {
            expected: tid,
            found: fp_tid,
        };
        return Err(Error::new(kind).at_offset(fpregs_at + 8));
    }
    Ok(Checkpoint { tid, regs, fpregs })
}

/// Restarts from an image: reads and verifies all of it, then restores both headers into copies of the
/// live registers. Every check, of the image's bytes and of both headers, runs before either copy is
/// returned: on `Err` nothing reaches the thread.
pub fn restart_from_image(
    image: &[u8],
    regs: &user_regs_struct,
    fpregs: &user_fpregs_struct,
) -> Result<(user_regs_struct, user_fpregs_struct), Error> {
    read_image(image)?.restore(regs, fpregs)
}

/// Byte offset of the FP record's payload (the [`CrHdrFpregs`] bytes) in a well-formed image.
fn fpregs_payload_offset(image: &[u8]) -> Result<usize, Error> {
    let mut reader = Reader::new(image, ARCH_X86_64)?;
    reader.read::<CrHdrRegs>()?;
    reader.read::<CrHdrFpregs>()?;
    Ok(reader.offset() as usize - size_of::<CrHdrFpregs>())
}

// ---------------------------------------------------------------------------------------------
// The traced child.
// ---------------------------------------------------------------------------------------------

/// The first line the child prints, followed by the id of the thread that computes.
pub const READY: &str = "cr-ptrace: ready, computing in thread ";
/// The start of the child's result line.
pub const RESULT: &str = "cr-ptrace: result ";
/// The child's work: long enough (about a second, debug or release build) to be stopped in the middle.
/// The tracer and its child are the same build, so both runs of a comparison do the same work.
pub const ITERATIONS: u64 = if cfg!(debug_assertions) {
    60_000_000
} else {
    300_000_000
};

/// A deterministic computation whose result depends on the general registers (the integer state, the
/// stack, TLS) and on the SSE state: the float sum is rounded under MXCSR's rounding mode at every step.
pub fn compute(iterations: u64) -> String {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut acc: u64 = 0;
    let mut sum: f64 = 0.0;
    for i in 0..iterations {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc = acc.wrapping_mul(31).wrapping_add(x ^ i);
        sum += (x >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0) * 1.000_000_1;
    }
    format!("acc={acc:#018x} sum={sum:.6} sum_bits={:#018x}", sum.to_bits())
}

/// The child's whole program: announce the computing thread, compute, print the result.
pub fn child_main() {
    println!("{READY}{}", nix::unistd::gettid());
    let result = compute(std::hint::black_box(ITERATIONS));
    println!("{RESULT}{result}");
}

// ---------------------------------------------------------------------------------------------
// The tracer.
// ---------------------------------------------------------------------------------------------

/// Why a checkpoint/restart did not complete.
#[derive(Debug)]
pub enum Failure {
    /// The kernel does not let this process trace its child (EPERM: Yama `ptrace_scope`, a seccomp
    /// profile, a missing `CAP_SYS_PTRACE`). Not a bug of ours: callers may skip.
    PtraceDenied(Errno),
    /// A ptrace or wait request failed.
    Ptrace(&'static str, Errno),
    /// Spawning, reading the child's output or the image file failed.
    Io(&'static str, io::Error),
    /// The child did not behave (exited early, crashed, printed no result).
    Child(String),
    /// The image was refused: its bytes (an image error, with its offset) or a header's checks.
    Restore(Error),
    /// An invariant of checkpoint/restart does not hold (a tampered image accepted, the thread's
    /// registers changed while images were refused, registers that did not come back).
    Broken(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::PtraceDenied(errno) => write!(f, "ptrace is not permitted here: PTRACE_SEIZE failed with {errno}"),
            Failure::Ptrace(what, errno) => write!(f, "{what} failed: {errno}"),
            Failure::Io(what, err) => write!(f, "{what}: {err}"),
            Failure::Child(msg) => write!(f, "child: {msg}"),
            Failure::Restore(err) => write!(f, "restore refused: {err}"),
            Failure::Broken(msg) => write!(f, "broken: {msg}"),
        }
    }
}

impl std::error::Error for Failure {}

/// A spawned child, and the thread of it that computes.
pub struct Tracee {
    child: Child,
    stdout: BufReader<ChildStdout>,
    /// The computing thread.
    pub tid: Pid,
}

impl Tracee {
    /// Starts `cmd`, which must run [`child_main`], and waits until it computes.
    pub fn spawn(mut cmd: Command) -> Result<Tracee, Failure> {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| Failure::Io("spawning the child", e))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut tracee = Tracee {
            child,
            stdout: BufReader::new(stdout),
            tid: Pid::from_raw(0),
        };
        let line = tracee.line_starting(READY)?;
        let tid = line[READY.len()..]
            .trim()
            .parse()
            .map_err(|_| Failure::Child(format!("unreadable ready line {line:?}")))?;
        tracee.tid = Pid::from_raw(tid);
        Ok(tracee)
    }

    /// The rest of the next line of the child's output that contains `prefix`, from `prefix` on (a test
    /// harness prints other lines, and `test name ... ` before the first line of a test).
    fn line_starting(&mut self, prefix: &str) -> Result<String, Failure> {
        let mut line = String::new();
        loop {
            line.clear();
            let n = self
                .stdout
                .read_line(&mut line)
                .map_err(|e| Failure::Io("reading the child's output", e))?;
            if n == 0 {
                return Err(Failure::Child(format!(
                    "output ended before a line starting {prefix:?}"
                )));
            }
            if let Some(at) = line.find(prefix) {
                return Ok(line[at..].trim_end().to_string());
            }
        }
    }

    /// Attaches to the computing thread and stops it where it is (`PTRACE_SEIZE`, `PTRACE_INTERRUPT`).
    pub fn stop(&mut self) -> Result<(), Failure> {
        match ptrace::seize(self.tid, ptrace::Options::PTRACE_O_EXITKILL) {
            Ok(()) => {}
            Err(Errno::EPERM) => return Err(Failure::PtraceDenied(Errno::EPERM)),
            Err(e) => return Err(Failure::Ptrace("PTRACE_SEIZE", e)),
        }
        ptrace::interrupt(self.tid).map_err(|e| Failure::Ptrace("PTRACE_INTERRUPT", e))?;
        match waitpid(self.tid, Some(WaitPidFlag::__WALL)) {
            Ok(WaitStatus::PtraceEvent(_, Signal::SIGTRAP, libc::PTRACE_EVENT_STOP)) => Ok(()),
            Ok(status) => Err(Failure::Child(format!("not stopped by PTRACE_INTERRUPT: {status:?}"))),
            Err(e) => Err(Failure::Ptrace("waitpid", e)),
        }
    }

    /// `PTRACE_GETREGS`.
    pub fn regs(&self) -> Result<user_regs_struct, Failure> {
        ptrace::getregs(self.tid).map_err(|e| Failure::Ptrace("PTRACE_GETREGS", e))
    }

    /// `PTRACE_SETREGS`.
    pub fn set_regs(&self, regs: user_regs_struct) -> Result<(), Failure> {
        ptrace::setregs(self.tid, regs).map_err(|e| Failure::Ptrace("PTRACE_SETREGS", e))
    }

    /// The FP state: `PTRACE_GETREGSET` of `NT_PRFPREG`, which the kernel serves with the very regset and
    /// `xfpregs_get()` that `PTRACE_GETFPREGS` uses (nix wraps no `getfpregs`).
    pub fn fpregs(&self) -> Result<user_fpregs_struct, Failure> {
        ptrace::getregset::<regset::NT_PRFPREG>(self.tid).map_err(|e| Failure::Ptrace("PTRACE_GETFPREGS", e))
    }

    /// The FP state: `PTRACE_SETREGSET` of `NT_PRFPREG`, i.e. `PTRACE_SETFPREGS` (`xfpregs_set()`).
    pub fn set_fpregs(&self, fpregs: user_fpregs_struct) -> Result<(), Failure> {
        ptrace::setregset::<regset::NT_PRFPREG>(self.tid, fpregs).map_err(|e| Failure::Ptrace("PTRACE_SETFPREGS", e))
    }

    /// Detaches (the thread resumes) and returns the child's result line once it has exited cleanly.
    pub fn finish(mut self) -> Result<String, Failure> {
        ptrace::detach(self.tid, None).map_err(|e| Failure::Ptrace("PTRACE_DETACH", e))?;
        self.result()
    }

    /// Waits for the result line and a clean exit.
    fn result(&mut self) -> Result<String, Failure> {
        let line = self.line_starting(RESULT);
        let status = self.child.wait().map_err(|e| Failure::Io("waiting for the child", e))?;
        let line = line.map_err(|e| Failure::Child(format!("{e}; it exited with {status}")))?;
        if !status.success() {
            return Err(Failure::Child(format!("printed {line:?} but exited with {status}")));
        }
        Ok(line[RESULT.len()..].to_string())
    }
}

impl Drop for Tracee {
    /// A child left behind by an error is killed (a stopped tracee included) and reaped.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs the child without tracing it and returns its result.
pub fn run_untraced(cmd: Command) -> Result<String, Failure> {
    Tracee::spawn(cmd)?.result()
}

/// Registers nothing of the child's computation survives: every general register the kernel lets a
/// tracer write (selectors excepted: it accepts only user selectors, and these are the task's own),
/// user EFLAGS, the segment bases, and the FP/SSE state with a rounding mode that changes the result.
pub fn garbage(regs: &user_regs_struct, fpregs: &user_fpregs_struct) -> (user_regs_struct, user_fpregs_struct) {
    let mut g = *regs;
    for (i, r) in [
        &mut g.r15, &mut g.r14, &mut g.r13, &mut g.r12, &mut g.rbp, &mut g.rbx, &mut g.r11, &mut g.r10, &mut g.r9,
        &mut g.r8, &mut g.rax, &mut g.rcx, &mut g.rdx, &mut g.rsi, &mut g.rdi,
    ]
    .into_iter()
    .enumerate()
    {
        *r = 0xDEAD_BEEF_0000_0000 | i as u64;
    }
    g.orig_rax = 0xDEAD_0000;
    g.rip = 0x0000_DEAD_BEEF_0000;
    g.rsp = 0x0000_DEAD_BEEF_8000;
    g.eflags |= FLAG_MASK;
    g.fs_base = 0x0000_0000_DEAD_0000;
    g.gs_base = 0x0000_0000_BEEF_0000;

    let mut f = *fpregs;
    f.cwd = 0x0F7F;
    f.swd = 0x3800;
    f.ftw = 0x00FF;
    f.fop = 0x07FF;
    f.rip = 0xDEAD_0001;
    f.rdp = 0xDEAD_0002;
    // All exceptions masked, round toward zero, flush to zero: inside every CPU's feature mask.
    f.mxcsr = 0x1F80 | 0x6000 | 0x8000;
    f.st_space = [0xDEAD_BEEF; 32];
    f.xmm_space = [0xBAD0_F00D; 64];
    (g, f)
}

/// How much of the image a run restores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Everything: the child must then print the untraced result.
    All,
    /// The general registers only, leaving the FP state clobbered: a control run showing that the
    /// clobbering matters (the result changes) and therefore that a correct result is evidence.
    GeneralOnly,
}

/// A tampered image and how it was refused.
#[derive(Clone, Copy, Debug)]
pub struct Rejection {
    /// What was tampered with.
    pub tamper: &'static str,
    /// The refusal.
    pub error: Error,
}

/// Tampered copies of `checkpoint`'s image, each with what it should be refused for. The first ones are
/// written by someone who knows the format (edited headers, valid checksums), so only the headers' own
/// checks can refuse them; the last is the real image with one bit flipped in the FP record, which the
/// image's checksum refuses before any header is looked at.
pub fn tampered(checkpoint: &Checkpoint) -> Vec<(&'static str, Vec<u8>)> {
    let with = |f: &dyn Fn(&mut Checkpoint)| {
        let mut t = *checkpoint;
        f(&mut t);
        write_image(&t)
    };
    let mut flipped = write_image(checkpoint);
    let at = fpregs_payload_offset(&flipped).expect("a written image reads back") + offset_of!(CrHdrFpregs, mxcsr);
    flipped[at] ^= 1 << 4; // mxcsr's bit 4, the precision exception flag
    vec![
        (
            "kernel code segment (cs 0x10, RPL 0) and IOPL 3",
            with(&|t| {
                t.regs.cs = 0x10;
                t.regs.eflags |= X86_EFLAGS_IOPL;
            }),
        ),
        ("IOPL 3 in eflags", with(&|t| t.regs.eflags |= X86_EFLAGS_IOPL)),
        ("null ss", with(&|t| t.regs.ss = 0)),
        ("fs_base at TASK_SIZE_MAX", with(&|t| t.regs.fs_base = TASK_SIZE_MAX)),
        ("selector wider than 16 bits", with(&|t| t.regs.ds |= 1 << 16)),
        ("reserved word set", with(&|t| t.regs.reserved = 1)),
        ("MXCSR reserved bit 16", with(&|t| t.fpregs.mxcsr |= 1 << 16)),
        (
            "FP reserved bytes set",
            with(&|t| t.fpregs.fx_reserved[23] = 0x4653_5846),
        ),
        ("one bit of mxcsr flipped in the file", flipped),
    ]
}

/// Restarts from each tampered image against the thread's live registers: each must be refused (both
/// records read and both headers checked before any copy is returned), and the thread's registers must
/// be unwritten afterwards.
pub fn reject_tampered(tracee: &Tracee, checkpoint: &Checkpoint) -> Result<Vec<Rejection>, Failure> {
    let (regs, fpregs) = (tracee.regs()?, tracee.fpregs()?);
    let mut rejections = Vec::new();
    for (tamper, image) in tampered(checkpoint) {
        match restart_from_image(&image, &regs, &fpregs) {
            Err(error) => rejections.push(Rejection { tamper, error }),
            Ok(_) => return Err(Failure::Broken(format!("tampered image accepted: {tamper}"))),
        }
    }
    if tracee.regs()? != regs || tracee.fpregs()? != fpregs {
        return Err(Failure::Broken(
            "the thread's registers changed while images were refused".into(),
        ));
    }
    Ok(rejections)
}

/// What a checkpoint/restart run saw.
#[derive(Debug)]
pub struct Outcome {
    /// The result of the untraced run.
    pub untraced: String,
    /// The result of the checkpointed, clobbered and restored run.
    pub restored: String,
    /// The thread that was stopped.
    pub tid: i32,
    /// The registers saved at the stop.
    pub saved: user_regs_struct,
    /// Whether the thread was stopped inside a system call (`orig_rax != -1`) rather than computing.
    pub in_syscall: bool,
    /// Where the image was written (removed once read back).
    pub image_path: PathBuf,
    /// The image, as written to that file and read back from it.
    pub image: Vec<u8>,
    /// The tampered images, each refused before any register was written.
    pub rejections: Vec<Rejection>,
}

/// Writes an image file.
pub fn write_image_file(path: &Path, image: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, image).map_err(|e| Failure::Io("writing the image", e))
}

/// Reads an image file back (its bytes; [`restart_from_image`] verifies them).
pub fn read_image_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::Io("reading the image", e))
}

/// The whole path: run the child untraced; run it again, stop it mid-computation, save its registers
/// into an image file, clobber them, refuse tampered images, read the image back, restart from it, detach.
/// `child` builds the command that runs [`child_main`]; `log` receives one line per step.
pub fn checkpoint_restart(
    child: &dyn Fn() -> Command,
    scope: Scope,
    log: &mut dyn FnMut(&str),
) -> Result<Outcome, Failure> {
    let untraced = run_untraced(child())?;
    log(&format!("untraced run:   {untraced}"));

    let mut tracee = Tracee::spawn(child())?;
    // Let it get well into the loop.
    std::thread::sleep(Duration::from_millis(50));
    tracee.stop()?;
    let tid = tracee.tid.as_raw();
    let (saved, saved_fp) = (tracee.regs()?, tracee.fpregs()?);
    let in_syscall = saved.orig_rax != u64::MAX;
    log(&format!(
        "stopped thread {tid} at rip {:#x} (in a system call: {in_syscall}), rsp {:#x}, eflags {:#x}, mxcsr {:#x}",
        saved.rip, saved.rsp, saved.eflags, saved_fp.mxcsr
    ));

    let checkpoint = Checkpoint::save(tid as u32, &saved, &saved_fp);
    let image = write_image(&checkpoint);
    let image_path = std::env::temp_dir().join(format!("cr-ptrace-{}-{tid}.img", std::process::id()));
    write_image_file(&image_path, &image)?;
    log(&format!(
        "checkpoint:     {} bytes written to {}",
        image.len(),
        image_path.display()
    ));

    let (garbage_regs, garbage_fp) = garbage(&saved, &saved_fp);
    tracee.set_regs(garbage_regs)?;
    tracee.set_fpregs(garbage_fp)?;
    let clobbered = tracee.regs()?;
    log(&format!(
        "clobbered:      rip {:#x}, rsp {:#x}, fs_base {:#x}, mxcsr {:#x}",
        clobbered.rip,
        clobbered.rsp,
        clobbered.fs_base,
        tracee.fpregs()?.mxcsr
    ));

    let read = read_image_file(&image_path);
    let _ = std::fs::remove_file(&image_path);
    let read = read?;
    if read != image {
        return Err(Failure::Broken(
            "the image read back differs from the one written".into(),
        ));
    }

    let rejections = reject_tampered(&tracee, &checkpoint)?;
    for r in &rejections {
        log(&format!("tampered image refused ({}): {}", r.tamper, r.error));
    }

    let (live, live_fp) = (tracee.regs()?, tracee.fpregs()?);
    let (regs, fpregs) = restart_from_image(&read, &live, &live_fp).map_err(Failure::Restore)?;
    tracee.set_regs(regs)?;
    if scope == Scope::All {
        tracee.set_fpregs(fpregs)?;
    }
    let (back, back_fp) = (tracee.regs()?, tracee.fpregs()?);
    if back != saved {
        return Err(Failure::Broken(format!(
            "general registers differ after restore:\n saved {saved:?}\n  back {back:?}"
        )));
    }
    if scope == Scope::All && back_fp != saved_fp {
        return Err(Failure::Broken(format!(
            "FP state differs after restore:\n saved {saved_fp:?}\n  back {back_fp:?}"
        )));
    }
    log(match scope {
        Scope::All => "restored:       all registers read back equal to the checkpoint; detaching",
        Scope::GeneralOnly => "restored:       general registers only (FP state left clobbered); detaching",
    });

    let restored = tracee.finish()?;
    log(&format!("restored run:   {restored}"));
    Ok(Outcome {
        untraced,
        restored,
        tid,
        saved,
        in_syscall,
        image_path,
        image,
        rejections,
    })
}
