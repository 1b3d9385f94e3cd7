//! The guest: where its code, tables and data sit in guest-physical memory, what the VMM writes there
//! before the first `KVM_RUN`, and each vCPU's registers at entry. What the code does is `guest.S`
//! (`vmm/guest/`); its bytes and shared constants are [`crate::guest_code`]. No ioctl here.

use crate::guest_code::{self, constants};
use kvm_bindings::{kvm_regs, kvm_segment, kvm_sregs};

/// The vCPUs of the VM. The guest is written for exactly two: CPU 0 programs the platform, the two print
/// alternately, and the IOAPIC routes the timer to APIC ID 1.
pub const VCPUS: usize = 2;

/// The GDT (identity-mapped guest-physical addresses throughout).
pub const GDT_ADDR: u64 = 0x500;
/// The code.
pub const CODE_ADDR: u64 = 0x1000;
/// The page tables: PML4, PDPT, a PD of 2-MiB pages mapping the first GiB, and a PD for the fourth GiB
/// holding one uncached 2-MiB page over the IOAPIC's registers.
pub const PML4_ADDR: u64 = 0x2000;
const PDPT_ADDR: u64 = 0x3000;
const PD_LOW_ADDR: u64 = 0x4000;
const PD_IOAPIC_ADDR: u64 = 0x5000;
/// The IDT: 256 interrupt gates.
pub const IDT_ADDR: u64 = 0x6000;
/// The guest's shared words: whose turn it is, and each CPU's count of timer interrupts.
pub const TURN_ADDR: u64 = constants::TURN;
/// CPU `i`'s 16-byte scratch slot (`rbp`) is at `SCRATCH_ADDR + 0x1000 * i`.
pub const SCRATCH_ADDR: u64 = 0xa000;
/// CPU `i`'s stack top is at `STACK_TOP + 0x1000 * i`.
pub const STACK_TOP: u64 = 0xd000;
/// CPU `i`'s buffer, which it hashes and rewrites each round, is at `DATA_ADDR + DATA_LEN * i`.
pub const DATA_ADDR: u64 = 0x10000;
/// A buffer's length: 4 KiB, 256 16-byte blocks.
pub const DATA_LEN: usize = 0x1000;
/// The serial port the guest prints on and reads from (COM1).
pub const SERIAL_PORT: u16 = constants::COM1 as u16;
/// The guest writes here when a CPU has finished; its hash is then in `r8`.
pub const DONE_PORT: u16 = constants::DONE_PORT as u16;
/// The guest writes here from the handler of any vector it does not expect (an exception).
pub const FAULT_PORT: u16 = constants::FAULT_PORT as u16;
/// The timer interrupts each CPU waits for before each of its lines.
pub const TICKS_PER_LINE: u64 = constants::TICKS_PER_LINE;
/// The vector of the PIT's interrupt through the PIC master (to CPU 0).
pub const PIC_VECTOR: u8 = 0x20;
/// The vector of the PIT's interrupt through the IOAPIC (to CPU 1).
pub const IOAPIC_VECTOR: u8 = 0x30;
/// The LAPIC's spurious-interrupt vector the guest programs.
pub const SPURIOUS_VECTOR: u8 = 0xff;

/// The bytes the VMM queues in the UART's receive FIFO at boot: the guest reads one per line, so at a
/// snapshot the FIFO still holds the rest, and a restore that lost them prints `-` instead.
pub const SERIAL_INPUT: &[u8] = b"cr_restores_a_VM";

/// The guest's seed in `r8` on CPU 0; CPU 1's differs in its last bit.
pub const SEED: u64 = 0x0123_4567_89ab_cdef;

/// The GDT: null, a 64-bit code segment (0x08), a data segment (0x10).
const GDT: [u64; 3] = [0, 0x00af_9b00_0000_ffff, 0x00cf_9300_0000_ffff];

/// CPU `cpu`'s timer-interrupt counter.
pub const fn ticks_addr(cpu: usize) -> u64 {
    if cpu == 0 {
        constants::TICKS0
    } else {
        constants::TICKS1
    }
}

/// The lines a run of the guest prints: each CPU prints `rounds`.
pub const fn lines(rounds: u32) -> usize {
    VCPUS * rounds as usize
}

fn put(mem: &mut [u8], at: u64, bytes: &[u8]) {
    mem[at as usize..at as usize + bytes.len()].copy_from_slice(bytes);
}

/// An interrupt gate to `handler` (an offset in the code) in the 64-bit code segment.
fn gate(handler: u64) -> [u8; 16] {
    let target = CODE_ADDR + handler;
    let low = (target & 0xffff) | (0x08 << 16) | (0x8e00 << 32) | (((target >> 16) & 0xffff) << 48);
    let mut entry = [0; 16];
    entry[..8].copy_from_slice(&low.to_le_bytes());
    entry[8..].copy_from_slice(&(target >> 32).to_le_bytes());
    entry
}

/// Writes the GDT, page tables, IDT, code and both buffers' initial contents into `mem` (which must be at
/// least 2 MiB: the buffers end at 72 KiB, the first 2-MiB page must exist).
pub fn load(mem: &mut [u8]) {
    for (i, d) in GDT.iter().enumerate() {
        put(mem, GDT_ADDR + 8 * i as u64, &d.to_le_bytes());
    }
    const P_RW: u64 = 0x3;
    const PS: u64 = 0x80;
    const PWT_PCD: u64 = 0x18;
    put(mem, PML4_ADDR, &(PDPT_ADDR | P_RW).to_le_bytes());
    put(mem, PDPT_ADDR, &(PD_LOW_ADDR | P_RW).to_le_bytes());
    for i in 0..512u64 {
        put(mem, PD_LOW_ADDR + 8 * i, &((i << 21) | P_RW | PS).to_le_bytes());
    }
    let ioapic = constants::IOAPIC & !((1 << 21) - 1);
    put(mem, PDPT_ADDR + 8 * 3, &(PD_IOAPIC_ADDR | P_RW).to_le_bytes());
    let index = (ioapic >> 21) & 511;
    put(
        mem,
        PD_IOAPIC_ADDR + 8 * index,
        &(ioapic | P_RW | PS | PWT_PCD).to_le_bytes(),
    );
    for vector in 0..256u64 {
        let handler = match vector as u8 {
            PIC_VECTOR => guest_code::PIC_TICK,
            IOAPIC_VECTOR => guest_code::IOAPIC_TICK,
            SPURIOUS_VECTOR => guest_code::SPURIOUS,
            _ => guest_code::UNEXPECTED,
        };
        put(mem, IDT_ADDR + 16 * vector, &gate(handler));
    }
    put(mem, CODE_ADDR, &guest_code::CODE);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for chunk in mem[DATA_ADDR as usize..DATA_ADDR as usize + VCPUS * DATA_LEN].chunks_exact_mut(8) {
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

/// The system registers every CPU enters with: 64-bit mode with paging (CR0.PE|PG, CR4.PAE and OSFXSR,
/// EFER.LME|LMA), a 64-bit code segment, the GDT and IDT loaded. `sregs` is the vCPU's reset state (its
/// APIC base is kept: KVM set the BSP bit on CPU 0).
pub fn entry_sregs(sregs: &mut kvm_sregs) {
    use cr::kvm_x86_64::{CR0_ET, CR0_MP, CR0_NE, CR0_PE, CR0_PG, CR0_WP, CR4_PAE, EFER_LMA, EFER_LME};
    sregs.cs = segment(0x08, 0xb, 1, 0);
    let data = segment(0x10, 0x3, 0, 1);
    (sregs.ds, sregs.es, sregs.fs, sregs.gs, sregs.ss) = (data, data, data, data, data);
    sregs.gdt.base = GDT_ADDR;
    sregs.gdt.limit = (8 * GDT.len() - 1) as u16;
    sregs.idt.base = IDT_ADDR;
    sregs.idt.limit = 16 * 256 - 1;
    sregs.cr3 = PML4_ADDR;
    sregs.cr4 = CR4_PAE | (1 << 9) | (1 << 10); // PAE, OSFXSR, OSXMMEXCPT
    sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
    sregs.efer = EFER_LME | EFER_LMA;
}

/// CPU `cpu`'s registers at entry (see `guest.S`): interrupts off, its index, buffer, tick counter,
/// scratch slot, seed and stack, `rounds` rounds to go.
pub fn entry_regs(cpu: usize, rounds: u32) -> kvm_regs {
    let i = cpu as u64;
    kvm_regs {
        rip: CODE_ADDR + guest_code::ENTRY,
        rsp: STACK_TOP + 0x1000 * i,
        rflags: 2,
        r8: SEED ^ i,
        r9: u64::from(rounds),
        r12: i,
        r13: DATA_ADDR + DATA_LEN as u64 * i,
        r14: ticks_addr(cpu),
        rbp: SCRATCH_ADDR + 0x1000 * i,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// `guest_code.rs` is `guest.S` assembled: the same bytes and symbol offsets, wherever GNU as is here.
    #[test]
    fn the_guest_code_is_its_source_assembled() {
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/guest/guest.S");
        let dir = std::env::temp_dir().join(format!("cr-vmm-guest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (obj, bin) = (dir.join("guest.o"), dir.join("guest.bin"));
        match Command::new("as").arg("--64").arg("-o").arg(&obj).arg(src).status() {
            Err(e) => {
                eprintln!("SKIPPED: GNU as cannot be run ({e}): guest_code.rs is not checked against guest.S");
                return;
            }
            Ok(status) => assert!(status.success(), "as failed on {src}"),
        }
        let objcopy = Command::new("objcopy")
            .args(["-O", "binary", "-j", ".text"])
            .arg(&obj)
            .arg(&bin)
            .status()
            .unwrap();
        assert!(objcopy.success());
        assert_eq!(
            std::fs::read(&bin).unwrap(),
            guest_code::CODE,
            "guest_code.rs is stale: run python3 vmm/guest/assemble.py"
        );
        let nm = Command::new("nm").arg(&obj).output().unwrap();
        let symbols = String::from_utf8(nm.stdout).unwrap();
        let offset = |name: &str| {
            let line = symbols.lines().find(|l| l.ends_with(&format!(" T {name}"))).unwrap();
            u64::from_str_radix(&line[..16], 16).unwrap()
        };
        assert_eq!(offset("entry"), guest_code::ENTRY);
        assert_eq!(offset("newline_out"), guest_code::NEWLINE_OUT);
        assert_eq!(offset("after_newline"), guest_code::AFTER_NEWLINE);
        assert_eq!(offset("pic_tick"), guest_code::PIC_TICK);
        assert_eq!(offset("ioapic_tick"), guest_code::IOAPIC_TICK);
        assert_eq!(offset("unexpected"), guest_code::UNEXPECTED);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_memory_layout_does_not_overlap() {
        let idt_end = IDT_ADDR + 16 * 256;
        assert!(CODE_ADDR + guest_code::CODE.len() as u64 <= PML4_ADDR);
        assert!(idt_end <= TURN_ADDR);
        assert!(ticks_addr(1) + 8 <= SCRATCH_ADDR);
        assert!(SCRATCH_ADDR + 0x1000 * VCPUS as u64 <= STACK_TOP - 0x1000);
        assert!(STACK_TOP + 0x1000 * (VCPUS as u64 - 1) <= DATA_ADDR);
        assert_eq!(lines(8), 16, "each CPU prints one line a round; the example's 16");
    }
}
