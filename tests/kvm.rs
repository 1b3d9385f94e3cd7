//! Snapshot and restore of a KVM guest, as `examples/kvm_x86_64.rs` does it, and the validation of its
//! image without KVM. Where `/dev/kvm` cannot be opened the live tests say why on stderr and skip;
//! wherever it can they assert everything.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use cr::kvm_x86_64::vm::{self, segment, Config, Exit, Failure, Vm};
use cr::kvm_x86_64::{self as k, VcpuHeaders, VcpuState};
use cr_core::image::{Reader, HEAD_SIZE, RECORD_HEADER_SIZE as RECORD};
use cr_core::{Error, ErrorKind};

/// The checks that hold on any host: the architecture's widest vCPU.
const ARCH: &k::VcpuCaps = &k::VcpuCaps::ARCHITECTURAL;
use kvm_bindings::{kvm_msr_entry, kvm_segment, kvm_userspace_memory_region};

/// Runs the whole path; `None` (after saying why) where there is no KVM.
fn live(config: &Config) -> Option<vm::Outcome> {
    match vm::snapshot_restore(config, &mut |line| eprintln!("{line}")) {
        Ok(outcome) => Some(outcome),
        Err(Failure::NoKvm(e)) => {
            eprintln!("SKIPPED: /dev/kvm cannot be opened ({e}): no KVM on this machine");
            None
        }
        Err(e) => panic!("snapshot/restore failed: {e}"),
    }
}

/// What each tampered image of [`vm::tampered`] is refused for: the header field (the outermost, and the
/// innermost through nested headers), the kind, and whether the error carries an offset in the image.
fn expected_refusals() -> Vec<(&'static str, Option<&'static str>, Option<&'static str>, ErrorKind)> {
    let invalid = |reason| ErrorKind::Invalid { reason };
    let mask = |bits| ErrorKind::MaskViolation { bits };
    let non_canonical = invalid("non-canonical address (bits 63:47 differ)");
    vec![
        (
            "CR0.PG without CR0.PE",
            Some("cr0"),
            Some("cr0"),
            invalid("paging (PG) without protection (PE)"),
        ),
        (
            "an MSR outside the saved set (EFER, 0xc0000080)",
            Some("index"),
            Some("index"),
            invalid("not an MSR this VMM saves"),
        ),
        (
            "guest memory 4 KiB short of the slot",
            None,
            None,
            ErrorKind::BadLength {
                expected: 4 << 20,
                found: (4 << 20) - 4096,
            },
        ),
        (
            "EFER.LMA without EFER.LME",
            Some("efer"),
            Some("efer"),
            invalid("LMA set without LME and CR0.PG"),
        ),
        ("a reserved CR0 bit (bit 8)", Some("cr0"), Some("cr0"), mask(1 << 8)),
        ("CR0 bits 63:32", Some("cr0"), Some("cr0"), mask(1 << 40)),
        ("a reserved CR4 bit (bit 15)", Some("cr4"), Some("cr4"), mask(1 << 15)),
        (
            "EFER.SVME (nested virtualisation)",
            Some("efer"),
            Some("efer"),
            mask(1 << 12),
        ),
        (
            "long mode without CR4.PAE",
            Some("cr4"),
            Some("cr4"),
            invalid("long mode (EFER.LME and CR0.PG) without PAE"),
        ),
        ("a non-canonical FS base", Some("fs"), Some("base"), non_canonical),
        ("a non-canonical GDT base", Some("gdt"), Some("base"), non_canonical),
        (
            "segment padding not zero",
            Some("ss"),
            Some("padding"),
            ErrorKind::ReservedNotZero,
        ),
        (
            "dtable padding not zero",
            Some("idt"),
            Some("padding"),
            ErrorKind::ReservedNotZero,
        ),
        (
            "a reserved RFLAGS bit (bit 15)",
            Some("rflags"),
            Some("rflags"),
            mask(1 << 15),
        ),
        ("a non-canonical LSTAR", Some("data"), Some("data"), non_canonical),
        (
            "an MSR listed twice",
            Some("index"),
            Some("index"),
            invalid("an MSR listed twice"),
        ),
        (
            "MSR entry reserved word",
            Some("reserved"),
            Some("reserved"),
            ErrorKind::ReservedNotZero,
        ),
        (
            "a compacted XSAVE area",
            Some("region"),
            Some("region"),
            invalid("XSAVE header: compacted format (xcomp_bv not 0)"),
        ),
        (
            "XCR0 without x87",
            Some("xcrs"),
            Some("xcrs"),
            invalid("XCR0 without x87"),
        ),
        ("DR6 bits 63:32", Some("dr6"), Some("dr6"), mask(1 << 32)),
        ("the exception-payload flag", Some("flags"), Some("flags"), mask(0x10)),
        (
            "an MP state other than RUNNABLE",
            Some("mp_state"),
            Some("mp_state"),
            invalid("not RUNNABLE: the only state without an in-kernel APIC"),
        ),
        (
            "a memory slot of another size",
            Some("memory_size"),
            Some("memory_size"),
            invalid("not the size of the restoring VM's memory"),
        ),
        (
            "one bit of guest memory flipped in the file",
            None,
            None,
            ErrorKind::Corrupt,
        ),
    ]
}

fn refusal(e: &Error) -> (Option<&'static str>, Option<&'static str>, ErrorKind) {
    (e.field(), e.leaf_field(), e.kind())
}

#[test]
fn the_restored_guest_finishes_as_the_uninterrupted_one() {
    let config = Config::default();
    let Some(outcome) = live(&config) else { return };
    let k = config.snapshot_after;
    assert_eq!(outcome.uninterrupted.lines.len(), config.rounds as usize);
    assert_eq!(outcome.before, outcome.uninterrupted.lines[..k]);
    assert_eq!(outcome.restored.lines, outcome.uninterrupted.lines[k..]);
    assert_eq!(outcome.restored.final_value, outcome.uninterrupted.final_value);
    assert!(
        outcome.restored.lines[0].starts_with("f "),
        "{:?}",
        outcome.restored.lines
    );
    assert!(!outcome.image_path.exists(), "the image file is removed once read back");

    // The in-flight `out` was completed before the snapshot: RIP is past it (the guest's newline `out`
    // at 0x97 is one byte long), so the restored guest does not print the newline again.
    assert_eq!(outcome.saved.regs.rip, vm::CODE_ADDR + 0x98);
    assert_eq!(outcome.saved.sregs.efer & k::EFER_LMA, k::EFER_LMA);
    assert_eq!(outcome.saved.msrs.len(), k::SAVED_MSRS.len());

    // Every tampered image was refused, naming its field, before any ioctl, the VM untouched
    // (`reject_tampered` compares the VM before and after).
    let got: Vec<_> = outcome
        .rejections
        .iter()
        .map(|r| (r.tamper, refusal(&r.error)))
        .collect();
    let want: Vec<_> = expected_refusals()
        .into_iter()
        .map(|(t, f, l, kind)| (t, (f, l, kind)))
        .collect();
    assert_eq!(got, want);
}

/// Restores the snapshot of a default run into a new VM with `change` applied to the checked state, and
/// returns the final value; `None` without KVM.
fn restore_with(change: &dyn Fn(&mut VcpuState)) -> Option<(u64, u64)> {
    let config = Config::default();
    let kvm = match vm::open_kvm() {
        Ok(kvm) => kvm,
        Err(e) => {
            eprintln!("SKIPPED: {e}");
            return None;
        }
    };
    let uninterrupted = vm::run_uninterrupted(&kvm, &config).unwrap();
    let mut first = Vm::new(&kvm, config.mem_size).unwrap();
    first.boot(config.rounds).unwrap();
    assert_eq!(first.run(Some(config.snapshot_after)).unwrap(), Exit::Lines);
    first.complete_io().unwrap();
    let headers = VcpuHeaders::save(&first.save().unwrap());
    let image = k::write_image(Vec::new(), first.region(), &headers, first.memory()).unwrap();
    drop(first);

    let mut second = Vm::new(&kvm, config.mem_size).unwrap();
    let mut restored = k::read_image(&image, second.region(), &second.caps).unwrap();
    change(&mut restored.vcpu);
    second.apply(&restored).unwrap();
    match second.run(None).unwrap() {
        Exit::Halted(v) => Some((v, uninterrupted.final_value)),
        Exit::Lines => panic!("no halt"),
    }
}

#[test]
fn every_part_of_the_state_matters() {
    // The image as it is: the same result.
    let Some((same, want)) = restore_with(&|_| {}) else {
        return;
    };
    assert_eq!(same, want);
    // Without xmm0 (bytes 160..176 of the XSAVE area; u32 words 40..44), the result differs.
    let (no_xmm, _) = restore_with(&|s| s.xsave.region[40..44].fill(0)).unwrap();
    assert_ne!(no_xmm, want);
    // Without the STAR MSR.
    let (no_star, _) = restore_with(&|s| {
        let star = s.msrs.iter_mut().find(|m| m.index == k::MSR_STAR).unwrap();
        star.data = 0;
    })
    .unwrap();
    assert_ne!(no_star, want);
    // Without the hash register.
    let (no_r8, _) = restore_with(&|s| s.regs.r8 = 0).unwrap();
    assert_ne!(no_r8, want);
}

#[test]
fn without_the_io_completion_the_restored_guest_repeats_the_out() {
    let config = Config::default();
    let Ok(kvm) = vm::open_kvm() else {
        eprintln!("SKIPPED: /dev/kvm cannot be opened");
        return;
    };
    let mut first = Vm::new(&kvm, config.mem_size).unwrap();
    first.boot(config.rounds).unwrap();
    first.run(Some(config.snapshot_after)).unwrap();
    // No complete_io(): on hardware-assisted KVM, RIP still points at the `out`. A software-virtualised
    // KVM (kvm_pvm, which emulates this guest) may have moved it already; there is nothing to show then.
    let state = first.save().unwrap();
    if state.regs.rip != vm::CODE_ADDR + 0x97 {
        assert_eq!(state.regs.rip, vm::CODE_ADDR + 0x98);
        eprintln!("NOTE: this KVM completes the `out` before the exit; the repeat cannot be shown here");
        return;
    }
    let image = k::write_image(Vec::new(), first.region(), &VcpuHeaders::save(&state), first.memory()).unwrap();
    let mut second = Vm::new(&kvm, config.mem_size).unwrap();
    second.restore(&image).unwrap();
    second.run(Some(1)).unwrap();
    assert_eq!(second.output, b"\n", "the newline is printed a second time");
}

// ---------------------------------------------------------------------------------------------
// Without KVM: the image and its checks on a synthetic long-mode vCPU.
// ---------------------------------------------------------------------------------------------

/// A vCPU in 64-bit mode, as the example boots it, with every MSR of the saved set.
fn long_mode() -> VcpuState {
    let data = segment(0x10, 3, 0, 1);
    let mut sregs = kvm_bindings::kvm_sregs {
        cs: segment(8, 0xb, 1, 0),
        ..Default::default()
    };
    (sregs.ds, sregs.es, sregs.fs, sregs.gs, sregs.ss) = (data, data, data, data, data);
    sregs.tr = kvm_segment {
        type_: 0xb,
        s: 0,
        ..segment(0, 0, 0, 0)
    };
    sregs.ldt = kvm_segment {
        type_: 2,
        s: 0,
        ..segment(0, 0, 0, 0)
    };
    sregs.gdt.base = 0x500;
    sregs.gdt.limit = 23;
    sregs.cr0 = k::CR0_PE | k::CR0_PG | k::CR0_ET | k::CR0_NE;
    sregs.cr3 = 0x2000;
    sregs.cr4 = k::CR4_PAE | (1 << 9);
    sregs.efer = k::EFER_LME | k::EFER_LMA;
    sregs.apic_base = 0xfee0_0900;
    let mut xsave = kvm_bindings::kvm_xsave::default();
    xsave.region[0] = 0x37f;
    xsave.region[6] = 0x1f80;
    xsave.region[40] = 0xdead_beef; // xmm0
    let mut xcrs = kvm_bindings::kvm_xcrs {
        nr_xcrs: 1,
        ..Default::default()
    };
    xcrs.xcrs[0].value = 1;
    VcpuState {
        regs: kvm_bindings::kvm_regs {
            rip: 0x1098,
            rflags: 0x46,
            r8: 0x1234,
            ..Default::default()
        },
        sregs,
        xsave,
        xcrs,
        debugregs: kvm_bindings::kvm_debugregs {
            dr6: 0xffff_0ff0,
            dr7: 0x400,
            ..Default::default()
        },
        events: kvm_bindings::kvm_vcpu_events {
            flags: 0xd,
            ..Default::default()
        },
        mp_state: kvm_bindings::kvm_mp_state::default(),
        msrs: k::SAVED_MSRS
            .iter()
            .map(|&index| kvm_msr_entry {
                index,
                // PAT at its reset value; the others recognisable (and canonical).
                data: if index == k::MSR_IA32_CR_PAT {
                    0x0007_0406_0007_0406
                } else {
                    u64::from(index) << 8
                },
                ..Default::default()
            })
            .collect(),
    }
}

fn slot(size: u64) -> kvm_userspace_memory_region {
    kvm_userspace_memory_region {
        slot: 0,
        flags: 0,
        guest_phys_addr: 0,
        memory_size: size,
        userspace_addr: 0x7f00_0000_0000,
    }
}

#[test]
fn a_long_mode_vcpu_round_trips_through_the_image() {
    let state = long_mode();
    let memory: Vec<u8> = (0..8192u32).map(|i| (i * 7) as u8).collect();
    let image = k::write_image(Vec::new(), &slot(8192), &VcpuHeaders::save(&state), &memory).unwrap();
    let restored = k::read_image(&image, &slot(8192), ARCH).unwrap();
    assert_eq!(restored.vcpu, state);
    assert_eq!(restored.memory, &memory[..]);
    assert_eq!(
        restored.region,
        slot(8192),
        "the restoring process's own host address is kept"
    );
    // The memory is borrowed from the image, not copied.
    let at = image.len() - RECORD - memory.len();
    assert_eq!(restored.memory.as_ptr(), image[at..].as_ptr());
    // A restoring VM with another slot size refuses it.
    let err = k::read_image(&image, &slot(16384), ARCH).unwrap_err();
    assert_eq!(err.field(), Some("memory_size"));
}

#[test]
fn every_tampered_image_is_refused_as_the_live_run_refuses_it() {
    let state = long_mode();
    let memory = vec![0u8; 4 << 20];
    let images = vm::tampered(&slot(4 << 20), &VcpuHeaders::save(&state), &memory);
    let want = expected_refusals();
    assert_eq!(images.len(), want.len());
    for ((tamper, image), (name, field, leaf, kind)) in images.iter().zip(want) {
        assert_eq!(*tamper, name);
        let err = k::read_image(image, &slot(4 << 20), ARCH).expect_err(tamper);
        assert_eq!(refusal(&err), (field, leaf, kind), "{tamper}: {err}");
    }
}

#[test]
fn errors_name_the_route_and_the_msr_entry() {
    let state = long_mode();
    let memory = vec![0u8; 4096];
    let headers = VcpuHeaders::save(&state);
    let image = |h: &VcpuHeaders| k::write_image(Vec::new(), &slot(4096), h, &memory).unwrap();
    let mut h = headers.clone();
    h.sregs.fs.base = 0x0000_8000_0000_0000;
    assert_eq!(
        k::read_image(&image(&h), &slot(4096), ARCH).unwrap_err().to_string(),
        "header field `fs.base` (live `sregs.fs.base`) is invalid: non-canonical address (bits 63:47 differ)"
    );
    let mut h = headers.clone();
    h.events.exception.has_error_code = 2;
    assert_eq!(
        k::read_image(&image(&h), &slot(4096), ARCH).unwrap_err().to_string(),
        "header field `exception.has_error_code` (live `events.exception.has_error_code`) has bits 0x2 set outside its strict mask"
    );
    // The MSR error's offset is its entry in the list record.
    let mut h = headers.clone();
    h.msrs[7].index = 0x1b; // IA32_APIC_BASE: not in the saved set
    let bytes = image(&h);
    let err = k::read_image(&bytes, &slot(4096), ARCH).unwrap_err();
    let mut r = Reader::new(&bytes, k::ARCH_X86_64).unwrap();
    while r
        .peek()
        .unwrap()
        .is_some_and(|i| i.ty != cr_core::image::LIST + k::CR_HDR_KVM_MSR)
    {
        r.skip().unwrap();
    }
    let list_payload = r.offset() + RECORD as u64;
    assert_eq!(err.offset(), Some(list_payload + 7 * 16));
    assert_eq!(
        err.to_string(),
        format!(
            "header field `index` (live `index`) is invalid: not an MSR this VMM saves (at byte {})",
            list_payload + 112
        )
    );
}

#[test]
fn validators_follow_kvm() {
    let ok = |s: &VcpuState| VcpuHeaders::save(s).restore(ARCH);
    assert!(ok(&long_mode()).is_ok());
    let refused = |f: &dyn Fn(&mut VcpuState)| {
        let mut s = long_mode();
        f(&mut s);
        ok(&s).expect_err("accepted").to_string()
    };
    // Not in long mode: a 64-bit code segment or LMA is refused, a 32-bit protected-mode vCPU is fine.
    let mut protected = long_mode();
    protected.sregs.efer = 0;
    protected.sregs.cr0 &= !k::CR0_PG;
    protected.sregs.cs.l = 0;
    protected.sregs.cs.db = 1;
    assert!(ok(&protected).is_ok());
    assert!(refused(&|s| s.sregs.efer = k::EFER_LMA).contains("LMA set without LME"));
    assert!(refused(&|s| {
        s.sregs.efer = 0;
        s.sregs.cr0 &= !k::CR0_PG;
    })
    .contains("a 64-bit code segment outside long mode"));
    assert!(refused(&|s| s.sregs.efer &= !k::EFER_LMA).contains("LME and CR0.PG set but LMA clear"));
    assert!(refused(&|s| s.sregs.cr0 |= k::CR0_NW).contains("NW"));
    assert!(refused(&|s| s.sregs.cs.db = 1).contains("L and D/B both set"));
    assert!(refused(&|s| s.sregs.cr8 = 0x10).contains("`cr8`"));
    assert!(refused(&|s| s.sregs.cr3 = 1 << 60).contains("MAXPHYADDR"));
    assert!(refused(&|s| s.sregs.apic_base |= 1).contains("apic_base"));
    assert!(refused(&|s| s.sregs.apic_base = 0xfee0_0400).contains("x2APIC enabled with the APIC disabled"));
    assert!(refused(&|s| s.sregs.interrupt_bitmap = [1, 0, 1 << 5, 0]).contains("more than one pending interrupt"));
    assert!(ok(&{
        let mut s = long_mode();
        s.sregs.interrupt_bitmap[2] = 1 << 5;
        s
    })
    .is_ok());
    assert!(refused(&|s| s.regs.rflags = 0).contains("bit 1 is clear"));
    assert!(refused(&|s| s.xsave.region[6] = 0x1_0000).contains("MXCSR"));
    assert!(refused(&|s| s.xsave.region[128] = 1 << 8).contains("supervisor or unknown components"));
    assert!(refused(&|s| s.xsave.region[132] = 1).contains("reserved words"));
    assert!(refused(&|s| s.xcrs.xcrs[0].value = 0b101).contains("AVX without SSE"));
    assert!(refused(&|s| s.xcrs.xcrs[0].value = 0b10_0111).contains("AVX-512"));
    assert!(refused(&|s| s.xcrs.xcrs[0].xcr = 1).contains("other than XCR0"));
    assert!(refused(&|s| s.xcrs.nr_xcrs = 17).contains("KVM_MAX_XCRS"));
    assert!(refused(&|s| s.xcrs.xcrs[3].value = 1).contains("past nr_xcrs"));
    assert!(refused(&|s| s.debugregs.flags = 1).contains("`flags`"));
    assert!(refused(&|s| s.debugregs.dr7 = 1 << 40).contains("`dr7`"));
    assert!(refused(&|s| {
        s.events.exception.injected = 1;
        s.events.exception.nr = 2;
    })
    .contains("NMI vector"));
    assert!(refused(&|s| s.events.exception.pending = 1).contains("PAYLOAD"));
    assert!(refused(&|s| s.events.triple_fault.pending = 1).contains("TRIPLE_FAULT"));
    assert!(refused(&|s| s.msrs[4].data = 0x0202_0202_0202_0202).contains("PAT"));
    assert!(refused(&|s| s.msrs[2].data = 1 << 50).contains("non-canonical"));
    assert!(refused(&|s| s.sregs.idt.base = 0xffff_7fff_0000_0000).contains("non-canonical"));
    // Canonical kernel addresses are fine.
    let mut high = long_mode();
    high.sregs.gs.base = 0xffff_8880_0000_0000;
    high.msrs[6].data = 0xffff_ffff_8100_0000;
    assert!(ok(&high).is_ok());
}

#[test]
fn every_bit_flip_and_cut_of_the_vcpu_records_is_refused() {
    let memory = vec![0x5a; 4096];
    let image = k::write_image(Vec::new(), &slot(4096), &VcpuHeaders::save(&long_mode()), &memory).unwrap();
    let memory_at = image.len() - RECORD - memory.len();
    // Every bit of everything but the bulk memory (whose payload checksum covers it), and a stride of it.
    let bits = (0..memory_at).chain((memory_at..image.len()).step_by(97));
    for at in bits {
        for bit in 0..8 {
            let mut bad = image.clone();
            bad[at] ^= 1 << bit;
            let err = k::read_image(&bad, &slot(4096), ARCH).expect_err("a flipped bit was read");
            assert!(err.kind().is_image(), "byte {at} bit {bit}: {err}");
            assert!(
                err.offset().is_some_and(|o| o <= at as u64),
                "byte {at} bit {bit}: {err}"
            );
        }
    }
    for len in (0..image.len()).step_by(7) {
        let err = k::read_image(&image[..len], &slot(4096), ARCH).expect_err("a cut image was read");
        assert!(err.offset().is_some(), "{len}: {err}");
    }
    assert!(HEAD_SIZE < memory_at);
}

#[test]
fn the_dump_names_segments_lists_msrs_and_summarises_memory() {
    let memory = vec![0u8; 8192];
    let image = k::write_image(Vec::new(), &slot(8192), &VcpuHeaders::save(&long_mode()), &memory).unwrap();
    let mut out = String::new();
    vm::dump(&image, &mut out).unwrap();
    let has = |words: &[&str]| out.lines().any(|l| l.split_whitespace().eq(words.iter().copied()));
    assert!(has(&["cs.l", "sregs.cs.l", "0x1"]), "{out}");
    assert!(has(&["gdt.base", "sregs.gdt.base", "0x500"]), "{out}");
    assert!(has(&["efer", "sregs.efer", "0x500"]), "{out}");
    assert!(
        out.contains("type LIST+39 (list of CrHdrKvmMsr), version 1, parent 0, 160 bytes"),
        "{out}"
    );
    assert!(has(&["10", "entries"]), "{out}");
    assert!(has(&["index", "index", "0xc0000081"]), "{out}");
    assert!(
        out.contains("type BYTES+1 (bytes), version 1, parent 0, 8192 bytes"),
        "{out}"
    );
    assert!(out.contains("    8192 bytes (8192 zero), crc32c 0x"), "{out}");
    assert!(out.lines().last().unwrap().ends_with("end"), "{out}");
}

#[test]
fn live_migration_over_localhost_tcp() {
    let config = Config::default();
    let Ok(kvm) = vm::open_kvm() else {
        eprintln!("SKIPPED: /dev/kvm cannot be opened");
        return;
    };
    let reference = vm::run_uninterrupted(&kvm, &config).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let receiver = std::thread::spawn(move || vm::receive(&listener, &config));
    let before = vm::send(&addr, &config).unwrap();
    let after = receiver.join().unwrap().unwrap();
    assert_eq!(before, reference.lines[..config.snapshot_after]);
    assert_eq!(after.lines, reference.lines[config.snapshot_after..]);
    assert_eq!(after.final_value, reference.final_value);
}
