//! The seed's s390 checkpoint/restart pair, done with `#[derive(CrCopy)]`.
//!
//! Builds a task with recognisable state, checkpoints it into `cr_hdr_cpu` and
//! `cr_hdr_mm_context`, writes the image to a file and dumps it, restarts a fresh task from
//! the file and checks it field by field, then shows two tampered images refused with the task
//! untouched. Exits with status 0 only if every step behaved.
//!
//! Run: `cargo run --example s390`; review any image with `cargo run --example s390 -- dump FILE`;
//! `cargo run --example s390 -- write FILE` writes the sample task's image to FILE (in this
//! machine's byte order: how the big-endian golden image was made, on s390x).

use cr::s390::{
    checkpoint_cpu, checkpoint_image, image_of, restart_from_image, sample_task, CrHdrCpu, CrHdrMmContext, Task,
    ARCH_S390X, KINDS, PSW_ADDR_INSN, PSW_MASK_PSTATE, PSW_USER_BITS,
};
use cr_core::{CrCopy, ErrorKind, LayoutTable};
use std::process::ExitCode;

/// What a freshly created task looks like before restart fills it in: the kernel gave it
/// the user-mode system bits, the addressing mode and a vdso of its own.
fn fresh_task() -> Task {
    let mut task = Task::default();
    task.regs.psw.mask = PSW_USER_BITS;
    task.regs.psw.addr = !PSW_ADDR_INSN & 0xFFFF_FFFF;
    task.thread.ksp = 0xffff_8000_0002_0000;
    task.mm.vdso_base = 0x7ffe_e000;
    task
}

struct Report {
    failures: u32,
}

impl Report {
    fn check(&mut self, what: &str, ok: bool) {
        println!("  [{}] {what}", if ok { "ok" } else { "FAILED" });
        if !ok {
            self.failures += 1;
        }
    }
}

/// `write FILE`: the sample task's image, as a checkpoint on this machine writes it.
fn write(path: &str) -> ExitCode {
    let image = checkpoint_image(&sample_task());
    match std::fs::write(path, &image) {
        Ok(()) => {
            println!(
                "wrote {path} ({} bytes, {})",
                image.len(),
                cr_core::image::ByteOrder::NATIVE
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write {path}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `dump FILE`: prints every record of an image.
fn dump(path: &str) -> ExitCode {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = String::new();
    let result = cr_core::dump::dump(&bytes, ARCH_S390X, &KINDS, &mut out);
    print!("{out}");
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{path}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => {}
        [cmd, file] if cmd == "dump" => return dump(file),
        [cmd, file] if cmd == "write" => return write(file),
        _ => {
            eprintln!("usage: s390 [dump FILE | write FILE]");
            return ExitCode::FAILURE;
        }
    }
    let mut report = Report { failures: 0 };
    let task = sample_task();

    println!("== checkpoint");
    let cpu = checkpoint_cpu(&task);
    let mut mm = CrHdrMmContext::default();
    mm.save(&task.mm);
    report.check("vdso_base is not in the image", mm.vdso_base == 0);
    report.check(
        "em_instr packs single_step only",
        cpu.em_instr == CrHdrCpu::EM_INSTR_SINGLE_STEP,
    );
    let image = checkpoint_image(&task);
    let path = std::env::temp_dir().join(format!("cr-s390-{}.img", std::process::id()));
    if let Err(e) = std::fs::write(&path, &image) {
        eprintln!("cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    println!("  wrote {} ({} bytes)", path.display(), image.len());

    println!("== the header layout (what a reviewer reads next to `cargo expand`)");
    print!("{}", LayoutTable::<CrHdrMmContext>::new());

    println!("== dump of the image");
    let mut out = String::new();
    let dumped = cr_core::dump::dump(&image, ARCH_S390X, &KINDS, &mut out);
    print!("{out}");
    report.check("the image dumps cleanly", dumped.is_ok());

    println!("== restart into a fresh task, from the file");
    let mut restarted = fresh_task();
    let restored = std::fs::read(&path)
        .map_err(|e| e.to_string())
        .and_then(|bytes| restart_from_image(&bytes, &mut restarted).map_err(|e| e.to_string()));
    let _ = std::fs::remove_file(&path);
    report.check(&format!("restart accepted the image ({restored:?})"), restored.is_ok());
    report.check("pt_regs equal", restarted.regs == task.regs);
    report.check("fp_regs equal (bit for bit)", {
        let a = restarted.thread.fp_regs;
        let b = task.thread.fp_regs;
        a.fpc == b.fpc
            && a.fprs
                .iter()
                .zip(b.fprs.iter())
                .all(|(x, y)| x.to_bits() == y.to_bits())
    });
    report.check("access registers equal", restarted.thread.acrs == task.thread.acrs);
    report.check("access registers reloaded once, after the copy", {
        restarted.cpu.acrs == task.thread.acrs && restarted.cpu.acr_loads == 1
    });
    report.check(
        "per_info equal: its bitfields (single_step(), ...) and its unions' words",
        cr::s390::per_eq(&restarted.thread.per_info, &task.thread.per_info),
    );
    report.check(
        "ieee_instruction_pointer equal",
        restarted.thread.ieee_instruction_pointer == task.thread.ieee_instruction_pointer,
    );
    report.check(
        "ksp is the new kernel stack (save_only)",
        restarted.thread.ksp == fresh_task().thread.ksp,
    );
    report.check(
        "vdso_base is the new task's own (skip)",
        restarted.mm.vdso_base == fresh_task().mm.vdso_base,
    );
    report.check(
        "mm context equal but for vdso_base",
        restarted.mm
            == cr::s390::mm_context_t {
                vdso_base: restarted.mm.vdso_base,
                ..task.mm
            },
    );

    println!("== tampered image: supervisor state in psw.mask");
    let mut bad = cpu;
    bad.psw.mask &= !PSW_MASK_PSTATE;
    let mut victim = fresh_task();
    let before = victim;
    match restart_from_image(&image_of(&bad, &mm), &mut victim) {
        Err(e) => {
            println!("  refused: {e}");
            report.check(
                "refused for psw.mask",
                (e.field(), e.leaf_field()) == (Some("psw"), Some("mask")),
            );
            report.check("a validator refusal", matches!(e.kind(), ErrorKind::Invalid { .. }));
        }
        Ok(()) => report.check("refused", false),
    }
    report.check("task untouched", victim == before);

    println!("== tampered image: unknown em_instr bit");
    let mut bad = cpu;
    bad.em_instr |= 0x80;
    match restart_from_image(&image_of(&bad, &mm), &mut victim) {
        Err(e) => {
            println!("  refused: {e}");
            report.check("refused for em_instr", e.field() == Some("em_instr"));
            report.check(
                "exactly bit 7 reported",
                e.kind() == ErrorKind::UnknownFlags { bits: 0x80 },
            );
        }
        Ok(()) => report.check("refused", false),
    }
    report.check("task untouched", victim == before);

    println!("== corrupted image: one bit flipped on disk");
    let mut flipped = image.clone();
    flipped[100] ^= 0x10;
    match restart_from_image(&flipped, &mut victim) {
        Err(e) => {
            println!("  refused: {e}");
            report.check(
                "reported as corrupt, with its offset",
                e.kind() == ErrorKind::Corrupt && e.offset().is_some(),
            );
        }
        Ok(()) => report.check("refused", false),
    }
    report.check("task untouched", victim == before);

    println!("== an image of cr_hdr_cpu version 1, written by an older build (tests/golden)");
    let old: &[u8] = include_bytes!("../tests/golden/s390-format1-cpu1-mm1.img");
    let reader = cr_core::image::Reader::new(old, ARCH_S390X).expect("the golden image's head");
    if let Ok(Some(info)) = reader.peek() {
        println!(
            "  record type {} is version {}; this build writes version {}: read through `prev`, upgraded",
            info.ty,
            info.version,
            <CrHdrCpu as cr_core::image::Record>::VERSION
        );
    }
    let mut upgraded = fresh_task();
    match restart_from_image(old, &mut upgraded) {
        Ok(()) => {
            report.check("version 1 restored by the version 2 binary", upgraded.regs == task.regs);
            report.check(
                "the field new in version 2 starts at its default",
                upgraded.thread.last_break == 0,
            );
        }
        Err(e) => {
            println!("  refused: {e}");
            report.check("version 1 restored by the version 2 binary", false);
        }
    }

    if report.failures == 0 {
        println!("all checks passed");
        ExitCode::SUCCESS
    } else {
        println!("{} checks FAILED", report.failures);
        ExitCode::FAILURE
    }
}
