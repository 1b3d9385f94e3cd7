//! cr's checks against the kernel's, in a short form: the differential test of
//! `cr::kvm_x86_64::kernelcheck` on 2 000 mutated states per struct (the vCPU's, the LAPIC, each irqchip,
//! the PIT, the clock) (the full run of 100 000 is
//! `cargo run --release --example kvm_kernelcheck`, RELIABILITY.md), the destination's capabilities
//! refusing a migration to a vCPU that lacks a feature, and the two kernel behaviours cr works around.
//! Where `/dev/kvm` cannot be opened the live tests say why on stderr and skip.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use cr::kvm_x86_64::kernelcheck::{self as kc, Rng, Scratch, Seed, Tally};
use cr::kvm_x86_64::{self as k, EventsOn, SregsOn, VcpuCaps, VcpuHeaders};
use cr_core::{CrCopy, ErrorKind};
use cr_vmm::scenario::{self as vm, Config};
use cr_vmm::vm::open_kvm;
use kvm_bindings::{kvm_sregs, kvm_vcpu_events, KVM_VCPUEVENT_VALID_SHADOW, KVM_VCPUEVENT_VALID_SMM};
use kvm_ioctls::{Kvm, VcpuExit};

/// KVM, the example guest's real states and a scratch vCPU; `None` (after saying why) without KVM.
fn live() -> Option<(Kvm, Vec<Seed>, Scratch)> {
    let kvm = match open_kvm() {
        Ok(kvm) => kvm,
        Err(e) => {
            eprintln!("SKIPPED: {e}: no KVM on this machine, nothing to compare cr's checks against");
            return None;
        }
    };
    let seeds = vm::example_states(&kvm, &Config::default()).expect("the example guest runs");
    let scratch = Scratch::new(&kvm).expect("a scratch VM");
    Some((kvm, seeds, scratch))
}

/// Every subject's tally over `states` mutated states, against the scratch vCPU's capabilities.
fn tallies(kvm: &Kvm, seeds: &[Seed], scratch: &mut Scratch, states: u64) -> Vec<(&'static str, Tally)> {
    let subjects = kc::subjects();
    let mut rng = Rng::new(23);
    (0..subjects.len())
        .map(|i| {
            let t = kc::run(kvm, scratch, &subjects, i, seeds, states, &mut rng).expect("the run completes");
            (subjects[i].name, t)
        })
        .collect()
}

#[test]
fn cr_never_accepts_a_state_the_kernel_refuses() {
    let Some((kvm, seeds, mut scratch)) = live() else {
        return;
    };
    for (name, t) in tallies(&kvm, &seeds, &mut scratch, 2000) {
        eprint!("{}{}", kc::markdown(name, &t), kc::details(name, &t));
        assert_eq!(t.tried, 2000, "{name}");
        assert_eq!(
            t.both_accept + t.both_refuse + t.cr_stricter_total() + t.kernel_stricter,
            t.tried
        );
        assert_eq!(
            t.kernel_stricter, 0,
            "{name}: cr accepted states KVM refused: {:?}",
            t.escapes
        );
        // The mutations reach both sides: states both accept, and states only cr refuses.
        assert!(t.both_accept > 0 && t.cr_stricter_total() > 0, "{name}: {t:?}");
    }
}

#[test]
fn against_the_architectures_widest_vcpu_cr_would_accept_what_this_kernel_refuses() {
    // The same run with VcpuCaps::ARCHITECTURAL (the checks before they knew the destination) finds
    // states that get past cr and not past KVM: the harness can see an escape, and the capabilities are
    // what close it.
    let Some((kvm, seeds, mut scratch)) = live() else {
        return;
    };
    if scratch.caps == VcpuCaps::ARCHITECTURAL {
        eprintln!("SKIPPED: this vCPU has every capability the architecture allows: nothing to tell apart");
        return;
    }
    scratch.caps = VcpuCaps::ARCHITECTURAL;
    let escapes: u64 = tallies(&kvm, &seeds, &mut scratch, 2000)
        .iter()
        .map(|(_, t)| t.kernel_stricter)
        .sum();
    assert!(
        escapes > 0,
        "no escape without the destination's capabilities: the harness cannot tell"
    );
}

#[test]
fn every_real_state_restores_through_cr_unchanged_and_kvm_takes_it() {
    let Some((_kvm, seeds, mut scratch)) = live() else {
        return;
    };
    let subjects = kc::subjects();
    for seed in &seeds {
        for s in &subjects {
            let bytes = (s.of)(seed);
            // The headers mirror the live structs byte for byte: cr's restored struct is the real one.
            assert_eq!((s.cr)(&bytes, &scratch.caps, seed).as_ref(), Ok(&bytes), "{}", s.name);
        }
        kc::reset(&mut scratch, &subjects, seed).expect("KVM takes every real state");
        // And the whole vCPU through the image headers.
        assert_eq!(VcpuHeaders::save(&seed.vcpu).restore(&scratch.caps).unwrap(), seed.vcpu);
    }
}

#[test]
fn the_capabilities_come_from_cpuid() {
    // No CPUID at all: the architecture's defaults (36-bit addresses) and no feature.
    let none = VcpuCaps::from_cpuid(&[], false, false);
    assert_eq!((none.maxphyaddr, none.xcr0, none.x2apic), (36, k::XFEATURE_FP, false));
    assert_eq!(
        none.cr4 & (1 << 12 | 1 << 17 | 1 << 18),
        0,
        "LA57, PCIDE, OSXSAVE need CPUID bits"
    );
    let entry = |function, index, eax, ebx, ecx, edx| kvm_bindings::kvm_cpuid_entry2 {
        function,
        index,
        eax,
        ebx,
        ecx,
        edx,
        ..Default::default()
    };
    let caps = VcpuCaps::from_cpuid(
        &[
            entry(1, 0, 0, 0, 1 << 26 | 1 << 21, 0),
            entry(7, 0, 0, 0, 1 << 16, 0),
            entry(0xd, 0, 0x207, 0, 0, 0),
            entry(0x8000_0008, 0, 0x3039, 0, 0, 0),
        ],
        true,
        true,
    );
    assert_eq!(
        (caps.maxphyaddr, caps.xcr0, caps.x2apic, caps.smm),
        (0x39, 0x207, true, true)
    );
    assert_ne!(caps.cr4 & 1 << 12, 0, "LA57 from CPUID.7.0:ECX[16]");
    assert_ne!(caps.cr4 & 1 << 18, 0, "OSXSAVE from CPUID.1:ECX[26]");
    assert_eq!(caps.cr4 & 1 << 17, 0, "no PCID");
    assert!(caps.xcr0_refusal(0xe7).unwrap().starts_with("AVX-512 state"));
    assert!(caps.beyond_maxphyaddr(1 << 57) && !caps.beyond_maxphyaddr((1 << 57) - 1));
}

#[test]
fn a_snapshot_with_state_the_restoring_vcpu_lacks_is_refused_before_any_ioctl() {
    let Some((kvm, seeds, scratch)) = live() else {
        return;
    };
    let snapshot = &seeds[2].vcpu;
    let caps = scratch.caps;
    // A host with AVX-512 saved XCR0 = x87|SSE|AVX|AVX-512; the restoring host has no AVX-512.
    let without_avx512 = VcpuCaps {
        xcr0: caps.xcr0 & !k::XFEATURE_AVX512,
        ..caps
    };
    let mut headers = VcpuHeaders::save(snapshot);
    headers.xcrs.xcrs[0].value = 0xe7;
    let err = headers.restore(&without_avx512).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header field `xcrs` (live `xcrs.xcrs`) is invalid: AVX-512 state, which the restoring vCPU does not \
         support (CPUID leaf 0xd)"
    );
    assert!(
        headers.restore(&VcpuCaps::ARCHITECTURAL).is_ok(),
        "the same image is valid on a wider host"
    );
    // The XSAVE area that goes with it: AVX-512 components in its header.
    let mut headers = VcpuHeaders::save(snapshot);
    headers.xsave.region.xstate_bv |= k::XFEATURE_AVX512;
    let err = headers.restore(&without_avx512).unwrap_err();
    assert_eq!(
        (err.field(), err.kind()),
        (
            Some("region"),
            ErrorKind::Invalid {
                reason: k::caps::XCR0_FEATURES[2].1
            }
        )
    );

    // On this very host: a component its KVM lacks (the first of MPX, AVX-512, PKRU, AMX), refused by cr
    // with the field named, and by KVM with a bare EINVAL.
    let Some((bits, why)) = k::caps::XCR0_FEATURES[1..5]
        .iter()
        .find(|(bits, _)| caps.xcr0 & bits == 0)
    else {
        eprintln!("SKIPPED (last part): this vCPU supports every XCR0 component");
        return;
    };
    let mut headers = VcpuHeaders::save(snapshot);
    let xcr0 = headers.xcrs.xcrs[0].value
        | bits
        | if *bits == k::XFEATURE_AVX512 {
            k::XFEATURE_YMM
        } else {
            0
        };
    headers.xcrs.xcrs[0].value = xcr0;
    let err = headers.restore(&caps).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid { reason: why });
    let mut xcrs = snapshot.xcrs;
    xcrs.xcrs[0].value = xcr0;
    let refused = scratch.vcpu.set_xcrs(&xcrs).unwrap_err();
    assert_eq!(refused.errno(), libc::EINVAL, "KVM refuses XCR0 {xcr0:#x}");
    drop(kvm);
}

#[test]
fn kvm_refuses_smm_state_only_after_writing_the_other_events_and_cr_refuses_it_first() {
    let Some((_kvm, seeds, mut scratch)) = live() else {
        return;
    };
    if scratch.caps.smm {
        eprintln!("SKIPPED: this kernel has SMM (KVM_CAP_X86_SMM), so KVM_SET_VCPU_EVENTS takes SMM state");
        return;
    }
    kc::reset(&mut scratch, &kc::subjects(), &seeds[2]).unwrap();
    let before = scratch.vcpu.get_vcpu_events().unwrap();
    let mut events = before;
    events.exception.injected = 1;
    events.exception.nr = 6; // #UD
    events.nmi.injected = 1;
    events.interrupt.shadow = 1;
    events.flags |= KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM;
    events.smi.smm = 1;

    // cr: refused before any ioctl, the field named.
    let mut fresh = kvm_vcpu_events::default();
    let err = VcpuHeaders::save(&k::VcpuState {
        events,
        ..seeds[2].vcpu.clone()
    })
    .events
    .restore(&mut EventsOn {
        events: &mut fresh,
        caps: &scratch.caps,
    })
    .unwrap_err();
    assert_eq!(err.field(), Some("smi"));
    assert_eq!(fresh, kvm_vcpu_events::default(), "nothing written");

    // KVM: EINVAL, and the vCPU keeps the exception, NMI and shadow of the refused call.
    assert_eq!(scratch.vcpu.set_vcpu_events(&events).unwrap_err().errno(), libc::EINVAL);
    let after = scratch.vcpu.get_vcpu_events().unwrap();
    assert_ne!(
        after, before,
        "the refused call changed nothing: KVM now checks SMM first"
    );
    assert_eq!(
        (after.exception.injected, after.exception.nr, after.nmi.injected),
        (1, 6, 1)
    );
}

#[test]
fn legacy_paging_is_refused_where_kvm_would_clear_pg_and_shut_the_guest_down() {
    let Some((_kvm, seeds, scratch)) = live() else {
        return;
    };
    let mut sregs: kvm_sregs = seeds[0].vcpu.sregs; // the vCPU at reset: real mode
    sregs.cr0 |= k::CR0_PE | k::CR0_PG;
    sregs.cr0 &= !(k::CR0_CD | k::CR0_NW);
    let hdr = VcpuHeaders::save(&k::VcpuState {
        sregs,
        ..seeds[0].vcpu.clone()
    })
    .sregs;
    let on = |caps| {
        let mut fresh = kvm_sregs::default();
        hdr.restore(&mut SregsOn {
            sregs: &mut fresh,
            caps,
        })
    };
    assert!(
        on(&VcpuCaps::ARCHITECTURAL).is_ok(),
        "32-bit paging is architecturally valid"
    );
    if scratch.caps.legacy_paging {
        eprintln!("SKIPPED (the KVM part): this KVM runs legacy paging, and cr accepts it here too");
        assert!(on(&scratch.caps).is_ok());
        return;
    }
    let err = on(&scratch.caps).unwrap_err();
    assert_eq!(err.field(), Some("cr0"));
    assert!(err.to_string().contains("paging outside long mode"), "{err}");

    // KVM takes it, clears CR0.PG and the next KVM_RUN ends in a shutdown (the triple fault).
    let mut vcpu = scratch.vcpu;
    vcpu.set_sregs(&sregs).expect("KVM accepts legacy paging sregs");
    assert_eq!(vcpu.get_sregs().unwrap().cr0 & k::CR0_PG, 0, "KVM kept CR0.PG");
    assert!(matches!(vcpu.run(), Ok(VcpuExit::Shutdown)), "no triple fault");
}

#[test]
fn kvm_recomputes_the_lapic_ppr_and_cr_refuses_one_it_would_replace() {
    let Some((_kvm, seeds, mut scratch)) = live() else {
        return;
    };
    let subjects = kc::subjects();
    let lapic_subject = subjects.iter().find(|s| s.name == "kvm_lapic_state").unwrap();
    let seed = &seeds[5]; // vCPU 1 at the snapshot, x2APIC mode
    kc::reset(&mut scratch, &subjects, seed).unwrap();
    let want = k::save_lapic(&seed.lapic).processor_priority();
    let mut lapic = seed.lapic;
    lapic.regs[0xa0] = (want ^ 0x40) as i8; // a PPR that TPR and ISR do not give

    // cr: refused before any ioctl, the register named.
    let hdr = k::save_lapic(&lapic);
    let err = k::restore_lapic(&hdr, seed.vcpu_id, seed.vcpu.sregs.apic_base).unwrap_err();
    assert_eq!(err.field(), Some("ppr"), "{err}");

    // KVM: takes it, and reads back the PPR it computed itself.
    (lapic_subject.set)(&scratch, zerocopy::IntoBytes::as_bytes(&lapic)).expect("KVM_SET_LAPIC takes any PPR");
    let got = (lapic_subject.get)(&scratch, &[]).unwrap();
    assert_eq!(u32::from(got[0xa0]), want, "KVM kept the PPR it was given");
}
