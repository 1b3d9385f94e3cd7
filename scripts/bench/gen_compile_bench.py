#!/usr/bin/env python3
"""Compile-time benchmark of #[derive(CrCopy)]: generate a throwaway workspace and time it.

The workspace (default /tmp/cr-compile-bench, never committed) holds one crate per variant and
size N (100 and 300 headers). Every crate declares the same live structs (nested 2-4 deep) and the
same headers (20-40 fields each: scalars, arrays, masks, strict masks, `convert`, flag words,
`reserved`); only what is generated for the headers differs:

    derive     #[derive(CrCopy)] with #[cr(...)] annotations
    hand       the same CrCopy impl (save, then restore: checks before writes) written out by hand
    handtable  `hand` plus a hand-written `cr_core::Layout` impl: the field table (one FieldInfo per
               field: name, path, offset_of!, size, type, Describe format, mode) and its
               fingerprint, as QEMU devices write their VMStateField arrays by hand
    serde      #[derive(Serialize, Deserialize)] on the same headers
    plain      the structs alone: the cost every variant shares

Timings: dependencies are built first; then, for each of RUNS rounds, every crate in turn gets its
lib.rs touched and one `cargo check -p` / `cargo build -p` (dev profile) timed, so background load
hits all variants alike. Medians and ratios are printed and written to <out>/results.json.
`--instructions` also counts, for the N = 100 crates, the instructions of one non-incremental
`cargo check` under callgrind (only the crate's own rustc is instrumented): a figure that does not
move with the machine's load, unlike the timings. `--clean` also times clean builds of cr-derive
and of serde_derive (each with its dependencies) in two scratch crates. `--expanded` adds two crates
per size that hold the derive's output pasted as source (printed by cr-derive's own snapshot code, no
nightly needed), with its `Layout` tables and with each emptied, to split the derive's cost into
running the macro, its tables and the rest.

    scripts/bench/gen_compile_bench.py [--out DIR] [--sizes 100,300] [--runs 5] [--clean] [--expanded]
                                       [--instructions] [--generate-only] [--count-only derive,...]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = ["derive", "hand", "handtable", "serde", "plain"]
BITS = {"u8": 8, "u16": 16, "u32": 32, "u64": 64}


@dataclass
class Field:
    name: str
    kind: str  # copy, array, mask, strict, convert, flags, reserved
    hty: str  # header type
    lty: str = ""  # live type (copy, array, mask, strict, convert)
    path: str = ""
    mask: str = ""  # constant name (mask, strict)
    flags: list[tuple[int, str]] = field(default_factory=list)  # (bit, path)


@dataclass
class Header:
    index: int
    fields: list[Field]
    # container path ("s0", "s0.g1", "s0.g1.l") -> [(live field name, type)]
    live: dict[str, list[tuple[str, str]]]
    consts: list[tuple[str, str, int]]  # (name, type, value)


def containers() -> list[str]:
    out = []
    for s in range(4):
        out.append(f"s{s}")
        for g in range(2):
            out.append(f"s{s}.g{g}")
            out.append(f"s{s}.g{g}.l")
    return out


def make_header(i: int) -> Header:
    rng = random.Random(1000 + i)
    live: dict[str, list[tuple[str, str]]] = {c: [] for c in containers()}
    by_depth = {d: [c for c in containers() if c.count(".") + 2 == d] for d in (2, 3, 4)}
    counter = 0

    def place(ty: str) -> str:
        nonlocal counter
        counter += 1
        container = rng.choice(by_depth[rng.choice((2, 3, 4))])
        name = f"x{counter}"
        live[container].append((name, ty))
        return f"{container}.{name}"

    fields: list[Field] = []
    consts: list[tuple[str, str, int]] = []
    reserved = 0
    for n in range(rng.randint(20, 40)):
        r = rng.random()
        if r < 0.45:
            ty = rng.choice(("u64", "u32", "u16", "u8"))
            fields.append(Field(f"f{n}", "copy", ty, ty, place(ty)))
        elif r < 0.60:
            ty = f"[{rng.choice(('u64', 'u32', 'u8'))}; {rng.randint(2, 16)}]"
            fields.append(Field(f"f{n}", "array", ty, ty, place(ty)))
        elif r < 0.76:
            kind = "mask" if r < 0.68 else "strict"
            ty = rng.choice(("u64", "u32"))
            const = f"M{i}_{n}"
            consts.append((const, ty, rng.getrandbits(BITS[ty]) | 1))
            fields.append(Field(f"f{n}", kind, ty, ty, place(ty), mask=const))
        elif r < 0.84:
            hty, lty = rng.choice((("u32", "u16"), ("u64", "u32"), ("u32", "u8"), ("u16", "u8")))
            fields.append(Field(f"f{n}", "convert", hty, lty, place(lty)))
        elif r < 0.96 or reserved >= 2:
            ty = rng.choice(("u8", "u16", "u32"))
            bits = sorted(rng.sample(range(BITS[ty]), rng.randint(2, 5)))
            fields.append(Field(f"f{n}", "flags", ty, flags=[(b, place("bool")) for b in bits]))
        else:
            reserved += 1
            fields.append(Field(f"f{n}", "reserved", rng.choice(("u32", "u64", "[u8; 4]", "[u8; 8]"))))
    return Header(i, fields, live, consts)


def type_name(i: int, container: str) -> str:
    return f"L{i}" + "".join(seg.capitalize() for seg in container.split("."))


def live_structs(h: Header) -> str:
    """The live types, innermost first; every struct is `pub` so nothing is dead code."""
    out = []
    for container in sorted(containers(), key=lambda c: -c.count(".")):
        children = [c for c in containers() if c.rsplit(".", 1)[0] == container and c != container]
        lines = [f"    pub {c.rsplit('.', 1)[1]}: {type_name(h.index, c)}," for c in children]
        lines += [f"    pub {name}: {ty}," for name, ty in h.live[container]]
        body = "".join(line + "\n" for line in lines)
        out.append(f"pub struct {type_name(h.index, container)} {{\n{body}}}\n")
    root = "\n".join(f"    pub s{s}: {type_name(h.index, f's{s}')}," for s in range(4))
    out.append(f"pub struct L{h.index} {{\n{root}\n}}\n")
    out += [f"pub const {name}: {ty} = {value:#x};\n" for name, ty, value in h.consts]
    return "\n".join(out)


def cr_attr(f: Field) -> str:
    if f.kind in ("copy", "array"):
        return f'#[cr(path = "{f.path}")]'
    if f.kind == "mask":
        return f'#[cr(path = "{f.path}", mask = {f.mask})]'
    if f.kind == "strict":
        return f'#[cr(path = "{f.path}", strict_mask = {f.mask})]'
    if f.kind == "convert":
        return f'#[cr(path = "{f.path}", convert)]'
    if f.kind == "flags":
        return "#[cr(" + ", ".join(f'flag(bit = {b}, path = "{p}")' for b, p in f.flags) + ")]"
    return "#[cr(reserved)]"


def header_struct(h: Header, variant: str) -> str:
    lines = []
    if variant == "derive":
        lines += ["#[derive(::cr_core::CrCopy)]", f"#[cr(target = L{h.index})]"]
    elif variant == "serde":
        lines += ["#[derive(::serde::Serialize, ::serde::Deserialize)]"]
    lines.append(f"pub struct H{h.index} {{")
    for f in h.fields:
        if variant == "derive":
            lines.append(f"    {cr_attr(f)}")
        lines.append(f"    pub {f.name}: {f.hty},")
    lines.append("}\n")
    return "\n".join(lines)


def flag_all(f: Field) -> str:
    return f"{sum(1 << b for b, _ in f.flags):#x}"


def zero(ty: str) -> str:
    return "[0; " + ty.split(";")[1].strip(" ]") + "]" if ty.startswith("[") else "0"


def hand_impl(h: Header) -> str:
    """The CrCopy impl a careful engineer writes: same checks, errors, order as the derive."""
    save, checks, writes = [], [], []
    for f in h.fields:
        if f.kind in ("copy", "array", "mask", "strict"):
            save.append(f"self.{f.name} = src.{f.path};")
        elif f.kind == "convert":
            save.append(f"self.{f.name} = {f.hty}::from(src.{f.path});")
        elif f.kind == "flags":
            parts = [f"{f.hty}::from(src.{p}) << {b}" for b, p in f.flags]
            save.append(f"self.{f.name} = " + " | ".join(parts) + ";")
        else:
            save.append(f"self.{f.name} = {zero(f.hty)};")

        err = "::cr_core::Error::new(::cr_core::ErrorKind::"
        if f.kind == "convert":
            # The derive's error: the header value and the live type's name.
            checks.append(
                f"let Ok({f.name}) = {f.lty}::try_from(self.{f.name}) else {{ return Err({err}OutOfRange {{ "
                f'value: ::cr_core::Value::Unsigned(self.{f.name} as u64), live_type: "{f.lty}" }})'
                f'.at("{f.name}", Some("{f.path}"))); }};'
            )
        elif f.kind == "strict":
            checks.append(
                f"if self.{f.name} & !{f.mask} != 0 {{ return Err({err}MaskViolation {{ bits: "
                f'(self.{f.name} & !{f.mask}) as u64 }}).at("{f.name}", Some("{f.path}"))); }}'
            )
        elif f.kind == "flags":
            checks.append(
                f"if self.{f.name} & !{flag_all(f)} != 0 {{ return Err({err}UnknownFlags {{ bits: "
                f'(self.{f.name} & !{flag_all(f)}) as u64 }}).at("{f.name}", None)); }}'
            )
        elif f.kind == "reserved":
            checks.append(
                f"if self.{f.name} != {zero(f.hty)} {{ return Err({err}ReservedNotZero)"
                f'.at("{f.name}", None)); }}'
            )

        if f.kind in ("copy", "array", "strict"):
            writes.append(f"dst.{f.path} = self.{f.name};")
        elif f.kind == "mask":
            writes.append(f"dst.{f.path} = (dst.{f.path} & !{f.mask}) | (self.{f.name} & {f.mask});")
        elif f.kind == "convert":
            writes.append(f"dst.{f.path} = {f.name};")
        elif f.kind == "flags":
            writes += [f"dst.{p} = self.{f.name} & (1 << {b}) != 0;" for b, p in f.flags]
    body = "\n        ".join
    return (
        f"impl ::cr_core::CrCopy<L{h.index}> for H{h.index} {{\n"
        f"    fn save(&mut self, src: &L{h.index}) {{\n        {body(save)}\n    }}\n"
        f"    fn restore(&self, dst: &mut L{h.index}) -> Result<(), ::cr_core::Error> {{\n"
        f"        {body(checks + writes)}\n        Ok(())\n    }}\n}}\n"
    )


def table_impl(h: Header) -> str:
    """The `Layout` impl written by hand: the rows the derive writes, as a device model's author
    writes a VMStateField array (one entry per field, `offset_of!` for the offset)."""
    rows = []
    for f in h.fields:
        path = f'Some("{f.path}")' if f.kind not in ("flags", "reserved") else "None"
        if f.kind in ("copy", "array"):
            mode = "Copy"
        elif f.kind == "mask":
            mode = f"Mask {{ mask: {f.mask} as u64 }}"
        elif f.kind == "strict":
            mode = f"StrictMask {{ mask: {f.mask} as u64 }}"
        elif f.kind == "convert":
            mode = "Convert"
        elif f.kind == "flags":
            infos = " ".join(
                f'::cr_core::layout::FlagInfo {{ name: "{p.rsplit(".", 1)[1].upper()}", bit: {b}, path: Some("{p}") }},'
                for b, p in f.flags
            )
            mode = f"Flags(&[{infos}])"
        else:
            mode = "Reserved"
        rows.append(
            "        ::cr_core::FieldInfo {\n"
            f'            name: "{f.name}",\n'
            f"            path: {path},\n"
            f"            offset: ::core::mem::offset_of!(H{h.index}, {f.name}),\n"
            f"            size: ::core::mem::size_of::<{f.hty}>(),\n"
            f'            ty: "{f.hty}",\n'
            f"            format: <{f.hty} as ::cr_core::layout::Describe>::FORMAT,\n"
            f"            mode: ::cr_core::layout::Mode::{mode},\n"
            "        },"
        )
    body = "\n".join(rows)
    return (
        f"impl ::cr_core::Layout for H{h.index} {{\n"
        f'    const NAME: &\'static str = "H{h.index}";\n'
        f"    const FIELDS: &'static [::cr_core::FieldInfo] = &[\n{body}\n    ];\n"
        "    const FINGERPRINT: u64 = ::cr_core::layout::fingerprint(::core::mem::size_of::<Self>(), Self::FIELDS);\n"
        "}\n"
    )


def lib_rs(headers: list[Header], variant: str) -> str:
    out = [f"//! Generated by scripts/bench/gen_compile_bench.py: {len(headers)} headers, variant `{variant}`."]
    out.append("#![allow(clippy::all)]\n")
    for h in headers:
        out.append(live_structs(h))
        out.append(header_struct(h, variant))
        if variant in ("hand", "handtable"):
            out.append(hand_impl(h))
        if variant == "handtable":
            out.append(table_impl(h))
    return "\n".join(out)


def crate_toml(name: str, variant: str, cr_root: Path) -> str:
    deps = {
        "derive": f'cr-core = {{ path = "{cr_root / "cr-core"}" }}',
        "hand": f'cr-core = {{ path = "{cr_root / "cr-core"}" }}',
        "handtable": f'cr-core = {{ path = "{cr_root / "cr-core"}" }}',
        "serde": 'serde = { version = "1", features = ["derive"] }',
        "plain": "",
    }[variant]
    return f'[package]\nname = "{name}"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n[dependencies]\n{deps}\n'


def generate(out: Path, sizes: list[int], cr_root: Path) -> list[str]:
    if out.exists():
        shutil.rmtree(out / "crates", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    names = []
    for n in sizes:
        headers = [make_header(i) for i in range(n)]
        for variant in VARIANTS:
            name = f"{variant}_{n}"
            crate = out / "crates" / name
            (crate / "src").mkdir(parents=True, exist_ok=True)
            (crate / "Cargo.toml").write_text(crate_toml(name, variant, cr_root))
            (crate / "src" / "lib.rs").write_text(lib_rs(headers, variant))
            names.append(name)
    members = ", ".join(f'"crates/{n}"' for n in names)
    (out / "Cargo.toml").write_text(f'[workspace]\nmembers = [{members}]\nresolver = "2"\n')
    lock = cr_root / "Cargo.lock"
    if lock.exists() and not (out / "Cargo.lock").exists():
        shutil.copy(lock, out / "Cargo.lock")  # the versions the project is tested with
    shutil.copy(cr_root / "rust-toolchain.toml", out / "rust-toolchain.toml")  # the project's pinned rustc
    return names


def strip_blocks(source: str, opening: str, brackets: str = "{}") -> str:
    """Removes every block that starts with `opening`, up to its matching closing bracket (the
    generated code has no brackets inside string literals)."""
    out, at = [], 0
    while (start := source.find(opening, at)) >= 0:
        depth, i = 0, source.index(brackets[0], start)
        while True:
            depth += {brackets[0]: 1, brackets[1]: -1}.get(source[i], 0)
            i += 1
            if depth == 0:
                break
        out.append(source[at:start])
        at = i
    return "".join(out) + source[at:]


def generate_expanded(out: Path, sizes: list[int], cr_root: Path) -> list[str]:
    """`expanded_N`: derive_N's expansion as source; `nolayout_N`: the same with each `impl Layout`
    reduced to an empty table (restore's `Phases` needs the impl, the table is what is measured).
    The expansion comes from cr-derive's own printer (its ignored test `print_expansion`, the code
    of the expansion snapshots), so no nightly toolchain is needed; it follows derive_N's source
    with the derive and `#[cr(..)]` attributes removed."""
    names = []
    for n in sizes:
        source = (out / "crates" / f"derive_{n}" / "src" / "lib.rs").read_text()
        expansion = out / f"expansion_{n}.rs"
        cmd = ["cargo", "test", "-p", "cr-derive", "--lib", "--quiet", "print_expansion", "--", "--ignored"]
        env = {"CR_EXPAND_IN": str(out / "crates" / f"derive_{n}" / "src" / "lib.rs"), "CR_EXPAND_OUT": str(expansion)}
        done = subprocess.run(cmd, cwd=cr_root, capture_output=True, text=True, env={**os.environ, **env})
        if done.returncode != 0:
            sys.exit(f"`{' '.join(cmd)}` failed:\n{done.stderr[-4000:]}")
        structs = source.replace("#[derive(::cr_core::CrCopy)]\n", "")
        structs = strip_blocks(structs, "#[cr(", "[]")  # the derive's inert helper attributes
        src = structs + "\n" + expansion.read_text()
        # Each `impl Layout` block becomes an empty table: restore's `Phases` needs the impl.
        empty = "const NAME: &'static str = \"\"; const FIELDS: &'static [::cr_core::FieldInfo] = &[]; const FINGERPRINT: u64 = 0;"
        marked = re.sub(r"(impl ::cr_core::Layout for \w+ )\{", lambda m: f"{m[1]}{{ {empty} }} @CR_TABLE@ {{", src)
        nolayout = strip_blocks(marked, "@CR_TABLE@")
        for name, text in ((f"expanded_{n}", src), (f"nolayout_{n}", nolayout)):
            crate = out / "crates" / name
            (crate / "src").mkdir(parents=True, exist_ok=True)
            (crate / "Cargo.toml").write_text(crate_toml(name, "derive", cr_root))
            (crate / "src" / "lib.rs").write_text(text)
            names.append(name)
    members = sorted(str(p.relative_to(out)) for p in (out / "crates").iterdir())
    (out / "Cargo.toml").write_text("[workspace]\nmembers = [" + ", ".join(f'"{m}"' for m in members) + ']\nresolver = "2"\n')
    return names


def cargo(args: list[str], cwd: Path, toolchain: str | None = None, env: dict | None = None) -> float:
    cmd = ["cargo"] + ([f"+{toolchain}"] if toolchain else []) + args
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"`{' '.join(cmd)}` failed in {cwd}:\n{done.stderr[-4000:]}")
    return elapsed


def touch(path: Path) -> None:
    now = time.time()
    os.utime(path, (now, now))


def time_crates(out: Path, names: list[str], runs: int) -> dict:
    env = {"CARGO_TARGET_DIR": str(out / "target")}
    results: dict = {}
    for mode in ("check", "build"):
        for name in names:  # dependencies (and the crate) built once, untimed
            cargo([mode, "-p", name, "--quiet"], out, env=env)
        samples = {name: [] for name in names}
        for r in range(runs):
            order = names if r % 2 == 0 else list(reversed(names))
            for name in order:
                touch(out / "crates" / name / "src" / "lib.rs")
                samples[name].append(cargo([mode, "-p", name, "--quiet"], out, env=env))
            print(f"  {mode} round {r + 1}/{runs} done", file=sys.stderr)
        results[mode] = {name: {"median": statistics.median(s), "samples": s} for name, s in samples.items()}
    return results


# RUSTC_WRAPPER for --instructions: the crate named $CR_BENCH_CRATE is checked under callgrind and
# its instruction total written to $CR_BENCH_OUT; every other rustc call runs as usual.
CALLGRIND_WRAPPER = """#!/bin/sh
rustc="$1"; shift
name=""; prev=""
for a in "$@"; do [ "$prev" = "--crate-name" ] && name="$a"; prev="$a"; done
if [ -n "$CR_BENCH_CRATE" ] && [ "$name" = "$CR_BENCH_CRATE" ]; then
    valgrind --tool=callgrind --callgrind-out-file="$CR_BENCH_OUT.callgrind" "$rustc" "$@" 2>"$CR_BENCH_OUT.log" || exit $?
    sed -n 's/^totals: *//p' "$CR_BENCH_OUT.callgrind" > "$CR_BENCH_OUT"
    exit 0
fi
exec "$rustc" "$@"
"""


def count_instructions(out: Path, names: list[str]) -> dict:
    """Instructions of one `cargo check` of each crate (its rustc only), non-incremental."""
    if shutil.which("valgrind") is None:
        sys.exit("--instructions needs valgrind (apt-get install valgrind)")
    wrapper = out / "callgrind-rustc.sh"
    wrapper.write_text(CALLGRIND_WRAPPER)
    wrapper.chmod(0o755)
    env = {"CARGO_TARGET_DIR": str(out / "target-instructions"), "CARGO_INCREMENTAL": "0", "RUSTC_WRAPPER": str(wrapper)}
    counts = {}
    for name in names:
        cargo(["check", "-p", name, "--quiet"], out, env=env)  # dependencies, uninstrumented
        touch(out / "crates" / name / "src" / "lib.rs")
        result = out / f"instructions-{name}.txt"
        cargo(["check", "-p", name, "--quiet"], out, env={**env, "CR_BENCH_CRATE": name, "CR_BENCH_OUT": str(result)})
        counts[name] = int(result.read_text().split()[0])
        print(f"  {name}: {counts[name] / 1e9:.3f} G instructions", file=sys.stderr)
    return counts


def time_clean(out: Path, cr_root: Path, runs: int) -> dict:
    """Clean builds of cr-derive and serde_derive (dev profile, each with its dependencies)."""
    lock = (out / "Cargo.lock").read_text()
    at = lock.find('name = "serde_derive"\nversion = "')
    serde_version = lock[at:].split('"')[3] if at >= 0 else "1"
    scratch = {
        "cr-derive": f'cr-derive = {{ path = "{cr_root / "cr-derive"}" }}',
        "serde_derive": f'serde_derive = "={serde_version}"',
    }
    samples: dict[str, list[float]] = {k: [] for k in scratch}
    for key, dep in scratch.items():
        d = out / "clean" / key
        (d / "src").mkdir(parents=True, exist_ok=True)
        (d / "Cargo.toml").write_text(
            f'[package]\nname = "scratch-{key}"\nversion = "0.0.0"\nedition = "2021"\n\n'
            f"[dependencies]\n{dep}\n\n[workspace]\n"
        )
        (d / "src" / "lib.rs").write_text("")
        if not (d / "Cargo.lock").exists():
            shutil.copy(out / "Cargo.lock", d / "Cargo.lock")
        cargo(["fetch", "--quiet"], d)
    for r in range(runs):
        keys = list(scratch) if r % 2 == 0 else list(reversed(scratch))
        for key in keys:
            d = out / "clean" / key
            cargo(["clean", "--quiet"], d)
            samples[key].append(cargo(["build", "-p", key, "--quiet"], d))
        print(f"  clean round {r + 1}/{runs} done", file=sys.stderr)
    return {k: {"median": statistics.median(s), "samples": s} for k, s in samples.items()}


def report(results: dict, sizes: list[int], header_stats: dict) -> str:
    lines = []
    for mode in ("check", "build"):
        r = results[mode]
        lines.append(f"\n`cargo {mode}` of the crate alone (s, median of {len(next(iter(r.values()))['samples'])} runs)")
        lines.append(
            "| N | fields | derive | hand | handtable | serde | plain | derive/serde | derive/hand | derive/handtable "
            "| over plain: derive/serde | derive/hand |"
        )
        lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for n in sizes:
            m = {v: r[f"{v}_{n}"]["median"] for v in VARIANTS}
            dp, hp, sp = m["derive"] - m["plain"], m["hand"] - m["plain"], m["serde"] - m["plain"]
            lines.append(
                f"| {n} | {header_stats[n]} | {m['derive']:.2f} | {m['hand']:.2f} | {m['handtable']:.2f} "
                f"| {m['serde']:.2f} | {m['plain']:.2f} "
                f"| {m['derive'] / m['serde']:.2f} | {m['derive'] / m['hand']:.2f} | {m['derive'] / m['handtable']:.2f} "
                f"| {dp / sp:.2f} | {dp / hp:.2f} |"
            )
    extra = [name for name in results["check"] if name.split("_")[0] in ("expanded", "nolayout")]
    if extra:
        lines.append("\nThe derive's output pasted as source (`cargo check`, s, median): no macro to run")
        lines.append("| N | derive | expanded | expanded, tables emptied | hand |")
        lines.append("|---|---|---|---|---|")
        for n in sizes:
            r = results["check"]
            if f"expanded_{n}" in r:
                cells = [r[f"{v}_{n}"]["median"] for v in ("derive", "expanded", "nolayout", "hand")]
                lines.append(f"| {n} | " + " | ".join(f"{c:.2f}" for c in cells) + " |")
    if "instructions" in results:
        i = results["instructions"]
        lines.append("\nInstructions of one non-incremental `cargo check` of the crate (its rustc under callgrind, G)")
        lines.append(
            "| N | derive | hand | handtable | serde | plain | expanded | expanded, tables emptied "
            "| derive/handtable | derive/hand | derive/serde |"
        )
        lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for n in sorted({int(k.split("_")[1]) for k in i}):
            g = {v: i.get(f"{v}_{n}") for v in VARIANTS + ["expanded", "nolayout"]}
            cell = lambda v: f"{g[v] / 1e9:.2f}" if g[v] else "-"
            lines.append(
                f"| {n} | {cell('derive')} | {cell('hand')} | {cell('handtable')} | {cell('serde')} | {cell('plain')} "
                f"| {cell('expanded')} | {cell('nolayout')} | {g['derive'] / g['handtable']:.2f} "
                f"| {g['derive'] / g['hand']:.2f} | {g['derive'] / g['serde']:.2f} |"
            )
    if "clean" in results:
        c = results["clean"]
        runs = len(c["cr-derive"]["samples"])
        lines.append(f"\nClean `cargo build` (dev) of each proc-macro with its dependencies (s, median of {runs} runs)")
        lines.append("| cr-derive | serde_derive | cr-derive/serde_derive |")
        lines.append("|---|---|---|")
        cd, sd = c["cr-derive"]["median"], c["serde_derive"]["median"]
        lines.append(f"| {cd:.2f} | {sd:.2f} | {cd / sd:.2f} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("/tmp/cr-compile-bench"))
    ap.add_argument("--sizes", default="100,300")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--clean", action="store_true", help="also time clean builds of cr-derive and serde_derive")
    ap.add_argument("--clean-runs", type=int, default=5)
    ap.add_argument("--expanded", action="store_true", help="also time the derive's output pasted as source")
    ap.add_argument("--instructions", action="store_true", help="also count rustc's instructions (callgrind) for N = 100")
    ap.add_argument("--generate-only", action="store_true")
    ap.add_argument(
        "--count-only",
        metavar="VARIANTS",
        help="only count instructions for these N = 100 variants (e.g. `derive`), no timings: a quick check of one change",
    )
    ap.add_argument("--cr-root", type=Path, default=ROOT)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    out = args.out.resolve()
    names = generate(out, sizes, args.cr_root.resolve())
    header_stats = {}
    for n in sizes:
        counts = [len(make_header(i).fields) for i in range(n)]
        header_stats[n] = f"{sum(counts)} ({min(counts)}-{max(counts)}/header)"
    if args.expanded:
        names += generate_expanded(out, sizes, args.cr_root.resolve())
    print(f"generated {len(names)} crates in {out}", file=sys.stderr)
    if args.generate_only:
        return 0
    if args.count_only:
        counts = count_instructions(out, [f"{v}_100" for v in args.count_only.split(",")])
        for name, count in counts.items():
            print(f"{name}: {count / 1e9:.3f} G instructions of `cargo check`")
        return 0
    results = time_crates(out, names, args.runs)
    if args.instructions:
        results["instructions"] = count_instructions(out, [name for name in names if name.endswith("_100")])
    if args.clean:
        results["clean"] = time_clean(out, args.cr_root.resolve(), args.clean_runs)
    results["fields"] = header_stats
    (out / "results.json").write_text(json.dumps(results, indent=1))
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True, cwd=out).stdout.strip()
    print(f"{rustc}; nproc {os.cpu_count()}; dependencies pre-built, lib.rs touched before each run")
    print(report(results, sizes, header_stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
