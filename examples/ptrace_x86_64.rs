//! Checkpoint/restart of a live process through ptrace (Linux x86-64): this program re-executes itself
//! as a child that computes, stops it mid-computation, saves its registers into the derived image headers
//! and a `cr_core::image` file, clobbers them, shows tampered and corrupted images refused, restarts from
//! the file and lets it finish, then dumps the image. It exits non-zero unless the restored child prints
//! exactly what an untraced run prints and the corrupted image was refused as corrupt.
//!
//! `cargo run --example ptrace_x86_64`

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn main() -> std::process::ExitCode {
    use cr::ptrace_x86_64::{self as pt, Failure, Scope};
    use cr_core::ErrorKind;
    use std::process::{Command, ExitCode};

    if std::env::args().nth(1).as_deref() == Some("compute") {
        pt::child_main();
        return ExitCode::SUCCESS;
    }
    let child = || {
        let mut cmd = Command::new(std::env::current_exe().expect("the path of this program"));
        cmd.arg("compute");
        cmd
    };
    let mut log = |line: &str| println!("{line}");

    println!("== checkpoint, clobber, restore");
    let outcome = match pt::checkpoint_restart(&child, Scope::All, &mut log) {
        Ok(outcome) => outcome,
        Err(e @ Failure::PtraceDenied(_)) => {
            eprintln!("{e}: this environment forbids tracing (Yama ptrace_scope, seccomp or a container)");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if outcome.restored != outcome.untraced {
        eprintln!(
            "FAIL: the restored child printed\n  {}\nbut an untraced run prints\n  {}",
            outcome.restored, outcome.untraced
        );
        return ExitCode::FAILURE;
    }
    println!("OK: the restored child printed exactly the untraced result");
    let corrupt = outcome.rejections.iter().find(|r| r.error.kind() == ErrorKind::Corrupt);
    match corrupt.and_then(|r| r.error.offset()) {
        Some(offset) => println!(
            "OK: the image with one bit flipped was refused as corrupt at byte {offset}, before any register was written"
        ),
        None => {
            eprintln!("FAIL: the image with one bit flipped was not refused as corrupt with an offset");
            return ExitCode::FAILURE;
        }
    }

    println!("\n== the image, dumped");
    let mut dump = String::new();
    let dumped = cr_core::dump::dump(&outcome.image, pt::ARCH_X86_64, &pt::KINDS, &mut dump);
    print!("{dump}");
    if let Err(e) = dumped {
        eprintln!("FAIL: the image does not dump: {e}");
        return ExitCode::FAILURE;
    }

    println!("\n== control: restore the general registers only, leave the FP state clobbered");
    match pt::checkpoint_restart(&child, Scope::GeneralOnly, &mut log) {
        Ok(control) if control.restored != control.untraced => {
            println!("OK: without the FP state the result differs, so the clobbering is real");
            ExitCode::SUCCESS
        }
        Ok(_) => {
            eprintln!("FAIL: the control run printed the untraced result although its FP state was garbage");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("control: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
fn main() {
    eprintln!("this example traces a process with ptrace on Linux x86-64 only");
}
