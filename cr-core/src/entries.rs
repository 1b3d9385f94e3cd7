//! Live entries as list records: a slice of live structs (or a flexible-array struct's entries,
//! feature `fam`) saved through an entry header into one list record, and read back into live
//! structs with every entry restored, the count bounded and the entries unique, before any of them
//! is handed out. Needs `std` (the headers and entries are collected in a `Vec`); the records
//! themselves are `image`'s list records.

use crate::image::{Reader, Record, Sink, Writer};
use crate::{CrCopy, Error, ErrorKind};
use std::vec::Vec;

/// Restores every one of `headers` (the entries of a list) into a fresh `L::default()`: at most
/// `E::MAX_ENTRIES` of them, no entry the same as an earlier one (`E`'s `unique` fields), every
/// entry's restore, all checked before the entries are returned. What [`Reader::read_entries`]
/// does after reading the list, for headers held in memory.
pub fn restore_entries<E: Record + CrCopy<L>, L: Default>(headers: &[E]) -> Result<Vec<L>, Error> {
    restore_at_most(headers, E::MAX_ENTRIES, |_| None, None)
}

fn restore_at_most<E: Record + CrCopy<L>, L: Default>(
    headers: &[E],
    max: usize,
    offset_of: impl Fn(usize) -> Option<u64>,
    list: impl Into<Option<u64>>,
) -> Result<Vec<L>, Error> {
    let at = |e: Error, offset: Option<u64>| match offset {
        Some(o) => e.at_offset(o),
        None => e,
    };
    if headers.len() > max {
        let kind = ErrorKind::TooManyEntries {
            max: max as u64,
            found: headers.len() as u64,
        };
        return Err(at(Error::new(kind), list.into()));
    }
    let mut out = Vec::with_capacity(headers.len());
    for (i, header) in headers.iter().enumerate() {
        if let Some(first) = headers[..i].iter().position(|earlier| earlier.same_entry(header)) {
            let kind = ErrorKind::DuplicateEntry {
                first: first as u32,
                second: i as u32,
            };
            let error = match E::UNIQUE.first() {
                Some(field) => crate::__private::locate::<E>(Error::new(kind).at(field, None)),
                None => Error::new(kind),
            };
            return Err(at(error, offset_of(i)));
        }
        let mut live = L::default();
        header.restore(&mut live).map_err(|e| at(e, offset_of(i)))?;
        out.push(live);
    }
    Ok(out)
}

impl<W: Sink> Writer<W> {
    /// Saves each of `live` into an `E` header and writes them as one list record (type
    /// `LIST + E::TYPE`) whose parent is `parent`.
    pub fn write_entries<E: Record + CrCopy<L>, L>(&mut self, parent: u32, live: &[L]) -> Result<(), Error> {
        let headers: Vec<E> = live
            .iter()
            .map(|l| {
                let mut h = E::new_zeroed();
                h.save(l);
                h
            })
            .collect();
        self.write_list(parent, &headers)
    }

    /// Writes the entries of a flexible-array struct (`kvm_msrs`, or a `FamStructWrapper`'s
    /// `as_fam_struct_ref()`), as [`Writer::write_entries`] does.
    #[cfg(feature = "fam")]
    pub fn write_fam<E, T>(&mut self, parent: u32, fam: &T) -> Result<(), Error>
    where
        T: vmm_sys_util::fam::FamStruct,
        E: Record + CrCopy<T::Entry>,
    {
        self.write_entries::<E, T::Entry>(parent, fam.as_slice())
    }
}

impl<'a> Reader<'a> {
    /// The next record as a list of `E` headers, each restored into a fresh `L::default()`, with
    /// the list's parent. Checks, before returning anything: the list record (as
    /// [`Reader::read_list`]), at most `E::MAX_ENTRIES` entries (`TooManyEntries`), no entry the same
    /// as an earlier one (`DuplicateEntry`, by `E`'s `unique` fields), and every entry's restore.
    /// Each error carries the byte offset of the list or of the entry at fault.
    pub fn read_entries<E: Record + CrCopy<L>, L: Default>(&mut self) -> Result<(u32, Vec<L>), Error> {
        self.read_entries_at_most::<E, L>(E::MAX_ENTRIES)
    }

    fn read_entries_at_most<E: Record + CrCopy<L>, L: Default>(&mut self, max: usize) -> Result<(u32, Vec<L>), Error> {
        let start = self.offset();
        let (parent, list) = self.read_list::<E>()?;
        let offset_of = |i| Some(list.offset_of(i));
        // The entries in place where the image's bytes allow it (native order, aligned); else
        // one copy, allocated once.
        let entries = match list.as_slice() {
            Some(headers) => restore_at_most(headers, max, offset_of, Some(start))?,
            None => {
                let mut headers = Vec::with_capacity(list.len());
                headers.extend(list.iter());
                restore_at_most(&headers, max, offset_of, Some(start))?
            }
        };
        Ok((parent, entries))
    }

    /// The next record as the entries of a flexible-array struct `T`, in a `FamStructWrapper`: as
    /// [`Reader::read_entries`], bounded also by `T::max_len()`.
    #[cfg(feature = "fam")]
    pub fn read_fam<E, T>(&mut self) -> Result<(u32, vmm_sys_util::fam::FamStructWrapper<T>), Error>
    where
        T: vmm_sys_util::fam::FamStruct + Default,
        T::Entry: Default,
        E: Record + CrCopy<T::Entry>,
    {
        let start = self.offset();
        let max = E::MAX_ENTRIES.min(T::max_len());
        let (parent, entries) = self.read_entries_at_most::<E, T::Entry>(max)?;
        let fam = vmm_sys_util::fam::FamStructWrapper::from_entries(&entries).map_err(|_| {
            let kind = ErrorKind::TooManyEntries {
                max: max as u64,
                found: entries.len() as u64,
            };
            Error::new(kind).at_offset(start)
        })?;
        Ok((parent, fam))
    }
}
