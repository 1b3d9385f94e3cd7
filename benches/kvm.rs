//! The KVM snapshot's costs (issue 13), in one run, printed as tables for BENCHMARKS.md:
//!
//! 1. guest memory of 64 MiB and 512 MiB through the image: write (checksum + write into a buffer) and
//!    read (verify + copy into guest memory) against a plain `memcpy` of the same bytes;
//! 2. the vCPU state (every record, no ioctl): save + write and read + restore with cr, against
//!    kvm-bindings' own `serde` feature + postcard over the same structs (what Firecracker and Cloud
//!    Hypervisor do with serde), the same state round-tripped by both;
//! 3. snapshot to running again of the example VM (ioctls, file and VM creation included), where
//!    `/dev/kvm` can be opened.
//!
//! `cargo bench --bench kvm` (Linux x86-64).

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn main() {
    imp::main();
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
fn main() {}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod imp {
    use cr::kvm_x86_64::vm::{self, Config, GuestMemory};
    use cr::kvm_x86_64::{self as k, copy_xsave, VcpuHeaders, VcpuState};
    use cr_core::image::{Reader, Writer};
    use kvm_bindings::{
        kvm_debugregs, kvm_mp_state, kvm_msr_entry, kvm_regs, kvm_sregs, kvm_userspace_memory_region, kvm_vcpu_events,
        kvm_xcrs, kvm_xsave,
    };
    use serde::{Deserialize, Serialize};
    use std::hint::black_box;
    use std::time::{Duration, Instant};

    fn median(mut v: Vec<Duration>) -> Duration {
        v.sort();
        v[v.len() / 2]
    }

    fn gbps(bytes: usize, t: Duration) -> f64 {
        bytes as f64 / t.as_secs_f64() / 1e9
    }

    /// Guest memory through the image, against memcpy, one size.
    fn memory(size: usize, rounds: usize) {
        let mut guest = GuestMemory::new(size).expect("mmap");
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for chunk in guest.as_mut_slice().chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes());
        }
        let mut target = GuestMemory::new(size).expect("mmap");
        target.as_mut_slice().fill(1); // fault every page in before timing
        let region = kvm_userspace_memory_region {
            slot: 0,
            flags: 0,
            guest_phys_addr: 0,
            memory_size: size as u64,
            userspace_addr: 0,
        };
        let headers = VcpuHeaders::save(&state());
        let mut image: Vec<u8> = Vec::with_capacity(size + (64 << 10));
        // Touch the image buffer's pages once, as the copy target is touched.
        image = k::write_image(image, &region, &headers, guest.as_slice()).unwrap();

        let (mut copy, mut write, mut read) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            let t = Instant::now();
            target.as_mut_slice().copy_from_slice(black_box(guest.as_slice()));
            copy.push(t.elapsed());

            image.clear();
            let t = Instant::now();
            image = k::write_image(image, &region, &headers, black_box(guest.as_slice())).unwrap();
            write.push(t.elapsed());

            let t = Instant::now();
            let restored = k::read_image(black_box(&image), &region, &k::VcpuCaps::ARCHITECTURAL).unwrap();
            target.as_mut_slice().copy_from_slice(restored.memory);
            read.push(t.elapsed());
            assert_eq!(restored.vcpu, state());
        }
        assert!(target.as_slice() == guest.as_slice());
        let (copy, write, read) = (median(copy), median(write), median(read));
        println!(
            "| {} MiB | {:.2} GB/s | {:.2} GB/s | {:.2} GB/s | **{:.2}x** | **{:.2}x** |",
            size >> 20,
            gbps(size, copy),
            gbps(size, write),
            gbps(size, read),
            copy.as_secs_f64() / write.as_secs_f64(),
            copy.as_secs_f64() / read.as_secs_f64(),
        );
    }

    /// What a VMM keeps of a vCPU, with serde: the kvm-bindings structs themselves, serialized by their
    /// own `serde` feature (each as its bytes).
    #[derive(Serialize, Deserialize)]
    struct SerdeVcpu {
        regs: kvm_regs,
        sregs: kvm_sregs,
        xsave: kvm_xsave,
        xcrs: kvm_xcrs,
        debugregs: kvm_debugregs,
        events: kvm_vcpu_events,
        mp_state: kvm_mp_state,
        msrs: Vec<kvm_msr_entry>,
    }

    fn serde_save(s: &VcpuState, out: &mut [u8]) -> usize {
        let v = SerdeVcpu {
            regs: s.regs,
            sregs: s.sregs,
            xsave: copy_xsave(&s.xsave),
            xcrs: s.xcrs,
            debugregs: s.debugregs,
            events: s.events,
            mp_state: s.mp_state,
            msrs: s.msrs.clone(),
        };
        postcard::to_slice(&v, out).unwrap().len()
    }

    fn serde_restore(bytes: &[u8]) -> VcpuState {
        let v: SerdeVcpu = postcard::from_bytes(bytes).unwrap();
        VcpuState {
            regs: v.regs,
            sregs: v.sregs,
            xsave: v.xsave,
            xcrs: v.xcrs,
            debugregs: v.debugregs,
            events: v.events,
            mp_state: v.mp_state,
            msrs: v.msrs,
        }
    }

    fn cr_save(s: &VcpuState, out: &mut Vec<u8>) {
        out.clear();
        let mut w = Writer::new(std::mem::take(out), k::ARCH_X86_64).unwrap();
        k::write_vcpu(&mut w, &VcpuHeaders::save(s)).unwrap();
        *out = w.finish().unwrap();
    }

    fn cr_restore(bytes: &[u8]) -> VcpuState {
        let mut r = Reader::new(bytes, k::ARCH_X86_64).unwrap();
        let s = k::read_vcpu(&mut r, &k::VcpuCaps::ARCHITECTURAL).unwrap();
        r.finish().unwrap();
        s
    }

    /// A vCPU in 64-bit mode with recognisable registers, xmm state and the saved MSRs.
    fn state() -> VcpuState {
        let data = vm::segment(0x10, 3, 0, 1);
        let mut sregs = kvm_sregs {
            cs: vm::segment(8, 0xb, 1, 0),
            ds: data,
            es: data,
            fs: data,
            gs: data,
            ss: data,
            ..Default::default()
        };
        sregs.gdt.base = 0x500;
        sregs.gdt.limit = 23;
        sregs.cr0 = 0x8001_0033;
        sregs.cr3 = 0x2000;
        sregs.cr4 = 0x620;
        sregs.efer = 0x500;
        sregs.apic_base = 0xfee0_0900;
        let mut xsave = kvm_xsave::default();
        xsave.region[0] = 0x37f;
        xsave.region[6] = 0x1f80;
        for (i, w) in xsave.region[40..104].iter_mut().enumerate() {
            *w = 0x0101_0101 * i as u32;
        }
        xsave.region[128] = 3;
        let mut xcrs = kvm_xcrs {
            nr_xcrs: 1,
            ..Default::default()
        };
        xcrs.xcrs[0].value = 3;
        VcpuState {
            regs: kvm_regs {
                rax: 1,
                rbx: 2,
                rip: 0x1098,
                rsp: 0x8000,
                rflags: 0x46,
                r8: 0x0123_4567_89ab_cdef,
                ..Default::default()
            },
            sregs,
            xsave,
            xcrs,
            debugregs: kvm_debugregs {
                dr6: 0xffff_0ff0,
                dr7: 0x400,
                ..Default::default()
            },
            events: kvm_vcpu_events {
                flags: 0xd,
                ..Default::default()
            },
            mp_state: kvm_mp_state::default(),
            msrs: k::SAVED_MSRS
                .iter()
                .map(|&index| kvm_msr_entry {
                    index,
                    data: if index == k::MSR_IA32_CR_PAT {
                        0x0007_0406_0007_0406
                    } else {
                        u64::from(index) << 12
                    },
                    ..Default::default()
                })
                .collect(),
        }
    }

    fn per_iter(rounds: usize, n: u32, mut f: impl FnMut()) -> f64 {
        let mut v = Vec::new();
        for _ in 0..rounds {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            v.push(t.elapsed());
        }
        median(v).as_secs_f64() * 1e9 / f64::from(n)
    }

    fn vcpu_state() {
        let s = state();
        let mut cr_bytes = Vec::with_capacity(16 << 10);
        cr_save(&s, &mut cr_bytes);
        let mut serde_bytes = vec![0u8; 16 << 10];
        let n = serde_save(&s, &mut serde_bytes);
        // The same state round-trips through both.
        assert_eq!(cr_restore(&cr_bytes), s);
        assert_eq!(serde_restore(&serde_bytes[..n]), s);
        let (rounds, iters) = (31, 2000);
        let cr_save_ns = per_iter(rounds, iters, || cr_save(black_box(&s), &mut cr_bytes));
        let cr_restore_ns = per_iter(rounds, iters, || {
            black_box(cr_restore(black_box(&cr_bytes)));
        });
        let serde_save_ns = per_iter(rounds, iters, || {
            black_box(serde_save(black_box(&s), &mut serde_bytes));
        });
        let serde_restore_ns = per_iter(rounds, iters, || {
            black_box(serde_restore(black_box(&serde_bytes[..n])));
        });
        println!("| op | cr | serde + postcard | **cr / serde** |");
        println!("|---|---:|---:|---:|");
        println!(
            "| save (structs -> bytes) | {:.0} ns | {:.0} ns | **{:.3}** |",
            cr_save_ns,
            serde_save_ns,
            cr_save_ns / serde_save_ns
        );
        println!(
            "| restore (bytes -> checked structs) | {:.0} ns | {:.0} ns | **{:.3}** |",
            cr_restore_ns,
            serde_restore_ns,
            cr_restore_ns / serde_restore_ns
        );
        println!(
            "| save + restore | {:.0} ns | {:.0} ns | **{:.3}** |",
            cr_save_ns + cr_restore_ns,
            serde_save_ns + serde_restore_ns,
            (cr_save_ns + cr_restore_ns) / (serde_save_ns + serde_restore_ns)
        );
        println!("(image {} bytes with cr, {} bytes with postcard)", cr_bytes.len(), n);
    }

    fn snapshot_to_running() {
        let config = Config::default();
        let mut all = Vec::new();
        for _ in 0..7 {
            match vm::snapshot_restore(&config, &mut |_| {}) {
                Ok(o) => {
                    assert_eq!(o.restored.final_value, o.uninterrupted.final_value);
                    all.push(o.timings);
                }
                Err(vm::Failure::NoKvm(e)) => {
                    println!("(skipped: /dev/kvm cannot be opened: {e})");
                    return;
                }
                Err(e) => panic!("{e}"),
            }
        }
        all.sort_by_key(|t| t.snapshot_to_running());
        let t = all[all.len() / 2];
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "| {} MiB | {:.2} ms | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            config.mem_size >> 20,
            ms(t.snapshot_to_running()),
            ms(t.save_ioctls),
            ms(t.write_image),
            ms(t.destroy),
            ms(t.create),
            ms(t.read_file),
            ms(t.restore)
        );
    }

    pub fn main() {
        // `cargo bench` passes `--bench`; `cargo test --benches` runs this too: keep that short.
        let quick = !std::env::args().any(|a| a == "--bench");
        println!(
            "## 1. Guest memory through the image (median of {} rounds)",
            if quick { 1 } else { 9 }
        );
        println!(
            "| size | memcpy | write (CRC + write) | read (verify + copy) | **write / memcpy** | **read / memcpy** |"
        );
        println!("|---|---:|---:|---:|---:|---:|");
        if quick {
            memory(4 << 20, 1);
            return;
        }
        memory(64 << 20, 9);
        memory(512 << 20, 5);
        println!("\n## 2. vCPU state, no ioctl (median of 31 blocks of 2000)");
        vcpu_state();
        println!("\n## 3. Snapshot to running again (median of 7 runs)");
        println!("| guest memory | total | save ioctls | write image file | destroy VM | new VM | read file | check + restore |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|");
        snapshot_to_running();
    }
}
