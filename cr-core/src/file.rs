//! Image files that survive a crash (feature `std`): [`write_file`] and [`AtomicFile`] write an image
//! beside its path, make it durable and only then rename it over the path, so the last good image is
//! never destroyed. This module owns the file-system protocol only; the image format is [`crate::image`]'s.
//!
//! # The protocol
//! 1. Create a new temporary file in the target's directory (`.NAME.cr-tmp-PID-N`, `O_CREAT|O_EXCL`), so
//!    that the rename below never crosses a file system.
//! 2. Write the image into it through a buffer; on any failure the temporary file is removed and the
//!    path is not touched.
//! 3. `fsync` the temporary file (`File::sync_all`): its bytes and size are on the device.
//! 4. `rename(2)` it over the path: atomic, the path names the old file or the new one, never neither and
//!    never a mix.
//! 5. `fsync` the directory (Unix), so the rename itself is on the device when [`AtomicFile::commit`]
//!    returns.
//!
//! # What it guarantees, and where
//! - **A process that dies at any point** (a panic, `SIGKILL`, an I/O error, a full disk): the path holds
//!   the complete old image or the complete new one, on every file system whose `rename` replaces a file
//!   atomically, which POSIX requires of local file systems (ext4, XFS, btrfs, F2FS, ZFS, tmpfs, overlayfs
//!   upper layers).
//! - **Power loss or a kernel crash**: old or new, never a torn or empty file, on journaling or
//!   copy-on-write file systems that honour `fsync` (ext4 in every `data=` mode, XFS, btrfs, F2FS, ZFS),
//!   because the new bytes are durable (3) before the rename is issued (4). Once `commit` has returned
//!   `Ok`, the new image is the one that survives (5). tmpfs loses everything on power loss by design.
//! - **Not guaranteed**: FAT and exFAT (no journal: a rename interrupted by power loss can leave both names
//!   or a damaged directory), network file systems (NFS renames atomically on the server, but another
//!   client may read the old file for a while; SMB varies), FUSE file systems that do not implement these
//!   operations faithfully, and devices that acknowledge a flush they have not done (volatile write caches
//!   with barriers disabled).
//! - Outside Unix the directory is not synced (there is no portable way); `std::fs::rename` replaces the
//!   file (on Windows, `MoveFileExW` with `MOVEFILE_REPLACE_EXISTING`).
//!
//! What it does not do: keep the old file's permissions or owner (the new file gets the process's
//! defaults), follow a symbolic link at the path (the link itself is replaced), or lock against another
//! writer of the same path (the last rename wins, each image whole). A crash between (1) and (4) leaves a
//! `.NAME.cr-tmp-*` file in the directory, never read by cr; remove it at leisure.

use crate::Error;
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::vec::Vec;

/// The buffer between the image writer and the temporary file.
const BUFFER: usize = 1 << 16;

/// Temporary files made by this process so far: keeps their names apart within one process.
static SERIAL: AtomicU64 = AtomicU64::new(0);

/// Writes an image to `path` so that a crash at any point leaves the old image or the new one there
/// (the module docs say on which file systems): `write` writes the image into a temporary file beside
/// `path`; on `Ok` the file is synced and renamed over `path`, on `Err` it is removed and `path` is
/// untouched.
///
/// An I/O failure under `write` (the image writer reports it as `ErrorKind::Io`) comes back as that
/// I/O error; any other refusal of `write` comes back as an `io::Error` of kind `InvalidData` whose
/// inner error is the [`Error`] (`get_ref()` and `downcast_ref::<cr_core::Error>()` reach it).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("cr-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// use cr_core::image::Writer;
/// let path = dir.join("vm.img");
/// cr_core::file::write_file(&path, |file| {
///     Writer::new(file, 0x1234)?.finish()?;
///     Ok(())
/// })?;
/// let image = std::fs::read(&path)?;
/// cr_core::image::Reader::new(&image, 0x1234).unwrap().finish().unwrap();
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_file<T>(path: &Path, write: impl FnOnce(&mut AtomicFile) -> Result<T, Error>) -> io::Result<T> {
    let mut file = AtomicFile::create(path)?;
    match write(&mut file) {
        Ok(value) => {
            file.commit()?;
            Ok(value)
        }
        Err(error) => Err(file.abandon(error)),
    }
}

/// A temporary file beside a path that replaces it on [`commit`](AtomicFile::commit): the protocol of the
/// module docs, one step per method. It is an [`io::Write`] (so an image [`Sink`](crate::image::Sink));
/// dropped without `commit`, it removes the temporary file and leaves the path as it was.
pub struct AtomicFile {
    /// `None` once committed or abandoned.
    file: Option<BufWriter<File>>,
    tmp: PathBuf,
    target: PathBuf,
    /// The first write failure, kept because the image writer reduces it to `ErrorKind::Io`.
    failure: Option<io::Error>,
}

impl AtomicFile {
    /// Creates the temporary file for `path` in `path`'s directory (step 1).
    pub fn create(path: &Path) -> io::Result<AtomicFile> {
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "an image path must end in a file name"))?;
        let mut tmp_name = OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(std::format!(
            ".cr-tmp-{}-{}",
            std::process::id(),
            SERIAL.fetch_add(1, Ordering::Relaxed)
        ));
        let tmp = path.with_file_name(tmp_name);
        let file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        Ok(AtomicFile {
            file: Some(BufWriter::with_capacity(BUFFER, file)),
            tmp,
            target: path.to_path_buf(),
            failure: None,
        })
    }

    /// The temporary file's path (for tests and diagnostics; it is gone after `commit` or drop).
    pub fn temporary_path(&self) -> &Path {
        &self.tmp
    }

    /// Flushes and syncs the temporary file, renames it over the path and syncs the directory (steps 3
    /// to 5). On `Err` before the rename the temporary file is removed and the path untouched; an error
    /// from the directory sync means the new image is in place but perhaps not yet durable.
    pub fn commit(mut self) -> io::Result<()> {
        let Some(buffered) = self.file.take() else {
            return Err(io::Error::other("the image file was already committed"));
        };
        let synced = buffered
            .into_inner()
            .map_err(io::IntoInnerError::into_error)
            .and_then(|file| file.sync_all());
        if let Err(e) = synced.and_then(|()| fs::rename(&self.tmp, &self.target)) {
            let _ = fs::remove_file(&self.tmp);
            return Err(e);
        }
        sync_directory(&self.target)
    }

    /// Removes the temporary file and turns the writer's refusal into the error [`write_file`] returns.
    fn abandon(mut self, error: Error) -> io::Error {
        self.discard();
        match (error.kind(), self.failure.take()) {
            (crate::ErrorKind::Io, Some(failure)) => failure,
            _ => io::Error::new(io::ErrorKind::InvalidData, error),
        }
    }

    fn discard(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }

    fn writer(&mut self) -> io::Result<&mut BufWriter<File>> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("the image file was already committed"))
    }

    /// Keeps the first failure for [`write_file`]'s error, and hands back one of the same kind.
    fn failed(&mut self, e: io::Error) -> io::Error {
        let again = match e.raw_os_error() {
            Some(code) => io::Error::from_raw_os_error(code),
            None => io::Error::new(e.kind(), std::string::ToString::to_string(&e)),
        };
        self.failure.get_or_insert(e);
        again
    }
}

impl Write for AtomicFile {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = self.writer()?.write(bytes);
        written.map_err(|e| self.failed(e))
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let written = self.writer()?.write_all(bytes);
        written.map_err(|e| self.failed(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        let flushed = self.writer()?.flush();
        flushed.map_err(|e| self.failed(e))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        self.discard();
    }
}

/// Step 5: makes the directory entry of a rename durable.
#[cfg(unix)]
fn sync_directory(path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_directory(_path: &Path) -> io::Result<()> {
    Ok(())
}

/// The `.NAME.cr-tmp-*` files a crashed writer left beside `path` (none after a clean run).
pub fn leftovers(path: &Path) -> io::Result<Vec<PathBuf>> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Ok(Vec::new());
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut prefix = OsString::from(".");
    prefix.push(name);
    prefix.push(".cr-tmp-");
    let prefix = prefix.to_string_lossy().into_owned();
    let mut found = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            found.push(entry.path());
        }
    }
    Ok(found)
}
