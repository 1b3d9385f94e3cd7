//! Live entries as list records (issue 20, flexible arrays): one declaration on the entry header
//! (`max_entries`, `unique`), no glue: `Writer::write_entries` / `write_fam` save them, `Reader::read_entries` /
//! `read_fam` restore them with every entry checked, the count bounded and the entries unique, before any
//! is handed out.

use cr_core::image::{restore_entries, Reader, Writer, RECORD_HEADER_SIZE};
use cr_core::zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};
use cr_core::{CrCopy, ErrorKind};

const ARCH: u32 = u32::from_be_bytes(*b"test");

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Msr {
    pub index: u32,
    pub data: u64,
}

#[derive(CrCopy, Clone, Copy, Debug, PartialEq, FromBytes, IntoBytes, Immutable, KnownLayout)]
#[zerocopy(crate = "cr_core::zerocopy")]
#[repr(C)]
#[cr(target = Msr, record = 7, max_entries = 4, unique = "index")]
pub struct MsrHeader {
    #[cr(path = "index", strict_mask = 0xffff)]
    pub index: u32,
    #[cr(reserved)]
    pub reserved: u32,
    #[cr(path = "data")]
    pub data: u64,
}

fn msrs(indexes: &[u32]) -> Vec<Msr> {
    indexes
        .iter()
        .map(|&index| Msr {
            index,
            data: u64::from(index) * 3,
        })
        .collect()
}

fn image_of(live: &[Msr]) -> Vec<u8> {
    let mut w = Writer::new(Vec::new(), ARCH).unwrap();
    w.write_entries::<MsrHeader, _>(5, live).unwrap();
    w.finish().unwrap()
}

#[test]
fn entries_round_trip_through_one_list_record() {
    let live = msrs(&[0x10, 0x174, 0x277]);
    let image = image_of(&live);
    let mut r = Reader::new(&image, ARCH).unwrap();
    let (parent, back) = r.read_entries::<MsrHeader, Msr>().unwrap();
    r.finish().unwrap();
    assert_eq!((parent, back), (5, live));
}

#[test]
fn more_entries_than_max_entries_are_refused() {
    let image = image_of(&msrs(&[1, 2, 3, 4, 5]));
    let e = Reader::new(&image, ARCH)
        .unwrap()
        .read_entries::<MsrHeader, Msr>()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TooManyEntries { max: 4, found: 5 });
    assert_eq!(e.offset(), Some(24), "the list record's offset");
    assert_eq!(
        e.to_string(),
        "image has a list record of 5 entries, more than the 4 its entry header allows (`max_entries`) (at byte 24)"
    );
}

#[test]
fn an_entry_listed_twice_is_refused_by_its_unique_field() {
    let image = image_of(&msrs(&[1, 2, 1]));
    let e = Reader::new(&image, ARCH)
        .unwrap()
        .read_entries::<MsrHeader, Msr>()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DuplicateEntry { first: 0, second: 2 });
    let entry_2 = 24 + RECORD_HEADER_SIZE as u64 + 2 * 16;
    assert_eq!(
        (e.field(), e.path(), e.offset()),
        (Some("index"), Some("index"), Some(entry_2))
    );
    assert_eq!(
        e.to_string(),
        format!("header field `index` (live `index`) is the same in entries 0 and 2 of a list, which holds each entry once (`unique`) (at byte {entry_2})")
    );
}

#[test]
fn every_entry_is_checked_with_its_offset() {
    let mut headers: Vec<MsrHeader> = msrs(&[1, 2, 3])
        .iter()
        .map(|m| {
            let mut h: MsrHeader = cr_core::zerocopy::FromZeros::new_zeroed();
            h.save(m);
            h
        })
        .collect();
    headers[1].index = 0x1_0000;
    let e = restore_entries::<MsrHeader, Msr>(&headers).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MaskViolation { bits: 0x1_0000 });
    let mut w = Writer::new(Vec::new(), ARCH).unwrap();
    w.write_list(5, &headers).unwrap();
    let image = w.finish().unwrap();
    let e = Reader::new(&image, ARCH)
        .unwrap()
        .read_entries::<MsrHeader, Msr>()
        .unwrap_err();
    assert_eq!(e.offset(), Some(24 + RECORD_HEADER_SIZE as u64 + 16));
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod fam {
    use super::ARCH;
    use cr::kvm_x86_64::{CrHdrKvmCpuidEntry, CrHdrKvmMsr};
    use cr_core::image::{Reader, Writer};
    use cr_core::ErrorKind;
    use kvm_bindings::{kvm_msr_entry, CpuId, Msrs};

    #[test]
    fn a_famstructwrapper_round_trips_with_no_glue() {
        let entries = [0x10, 0x174, 0xc000_0081].map(|index| kvm_msr_entry {
            index,
            data: 42,
            ..Default::default()
        });
        let msrs = Msrs::from_entries(&entries).unwrap();
        let mut w = Writer::new(Vec::new(), ARCH).unwrap();
        // The bare flexible-array struct, as KVM_GET_MSRS fills it.
        w.write_fam::<CrHdrKvmMsr, _>(0, msrs.as_fam_struct_ref()).unwrap();
        let image = w.finish().unwrap();
        let (_, back): (u32, Msrs) = Reader::new(&image, ARCH).unwrap().read_fam::<CrHdrKvmMsr, _>().unwrap();
        assert_eq!(back.as_slice(), msrs.as_slice());
        assert_eq!(back.as_fam_struct_ref().nmsrs, 3);
    }

    #[test]
    fn the_cpuid_the_host_supports_round_trips() {
        let cpuid = match kvm_ioctls::Kvm::new() {
            Ok(kvm) => kvm.get_supported_cpuid(kvm_bindings::KVM_MAX_CPUID_ENTRIES).unwrap(),
            Err(e) => {
                eprintln!("SKIPPED: /dev/kvm cannot be opened ({e}): a constructed CPUID instead");
                CpuId::from_entries(&[kvm_bindings::kvm_cpuid_entry2 {
                    function: 7,
                    index: 0,
                    flags: kvm_bindings::KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
                    ebx: 0x029c_67af,
                    ..Default::default()
                }])
                .unwrap()
            }
        };
        let mut w = Writer::new(Vec::new(), ARCH).unwrap();
        w.write_fam::<CrHdrKvmCpuidEntry, _>(0, cpuid.as_fam_struct_ref())
            .unwrap();
        let image = w.finish().unwrap();
        let (_, back): (u32, CpuId) = Reader::new(&image, ARCH)
            .unwrap()
            .read_fam::<CrHdrKvmCpuidEntry, _>()
            .unwrap();
        assert_eq!(back.as_slice(), cpuid.as_slice());

        // The same leaf twice (function and index equal) is refused.
        let mut twice: Vec<_> = cpuid.as_slice().to_vec();
        twice.push(twice[0]);
        let twice = CpuId::from_entries(&twice).unwrap();
        let mut w = Writer::new(Vec::new(), ARCH).unwrap();
        w.write_fam::<CrHdrKvmCpuidEntry, _>(0, twice.as_fam_struct_ref())
            .unwrap();
        let image = w.finish().unwrap();
        let e = Reader::new(&image, ARCH)
            .unwrap()
            .read_fam::<CrHdrKvmCpuidEntry, kvm_bindings::kvm_cpuid2>()
            .unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::DuplicateEntry { first: 0, .. }), "{e}");
        assert_eq!(e.field(), Some("function"));
    }
}

/// The two ways `read_entries` takes the entries: in place from an aligned image of this machine's byte
/// order, and by one copy otherwise (an image of the other byte order; an image at an odd address).
/// Both restore the same entries and make the same checks.
#[test]
fn entries_read_in_place_and_by_copy_restore_the_same() {
    let live = msrs(&[0x10, 0x174, 0x277]);
    let native = image_of(&live);
    let kinds = [cr_core::dump::Kind::of::<MsrHeader>()];
    let foreign = cr::foreign::other_order(&native, ARCH, &kinds).unwrap();
    assert_ne!(foreign, native, "the other byte order changes the entries' bytes");
    // The same image one byte further on: its entries are not aligned for `MsrHeader`.
    let mut shifted = vec![0u8; native.len() + 1];
    shifted[1..].copy_from_slice(&native);
    for (what, image) in [
        ("native", &native[..]),
        ("foreign", &foreign[..]),
        ("unaligned", &shifted[1..]),
    ] {
        let mut r = Reader::new(image, ARCH).unwrap();
        let (parent, back) = r.read_entries::<MsrHeader, Msr>().unwrap();
        r.finish().unwrap();
        assert_eq!((parent, back), (5, live.clone()), "{what}");
    }
    let twice = image_of(&msrs(&[0x10, 0x174, 0x10]));
    for (what, image) in [
        ("native", twice.clone()),
        ("foreign", cr::foreign::other_order(&twice, ARCH, &kinds).unwrap()),
    ] {
        let e = Reader::new(&image, ARCH)
            .unwrap()
            .read_entries::<MsrHeader, Msr>()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::DuplicateEntry { first: 0, second: 2 }, "{what}");
    }
}
