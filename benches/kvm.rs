//! The KVM snapshot's costs (issues 13 and 23), in one run, printed as tables for BENCHMARKS.md:
//!
//! 1. guest memory of 64 MiB and 512 MiB through the whole-VM image (`cr_vmm::sample`'s state): write
//!    (checksum + write into a buffer) and read (verify, restore every header + copy into guest memory)
//!    against a plain `memcpy` of the same bytes;
//! 2. the vCPU state (every record, no ioctl), the same state round-tripped by all three: cr (save + write,
//!    read + every check + restore), against Firecracker's snapshot path (kvm-bindings' `serde` feature,
//!    `bitcode::serialize`, the `crc64` crate's CRC-64 appended; on load the CRC over everything, then
//!    `bitcode::deserialize`) and against the floor (one copy of the bytes and one CRC-32C pass each way),
//!    and floor2 (the floor with cr's copies: through a header-sized value, into a zeroed struct);
//!    then (section 2b) the same three on the whole VM's state (two vCPUs with their LAPICs, the three
//!    irqchips, the PIT, the clock, the serial port; no guest memory);
//! 3. snapshot to running again of the example VM (two vCPUs, irqchip, PIT, serial port; the pause,
//!    ioctls, file and VM creation included) with its parts, and cr's own share of it, where `/dev/kvm`
//!    can be opened.
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
    use cr::kvm_x86_64::{self as k, copy_xsave, VcpuHeaders, VcpuState};
    use cr_core::image::{Reader, Writer};
    use cr_vmm::guest::VCPUS;
    use cr_vmm::image;
    use cr_vmm::sample;
    use cr_vmm::scenario::{self, Config};
    use cr_vmm::state::Headers;
    use cr_vmm::state::{Snapshot, VcpuSnapshot, VmState};
    use cr_vmm::sys::GuestMemory;
    use kvm_bindings::{
        kvm_clock_data, kvm_debugregs, kvm_irqchip, kvm_lapic_state, kvm_mp_state, kvm_msr_entry, kvm_pit_state2,
        kvm_regs, kvm_sregs, kvm_userspace_memory_region, kvm_vcpu_events, kvm_xcrs, kvm_xsave,
    };
    use serde::{Deserialize, Serialize};
    use std::hint::black_box;
    use std::time::{Duration, Instant};
    use vm_superio::serial::SerialState;
    use zerocopy::{FromBytes, IntoBytes};

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
        let headers = Headers::save(&sample::snapshot());
        let mut image: Vec<u8> = Vec::with_capacity(size + (64 << 10));
        // Touch the image buffer's pages once, as the copy target is touched.
        image = image::write_image(image, &region, &headers, guest.as_slice()).unwrap();

        let (mut copy, mut write, mut read) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            let t = Instant::now();
            target.as_mut_slice().copy_from_slice(black_box(guest.as_slice()));
            copy.push(t.elapsed());

            image.clear();
            let t = Instant::now();
            image = image::write_image(image, &region, &headers, black_box(guest.as_slice())).unwrap();
            write.push(t.elapsed());

            let t = Instant::now();
            let restored = image::read_image(black_box(&image), &region, VCPUS, &k::VcpuCaps::ARCHITECTURAL).unwrap();
            target.as_mut_slice().copy_from_slice(restored.memory);
            read.push(t.elapsed());
            assert_eq!(restored.snapshot, sample::snapshot());
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
    /// own `serde` feature (each as its bytes), as Firecracker's `VcpuState` holds them.
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

    /// Firecracker's `Snapshot::save`: bitcode over serde, then the CRC-64 of the bytes appended.
    fn firecracker_save(s: &VcpuState, out: &mut Vec<u8>) {
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
        out.clear();
        out.extend_from_slice(&bitcode::serialize(&v).unwrap());
        let crc = crc64::crc64(0, out);
        out.extend_from_slice(&crc.to_le_bytes());
    }

    /// Firecracker's `Snapshot::load`: bitcode over the bytes but the CRC, then the CRC-64 over all of them
    /// (0 when the appended CRC matches).
    fn firecracker_restore(bytes: &[u8]) -> VcpuState {
        let v: SerdeVcpu = bitcode::deserialize(&bytes[..bytes.len() - 8]).unwrap();
        assert_eq!(crc64::crc64(0, bytes), 0, "CRC-64");
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

    /// The next `T` of a floor buffer, by value.
    fn take<T: FromBytes>(b: &mut &[u8]) -> T {
        let (t, rest) = T::read_from_prefix(b).unwrap();
        *b = rest;
        t
    }

    /// A vCPU's structs into a floor buffer: their bytes, the MSRs after their count.
    fn floor_put_vcpu(v: &VcpuState, out: &mut Vec<u8>) {
        for part in [
            v.regs.as_bytes(),
            v.sregs.as_bytes(),
            v.xsave.region.as_bytes(),
            v.xcrs.as_bytes(),
            v.debugregs.as_bytes(),
            v.events.as_bytes(),
            v.mp_state.as_bytes(),
        ] {
            out.extend_from_slice(part);
        }
        out.extend_from_slice(&(v.msrs.len() as u32).to_le_bytes());
        out.extend_from_slice(v.msrs.as_bytes());
    }

    /// [`floor_put_vcpu`] back: one copy out of the buffer.
    fn floor_take_vcpu(b: &mut &[u8]) -> VcpuState {
        let (regs, sregs) = (take(b), take(b));
        let xsave = kvm_xsave {
            region: take(b),
            ..Default::default()
        };
        let (xcrs, debugregs, events, mp_state) = (take(b), take(b), take(b), take(b));
        let n = take::<u32>(b) as usize;
        let (entries, rest) = b.split_at(n * 16);
        *b = rest;
        let msrs = entries
            .chunks_exact(16)
            .map(|e| kvm_msr_entry::read_from_bytes(e).unwrap())
            .collect();
        VcpuState {
            regs,
            sregs,
            xsave,
            xcrs,
            debugregs,
            events,
            mp_state,
            msrs,
        }
    }

    /// The floor: the structs' bytes copied into one buffer and one CRC-32C pass over it; back, one CRC
    /// pass and one copy out. No format, no check.
    fn floor_save(s: &VcpuState, out: &mut Vec<u8>) {
        out.clear();
        floor_put_vcpu(s, out);
        let crc = cr_core::image::crc32c(out);
        out.extend_from_slice(&crc.to_le_bytes());
    }

    fn floor_restore(bytes: &[u8]) -> VcpuState {
        let (mut body, crc) = bytes.split_at(bytes.len() - 4);
        assert_eq!(cr_core::image::crc32c(body).to_le_bytes(), crc, "CRC-32C");
        floor_take_vcpu(&mut body)
    }

    /// The floor with cr's data movement (the fair baseline for the checks' own cost): each struct
    /// copied into a header-sized value, then into the buffer, and one CRC-32C pass; back, one CRC
    /// pass, each payload copied into a header-sized value, then into a zero-initialized struct (as
    /// cr's `Reader::read` and `restore` do). No format, no check.
    fn floor2_save(s: &VcpuState, out: &mut Vec<u8>) {
        fn stage<T: FromBytes + IntoBytes + zerocopy::Immutable>(t: &T, out: &mut Vec<u8>) {
            let header = T::read_from_bytes(t.as_bytes()).unwrap();
            out.extend_from_slice(black_box(&header).as_bytes());
        }
        out.clear();
        stage(&s.regs, out);
        stage(&s.sregs, out);
        stage(&s.xsave.region, out);
        stage(&s.xcrs, out);
        stage(&s.debugregs, out);
        stage(&s.events, out);
        stage(&s.mp_state, out);
        for e in &s.msrs {
            stage(e, out);
        }
        let crc = cr_core::image::crc32c(out);
        out.extend_from_slice(&crc.to_le_bytes());
    }

    fn floor2_restore(bytes: &[u8]) -> VcpuState {
        let (body, crc) = bytes.split_at(bytes.len() - 4);
        assert_eq!(cr_core::image::crc32c(body).to_le_bytes(), crc, "CRC-32C");
        fn staged<T: FromBytes + IntoBytes + zerocopy::Immutable + Default>(b: &mut &[u8]) -> T {
            let (header, rest) = T::read_from_prefix(b).unwrap();
            *b = rest;
            let mut live = T::default();
            live.as_mut_bytes().copy_from_slice(black_box(&header).as_bytes());
            live
        }
        let mut b = body;
        let (regs, sregs) = (staged(&mut b), staged(&mut b));
        let (header, rest) = <[u32; 1024]>::read_from_prefix(b).unwrap();
        b = rest;
        let mut xsave = kvm_xsave::default();
        xsave
            .region
            .as_mut_bytes()
            .copy_from_slice(black_box(&header).as_bytes());
        let (xcrs, debugregs, events, mp_state) = (staged(&mut b), staged(&mut b), staged(&mut b), staged(&mut b));
        let msrs = b
            .chunks_exact(16)
            .map(|e| staged::<kvm_msr_entry>(&mut &e[..]))
            .collect();
        VcpuState {
            regs,
            sregs,
            xsave,
            xcrs,
            debugregs,
            events,
            mp_state,
            msrs,
        }
    }

    fn cr_save(s: &VcpuState, out: &mut Vec<u8>) {
        out.clear();
        let mut w = Writer::new(std::mem::take(out), k::ARCH_X86_64).unwrap();
        k::write_vcpu(&mut w, 0, &VcpuHeaders::save(s)).unwrap();
        *out = w.finish().unwrap();
    }

    /// Every check of the image and of every header, against the widest vCPU (the checks a destination's
    /// capabilities make are the same code with other values).
    fn cr_restore(bytes: &[u8]) -> VcpuState {
        let mut r = Reader::new(bytes, k::ARCH_X86_64).unwrap();
        let s = k::read_vcpu(&mut r, 0, &k::VcpuCaps::ARCHITECTURAL).unwrap();
        r.finish().unwrap();
        s
    }

    /// A vCPU in 64-bit mode with recognisable registers, xmm state and the saved MSRs.
    fn state() -> VcpuState {
        let data = cr_vmm::guest::segment(0x10, 3, 0, 1);
        let mut sregs = kvm_sregs {
            cs: cr_vmm::guest::segment(8, 0xb, 1, 0),
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

    // ---------------------------------------------------------------------------------------------
    // The whole VM's state (issue 23: the comparisons on Firecracker's `VmState` and more): two vCPUs
    // with their LAPICs, the three irqchips, the PIT, the clock and the serial port, no guest memory.
    // ---------------------------------------------------------------------------------------------

    /// The serial port as a serde struct (vm-superio's `SerialState` has no serde impls; Firecracker
    /// keeps its own copy of the device's registers the same way).
    #[derive(Serialize, Deserialize)]
    struct SerdeSerial {
        regs: [u8; 9],
        in_buffer: Vec<u8>,
    }

    fn serial_regs(s: &SerialState) -> [u8; 9] {
        [
            s.baud_divisor_low,
            s.baud_divisor_high,
            s.interrupt_enable,
            s.interrupt_identification,
            s.line_control,
            s.line_status,
            s.modem_control,
            s.modem_status,
            s.scratch,
        ]
    }

    fn serial_of(regs: [u8; 9], in_buffer: Vec<u8>) -> SerialState {
        let [baud_divisor_low, baud_divisor_high, interrupt_enable, interrupt_identification, line_control, line_status, modem_control, modem_status, scratch] =
            regs;
        SerialState {
            baud_divisor_low,
            baud_divisor_high,
            interrupt_enable,
            interrupt_identification,
            line_control,
            line_status,
            modem_control,
            modem_status,
            scratch,
            in_buffer,
        }
    }

    /// Firecracker's `VmState` and `VcpuState`s in one serde struct, as its snapshot holds them.
    #[derive(Serialize, Deserialize)]
    struct SerdeVm {
        irqchips: [kvm_irqchip; 3],
        pit: kvm_pit_state2,
        clock: kvm_clock_data,
        vcpus: Vec<(SerdeVcpu, kvm_lapic_state)>,
        serial: SerdeSerial,
    }

    fn serde_vcpu(s: &VcpuState) -> SerdeVcpu {
        SerdeVcpu {
            regs: s.regs,
            sregs: s.sregs,
            xsave: copy_xsave(&s.xsave),
            xcrs: s.xcrs,
            debugregs: s.debugregs,
            events: s.events,
            mp_state: s.mp_state,
            msrs: s.msrs.clone(),
        }
    }

    fn vcpu_of(v: SerdeVcpu) -> VcpuState {
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

    fn firecracker_vm_save(s: &Snapshot, out: &mut Vec<u8>) {
        let v = SerdeVm {
            irqchips: s.vm.irqchips,
            pit: s.vm.pit,
            clock: s.vm.clock,
            vcpus: s.vcpus.iter().map(|c| (serde_vcpu(&c.state), c.lapic)).collect(),
            serial: SerdeSerial {
                regs: serial_regs(&s.serial),
                in_buffer: s.serial.in_buffer.clone(),
            },
        };
        out.clear();
        out.extend_from_slice(&bitcode::serialize(&v).unwrap());
        let crc = crc64::crc64(0, out);
        out.extend_from_slice(&crc.to_le_bytes());
    }

    fn firecracker_vm_restore(bytes: &[u8]) -> Snapshot {
        let v: SerdeVm = bitcode::deserialize(&bytes[..bytes.len() - 8]).unwrap();
        assert_eq!(crc64::crc64(0, bytes), 0, "CRC-64");
        Snapshot {
            vm: VmState {
                irqchips: v.irqchips,
                pit: v.pit,
                clock: v.clock,
            },
            vcpus: v
                .vcpus
                .into_iter()
                .map(|(state, lapic)| VcpuSnapshot {
                    state: vcpu_of(state),
                    lapic,
                })
                .collect(),
            serial: serial_of(v.serial.regs, v.serial.in_buffer),
        }
    }

    /// The floor for the whole VM: every struct's bytes (the MSR list and the FIFO each after its length)
    /// into one buffer, one CRC-32C pass; back, one pass and one copy out.
    fn floor_vm_save(s: &Snapshot, out: &mut Vec<u8>) {
        out.clear();
        out.extend_from_slice(s.vm.irqchips.as_bytes());
        out.extend_from_slice(s.vm.pit.as_bytes());
        out.extend_from_slice(s.vm.clock.as_bytes());
        for c in &s.vcpus {
            floor_put_vcpu(&c.state, out);
            out.extend_from_slice(c.lapic.as_bytes());
        }
        out.extend_from_slice(&serial_regs(&s.serial));
        out.extend_from_slice(&(s.serial.in_buffer.len() as u32).to_le_bytes());
        out.extend_from_slice(&s.serial.in_buffer);
        let crc = cr_core::image::crc32c(out);
        out.extend_from_slice(&crc.to_le_bytes());
    }

    fn floor_vm_restore(bytes: &[u8]) -> Snapshot {
        let (body, crc) = bytes.split_at(bytes.len() - 4);
        assert_eq!(cr_core::image::crc32c(body).to_le_bytes(), crc, "CRC-32C");
        let mut b = body;
        let vm = VmState {
            irqchips: take(&mut b),
            pit: take(&mut b),
            clock: take(&mut b),
        };
        let vcpus = (0..VCPUS)
            .map(|_| {
                let state = floor_take_vcpu(&mut b);
                VcpuSnapshot {
                    state,
                    lapic: take(&mut b),
                }
            })
            .collect();
        let regs = take(&mut b);
        let n = take::<u32>(&mut b) as usize;
        Snapshot {
            vm,
            vcpus,
            serial: serial_of(regs, b[..n].to_vec()),
        }
    }

    /// No guest memory: a slot of size 0 (its record and an empty bytes record are in the image).
    const NO_MEMORY: kvm_userspace_memory_region = kvm_userspace_memory_region {
        slot: 0,
        flags: 0,
        guest_phys_addr: 0,
        memory_size: 0,
        userspace_addr: 0,
    };

    fn cr_vm_save(s: &Snapshot, out: &mut Vec<u8>) {
        out.clear();
        *out = image::write_image(std::mem::take(out), &NO_MEMORY, &Headers::save(s), &[]).unwrap();
    }

    fn cr_vm_restore(bytes: &[u8]) -> Snapshot {
        image::read_image(bytes, &NO_MEMORY, VCPUS, &k::VcpuCaps::ARCHITECTURAL)
            .unwrap()
            .snapshot
    }

    fn vm_state() {
        let s = sample::snapshot();
        let cr = time_pair(&s, cr_vm_save, cr_vm_restore);
        let fc = time_pair(&s, firecracker_vm_save, firecracker_vm_restore);
        let floor = time_pair(&s, floor_vm_save, floor_vm_restore);
        println!("| op | cr (every check) | Firecracker (bitcode + CRC-64) | floor (copy + CRC-32C) | **cr / Firecracker** (target <= 0.5) | **cr / floor** (target <= 2) |");
        println!("|---|---:|---:|---:|---:|---:|");
        let row = |op: &str, c: f64, f: f64, l: f64| {
            println!(
                "| {op} | {c:.0} ns | {f:.0} ns | {l:.0} ns | **{:.2}** | **{:.2}** |",
                c / f,
                c / l
            );
        };
        row("save (structs -> bytes)", cr.0, fc.0, floor.0);
        row("restore (bytes -> checked structs)", cr.1, fc.1, floor.1);
        row("save + restore", cr.0 + cr.1, fc.0 + fc.1, floor.0 + floor.1);
        println!("(bytes: cr {}, Firecracker {}, floor {})", cr.2, fc.2, floor.2);
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

    /// Save and restore times (ns) of one way of doing it, the state round-tripped first.
    fn time_pair<S: PartialEq + std::fmt::Debug>(
        s: &S,
        save: fn(&S, &mut Vec<u8>),
        restore: fn(&[u8]) -> S,
    ) -> (f64, f64, usize) {
        let mut bytes = Vec::with_capacity(16 << 10);
        save(s, &mut bytes);
        assert_eq!(restore(&bytes), *s, "the state round-trips");
        let (rounds, iters) = (31, 2000);
        let save_ns = per_iter(rounds, iters, || save(black_box(s), &mut bytes));
        let restore_ns = per_iter(rounds, iters, || {
            black_box(restore(black_box(&bytes)));
        });
        (save_ns, restore_ns, bytes.len())
    }

    fn vcpu_state() {
        let s = state();
        let cr = time_pair(&s, cr_save, cr_restore);
        let fc = time_pair(&s, firecracker_save, firecracker_restore);
        let floor = time_pair(&s, floor_save, floor_restore);
        let floor2 = time_pair(&s, floor2_save, floor2_restore);
        println!("| op | cr (every check) | Firecracker (bitcode + CRC-64) | floor (copy + CRC-32C) | floor2 (cr's copies + CRC-32C) | **cr / Firecracker** (target <= 0.5) | **cr / floor** (target <= 2) | cr / floor2 |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|");
        let row = |op: &str, c: f64, f: f64, l: f64, l2: f64| {
            println!(
                "| {op} | {c:.0} ns | {f:.0} ns | {l:.0} ns | {l2:.0} ns | **{:.2}** | **{:.2}** | {:.2} |",
                c / f,
                c / l,
                c / l2
            );
        };
        row("save (structs -> bytes)", cr.0, fc.0, floor.0, floor2.0);
        row("restore (bytes -> checked structs)", cr.1, fc.1, floor.1, floor2.1);
        row(
            "save + restore",
            cr.0 + cr.1,
            fc.0 + fc.1,
            floor.0 + floor.1,
            floor2.0 + floor2.1,
        );
        println!(
            "(bytes: cr {}, Firecracker {}, floor {}, floor2 {}; the CRC-64 alone over Firecracker's bytes: {:.0} ns)",
            cr.2,
            fc.2,
            floor.2,
            floor2.2,
            {
                let mut b = Vec::new();
                firecracker_save(&s, &mut b);
                per_iter(31, 2000, || {
                    black_box(crc64::crc64(0, black_box(&b)));
                })
            }
        );
    }

    fn snapshot_to_running() {
        let config = Config::default();
        let mut all = Vec::new();
        let mut last = None;
        for _ in 0..7 {
            match scenario::snapshot_restore(&config, &mut |_| {}) {
                Ok(o) => {
                    assert_eq!(o.restored.final_values, o.uninterrupted.final_values);
                    all.push(o.timings);
                    last = Some(o);
                }
                Err(cr_vmm::failure::Failure::NoKvm(e)) => {
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
            "| {} MiB | {:.2} ms | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            config.mem_size >> 20,
            ms(t.snapshot_to_running()),
            ms(t.pause),
            ms(t.save_ioctls),
            ms(t.write_image),
            ms(t.destroy),
            ms(t.create),
            ms(t.read_file),
            ms(t.restore)
        );
        // cr's own share, measured on the same snapshot in this run: saving the headers and writing the
        // image into memory (the memory's CRC included, its copy into the sink not), and reading the image
        // with every check (the memory's CRC included) into fresh structs. Not in it: ioctls, the memory
        // copies, the file system.
        let o = last.expect("seven runs");
        let checked = image::read_image(
            &o.image,
            &kvm_region(config.mem_size),
            VCPUS,
            &k::VcpuCaps::ARCHITECTURAL,
        )
        .unwrap();
        let (region, memory) = (checked.region, checked.memory.to_vec());
        let rounds = 31;
        let save_cr = per_iter(rounds, 10, || {
            let h = Headers::save(black_box(&o.saved));
            black_box(image::write_image(CrcOnly::default(), &region, &h, &memory).unwrap());
        });
        let restore_cr = per_iter(rounds, 10, || {
            black_box(image::read_image(black_box(&o.image), &region, VCPUS, &k::VcpuCaps::ARCHITECTURAL).unwrap());
        });
        let total = t.snapshot_to_running().as_secs_f64() * 1e9;
        println!(
            "\ncr's own share: save {:.3} ms + restore {:.3} ms = {:.3} ms of {:.2} ms: **{:.1} %** (target <= 10 %)",
            save_cr / 1e6,
            restore_cr / 1e6,
            (save_cr + restore_cr) / 1e6,
            total / 1e6,
            100.0 * (save_cr + restore_cr) / total
        );
    }

    /// The example's memory slot of `size` bytes (the host address is not part of the image).
    fn kvm_region(size: usize) -> kvm_userspace_memory_region {
        kvm_userspace_memory_region {
            slot: 0,
            flags: 0,
            guest_phys_addr: 0,
            memory_size: size as u64,
            userspace_addr: 0,
        }
    }

    /// A sink that keeps nothing: the bytes' way to the file is the file system's share, not cr's.
    #[derive(Default)]
    struct CrcOnly(usize);

    impl std::io::Write for CrcOnly {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += black_box(bytes).len();
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
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
        println!("\n## 2. vCPU state, no ioctl: cr, Firecracker's path, the floor (median of 31 blocks of 2000)");
        vcpu_state();
        println!(
            "\n## 2b. The whole VM's state (two vCPUs with LAPICs, three irqchips, PIT, clock, serial port; no memory), no ioctl (median of 31 blocks of 2000)"
        );
        vm_state();
        println!("\n## 3. Snapshot to running again (median of 7 runs)");
        println!("| guest memory | total | pause vCPUs | save ioctls | write image file | destroy VM | new VM | read file | check + restore |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        snapshot_to_running();
    }
}
