//! serde for the s390 `Task`, whose types live in the `cr` library without serde derives:
//! serde's remote derive (`#[serde(remote = "...")]`) generates exactly the code a
//! `#[derive(Serialize, Deserialize)]` on the types themselves would.

use cr::s390::{
    Cpu, FpRegs, MmContext, PerCrWords, PerLowcore, PerLowcoreWords, PerStruct, Psw, PtRegs, Task, ThreadStruct,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Serialize, Deserialize)]
#[serde(remote = "Psw")]
struct PswDef {
    mask: u64,
    addr: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "PtRegs")]
struct PtRegsDef {
    args: [u64; 1],
    #[serde(with = "PswDef")]
    psw: Psw,
    gprs: [u64; 16],
    orig_gpr2: u64,
    ilc: u16,
    svcnr: u16,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "FpRegs")]
struct FpRegsDef {
    fpc: u32,
    fprs: [f64; 16],
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "PerCrWords")]
struct PerCrWordsDef {
    words: [u64; 3],
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "PerLowcoreWords")]
struct PerLowcoreWordsDef {
    perc_atmid: u16,
    address: u64,
    access_id: u8,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "PerLowcore")]
struct PerLowcoreDef {
    #[serde(with = "PerLowcoreWordsDef")]
    words: PerLowcoreWords,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "PerStruct")]
struct PerStructDef {
    #[serde(with = "PerCrWordsDef")]
    control_regs: PerCrWords,
    single_step: bool,
    instruction_fetch: bool,
    starting_addr: u64,
    ending_addr: u64,
    #[serde(with = "PerLowcoreDef")]
    lowcore: PerLowcore,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "ThreadStruct")]
struct ThreadStructDef {
    #[serde(with = "FpRegsDef")]
    fp_regs: FpRegs,
    acrs: [u32; 16],
    ksp: u64,
    ieee_instruction_pointer: u64,
    #[serde(with = "PerStructDef")]
    per_info: PerStruct,
    last_break: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "MmContext")]
struct MmContextDef {
    vdso_base: u64,
    noexec: bool,
    has_pgste: bool,
    alloc_pgste: bool,
    asce_bits: u64,
    asce_limit: u64,
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
    regs: PtRegs,
    #[serde(with = "ThreadStructDef")]
    thread: ThreadStruct,
    #[serde(with = "MmContextDef")]
    mm: MmContext,
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
