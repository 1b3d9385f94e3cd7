//! What the runtime benchmarks compare, shared by `benches/runtime.rs` (criterion) and
//! `benches/callgrind.rs` (instruction counts): the s390 cpu header, a ~4 KiB vCPU header, a
//! `kvm_sregs`-shaped header of nested headers and a packed device register file with a packed
//! header, each copied four ways (derived, hand-written, raw bytes, serde + postcard). Not a test suite: `verify()` only proves, once at set-up, that the
//! derived and hand-written copies agree.
// Each benchmark binary compiles this module and uses a part of it.
#![allow(dead_code)]

pub mod hand;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
pub mod irqchip;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
pub mod lapic;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
pub mod msr_list;
pub mod packed;
pub mod serde_s390;
pub mod sregs;
pub mod vcpu;

use cr::s390::{CrHdrCpu, Task};
use cr_core::{CrCopy, Error};
use packed::{Dma, DmaHeader};
use sregs::{Sregs, SregsHeader};
use std::hint::black_box;
use vcpu::{Vcpu, VcpuHeader};
use zerocopy::{FromBytes, FromZeros, IntoBytes};

/// Room for one postcard encoding of any live struct (varints: at most 10 bytes per `u64`).
pub const BUF_LEN: usize = 16 * 1024;

/// One way of copying between a header `H` and its live struct `L`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// `#[derive(CrCopy)]`.
    Derived,
    /// The same checks, masks, flags and writes, written out by hand.
    Hand,
    /// The floor: copying the header's bytes (`copy_from_slice` of `size_of::<H>()`).
    Bytes,
    /// What a user might reach for instead: the live struct through serde and postcard.
    Postcard,
    /// The loop alone (callgrind baseline).
    Empty,
}

impl Variant {
    /// Every variant, in report order.
    pub const ALL: [Variant; 5] = [
        Variant::Derived,
        Variant::Hand,
        Variant::Bytes,
        Variant::Postcard,
        Variant::Empty,
    ];

    /// The name used on the command line and in benchmark ids.
    pub const fn name(self) -> &'static str {
        match self {
            Variant::Derived => "derived",
            Variant::Hand => "hand",
            Variant::Bytes => "bytes",
            Variant::Postcard => "postcard",
            Variant::Empty => "empty",
        }
    }
}

/// What one iteration does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// live -> header.
    Save,
    /// header -> live.
    Restore,
    /// live -> header -> another live.
    SaveRestore,
}

impl Op {
    /// Every operation, in report order.
    pub const ALL: [Op; 3] = [Op::Save, Op::Restore, Op::SaveRestore];

    /// The name used on the command line and in benchmark ids.
    pub const fn name(self) -> &'static str {
        match self {
            Op::Save => "save",
            Op::Restore => "restore",
            Op::SaveRestore => "save_restore",
        }
    }
}

/// A header/live pair the benchmarks run on, with its hand-written copy and its serde form.
pub trait Subject: Sized + Clone + PartialEq + core::fmt::Debug + 'static {
    /// The image header (`#[derive(CrCopy)]`, zerocopy `IntoBytes + FromBytes`).
    type Header: CrCopy<Self> + IntoBytes + FromBytes + zerocopy::Immutable + PartialEq + core::fmt::Debug;
    /// The benchmark group name.
    const NAME: &'static str;
    /// A live object with recognisable state in every mapped field.
    fn sample() -> Self;
    /// The hand-written save.
    fn hand_save(hdr: &mut Self::Header, src: &Self);
    /// The hand-written restore.
    fn hand_restore(hdr: &Self::Header, dst: &mut Self) -> Result<(), Error>;
    /// serde + postcard: the live object into `buf`, returning the bytes written.
    fn to_postcard(&self, buf: &mut [u8]) -> usize;
    /// serde + postcard: a live object from `bytes`.
    fn from_postcard(bytes: &[u8]) -> Self;
    /// A live object restore starts from (not the sample, so restore changes something).
    fn default_live() -> Self;
    /// Copies of a valid header, each broken in one or two checked fields.
    fn tampered(valid: &Self::Header) -> Vec<Self::Header>;
}

impl Subject for Task {
    type Header = CrHdrCpu;
    const NAME: &'static str = "s390_cpu";

    fn sample() -> Self {
        cr::s390::sample_task()
    }
    fn hand_save(hdr: &mut CrHdrCpu, src: &Task) {
        cr::s390::hand::save_cpu(hdr, src)
    }
    fn hand_restore(hdr: &CrHdrCpu, dst: &mut Task) -> Result<(), Error> {
        cr::s390::hand::restore_cpu(hdr, dst)
    }
    fn to_postcard(&self, buf: &mut [u8]) -> usize {
        postcard::to_slice(&serde_s390::SerTask(self), buf)
            .expect("BUF_LEN holds a Task")
            .len()
    }
    fn from_postcard(bytes: &[u8]) -> Self {
        postcard::from_bytes::<serde_s390::DeTask>(bytes)
            .expect("a Task encoding")
            .0
    }
    fn default_live() -> Self {
        let mut t = Task::default();
        t.regs.psw.mask = cr::s390::PSW_USER_BITS | 0x8000_0000_0000_0000;
        t
    }
    fn tampered(valid: &CrHdrCpu) -> Vec<CrHdrCpu> {
        let mut out = Vec::new();
        let mut h = *valid;
        h.ilc = 0x1_0000;
        out.push(h);
        let mut h = *valid;
        h.svcnr = u32::MAX;
        out.push(h);
        let mut h = *valid;
        h.fpc |= 0x0000_0004;
        out.push(h);
        let mut h = *valid;
        h.em_instr |= 0x80;
        out.push(h);
        let mut h = *valid;
        h.reserved = 1 << 40;
        out.push(h);
        let mut h = *valid;
        h.psw.mask &= !cr::s390::PSW_MASK_PSTATE;
        out.push(h);
        // Two faults: the first check in field order wins.
        let mut h = *valid;
        h.svcnr = u32::MAX;
        h.em_instr |= 0x80;
        out.push(h);
        out
    }
}

impl Subject for Vcpu {
    type Header = VcpuHeader;
    const NAME: &'static str = "vcpu_4k";

    fn sample() -> Self {
        vcpu::sample_vcpu()
    }
    fn hand_save(hdr: &mut VcpuHeader, src: &Vcpu) {
        hand::save_vcpu(hdr, src)
    }
    fn hand_restore(hdr: &VcpuHeader, dst: &mut Vcpu) -> Result<(), Error> {
        hand::restore_vcpu(hdr, dst)
    }
    fn to_postcard(&self, buf: &mut [u8]) -> usize {
        postcard::to_slice(self, buf).expect("BUF_LEN holds a Vcpu").len()
    }
    fn from_postcard(bytes: &[u8]) -> Self {
        postcard::from_bytes(bytes).expect("a Vcpu encoding")
    }
    fn default_live() -> Self {
        let mut v = Vcpu::default();
        v.core.pstate.daif = 0xFFFF_FFFF;
        v.sys.el1.ctl.sctlr = u64::MAX;
        v
    }
    fn tampered(valid: &VcpuHeader) -> Vec<VcpuHeader> {
        let mut out = Vec::new();
        let mut push = |f: &dyn Fn(&mut VcpuHeader)| {
            let mut h = *valid;
            f(&mut h);
            out.push(h);
        };
        push(&|h| h.cpacr |= 1 << 40);
        push(&|h| h.esr = 1 << 33);
        push(&|h| h.nzcv |= 1);
        push(&|h| h.el = 256);
        push(&|h| h.fpsr |= 1 << 20);
        push(&|h| h.fpcr |= 1);
        push(&|h| h.csselr |= 1 << 8);
        push(&|h| h.vmid = 0x1_0000);
        push(&|h| h.asid = 0x1_0000);
        push(&|h| h.gic_hcr |= 1 << 6);
        push(&|h| h.gic_used_lrs = 0x100);
        push(&|h| h.mdscr |= 1 << 31);
        push(&|h| h.pmu_cnten |= 1 << 31 | 1 << 30);
        push(&|h| h.pmu_inten |= 1 << 20);
        push(&|h| h.pmu_ovs |= 1 << 20);
        push(&|h| h.reserved[31] = 1);
        push(&|h| h.reserved_tail[3] = 1);
        push(&|h| h.timer_flags |= 1 << 15);
        push(&|h| h.pstate_flags |= 1 << 7);
        push(&|h| h.gic_flags |= 1 << 3);
        push(&|h| h.misc_flags |= 1 << 3);
        push(&|h| {
            h.pmu_ovs |= 1 << 20;
            h.cpacr |= 1 << 40;
        });
        out
    }
}

impl Subject for Sregs {
    type Header = SregsHeader;
    const NAME: &'static str = "kvm_sregs";

    fn sample() -> Self {
        sregs::sample_sregs()
    }
    fn hand_save(hdr: &mut SregsHeader, src: &Sregs) {
        hand::save_sregs(hdr, src)
    }
    fn hand_restore(hdr: &SregsHeader, dst: &mut Sregs) -> Result<(), Error> {
        hand::restore_sregs(hdr, dst)
    }
    fn to_postcard(&self, buf: &mut [u8]) -> usize {
        postcard::to_slice(self, buf).expect("BUF_LEN holds an Sregs").len()
    }
    fn from_postcard(bytes: &[u8]) -> Self {
        postcard::from_bytes(bytes).expect("an Sregs encoding")
    }
    fn default_live() -> Self {
        Sregs::default()
    }
    fn tampered(valid: &SregsHeader) -> Vec<SregsHeader> {
        let mut out = Vec::new();
        let mut push = |f: &dyn Fn(&mut SregsHeader)| {
            let mut h = *valid;
            f(&mut h);
            out.push(h);
        };
        // Every check of one segment, each in a different segment (every route).
        push(&|h| h.cs.type_ |= 0x10);
        push(&|h| h.ds.present = 2);
        push(&|h| h.es.dpl = 4);
        push(&|h| h.fs.unusable = 0x81);
        push(&|h| h.gs.padding = 1);
        push(&|h| h.ss.dpl |= 0x80);
        push(&|h| h.tr.type_ = 0xFF);
        push(&|h| h.ldt.padding = 0x80);
        push(&|h| h.gdt.padding[0] = 1);
        push(&|h| h.idt.padding[2] = 0x8000);
        push(&|h| h.cr0 |= 1 << 6);
        push(&|h| h.cr4 |= 1 << 15 | 1 << 40);
        push(&|h| h.efer |= 1 << 1);
        // Two faults: the first check in field order wins, across depths and inside a segment.
        push(&|h| {
            h.ldt.dpl = 4;
            h.cr0 |= 1 << 6;
        });
        push(&|h| {
            h.ss.padding = 1;
            h.ds.present = 3;
        });
        push(&|h| {
            h.cs.unusable = 2;
            h.cs.type_ = 0x20;
        });
        push(&|h| {
            h.idt.padding[1] = 1;
            h.gdt.padding[2] = 1;
        });
        out
    }
}

impl Subject for Dma {
    type Header = DmaHeader;
    const NAME: &'static str = "packed_dev";

    fn sample() -> Self {
        packed::sample_dma()
    }
    fn hand_save(hdr: &mut DmaHeader, src: &Dma) {
        packed::save_dma(hdr, src)
    }
    fn hand_restore(hdr: &DmaHeader, dst: &mut Dma) -> Result<(), Error> {
        packed::restore_dma(hdr, dst)
    }
    fn to_postcard(&self, buf: &mut [u8]) -> usize {
        postcard::to_slice(self, buf).expect("BUF_LEN holds a Dma").len()
    }
    fn from_postcard(bytes: &[u8]) -> Self {
        postcard::from_bytes(bytes).expect("a Dma encoding")
    }
    fn default_live() -> Self {
        // The bits outside the masks of `base` and `status` are live state restore keeps.
        Dma {
            base: 0x0000_0000_0000_0FFF,
            status: 0xFF00,
            ..Dma::default()
        }
    }
    fn tampered(valid: &DmaHeader) -> Vec<DmaHeader> {
        let mut out = Vec::new();
        let mut push = |f: &dyn Fn(&mut DmaHeader)| {
            let mut h = *valid;
            f(&mut h);
            out.push(h);
        };
        push(&|h| h.irq = 0x1_0000);
        push(&|h| h.ctrl |= 1 << 20);
        push(&|h| h.flags |= 1 << 3);
        push(&|h| h.reserved[3] = 1);
        // Every check of a channel, each in a different element (every index of the route).
        push(&|h| h.channels[0].mode |= 0x10);
        push(&|h| h.channels[1].flags |= 0x80);
        push(&|h| h.channels[2].padding[1] = 1);
        push(&|h| h.channels[3].mode = 0xFF);
        // Two faults: the first check in field order wins, across depths and inside a channel.
        push(&|h| {
            h.channels[1].mode = 0x20;
            h.reserved[0] = 1;
        });
        push(&|h| {
            h.channels[3].flags = 4;
            h.ctrl |= 1 << 30;
        });
        push(&|h| {
            h.channels[2].padding[0] = 1;
            h.channels[2].flags = 8;
        });
        push(&|h| {
            h.channels[3].mode = 0x40;
            h.channels[0].padding[1] = 2;
        });
        out
    }
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
impl Subject for irqchip::Irqchip {
    type Header = irqchip::IrqchipHeader;
    const NAME: &'static str = "irqchip";

    fn sample() -> Self {
        irqchip::sample()
    }
    fn hand_save(hdr: &mut irqchip::IrqchipHeader, src: &Self) {
        irqchip::save(hdr, src)
    }
    fn hand_restore(hdr: &irqchip::IrqchipHeader, dst: &mut Self) -> Result<(), Error> {
        irqchip::restore(hdr, dst)
    }
    fn to_postcard(&self, buf: &mut [u8]) -> usize {
        postcard::to_slice(&self.0, buf)
            .expect("BUF_LEN holds a kvm_irqchip")
            .len()
    }
    fn from_postcard(bytes: &[u8]) -> Self {
        irqchip::Irqchip(postcard::from_bytes(bytes).expect("a kvm_irqchip encoding"))
    }
    fn default_live() -> Self {
        irqchip::default_live()
    }
    fn tampered(valid: &irqchip::IrqchipHeader) -> Vec<irqchip::IrqchipHeader> {
        let mut out = Vec::new();
        let mut push = |f: &dyn Fn(&mut irqchip::IrqchipHeader)| {
            let mut h = *valid;
            f(&mut h);
            out.push(h);
        };
        push(&|h| h.chip_id = 3);
        push(&|h| h.pad = 1);
        push(&|h| h.pic.irr = 1); // data in the inactive member
        push(&|h| h.ioapic.ioregsel = 0x100);
        push(&|h| h.ioapic.pad = 1);
        push(&|h| h.ioapic.redirtbl[7].reserve = 0x10);
        push(&|h| h.ioapic.redirtbl[3].delivery_mode = 6);
        push(&|h| h.ioapic.redirtbl[23].flags |= 0x40);
        push(&|h| h.ioapic.redirtbl[11].reserved[2] = 1);
        // Two faults: the first check in field order wins.
        push(&|h| {
            h.ioapic.redirtbl[20].delivery_mode = 8;
            h.ioapic.id = 0x10;
        });
        push(&|h| {
            h.chip_id = 0;
            h.pic.priority_add = 8;
        });
        out
    }
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
impl Subject for lapic::Lapic {
    type Header = lapic::LapicHeader;
    const NAME: &'static str = "lapic";

    fn sample() -> Self {
        lapic::sample()
    }
    fn hand_save(hdr: &mut lapic::LapicHeader, src: &Self) {
        lapic::save(hdr, src)
    }
    fn hand_restore(hdr: &lapic::LapicHeader, dst: &mut Self) -> Result<(), Error> {
        lapic::restore(hdr, dst)
    }
    fn to_postcard(&self, buf: &mut [u8]) -> usize {
        postcard::to_slice(&self.0, buf)
            .expect("BUF_LEN holds a kvm_lapic_state")
            .len()
    }
    fn from_postcard(bytes: &[u8]) -> Self {
        lapic::Lapic(postcard::from_bytes(bytes).expect("a kvm_lapic_state encoding"))
    }
    fn default_live() -> Self {
        lapic::default_live()
    }
    fn tampered(valid: &lapic::LapicHeader) -> Vec<lapic::LapicHeader> {
        lapic::tampered(valid)
    }
}

/// Everything one benchmark iterates over, set up once: the live object saved from, the header
/// restored from, the live object restored into, and the buffers of the floor and serde variants.
pub struct Bench<L: Subject> {
    /// The live object `save` reads.
    pub live: L,
    /// The header `save` writes and `restore` reads.
    pub hdr: L::Header,
    /// The live object `restore` writes.
    pub dst: L,
    /// The floor's source: a header's bytes as they would sit in an image.
    pub image: L::Header,
    /// serde + postcard: the encoding buffer.
    pub buf: Vec<u8>,
    /// serde + postcard: the length of `live`'s encoding in `buf`.
    pub len: usize,
}

impl<L: Subject> Bench<L> {
    /// Sets up the state, after `verify()` has proved the derived and hand-written copies agree.
    pub fn new() -> Self {
        verify::<L>();
        let live = L::sample();
        let mut hdr = L::Header::new_zeroed();
        hdr.save(&live);
        let mut buf = vec![0; BUF_LEN];
        let len = live.to_postcard(&mut buf);
        let image = L::Header::read_from_bytes(hdr.as_bytes()).expect("same type, same size");
        Bench {
            live,
            hdr,
            dst: L::sample(),
            image,
            buf,
            len,
        }
    }

    /// One iteration of `variant` doing `op`. Every input goes through `black_box`, every output
    /// is `black_box`ed, so the optimizer can neither hoist the work out of the loop nor drop it.
    #[inline(always)]
    pub fn run(&mut self, variant: Variant, op: Op) {
        match (variant, op) {
            (Variant::Derived, Op::Save) => derived_save(black_box(&mut self.hdr), black_box(&self.live)),
            (Variant::Derived, Op::Restore) => {
                let _ = black_box(derived_restore(black_box(&self.hdr), black_box(&mut self.dst)));
            }
            (Variant::Derived, Op::SaveRestore) => {
                derived_save(black_box(&mut self.hdr), black_box(&self.live));
                let _ = black_box(derived_restore(black_box(&self.hdr), black_box(&mut self.dst)));
            }
            (Variant::Hand, Op::Save) => hand_save(black_box(&mut self.hdr), black_box(&self.live)),
            (Variant::Hand, Op::Restore) => {
                let _ = black_box(hand_restore(black_box(&self.hdr), black_box(&mut self.dst)));
            }
            (Variant::Hand, Op::SaveRestore) => {
                hand_save(black_box(&mut self.hdr), black_box(&self.live));
                let _ = black_box(hand_restore(black_box(&self.hdr), black_box(&mut self.dst)));
            }
            (Variant::Bytes, Op::Save) => bytes_copy(black_box(&mut self.hdr), black_box(&self.image)),
            (Variant::Bytes, Op::Restore) => bytes_copy(black_box(&mut self.image), black_box(&self.hdr)),
            (Variant::Bytes, Op::SaveRestore) => {
                bytes_copy(black_box(&mut self.hdr), black_box(&self.image));
                bytes_copy(black_box(&mut self.image), black_box(&self.hdr));
            }
            (Variant::Postcard, Op::Save) => {
                black_box(postcard_save(black_box(&self.live), black_box(&mut self.buf)));
            }
            (Variant::Postcard, Op::Restore) => {
                postcard_restore(black_box(&self.buf[..self.len]), black_box(&mut self.dst))
            }
            (Variant::Postcard, Op::SaveRestore) => {
                let len = postcard_save(black_box(&self.live), black_box(&mut self.buf));
                postcard_restore(black_box(&self.buf[..len]), black_box(&mut self.dst));
            }
            (Variant::Empty, _) => {
                black_box(&mut self.hdr);
                black_box(&mut self.dst);
            }
        }
    }
}

/// What a benchmark loop runs: one iteration of a variant doing an operation ([`Bench`] for a
/// [`Subject`], `msr_list::ListBench` for a list).
pub trait Runs {
    /// One iteration (see [`Bench::run`]).
    fn run(&mut self, variant: Variant, op: Op);
}

impl<L: Subject> Runs for Bench<L> {
    #[inline(always)]
    fn run(&mut self, variant: Variant, op: Op) {
        Bench::run(self, variant, op)
    }
}

impl<L: Subject> Default for Bench<L> {
    fn default() -> Self {
        Self::new()
    }
}

// Each variant sits behind one non-inlined call, so every variant pays the same call overhead
// whether or not the optimizer would have inlined its body into the benchmark loop.

#[inline(never)]
fn derived_save<L: Subject>(hdr: &mut L::Header, src: &L) {
    hdr.save(src)
}

#[inline(never)]
fn derived_restore<L: Subject>(hdr: &L::Header, dst: &mut L) -> Result<(), Error> {
    hdr.restore(dst)
}

#[inline(never)]
fn hand_save<L: Subject>(hdr: &mut L::Header, src: &L) {
    L::hand_save(hdr, src)
}

#[inline(never)]
fn hand_restore<L: Subject>(hdr: &L::Header, dst: &mut L) -> Result<(), Error> {
    L::hand_restore(hdr, dst)
}

#[inline(never)]
fn bytes_copy<H: IntoBytes + FromBytes + zerocopy::Immutable>(dst: &mut H, src: &H) {
    dst.as_mut_bytes().copy_from_slice(src.as_bytes());
}

#[inline(never)]
fn postcard_save<L: Subject>(src: &L, buf: &mut [u8]) -> usize {
    src.to_postcard(buf)
}

#[inline(never)]
fn postcard_restore<L: Subject>(bytes: &[u8], dst: &mut L) {
    *dst = L::from_postcard(bytes);
}

/// Asserts that the derived and the hand-written copies agree: the same header from `save`, the
/// same live object from `restore`, and for tampered headers the same `Error` with the live
/// object untouched. Also checks that postcard round-trips the live object.
pub fn verify<L: Subject>() {
    let live = L::sample();

    let mut derived = L::Header::new_zeroed();
    derived.save(&live);
    let mut hand = L::Header::new_zeroed();
    L::hand_save(&mut hand, &live);
    assert_eq!(derived, hand, "{}: derived and hand-written save differ", L::NAME);

    let mut into_derived = L::default_live();
    let mut into_hand = L::default_live();
    assert_eq!(derived.restore(&mut into_derived), Ok(()));
    assert_eq!(L::hand_restore(&hand, &mut into_hand), Ok(()));
    assert_eq!(
        into_derived,
        into_hand,
        "{}: derived and hand-written restore differ",
        L::NAME
    );

    for (i, bad) in L::tampered(&derived).into_iter().enumerate() {
        let before = L::sample();
        let mut d = before.clone();
        let mut h = before.clone();
        let e_derived = bad.restore(&mut d);
        let e_hand = L::hand_restore(&bad, &mut h);
        assert!(e_derived.is_err(), "{}: tampered header {i} was accepted", L::NAME);
        assert_eq!(e_derived, e_hand, "{}: tampered header {i}: different errors", L::NAME);
        assert_eq!(d, before, "{}: tampered header {i}: derived restore wrote", L::NAME);
        assert_eq!(
            h,
            before,
            "{}: tampered header {i}: hand-written restore wrote",
            L::NAME
        );
    }

    let mut buf = vec![0; BUF_LEN];
    let len = live.to_postcard(&mut buf);
    assert_eq!(L::from_postcard(&buf[..len]), live, "{}: postcard round trip", L::NAME);
}
