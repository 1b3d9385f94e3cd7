//! The list benchmark subject (issue 20): the MSRs of a vCPU as live `kvm_msr_entry`s, restored from
//! their entry headers as `Reader::read_entries` restores a list record (`cr_core::image::restore_entries`:
//! the count bounded by `max_entries`, no index twice, every entry's checks, all before any entry is
//! handed out), against the hand-written loop that makes the same checks in the same order. A list is
//! not one header over one live struct, so it is not a [`super::Subject`]: it has its own [`ListBench`],
//! with the same variants and operations.

use super::{Op, Variant};
use cr_core::image::restore_entries;
use cr_core::{CrCopy, Error, ErrorKind};
use kvm_bindings::kvm_msr_entry;
use std::hint::black_box;
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout};

/// At most this many MSRs in a list.
pub const MAX: usize = 32;

/// One MSR: its index (the architectural and AMD ranges), its reserved word, its value.
#[derive(CrCopy, Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[repr(C)]
#[cr(target = kvm_msr_entry, record = 0x7e, max_entries = 32, unique = "index")]
pub struct MsrHeader {
    #[cr(path = "index", strict_mask = 0xc000_1fff)]
    pub index: u32,
    #[cr(path = "reserved", reserved)]
    pub reserved: u32,
    #[cr(path = "data")]
    pub data: u64,
}

/// The MSRs a VMM saves (those of the KVM fixture's `SAVED_MSRS`), with recognisable values.
pub fn sample() -> Vec<kvm_msr_entry> {
    cr::kvm_x86_64::SAVED_MSRS
        .iter()
        .map(|&index| kvm_msr_entry {
            index,
            data: u64::from(index) << 12 | 0x5,
            ..Default::default()
        })
        .collect()
}

/// Live -> headers, by hand.
pub fn hand_save(headers: &mut Vec<MsrHeader>, live: &[kvm_msr_entry]) {
    headers.clear();
    headers.extend(live.iter().map(|e| MsrHeader {
        index: e.index,
        reserved: 0,
        data: e.data,
    }));
}

/// Live -> headers, derived.
pub fn derived_save(headers: &mut Vec<MsrHeader>, live: &[kvm_msr_entry]) {
    headers.clear();
    headers.extend(live.iter().map(|e| {
        let mut h = MsrHeader::new_zeroed();
        h.save(e);
        h
    }));
}

/// Headers -> live, by hand: the count, then per entry its index's uniqueness, its mask and its
/// reserved word, then its writes.
pub fn hand_restore(headers: &[MsrHeader]) -> Result<Vec<kvm_msr_entry>, Error> {
    if headers.len() > MAX {
        let kind = ErrorKind::TooManyEntries {
            max: MAX as u64,
            found: headers.len() as u64,
        };
        return Err(Error::new(kind));
    }
    let mut out = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        if let Some(first) = headers[..i].iter().position(|e| e.index == h.index) {
            let kind = ErrorKind::DuplicateEntry {
                first: first as u32,
                second: i as u32,
            };
            return Err(cr_core::__private::locate::<MsrHeader>(
                Error::new(kind).at("index", None),
            ));
        }
        if h.index & !0xc000_1fff != 0 {
            let bits = u64::from(h.index & !0xc000_1fff);
            return Err(Error::new(ErrorKind::MaskViolation { bits }).at("index", Some("index")));
        }
        if h.reserved != 0 {
            return Err(Error::new(ErrorKind::ReservedNotZero).at("reserved", Some("reserved")));
        }
        out.push(kvm_msr_entry {
            index: h.index,
            reserved: 0,
            data: h.data,
        });
    }
    Ok(out)
}

/// Headers -> live, derived (what `Reader::read_entries` runs after reading the list).
pub fn derived_restore(headers: &[MsrHeader]) -> Result<Vec<kvm_msr_entry>, Error> {
    restore_entries::<MsrHeader, kvm_msr_entry>(headers)
}

fn same(a: &[kvm_msr_entry], b: &[kvm_msr_entry]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.as_bytes() == y.as_bytes())
}

/// Asserts that the derived and hand-written copies agree on the sample and on tampered lists.
pub fn verify() {
    let live = sample();
    let (mut derived, mut hand) = (Vec::new(), Vec::new());
    derived_save(&mut derived, &live);
    hand_save(&mut hand, &live);
    assert_eq!(derived, hand, "msr_list: derived and hand-written save differ");
    let back = derived_restore(&derived).expect("the sample restores");
    assert!(same(&back, &live), "msr_list: derived restore differs from the sample");
    assert!(
        same(&hand_restore(&hand).expect("the sample restores"), &live),
        "msr_list: hand-written restore differs from the sample"
    );
    let mut cases: Vec<Vec<MsrHeader>> = Vec::new();
    let mut push = |f: &dyn Fn(&mut Vec<MsrHeader>)| {
        let mut h = derived.clone();
        f(&mut h);
        cases.push(h);
    };
    push(&|h| h[7].index = h[2].index);
    push(&|h| h[3].reserved = 1);
    push(&|h| h[5].index |= 1 << 20);
    push(&|h| {
        let extra = h[0];
        h.extend(std::iter::repeat_n(extra, MAX));
    });
    for (i, bad) in cases.iter().enumerate() {
        let (d, h) = (derived_restore(bad), hand_restore(bad));
        assert!(d.is_err(), "msr_list: tampered list {i} was accepted");
        assert_eq!(d.err(), h.err(), "msr_list: tampered list {i}: different errors");
    }
}

/// The set-up of the list benchmark: the live entries, their headers, their bytes and their postcard
/// encoding.
pub struct ListBench {
    live: Vec<kvm_msr_entry>,
    headers: Vec<MsrHeader>,
    bytes: Vec<u8>,
    buf: Vec<u8>,
    len: usize,
}

impl ListBench {
    /// Sets up, after [`verify`].
    pub fn new() -> Self {
        verify();
        let live = sample();
        let mut headers = Vec::new();
        derived_save(&mut headers, &live);
        let bytes = headers.as_bytes().to_vec();
        let mut buf = vec![0; super::BUF_LEN];
        let len = postcard::to_slice(&live, &mut buf)
            .expect("BUF_LEN holds the MSRs")
            .len();
        ListBench {
            live,
            headers,
            bytes,
            buf,
            len,
        }
    }

    /// One iteration of `variant` doing `op`, every input and output through `black_box`. Restore
    /// makes a fresh `Vec` of entries in every variant, as reading a list does.
    #[inline(always)]
    pub fn run(&mut self, variant: Variant, op: Op) {
        let save = matches!(op, Op::Save | Op::SaveRestore);
        let restore = matches!(op, Op::Restore | Op::SaveRestore);
        match variant {
            Variant::Derived => {
                if save {
                    run_save(derived_save, black_box(&mut self.headers), black_box(&self.live));
                }
                if restore {
                    let _ = black_box(run_restore(derived_restore, black_box(&self.headers)));
                }
            }
            Variant::Hand => {
                if save {
                    run_save(hand_save, black_box(&mut self.headers), black_box(&self.live));
                }
                if restore {
                    let _ = black_box(run_restore(hand_restore, black_box(&self.headers)));
                }
            }
            Variant::Bytes => {
                if save {
                    bytes_save(black_box(&mut self.bytes), black_box(&self.headers));
                }
                if restore {
                    black_box(bytes_restore(black_box(&self.bytes)));
                }
            }
            Variant::Postcard => {
                if save {
                    self.len = postcard_save(black_box(&self.live), black_box(&mut self.buf));
                }
                if restore {
                    black_box(postcard_restore(black_box(&self.buf[..self.len])));
                }
            }
            Variant::Empty => {
                black_box(&mut self.headers);
                black_box(&mut self.live);
            }
        }
    }
}

impl super::Runs for ListBench {
    #[inline(always)]
    fn run(&mut self, variant: Variant, op: Op) {
        ListBench::run(self, variant, op)
    }
}

impl Default for ListBench {
    fn default() -> Self {
        Self::new()
    }
}

#[inline(never)]
fn run_save(f: fn(&mut Vec<MsrHeader>, &[kvm_msr_entry]), headers: &mut Vec<MsrHeader>, live: &[kvm_msr_entry]) {
    f(headers, live)
}

type Restore = fn(&[MsrHeader]) -> Result<Vec<kvm_msr_entry>, Error>;

#[inline(never)]
fn run_restore(f: Restore, headers: &[MsrHeader]) -> Result<Vec<kvm_msr_entry>, Error> {
    f(headers)
}

/// The floor: the headers' bytes copied out, and back into fresh entries.
#[inline(never)]
fn bytes_save(bytes: &mut Vec<u8>, headers: &[MsrHeader]) {
    bytes.clear();
    bytes.extend_from_slice(headers.as_bytes());
}

#[inline(never)]
fn bytes_restore(bytes: &[u8]) -> Vec<kvm_msr_entry> {
    let entries = bytes.chunks_exact(size_of::<kvm_msr_entry>());
    let mut out = Vec::with_capacity(entries.len());
    out.extend(entries.filter_map(|e| kvm_msr_entry::read_from_bytes(e).ok()));
    out
}

#[inline(never)]
fn postcard_save(live: &[kvm_msr_entry], buf: &mut [u8]) -> usize {
    postcard::to_slice(live, buf).map_or(0, |b| b.len())
}

#[inline(never)]
fn postcard_restore(bytes: &[u8]) -> Vec<kvm_msr_entry> {
    postcard::from_bytes(bytes).unwrap_or_default()
}
