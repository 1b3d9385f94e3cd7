//! The VMM side: a VM with one vCPU and one memory slot (`kvm-ioctls`), a small 64-bit guest, snapshot
//! and restore through a [`cr_core::image`] file, and tampered images refused before any ioctl. Shared by
//! `examples/kvm_x86_64.rs`, `tests/kvm.rs` and the benchmarks.

use super::{
    read_image, write_image, Restored, VcpuCaps, VcpuHeaders, VcpuState, CR0_ET, CR0_MP, CR0_NE, CR0_PE, CR0_PG,
    CR0_WP, CR4_PAE, EFER_LMA, EFER_LME, MSR_IA32_TSC, SAVED_MSRS,
};
use cr_core::Error;
use kvm_bindings::{kvm_msr_entry, kvm_segment, kvm_userspace_memory_region, Msrs, KVM_MAX_CPUID_ENTRIES};
use kvm_ioctls::{Kvm, VcpuExit, VcpuFd, VmFd};
use std::fmt;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Guest memory: an anonymous private mapping, the only unsafe code of the crate.
// ---------------------------------------------------------------------------------------------

/// Page-aligned, zeroed memory that KVM maps into the guest.
pub struct GuestMemory {
    ptr: std::ptr::NonNull<u8>,
    len: usize,
}

#[allow(unsafe_code)]
mod mapping {
    use super::GuestMemory;
    use std::io;
    use std::ptr::NonNull;

    impl GuestMemory {
        /// `len` bytes (a multiple of 4 KiB) of zeroed, private, anonymous memory.
        pub fn new(len: usize) -> io::Result<GuestMemory> {
            if len == 0 || len % 4096 != 0 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "guest memory: a multiple of 4 KiB",
                ));
            }
            // SAFETY: an anonymous mapping at an address of the kernel's choosing: no existing memory is
            // affected. The result is checked before use.
            let ptr = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    len,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                    -1,
                    0,
                )
            };
            if ptr == libc::MAP_FAILED {
                return Err(io::Error::last_os_error());
            }
            let ptr = NonNull::new(ptr.cast::<u8>()).ok_or_else(|| io::Error::other("mmap returned null"))?;
            Ok(GuestMemory { ptr, len })
        }

        /// The memory. The guest writes it only inside `KVM_RUN`, which needs `&mut` of the VM that owns
        /// it, so no such borrow is alive then.
        pub fn as_slice(&self) -> &[u8] {
            // SAFETY: `ptr` maps `len` readable bytes for as long as `self` lives.
            unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
        }

        /// The memory, writable.
        pub fn as_mut_slice(&mut self) -> &mut [u8] {
            // SAFETY: as `as_slice`, and `&mut self` makes this the only borrow.
            unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
        }
    }

    impl Drop for GuestMemory {
        fn drop(&mut self) {
            // SAFETY: the mapping made in `new`, unmapped once; KVM's slot is gone with the VM, which
            // `Vm` drops first.
            unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
        }
    }

    /// Maps `memory` into `vm` as `region` (whose `userspace_addr` is set here).
    pub(super) fn map(
        vm: &kvm_ioctls::VmFd,
        region: &mut kvm_bindings::kvm_userspace_memory_region,
        memory: &GuestMemory,
    ) -> Result<(), kvm_ioctls::Error> {
        region.userspace_addr = memory.ptr.as_ptr() as u64;
        region.memory_size = memory.len as u64;
        // SAFETY: the region covers exactly the mapping of `memory`, which outlives the VM (`Vm` declares
        // the VM fd before the memory, so it is dropped first).
        unsafe { vm.set_user_memory_region(*region) }
    }

    /// `kvm_run.internal` after a `KVM_EXIT_INTERNAL_ERROR`: the suberror and its data words.
    pub(super) fn internal_error(run: &kvm_bindings::kvm_run) -> (u32, Vec<u64>) {
        // SAFETY: called only after KVM_RUN returned KVM_EXIT_INTERNAL_ERROR, for which KVM fills the
        // `internal` member of the exit union; every bit pattern is a valid value of its integer fields.
        let internal = unsafe { run.__bindgen_anon_1.internal };
        let n = (internal.ndata as usize).min(internal.data.len());
        (internal.suberror, internal.data[..n].to_vec())
    }

    /// `KVM_SET_XSAVE` of a 4096-byte `kvm_xsave`.
    pub(super) fn set_xsave(
        vcpu: &kvm_ioctls::VcpuFd,
        xsave: &kvm_bindings::kvm_xsave,
    ) -> Result<(), kvm_ioctls::Error> {
        // SAFETY: kvm-ioctls marks this unsafe because KVM copies the vCPU's whole XSAVE size, which exceeds
        // 4096 bytes only with dynamically enabled features (AMX through arch_prctl); this process enables
        // none, so KVM reads within the struct.
        unsafe { vcpu.set_xsave(xsave) }
    }
}

// ---------------------------------------------------------------------------------------------
// The guest.
// ---------------------------------------------------------------------------------------------

/// Guest-physical layout (identity-mapped).
pub const GDT_ADDR: u64 = 0x500;
/// The code.
pub const CODE_ADDR: u64 = 0x1000;
/// The page tables: PML4, PDPT, one PD of 2-MiB pages mapping the first GiB.
pub const PML4_ADDR: u64 = 0x2000;
const PDPT_ADDR: u64 = 0x3000;
const PD_ADDR: u64 = 0x4000;
/// The stack's top (the guest does not call, but a VMM sets it).
pub const STACK_TOP: u64 = 0x8000;
/// The buffer the guest hashes and rewrites each round.
pub const DATA_ADDR: u64 = 0x10000;
/// Its length: 4 KiB, 256 16-byte blocks.
pub const DATA_LEN: usize = 0x1000;
/// The guest's 16-byte scratch slot (`rbp`).
pub const SCRATCH_ADDR: u64 = 0x9000;
/// The serial port the guest prints to.
pub const SERIAL_PORT: u16 = 0x3f8;

/// The guest, 64-bit code assembled by hand (the encodings were checked against G179U `as`/`objdump`). On
/// entry `r8` holds a seed, `rbx` the first round (0), `r9` the number of rounds and `rbp` the address of a
/// 16-byte scratch slot. Its state is spread over the machine: a 128-bit running state lives in `xmm0`
/// across blocks and rounds (spilled to the scratch slot, mixed there with integer instructions, reloaded
/// with `movdqu`), the hash in `r8`, and each round rewrites the 4 KiB buffer in memory and folds the
/// `STAR` MSR into the hash and writes the hash back to it (rdmsr/wrmsr). Each round prints the line
/// `"<round letter> <hash in hex>\n"` on port 0x3f8, one `out` per byte. After the last round it folds
/// `xmm0` into `r8` and halts: the final value depends on the general registers, the SSE registers, the
/// memory and an MSR.
///
/// Only SSE moves, no SSE arithmetic: under a software-virtualised KVM (this machine's `kvm_pvm`) code
/// that is not PVM-aware is run by KVM's instruction emulator, which has the SSE moves and not the rest.
pub const GUEST_CODE: [u8; 179] = [
    0xbf, 0x00, 0x00, 0x01, 0x00, // 00: round: mov edi,0x10000
    0xb9, 0x00, 0x01, 0x00, 0x00, // 05: mov ecx,0x100
    0xf3, 0x0f, 0x7f, 0x45, 0x00, // 0a: block: movdqu [rbp],xmm0
    0x48, 0x8b, 0x07, // 0f: mov rax,[rdi]
    0x48, 0x33, 0x45, 0x00, // 12: xor rax,[rbp]
    0x48, 0x69, 0xc0, 0x93, 0x01, 0x00, 0x01, // 16: imul rax,rax,0x1000193
    0x48, 0x8b, 0x57, 0x08, // 1d: mov rdx,[rdi+0x8]
    0x48, 0x03, 0x55, 0x08, // 21: add rdx,[rbp+0x8]
    0x48, 0xc1, 0xc2, 0x0d, // 25: rol rdx,0xd
    0x48, 0x31, 0xd0, // 29: xor rax,rdx
    0x48, 0x89, 0x55, 0x00, // 2c: mov [rbp],rdx
    0x48, 0x89, 0x45, 0x08, // 30: mov [rbp+0x8],rax
    0x48, 0x89, 0x07, // 34: mov [rdi],rax
    0xf3, 0x0f, 0x6f, 0x45, 0x00, // 37: movdqu xmm0,[rbp]
    0x4d, 0x69, 0xc0, 0x93, 0x01, 0x00, 0x01, // 3c: imul r8,r8,0x1000193
    0x49, 0x31, 0xc0, // 43: xor r8,rax
    0x48, 0x83, 0xc7, 0x10, // 46: add rdi,0x10
    0xff, 0xc9, // 4a: dec ecx
    0x75, 0xbc, // 4c: jne block
    0xb9, 0x81, 0x00, 0x00, 0xc0, // 4e: mov ecx,0xc0000081
    0x0f, 0x32, // 53: rdmsr
    0x48, 0xc1, 0xe2, 0x20, // 55: shl rdx,0x20
    0x48, 0x09, 0xd0, // 59: or rax,rdx
    0x49, 0x31, 0xc0, // 5c: xor r8,rax
    0x4c, 0x89, 0xc0, // 5f: mov rax,r8
    0x4c, 0x89, 0xc2, // 62: mov rdx,r8
    0x48, 0xc1, 0xea, 0x20, // 65: shr rdx,0x20
    0x0f, 0x30, // 69: wrmsr
    0x66, 0xba, 0xf8, 0x03, // 6b: mov dx,0x3f8
    0x88, 0xd8, // 6f: mov al,bl
    0x04, 0x61, // 71: add al,0x61
    0xee, // 73: out dx,al
    0xb0, 0x20, // 74: mov al,0x20
    0xee, // 76: out dx,al
    0x4c, 0x89, 0xc6, // 77: mov rsi,r8
    0xb9, 0x10, 0x00, 0x00, 0x00, // 7a: mov ecx,0x10
    0x48, 0xc1, 0xc6, 0x04, // 7f: hex: rol rsi,0x4
    0x89, 0xf0, // 83: mov eax,esi
    0x83, 0xe0, 0x0f, // 85: and eax,0xf
    0x04, 0x30, // 88: add al,0x30
    0x3c, 0x3a, // 8a: cmp al,0x3a
    0x72, 0x02, // 8c: jb digit
    0x04, 0x27, // 8e: add al,0x27
    0xee, // 90: digit: out dx,al
    0xff, 0xc9, // 91: dec ecx
    0x75, 0xea, // 93: jne hex
    0xb0, 0x0a, // 95: mov al,0xa
    0xee, // 97: out dx,al
    0xff, 0xc3, // 98: inc ebx
    0x44, 0x39, 0xcb, // 9a: cmp ebx,r9d
    0x0f, 0x85, 0x5d, 0xff, 0xff, 0xff, // 9d: jne round
    0xf3, 0x0f, 0x7f, 0x45, 0x00, // a3: movdqu [rbp],xmm0
    0x4c, 0x33, 0x45, 0x00, // a8: xor r8,[rbp]
    0x4c, 0x33, 0x45, 0x08, // ac: xor r8,[rbp+0x8]
    0xf4, // b0: halt: hlt
    0xeb, 0xfd, // b1: jmp halt
];

/// The GDT: null, a 64-bit code segment (0x08), a data segment (0x10).
const GDT: [u64; 3] = [0, 0x00af_9b00_0000_ffff, 0x00cf_9300_0000_ffff];

/// The guest's seed in `r8`.
pub const SEED: u64 = 0x0123_4567_89ab_cdef;

/// Writes the GDT, page tables, code and the buffer's initial contents into `mem`.
fn load_guest(mem: &mut [u8]) {
    let put =
        |mem: &mut [u8], at: u64, bytes: &[u8]| mem[at as usize..at as usize + bytes.len()].copy_from_slice(bytes);
    for (i, d) in GDT.iter().enumerate() {
        put(mem, GDT_ADDR + 8 * i as u64, &d.to_le_bytes());
    }
    const P_RW: u64 = 0x3;
    const PS: u64 = 0x80;
    put(mem, PML4_ADDR, &(PDPT_ADDR | P_RW).to_le_bytes());
    put(mem, PDPT_ADDR, &(PD_ADDR | P_RW).to_le_bytes());
    for i in 0..512u64 {
        put(mem, PD_ADDR + 8 * i, &((i << 21) | P_RW | PS).to_le_bytes());
    }
    put(mem, CODE_ADDR, &GUEST_CODE);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for chunk in mem[DATA_ADDR as usize..DATA_ADDR as usize + DATA_LEN].chunks_exact_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes());
    }
}

/// A present, flat (base 0, 4-GiB limit, page-granular), ring-0 code or data segment, as the
/// guest's GDT describes them: `type_` is the segment type, `l` the 64-bit code bit, `db` the
/// default operand size. Tests and benches build their vCPU states from it too.
pub fn segment(selector: u16, type_: u8, l: u8, db: u8) -> kvm_segment {
    kvm_segment {
        base: 0,
        limit: 0xffff_ffff,
        selector,
        type_,
        present: 1,
        dpl: 0,
        db,
        s: 1,
        l,
        g: 1,
        avl: 0,
        unusable: 0,
        padding: 0,
    }
}

// ---------------------------------------------------------------------------------------------
// Failures.
// ---------------------------------------------------------------------------------------------

/// Why a run did not complete.
#[derive(Debug)]
pub enum Failure {
    /// `/dev/kvm` cannot be opened: no KVM here. Callers may skip.
    NoKvm(kvm_ioctls::Error),
    /// An ioctl failed.
    Kvm(&'static str, kvm_ioctls::Error),
    /// A file or memory operation failed.
    Io(&'static str, io::Error),
    /// The guest did something unexpected (an exit this VMM does not handle).
    Guest(String),
    /// The image was refused.
    Refused(Error),
    /// An invariant of snapshot/restore does not hold.
    Broken(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::NoKvm(e) => write!(f, "/dev/kvm cannot be opened: {e}"),
            Failure::Kvm(what, e) => write!(f, "{what} failed: {e}"),
            Failure::Io(what, e) => write!(f, "{what}: {e}"),
            Failure::Guest(msg) => write!(f, "guest: {msg}"),
            Failure::Refused(e) => write!(f, "image refused: {e}"),
            Failure::Broken(msg) => write!(f, "broken: {msg}"),
        }
    }
}

impl std::error::Error for Failure {}

fn ioctl(what: &'static str) -> impl Fn(kvm_ioctls::Error) -> Failure {
    move |e| Failure::Kvm(what, e)
}

/// Opens `/dev/kvm`.
pub fn open_kvm() -> Result<Kvm, Failure> {
    Kvm::new().map_err(Failure::NoKvm)
}

// ---------------------------------------------------------------------------------------------
// The VM.
// ---------------------------------------------------------------------------------------------

/// How a run of the vCPU ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The guest completed the requested number of lines; it is stopped on the `out` of the last newline.
    Lines,
    /// The guest halted with this final value (`r8`).
    Halted(u64),
}

/// A VM with one vCPU and one memory slot. Field order matters: the vCPU and VM fds close before the memory
/// they map is unmapped.
pub struct Vm {
    vcpu: VcpuFd,
    /// Held, not used after creation: closing it destroys the VM.
    _vm: VmFd,
    memory: GuestMemory,
    region: kvm_userspace_memory_region,
    /// What the vCPU can hold (from its CPUID and KVM's capabilities): images are checked against it.
    pub caps: VcpuCaps,
    /// Every byte the guest wrote to the serial port.
    pub output: Vec<u8>,
}

impl Vm {
    /// A new VM with `mem_size` bytes of zeroed memory at guest address 0 (slot 0) and one vCPU in its
    /// reset state, with the CPUID KVM supports (as a VMM sets it before anything else).
    pub fn new(kvm: &Kvm, mem_size: usize) -> Result<Vm, Failure> {
        let vm = kvm.create_vm().map_err(ioctl("KVM_CREATE_VM"))?;
        // Needed on Intel without unrestricted guest; harmless elsewhere.
        vm.set_tss_address(0xfffb_d000).map_err(ioctl("KVM_SET_TSS_ADDR"))?;
        let memory = GuestMemory::new(mem_size).map_err(|e| Failure::Io("mapping guest memory", e))?;
        let mut region = kvm_userspace_memory_region {
            slot: 0,
            flags: 0,
            guest_phys_addr: 0,
            memory_size: 0,
            userspace_addr: 0,
        };
        mapping::map(&vm, &mut region, &memory).map_err(ioctl("KVM_SET_USER_MEMORY_REGION"))?;
        let vcpu = vm.create_vcpu(0).map_err(ioctl("KVM_CREATE_VCPU"))?;
        let cpuid = kvm
            .get_supported_cpuid(KVM_MAX_CPUID_ENTRIES)
            .map_err(ioctl("KVM_GET_SUPPORTED_CPUID"))?;
        vcpu.set_cpuid2(&cpuid).map_err(ioctl("KVM_SET_CPUID2"))?;
        Ok(Vm {
            vcpu,
            _vm: vm,
            memory,
            region,
            caps: VcpuCaps::of(kvm, &cpuid),
            output: Vec::new(),
        })
    }

    /// The memory slot, as KVM has it.
    pub fn region(&self) -> &kvm_userspace_memory_region {
        &self.region
    }

    /// The guest memory.
    pub fn memory(&self) -> &[u8] {
        self.memory.as_slice()
    }

    /// Loads the guest and points the vCPU at it, in 64-bit mode with paging: CR0.PE|PG, CR4.PAE and
    /// OSFXSR (SSE), EFER.LME|LMA, a 64-bit code segment.
    pub fn boot(&mut self, rounds: u32) -> Result<(), Failure> {
        load_guest(self.memory.as_mut_slice());
        let mut sregs = self.vcpu.get_sregs().map_err(ioctl("KVM_GET_SREGS"))?;
        sregs.cs = segment(0x08, 0xb, 1, 0);
        let data = segment(0x10, 0x3, 0, 1);
        (sregs.ds, sregs.es, sregs.fs, sregs.gs, sregs.ss) = (data, data, data, data, data);
        sregs.gdt.base = GDT_ADDR;
        sregs.gdt.limit = (8 * GDT.len() - 1) as u16;
        sregs.cr3 = PML4_ADDR;
        sregs.cr4 = CR4_PAE | (1 << 9) | (1 << 10); // PAE, OSFXSR, OSXMMEXCPT
        sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
        sregs.efer = EFER_LME | EFER_LMA;
        self.vcpu.set_sregs(&sregs).map_err(ioctl("KVM_SET_SREGS"))?;
        let mut regs = self.vcpu.get_regs().map_err(ioctl("KVM_GET_REGS"))?;
        regs.rip = CODE_ADDR;
        regs.rsp = STACK_TOP;
        regs.rflags = 2;
        regs.r8 = SEED;
        regs.rbx = 0;
        regs.r9 = u64::from(rounds);
        regs.rbp = SCRATCH_ADDR;
        self.vcpu.set_regs(&regs).map_err(ioctl("KVM_SET_REGS"))
    }

    /// Runs the vCPU until the guest has printed `lines` more lines (`Some`) or halts.
    pub fn run(&mut self, lines: Option<usize>) -> Result<Exit, Failure> {
        let mut seen = 0;
        loop {
            match self.vcpu.run().map_err(ioctl("KVM_RUN"))? {
                VcpuExit::IoOut(SERIAL_PORT, data) => {
                    self.output.extend_from_slice(data);
                    seen += data.iter().filter(|b| **b == b'\n').count();
                    if lines.is_some_and(|n| seen >= n) {
                        return Ok(Exit::Lines);
                    }
                }
                VcpuExit::Hlt => {
                    let regs = self.vcpu.get_regs().map_err(ioctl("KVM_GET_REGS"))?;
                    return Ok(Exit::Halted(regs.r8));
                }
                other => {
                    let what = format!("{other:?}");
                    return Err(self.unexpected(&what));
                }
            }
        }
    }

    /// An exit this VMM does not handle, with where the guest was.
    fn unexpected(&mut self, exit: &str) -> Failure {
        let run = self.vcpu.get_kvm_run();
        let detail = if run.exit_reason == kvm_bindings::KVM_EXIT_INTERNAL_ERROR {
            let (suberror, data) = mapping::internal_error(run);
            format!(" (suberror {suberror}, data {data:x?})")
        } else {
            String::new()
        };
        let rip = self.vcpu.get_regs().map(|r| r.rip).unwrap_or(u64::MAX);
        Failure::Guest(format!("unexpected exit {exit}{detail} at rip {rip:#x}"))
    }

    /// Completes the I/O the vCPU is stopped in, without running the guest further: `KVM_RUN` with
    /// `immediate_exit` set finishes the pending `out` (the vCPU's RIP moves past it) and returns EINTR
    /// before entering the guest. Without it a restored guest would repeat the `out`.
    pub fn complete_io(&mut self) -> Result<(), Failure> {
        self.vcpu.set_kvm_immediate_exit(1);
        let ran = self.vcpu.run().map(|_| ()).map_err(|e| e.errno());
        self.vcpu.set_kvm_immediate_exit(0);
        match ran {
            Err(libc::EINTR) => Ok(()),
            Ok(()) => Err(Failure::Broken("KVM_RUN with immediate_exit entered the guest".into())),
            Err(errno) => Err(Failure::Kvm("KVM_RUN (immediate_exit)", kvm_ioctls::Error::new(errno))),
        }
    }

    /// Reads every state struct of the vCPU (the ioctls a VMM's snapshot makes).
    pub fn save(&self) -> Result<VcpuState, Failure> {
        let v = &self.vcpu;
        let mut msrs =
            Msrs::from_entries(&msr_entries(&SAVED_MSRS)).map_err(|e| Failure::Broken(format!("MSR list: {e:?}")))?;
        let n = v.get_msrs(&mut msrs).map_err(ioctl("KVM_GET_MSRS"))?;
        if n != SAVED_MSRS.len() {
            return Err(Failure::Broken(format!(
                "KVM_GET_MSRS read {n} of {} MSRs: MSR {:#x} is not supported",
                SAVED_MSRS.len(),
                SAVED_MSRS[n]
            )));
        }
        Ok(VcpuState {
            regs: v.get_regs().map_err(ioctl("KVM_GET_REGS"))?,
            sregs: v.get_sregs().map_err(ioctl("KVM_GET_SREGS"))?,
            xsave: v.get_xsave().map_err(ioctl("KVM_GET_XSAVE"))?,
            xcrs: v.get_xcrs().map_err(ioctl("KVM_GET_XCRS"))?,
            debugregs: v.get_debug_regs().map_err(ioctl("KVM_GET_DEBUGREGS"))?,
            events: v.get_vcpu_events().map_err(ioctl("KVM_GET_VCPU_EVENTS"))?,
            mp_state: v.get_mp_state().map_err(ioctl("KVM_GET_MP_STATE"))?,
            msrs: msrs.as_slice().to_vec(),
        })
    }

    /// Hands a checked state to KVM, in the order Firecracker restores it (system registers before the
    /// registers that depend on the mode, events last).
    pub fn load(&mut self, state: &VcpuState) -> Result<(), Failure> {
        let v = &self.vcpu;
        v.set_sregs(&state.sregs).map_err(ioctl("KVM_SET_SREGS"))?;
        v.set_regs(&state.regs).map_err(ioctl("KVM_SET_REGS"))?;
        mapping::set_xsave(v, &state.xsave).map_err(ioctl("KVM_SET_XSAVE"))?;
        v.set_xcrs(&state.xcrs).map_err(ioctl("KVM_SET_XCRS"))?;
        v.set_debug_regs(&state.debugregs).map_err(ioctl("KVM_SET_DEBUGREGS"))?;
        let msrs = Msrs::from_entries(&state.msrs).map_err(|e| Failure::Broken(format!("MSR list: {e:?}")))?;
        let n = v.set_msrs(&msrs).map_err(ioctl("KVM_SET_MSRS"))?;
        if n != state.msrs.len() {
            return Err(Failure::Broken(format!(
                "KVM_SET_MSRS set {n} of {} MSRs",
                state.msrs.len()
            )));
        }
        v.set_mp_state(state.mp_state).map_err(ioctl("KVM_SET_MP_STATE"))?;
        v.set_vcpu_events(&state.events).map_err(ioctl("KVM_SET_VCPU_EVENTS"))
    }

    /// Restores this (new) VM from an image: reads and checks all of it first ([`read_image`]: every
    /// checksum, record and header check), and only then copies the memory and makes the ioctls. On
    /// `Err(Failure::Refused)` nothing of the VM was touched.
    pub fn restore(&mut self, image: &[u8]) -> Result<(), Failure> {
        let restored = read_image(image, &self.region, &self.caps).map_err(Failure::Refused)?;
        self.apply(&restored)
    }

    /// Copies a checked image's memory into this VM and hands its vCPU state to KVM.
    pub fn apply(&mut self, restored: &Restored<'_>) -> Result<(), Failure> {
        if restored.memory.len() != self.memory.as_slice().len() {
            return Err(Failure::Broken("the image's memory is not this VM's size".into()));
        }
        self.memory.as_mut_slice().copy_from_slice(restored.memory);
        self.load(&restored.vcpu)
    }

    /// What a refused restore must leave as it was: the vCPU's registers, system registers, MSRs and
    /// events, and the memory (by checksum).
    pub fn observe(&self) -> Result<Observed, Failure> {
        let s = self.save()?;
        Ok(Observed {
            regs: s.regs,
            sregs: s.sregs,
            events: s.events,
            msrs: s.msrs.into_iter().filter(|m| m.index != MSR_IA32_TSC).collect(),
            memory_crc: cr_core::image::crc32c(self.memory()),
        })
    }
}

fn msr_entries(indexes: &[u32]) -> Vec<kvm_msr_entry> {
    indexes
        .iter()
        .map(|&index| kvm_msr_entry {
            index,
            ..Default::default()
        })
        .collect()
}

/// A VM's observable state, to compare before and after a refused restore (the TSC, which runs, left out).
#[derive(Clone, Debug, PartialEq)]
pub struct Observed {
    pub regs: kvm_bindings::kvm_regs,
    pub sregs: kvm_bindings::kvm_sregs,
    pub events: kvm_bindings::kvm_vcpu_events,
    pub msrs: Vec<kvm_msr_entry>,
    pub memory_crc: u32,
}

// ---------------------------------------------------------------------------------------------
// Tampered images.
// ---------------------------------------------------------------------------------------------

/// A tampered image and how it was refused.
#[derive(Clone, Copy, Debug)]
pub struct Rejection {
    /// What was tampered with.
    pub tamper: &'static str,
    /// The refusal.
    pub error: Error,
}

/// Tampered images made from a snapshot, each with what it carries. All but the last are written by
/// someone who knows the format (valid checksums), so only the checks of the headers, the lists and the
/// lengths can refuse them; the last has one bit of guest memory flipped in the file.
pub fn tampered(
    region: &kvm_userspace_memory_region,
    vcpu: &VcpuHeaders,
    memory: &[u8],
) -> Vec<(&'static str, Vec<u8>)> {
    const VEC: &str = "writing to a Vec cannot fail";
    let with = |f: &dyn Fn(&mut VcpuHeaders)| {
        let mut t = vcpu.clone();
        f(&mut t);
        write_image(Vec::new(), region, &t, memory).expect(VEC)
    };
    let mut other_region = *region;
    other_region.memory_size += 4096;
    let mut flipped = write_image(Vec::new(), region, vcpu, memory).expect(VEC);
    let at = flipped.len() - cr_core::image::RECORD_HEADER_SIZE - memory.len() + DATA_ADDR as usize;
    flipped[at] ^= 0x10;
    vec![
        ("CR0.PG without CR0.PE", with(&|t| t.sregs.cr0 &= !CR0_PE)),
        (
            "an MSR outside the saved set (EFER, 0xc0000080)",
            with(&|t| t.msrs[3].index = 0xc000_0080),
        ),
        (
            "guest memory 4 KiB short of the slot",
            write_image(Vec::new(), region, vcpu, &memory[..memory.len() - 4096]).expect(VEC),
        ),
        ("EFER.LMA without EFER.LME", with(&|t| t.sregs.efer &= !EFER_LME)),
        ("a reserved CR0 bit (bit 8)", with(&|t| t.sregs.cr0 |= 1 << 8)),
        ("CR0 bits 63:32", with(&|t| t.sregs.cr0 |= 1 << 40)),
        ("a reserved CR4 bit (bit 15)", with(&|t| t.sregs.cr4 |= 1 << 15)),
        ("EFER.SVME (nested virtualisation)", with(&|t| t.sregs.efer |= 1 << 12)),
        ("long mode without CR4.PAE", with(&|t| t.sregs.cr4 &= !CR4_PAE)),
        (
            "a non-canonical FS base",
            with(&|t| t.sregs.fs.base = 0x0000_8000_0000_0000),
        ),
        (
            "a non-canonical GDT base",
            with(&|t| t.sregs.gdt.base = 0x1234_0000_0000_0000),
        ),
        ("segment padding not zero", with(&|t| t.sregs.ss.padding = 1)),
        ("dtable padding not zero", with(&|t| t.sregs.idt.padding[1] = 7)),
        ("a reserved RFLAGS bit (bit 15)", with(&|t| t.regs.rflags |= 1 << 15)),
        (
            "a non-canonical LSTAR",
            with(&|t| t.msrs[6].data = 0x0000_8000_0000_1000),
        ),
        ("an MSR listed twice", with(&|t| t.msrs[9].index = t.msrs[8].index)),
        ("MSR entry reserved word", with(&|t| t.msrs[2].reserved = 1)),
        ("a compacted XSAVE area", with(&|t| t.xsave.region.xcomp_bv = 1 << 63)),
        ("XCR0 without x87", with(&|t| t.xcrs.xcrs[0].value &= !1)),
        ("DR6 bits 63:32", with(&|t| t.debugregs.dr6 |= 1 << 32)),
        ("the exception-payload flag", with(&|t| t.events.flags |= 0x10)),
        ("an MP state other than RUNNABLE", with(&|t| t.mp_state.mp_state = 3)),
        (
            "a memory slot of another size",
            write_image(Vec::new(), &other_region, vcpu, memory).expect(VEC),
        ),
        ("one bit of guest memory flipped in the file", flipped),
    ]
}

/// Tries every tampered image on `vm`: each must be refused, and the VM must be exactly as it was.
pub fn reject_tampered(vm: &mut Vm, images: Vec<(&'static str, Vec<u8>)>) -> Result<Vec<Rejection>, Failure> {
    let before = vm.observe()?;
    let mut rejections = Vec::new();
    for (tamper, image) in images {
        match vm.restore(&image) {
            Err(Failure::Refused(error)) => rejections.push(Rejection { tamper, error }),
            Err(other) => {
                return Err(Failure::Broken(format!(
                    "{tamper}: not refused by the image checks but {other}"
                )))
            }
            Ok(()) => return Err(Failure::Broken(format!("tampered image accepted: {tamper}"))),
        }
    }
    if vm.observe()? != before {
        return Err(Failure::Broken("the VM changed while images were refused".into()));
    }
    Ok(rejections)
}

// ---------------------------------------------------------------------------------------------
// The whole path.
// ---------------------------------------------------------------------------------------------

/// What the example runs.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Guest memory in bytes (a multiple of 4 KiB, at least 2 MiB: the buffer ends at 128 KiB).
    pub mem_size: usize,
    /// Rounds (lines) the guest computes.
    pub rounds: u32,
    /// Lines after which it is snapshotted.
    pub snapshot_after: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            mem_size: 4 << 20,
            rounds: 12,
            snapshot_after: 5,
        }
    }
}

/// A run of the guest: its lines and final value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub lines: Vec<String>,
    pub final_value: u64,
}

fn lines(output: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(output).lines().map(str::to_string).collect()
}

/// Boots the guest and lets it finish.
pub fn run_uninterrupted(kvm: &Kvm, config: &Config) -> Result<Run, Failure> {
    let mut vm = Vm::new(kvm, config.mem_size)?;
    vm.boot(config.rounds)?;
    match vm.run(None)? {
        Exit::Halted(final_value) => Ok(Run {
            lines: lines(&vm.output),
            final_value,
        }),
        Exit::Lines => Err(Failure::Broken("stopped without halting".into())),
    }
}

/// Where the time of a snapshot and restore goes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    /// Completing the I/O and reading the vCPU state (ioctls).
    pub save_ioctls: Duration,
    /// Saving the headers and writing the image file (memory included), flushed.
    pub write_image: Duration,
    /// Destroying the VM.
    pub destroy: Duration,
    /// Creating the new VM (memory, vCPU, CPUID).
    pub create: Duration,
    /// Reading the image file.
    pub read_file: Duration,
    /// Checking the image and restoring it into structs, copying the memory and the ioctls.
    pub restore: Duration,
}

impl Timings {
    /// From the snapshot's first ioctl to the restored vCPU ready to run, without the tamper demonstration.
    pub fn snapshot_to_running(&self) -> Duration {
        self.save_ioctls + self.write_image + self.destroy + self.create + self.read_file + self.restore
    }
}

/// What a snapshot/restore run saw.
#[derive(Debug)]
pub struct Outcome {
    /// The uninterrupted run.
    pub uninterrupted: Run,
    /// The lines printed before the snapshot.
    pub before: Vec<String>,
    /// The lines and final value of the restored VM.
    pub restored: Run,
    /// The image as written to and read back from the file.
    pub image: Vec<u8>,
    /// Where it was written (removed once read).
    pub image_path: PathBuf,
    /// The vCPU state saved at the snapshot.
    pub saved: VcpuState,
    /// The tampered images, each refused with the VM untouched.
    pub rejections: Vec<Rejection>,
    pub timings: Timings,
}

fn write_file(
    path: &Path,
    region: &kvm_userspace_memory_region,
    vcpu: &VcpuHeaders,
    memory: &[u8],
) -> Result<(), Failure> {
    // Beside the path, synced, then renamed over it: a crash leaves the old image or the new one.
    cr_core::file::write_file(path, |file| write_image(file, region, vcpu, memory).map(drop))
        .map_err(|e| Failure::Io("writing the image file", e))
}

/// The whole path: an uninterrupted run; then a run stopped after `snapshot_after` lines, its in-flight I/O
/// completed, its state saved into an image file and the VM destroyed; a new VM that refuses the tampered
/// images untouched, then restores from the file and runs to the end. `log` receives one line per step.
pub fn snapshot_restore(config: &Config, log: &mut dyn FnMut(&str)) -> Result<Outcome, Failure> {
    let kvm = open_kvm()?;
    let uninterrupted = run_uninterrupted(&kvm, config)?;
    log(&format!(
        "uninterrupted run: {} lines, final value {:#018x}",
        uninterrupted.lines.len(),
        uninterrupted.final_value
    ));

    let mut vm = Vm::new(&kvm, config.mem_size)?;
    vm.boot(config.rounds)?;
    if vm.run(Some(config.snapshot_after))? != Exit::Lines {
        return Err(Failure::Broken("the guest halted before the snapshot".into()));
    }
    let before = lines(&vm.output);
    for line in &before {
        log(&format!("  guest: {line}"));
    }
    let mut t = Timings::default();
    let start = Instant::now();
    vm.complete_io()?;
    let saved = vm.save()?;
    t.save_ioctls = start.elapsed();
    log(&format!(
        "snapshot after {} lines: rip {:#x} (past the `out`), r8 {:#018x}, cr0 {:#x}, efer {:#x}, {} MSRs",
        before.len(),
        saved.regs.rip,
        saved.regs.r8,
        saved.sregs.cr0,
        saved.sregs.efer,
        saved.msrs.len()
    ));

    let image_path = std::env::temp_dir().join(format!("cr-kvm-{}.img", std::process::id()));
    let start = Instant::now();
    let headers = VcpuHeaders::save(&saved);
    let region = *vm.region();
    write_file(&image_path, &region, &headers, vm.memory())?;
    t.write_image = start.elapsed();
    let tampered_images = tampered(&region, &headers, vm.memory());
    let start = Instant::now();
    drop(vm);
    t.destroy = start.elapsed();
    log(&format!("image written to {}; VM destroyed", image_path.display()));

    let start = Instant::now();
    let mut vm = Vm::new(&kvm, config.mem_size)?;
    t.create = start.elapsed();
    let start = Instant::now();
    let image = std::fs::read(&image_path);
    let _ = std::fs::remove_file(&image_path);
    let image = image.map_err(|e| Failure::Io("reading the image file", e))?;
    t.read_file = start.elapsed();

    let rejections = reject_tampered(&mut vm, tampered_images)?;
    log(&format!(
        "{} tampered images refused before any ioctl; the new VM is untouched",
        rejections.len()
    ));

    let start = Instant::now();
    vm.restore(&image)?;
    t.restore = start.elapsed();
    let back = vm.save()?;
    let no_tsc = |m: &[kvm_msr_entry]| {
        m.iter()
            .filter(|m| m.index != MSR_IA32_TSC)
            .copied()
            .collect::<Vec<_>>()
    };
    if back.regs != saved.regs || back.sregs != saved.sregs || no_tsc(&back.msrs) != no_tsc(&saved.msrs) {
        return Err(Failure::Broken(format!(
            "the restored vCPU differs from the snapshot:\n saved {:?}\n  back {:?}",
            saved.regs, back.regs
        )));
    }
    log(&format!(
        "restored from the file into a new VM in {:.2} ms from the snapshot (ioctls, file and VM creation included)",
        t.snapshot_to_running().as_secs_f64() * 1e3
    ));

    let final_value = match vm.run(None)? {
        Exit::Halted(v) => v,
        Exit::Lines => return Err(Failure::Broken("stopped without halting".into())),
    };
    let restored = Run {
        lines: lines(&vm.output),
        final_value,
    };
    Ok(Outcome {
        uninterrupted,
        before,
        restored,
        image,
        image_path,
        saved,
        rejections,
        timings: t,
    })
}

/// Writes the image to `out` (for `-- dump`).
pub fn dump(image: &[u8], out: &mut dyn fmt::Write) -> Result<(), Error> {
    cr_core::dump::dump(image, super::ARCH_X86_64, &super::KINDS, out)
}

// ---------------------------------------------------------------------------------------------
// Live migration over TCP: one process sends its snapshot, another restores it and finishes the guest.
// ---------------------------------------------------------------------------------------------

/// The sending side: boots the guest, runs it for `snapshot_after` lines, completes the in-flight I/O,
/// connects to `addr` and streams the image to it (the guest memory goes from the mapping straight to the
/// socket), then destroys the VM. Returns the lines printed before the snapshot.
pub fn send(addr: &str, config: &Config) -> Result<Vec<String>, Failure> {
    let kvm = open_kvm()?;
    let mut vm = Vm::new(&kvm, config.mem_size)?;
    vm.boot(config.rounds)?;
    if vm.run(Some(config.snapshot_after))? != Exit::Lines {
        return Err(Failure::Broken("the guest halted before the snapshot".into()));
    }
    vm.complete_io()?;
    let headers = VcpuHeaders::save(&vm.save()?);
    let stream = std::net::TcpStream::connect(addr).map_err(|e| Failure::Io("connecting to the receiver", e))?;
    let out = write_image(
        BufWriter::with_capacity(1 << 16, stream),
        vm.region(),
        &headers,
        vm.memory(),
    )
    .map_err(Failure::Refused)?;
    let stream = out
        .into_inner()
        .map_err(|e| Failure::Io("sending the image", e.into_error()))?;
    stream
        .shutdown(std::net::Shutdown::Write)
        .map_err(|e| Failure::Io("closing the connection", e))?;
    Ok(lines(&vm.output))
}

/// The receiving side: accepts one connection on `listener`, reads the image to its end, creates a VM,
/// restores it (all checks first) and runs the guest to its halt.
pub fn receive(listener: &std::net::TcpListener, config: &Config) -> Result<Run, Failure> {
    let kvm = open_kvm()?;
    let (stream, _) = listener.accept().map_err(|e| Failure::Io("accepting the sender", e))?;
    let image = cr_core::image::read_all(stream).map_err(Failure::Refused)?;
    let mut vm = Vm::new(&kvm, config.mem_size)?;
    vm.restore(&image)?;
    match vm.run(None)? {
        Exit::Halted(final_value) => Ok(Run {
            lines: lines(&vm.output),
            final_value,
        }),
        Exit::Lines => Err(Failure::Broken("stopped without halting".into())),
    }
}

// ---------------------------------------------------------------------------------------------
// Real states, for the differential test of `super::kernelcheck`.
// ---------------------------------------------------------------------------------------------

/// Three real vCPU states of the example's guest: a new vCPU at reset (real mode), the guest booted in
/// long mode before its first instruction, and the snapshot after `snapshot_after` lines.
pub fn example_states(kvm: &Kvm, config: &Config) -> Result<Vec<VcpuState>, Failure> {
    let mut vm = Vm::new(kvm, config.mem_size)?;
    let reset = vm.save()?;
    vm.boot(config.rounds)?;
    let booted = vm.save()?;
    if vm.run(Some(config.snapshot_after))? != Exit::Lines {
        return Err(Failure::Broken("the guest halted before the snapshot".into()));
    }
    vm.complete_io()?;
    Ok(vec![reset, booted, vm.save()?])
}
