//! serde for the s390 `Task`, whose types live in the `cr` library without serde derives:
//! serde's remote derive (`#[serde(remote = "...")]`) generates exactly the code a
//! `#[derive(Serialize, Deserialize)]` on the types themselves would. serde derives nothing for a
//! C union or a bitfield: `per_struct` goes through a plain mirror (`PerMirror`), read and written
//! as the headers do (the unions' `words`, the bitfields' accessors).

use cr::s390::{mm_context_t, per_struct, psw_t, pt_regs, s390_fp_regs, thread_struct, Cpu, PerWords, Task};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Serialize, Deserialize)]
#[serde(remote = "psw_t")]
struct PswDef {
    mask: u64,
    addr: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "pt_regs")]
struct PtRegsDef {
    args: [u64; 1],
    #[serde(with = "PswDef")]
    psw: psw_t,
    gprs: [u64; 16],
    orig_gpr2: u64,
    ilc: u16,
    svcnr: u16,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "s390_fp_regs")]
struct FpRegsDef {
    fpc: u32,
    fprs: [f64; 16],
}

/// `per_struct` as plain data.
#[derive(Serialize, Deserialize)]
struct PerMirror {
    control_regs: [u64; 3],
    single_step: u32,
    instruction_fetch: u32,
    starting_addr: u64,
    ending_addr: u64,
    perc_atmid: u16,
    address: u64,
    access_id: u8,
}

mod per_info {
    use super::{per_struct, PerMirror, PerWords};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(per: &per_struct, serializer: S) -> Result<S::Ok, S::Error> {
        let words = PerWords::of(per);
        PerMirror {
            control_regs: words.control_regs,
            single_step: per.single_step(),
            instruction_fetch: per.instruction_fetch(),
            starting_addr: per.starting_addr,
            ending_addr: per.ending_addr,
            perc_atmid: words.perc_atmid,
            address: words.address,
            access_id: words.access_id,
        }
        .serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<per_struct, D::Error> {
        let m = PerMirror::deserialize(deserializer)?;
        let mut per = per_struct::default();
        per.control_regs.words.cr = m.control_regs;
        per.set_single_step(m.single_step);
        per.set_instruction_fetch(m.instruction_fetch);
        per.starting_addr = m.starting_addr;
        per.ending_addr = m.ending_addr;
        per.lowcore.words.perc_atmid = m.perc_atmid;
        per.lowcore.words.address = m.address;
        per.lowcore.words.access_id = m.access_id;
        Ok(per)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "thread_struct")]
struct ThreadStructDef {
    #[serde(with = "FpRegsDef")]
    fp_regs: s390_fp_regs,
    acrs: [u32; 16],
    ksp: u64,
    #[serde(with = "per_info")]
    per_info: per_struct,
    ieee_instruction_pointer: u64,
    last_break: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "mm_context_t")]
struct MmContextDef {
    asce_bits: u64,
    asce_limit: u64,
    vdso_base: u64,
    noexec: i32,
    has_pgste: i32,
    alloc_pgste: i32,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "Cpu")]
struct CpuDef {
    acrs: [u32; 16],
    acr_loads: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "Task")]
struct TaskDef {
    #[serde(with = "PtRegsDef")]
    regs: pt_regs,
    #[serde(with = "ThreadStructDef")]
    thread: thread_struct,
    #[serde(with = "MmContextDef")]
    mm: mm_context_t,
    #[serde(with = "CpuDef")]
    cpu: Cpu,
}

/// Serializes a borrowed `Task` (no copy).
pub struct SerTask<'a>(pub &'a Task);

impl Serialize for SerTask<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        TaskDef::serialize(self.0, serializer)
    }
}

/// Deserializes a `Task`.
pub struct DeTask(pub Task);

impl<'de> Deserialize<'de> for DeTask {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        TaskDef::deserialize(deserializer).map(DeTask)
    }
}
