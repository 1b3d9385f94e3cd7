//! The `cr-inspect` command line: `show`, `decode`, `encode`, `verify`, `diff`. Exit status 0
//! when the command did what it says (and, for `verify` and `diff`, found nothing), 1 when the
//! image has faults or the images differ, 2 when the command could not run (a file, a
//! document `encode` refuses); every error goes to stderr.

use clap::{Arg, ArgAction, ArgMatches, Command};
use cr_inspect::{doc, report};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The command could not run: why, for stderr.
struct Failed(String);

fn cli() -> Command {
    let img = |help: &'static str| {
        Arg::new("IMG")
            .required(true)
            .value_parser(clap::value_parser!(PathBuf))
            .help(help)
    };
    Command::new("cr-inspect")
        .about("Reads, checks, converts and compares cr checkpoint images from the descriptions they carry")
        .long_about(
            "Reads, checks, converts and compares cr checkpoint images without the build that wrote them. \
             Images written by a describing writer (`Writer::describing`, format 3) carry a description of \
             each header type; without one (formats 1 and 2, or a writer that did not describe) the tool \
             still checks framing and checksums and lists records by type and size.\n\n\
             Exit status: 0 done (and nothing found by verify/diff), 1 faults found or images differ, \
             2 the command could not run.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("show")
                .about("Prints every record with its fields, flag names and nesting")
                .arg(img("the image")),
        )
        .subcommand(
            Command::new("decode")
                .about("Writes the image as JSON (integers exact, floats bit-exact, flags by name)")
                .arg(img("the image"))
                .arg(
                    Arg::new("output")
                        .short('o')
                        .long("output")
                        .value_name("FILE")
                        .value_parser(clap::value_parser!(PathBuf))
                        .help("where the JSON goes (default: stdout)"),
                )
                .arg(
                    Arg::new("bytes")
                        .long("bytes")
                        .value_name("DIR")
                        .value_parser(clap::value_parser!(PathBuf))
                        .help("extract bulk-bytes records into files in DIR (else: size, zero count and CRC-32C only)"),
                ),
        )
        .subcommand(
            Command::new("encode")
                .about("Writes the image a JSON document describes, with fresh checksums")
                .arg(
                    Arg::new("JSON")
                        .required(true)
                        .value_parser(clap::value_parser!(PathBuf))
                        .help("the document (from decode, edited)"),
                )
                .arg(
                    Arg::new("output")
                        .short('o')
                        .long("output")
                        .value_name("IMG")
                        .required(true)
                        .value_parser(clap::value_parser!(PathBuf))
                        .help("the image to write"),
                ),
        )
        .subcommand(
            Command::new("verify")
                .about("Checks everything that needs no header type; lists every fault with its byte offset")
                .arg(img("the image")),
        )
        .subcommand(
            Command::new("diff")
                .about("Compares two images field by field, by route (CrHdrCpu.psw.mask)")
                .arg(Arg::new("A").required(true).value_parser(clap::value_parser!(PathBuf)))
                .arg(Arg::new("B").required(true).value_parser(clap::value_parser!(PathBuf)))
                .arg(
                    Arg::new("quiet")
                        .short('q')
                        .long("quiet")
                        .action(ArgAction::SetTrue)
                        .help("exit status only"),
                ),
        )
}

fn read(path: &Path) -> Result<Vec<u8>, Failed> {
    std::fs::read(path).map_err(|e| Failed(format!("cannot read {}: {e}", path.display())))
}

fn path<'a>(m: &'a ArgMatches, id: &str) -> &'a PathBuf {
    m.get_one::<PathBuf>(id).expect("clap requires it")
}

/// Prints a report and its faults: 0 without faults, 1 with.
fn report_with_faults(out: &str, faults: &[cr_inspect::frame::Fault], path: &Path) -> u8 {
    print!("{out}");
    for fault in faults {
        println!("fault {fault}");
    }
    match faults.len() {
        0 => 0,
        n => {
            eprintln!("{}: {n} fault(s)", path.display());
            1
        }
    }
}

fn run(m: &ArgMatches) -> Result<u8, Failed> {
    match m.subcommand() {
        Some(("show", m)) => {
            let p = path(m, "IMG");
            let (out, faults) = report::show(&read(p)?);
            Ok(report_with_faults(&out, &faults, p))
        }
        Some(("verify", m)) => {
            let p = path(m, "IMG");
            let (out, faults) = report::verify(&read(p)?);
            let status = report_with_faults(&out, &faults, p);
            if status == 0 {
                println!("ok: no faults");
            }
            Ok(status)
        }
        Some(("decode", m)) => {
            let p = path(m, "IMG");
            let bytes = read(p)?;
            let output = m.get_one::<PathBuf>("output");
            let base = output
                .and_then(|o| o.parent())
                .filter(|b| !b.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let dir = m.get_one::<PathBuf>("bytes");
            let extract = dir.map(|dir| doc::Extract { dir, base });
            let document =
                doc::decode(&bytes, extract.as_ref()).map_err(|e| Failed(format!("{}: {e}", p.display())))?;
            let text = serde_json::to_string_pretty(&document).map_err(|e| Failed(e.to_string()))? + "\n";
            match output {
                Some(o) => std::fs::write(o, text).map_err(|e| Failed(format!("cannot write {}: {e}", o.display())))?,
                None => print!("{text}"),
            }
            Ok(0)
        }
        Some(("encode", m)) => {
            let p = path(m, "JSON");
            let text = read(p)?;
            let document: serde_json::Value =
                serde_json::from_slice(&text).map_err(|e| Failed(format!("{}: not JSON: {e}", p.display())))?;
            let base = p
                .parent()
                .filter(|b| !b.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let image = doc::encode(&document, base).map_err(|e| Failed(format!("{}: refused: {e}", p.display())))?;
            let o = path(m, "output");
            std::fs::write(o, &image).map_err(|e| Failed(format!("cannot write {}: {e}", o.display())))?;
            Ok(0)
        }
        Some(("diff", m)) => {
            let decode = |p: &Path| -> Result<serde_json::Value, Failed> {
                doc::decode(&read(p)?, None).map_err(|e| Failed(format!("{}: {e}", p.display())))
            };
            let (a, b) = (decode(path(m, "A"))?, decode(path(m, "B"))?);
            let lines = report::diff(&a, &b);
            if !m.get_flag("quiet") {
                for line in &lines {
                    println!("{line}");
                }
            }
            Ok(u8::from(!lines.is_empty()))
        }
        _ => Err(Failed("unknown command".into())),
    }
}

fn main() -> ExitCode {
    let matches = match cli().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(&matches) {
        Ok(status) => ExitCode::from(status),
        Err(Failed(why)) => {
            eprintln!("cr-inspect: {why}");
            ExitCode::from(2)
        }
    }
}
