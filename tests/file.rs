//! Crash-safe image files (`cr_core::file`), by fault injection: a writer that fails at every byte offset
//! of a real image, and a child process killed at random points while it rewrites one. After each, the
//! path holds the old image or the new one, whole, and it reads clean.

use cr::s390::{checkpoint_cpu, sample_task, CrHdrCpu, CrHdrMmContext, Task, ARCH_S390X, CR_HDR_CPU, PSW_USER_BITS};
use cr_core::file::{leftovers, write_file, AtomicFile};
use cr_core::image::{BytesType, Reader, Writer};
use cr_core::{CrCopy, Error, ErrorKind};
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A fresh, empty directory for one test, on the file system of the build's target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("file-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The two tasks the images are written from: the old one and a changed one.
fn tasks() -> [Task; 2] {
    let old = sample_task();
    let mut new = old;
    new.regs.gprs[3] = 0x5eed;
    new.mm.vdso_base = 0x7ffe_0000;
    [old, new]
}

/// The bulk bytes of an image with guest memory: 2 MiB, a pattern that tells the two images apart.
const MEMORY: BytesType = BytesType::new(1).unwrap();
const MEMORY_LEN: usize = 2 << 20;

fn memory(generation: usize) -> Vec<u8> {
    (0..MEMORY_LEN)
        .map(|i: usize| (i.wrapping_mul(31) ^ generation) as u8)
        .collect()
}

/// Writes the s390 example's image of `task` (and `memory`, if any) into `sink`, as a checkpointer does.
fn write_task<W: Write>(sink: W, task: &Task, memory: Option<&[u8]>) -> Result<(), Error> {
    let mut mm = CrHdrMmContext::default();
    mm.save(&task.mm);
    let mut w = Writer::new(sink, ARCH_S390X)?;
    w.write(0, &checkpoint_cpu(task))?;
    w.write(CR_HDR_CPU, &mm)?;
    if let Some(memory) = memory {
        w.write_bytes(MEMORY, 0, memory)?;
    }
    w.finish()?;
    Ok(())
}

/// What a path holds, read clean: every record and checksum verified, both headers restored into a fresh
/// task, and which memory pattern it carries (if any). `None` if it does not read clean.
fn read_task(image: &[u8], memories: &[Vec<u8>]) -> Option<((CrHdrCpu, CrHdrMmContext), Option<usize>)> {
    let mut r = Reader::new(image, ARCH_S390X).ok()?;
    let (_, cpu) = r.read::<CrHdrCpu>().ok()?;
    let (_, mm) = r.read::<CrHdrMmContext>().ok()?;
    let memory = match r.peek().ok()? {
        Some(_) => Some(r.read_bytes(MEMORY, MEMORY_LEN).ok()?.2),
        None => None,
    };
    r.finish().ok()?;
    // Restored into a fresh task as restart does (user-mode PSW bits set): the headers' checks pass.
    let mut task = Task::default();
    task.regs.psw.mask = PSW_USER_BITS;
    cpu.restore(&mut task).ok()?;
    mm.restore(&mut task.mm).ok()?;
    let generation = memory.map(|m| memories.iter().position(|g| m == &g[..]).unwrap_or(usize::MAX));
    Some(((cpu, mm), generation))
}

/// The headers an image of `task` holds.
fn headers(task: &Task) -> (CrHdrCpu, CrHdrMmContext) {
    let mut mm = CrHdrMmContext::default();
    mm.save(&task.mm);
    (checkpoint_cpu(task), mm)
}

/// A writer that fails once `budget` bytes have passed: it writes the bytes up to there (a short write,
/// as a full disk gives), then refuses.
struct FailAt<W> {
    inner: W,
    budget: usize,
}

impl<W: Write> Write for FailAt<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.budget == 0 {
            return Err(io::Error::new(io::ErrorKind::StorageFull, "injected: no space left"));
        }
        let n = bytes.len().min(self.budget);
        let n = self.inner.write(&bytes[..n])?;
        self.budget -= n;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[test]
fn a_write_that_fails_at_any_byte_offset_leaves_the_old_image() {
    let dir = scratch("every-offset");
    let path = dir.join("task.img");
    let [old, new] = tasks();
    write_file(&path, |f| write_task(f, &old, None)).unwrap();
    let old_image = std::fs::read(&path).unwrap();
    let mut new_image = Vec::new();
    write_task(&mut new_image, &new, None).unwrap();
    assert_ne!(old_image, new_image);

    for budget in 0..new_image.len() {
        let err = write_file(&path, |f| write_task(FailAt { inner: f, budget }, &new, None)).unwrap_err();
        // The refusal reaches the caller as the image writer's I/O error, inside an InvalidData.
        let inner = err.get_ref().and_then(|e| e.downcast_ref::<Error>());
        assert_eq!(inner.map(Error::kind), Some(ErrorKind::Io), "offset {budget}: {err}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            old_image,
            "offset {budget}: the old image changed"
        );
        assert!(
            leftovers(&path).unwrap().is_empty(),
            "offset {budget}: a temporary file was left"
        );
    }
    assert_eq!(read_task(&old_image, &[]).map(|t| t.0), Some(headers(&old)));

    // Given every byte, the same writer replaces the image.
    let budget = new_image.len();
    write_file(&path, |f| write_task(FailAt { inner: f, budget }, &new, None)).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), new_image);
    assert_eq!(read_task(&new_image, &[]).map(|t| t.0), Some(headers(&new)));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_refused_image_or_a_dropped_file_leaves_the_old_image() {
    let dir = scratch("refused");
    let path = dir.join("task.img");
    let [old, new] = tasks();
    write_file(&path, |f| write_task(f, &old, None)).unwrap();
    let old_image = std::fs::read(&path).unwrap();

    // The closure refuses after writing part of the image (a header that does not restore, say).
    let err = write_file(&path, |f| {
        write_task(&mut *f, &new, None)?;
        Err::<(), _>(Error::invalid("cr0", "refused by the caller"))
    })
    .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert_eq!(std::fs::read(&path).unwrap(), old_image);

    // An AtomicFile dropped without commit (a panic unwinding through the writer does this).
    let mut file = AtomicFile::create(&path).unwrap();
    write_task(&mut file, &new, None).unwrap();
    let tmp = file.temporary_path().to_path_buf();
    assert!(tmp.exists() && tmp.parent() == path.parent());
    drop(file);
    assert!(!tmp.exists());
    assert_eq!(std::fs::read(&path).unwrap(), old_image);

    // Committed, it replaces the image and leaves nothing beside it.
    let mut file = AtomicFile::create(&path).unwrap();
    write_task(&mut file, &new, None).unwrap();
    file.commit().unwrap();
    assert_eq!(
        read_task(&std::fs::read(&path).unwrap(), &[]).map(|t| t.0),
        Some(headers(&new))
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_path_without_a_file_name_or_directory_is_an_error() {
    let err = AtomicFile::create(Path::new("/")).err().unwrap();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    let dir = scratch("no-dir");
    let err = write_file(&dir.join("missing/task.img"), |f| write_task(f, &sample_task(), None)).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::NotFound);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The environment variable that turns the ignored test below into the child process.
const CHILD: &str = "CR_FILE_TEST_CHILD";
/// The line the child prints once it is about to write.
const READY: &str = "child ready to write";

/// The child of `a_process_killed_at_any_point_leaves_the_old_or_the_new_image`: rewrites the image at
/// `$CR_FILE_TEST_CHILD` with the two images in turn, until it is killed. Not a test of its own.
#[test]
#[ignore = "the child process of a_process_killed_at_any_point_leaves_the_old_or_the_new_image"]
fn child_rewrites_the_image_until_killed() {
    let Some(path) = std::env::var_os(CHILD) else {
        return;
    };
    let path = PathBuf::from(path);
    let tasks = tasks();
    let memories = [memory(0), memory(1)];
    println!("{READY}");
    for generation in (0..2).cycle() {
        write_file(&path, |f| {
            write_task(f, &tasks[generation], Some(&memories[generation]))
        })
        .unwrap();
    }
}

/// The environment variable that names the program this test binary runs under, with its arguments
/// (whitespace-separated), when it cannot be executed directly: under emulation (`.ci/run`'s s390x leg
/// sets it to cargo's runner, `qemu-s390x -L /usr/s390x-linux-gnu`), the child must run under the same
/// emulator, or it never starts.
const RUNNER: &str = "CR_TEST_RUNNER";

/// This test binary as a command, under `$CR_TEST_RUNNER` when that is set.
fn child_command() -> std::process::Command {
    let exe = std::env::current_exe().unwrap();
    let runner = std::env::var(RUNNER).unwrap_or_default();
    let mut words = runner.split_whitespace();
    match words.next() {
        None => std::process::Command::new(exe),
        Some(program) => {
            let mut command = std::process::Command::new(program);
            command.args(words).arg(exe);
            command
        }
    }
}

/// xorshift64*, seeded from the clock (printed, and taken from `CR_FILE_TEST_SEED` to repeat a run).
fn rng() -> impl FnMut() -> u64 {
    let seed = std::env::var("CR_FILE_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| std::time::SystemTime::UNIX_EPOCH.elapsed().unwrap().as_nanos() as u64 | 1);
    eprintln!("seed {seed} (CR_FILE_TEST_SEED={seed} repeats this run)");
    let mut x = seed;
    move || {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn a_process_killed_at_any_point_leaves_the_old_or_the_new_image() {
    let dir = scratch("killed");
    let path = dir.join("vm.img");
    let (tasks, memories) = (tasks(), [memory(0), memory(1)]);
    write_file(&path, |f| write_task(f, &tasks[0], Some(&memories[0]))).unwrap();

    // How long one rewrite takes here, so that the kills spread over several.
    let start = Instant::now();
    write_file(&path, |f| write_task(f, &tasks[0], Some(&memories[0]))).unwrap();
    let cycle = start.elapsed().max(Duration::from_millis(2));
    let mut next = rng();
    let (mut seen, mut mid_write) = ([0; 2], 0);
    const KILLS: usize = 30;
    for kill in 0..KILLS {
        let mut child = child_command()
            .args([
                "--ignored",
                "--exact",
                "child_rewrites_the_image_until_killed",
                "--nocapture",
            ])
            .env(CHILD, &path)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        while line.trim() != READY {
            line.clear();
            assert!(
                out.read_line(&mut line).unwrap() > 0,
                "kill {kill}: the child did not start (under an emulator, set ${RUNNER} to it)"
            );
        }
        // Anywhere in its first four rewrites.
        let delay = cycle.mul_f64((next() % 4000) as f64 / 1000.0);
        std::thread::sleep(delay);
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(!status.success(), "kill {kill}: the child exited by itself: {status}");

        let image = std::fs::read(&path).unwrap();
        let (task, generation) =
            read_task(&image, &memories).unwrap_or_else(|| panic!("kill {kill}: the image does not read clean"));
        let generation = generation.expect("the image has its memory");
        assert!(generation < 2, "kill {kill}: the memory is neither image's");
        assert_eq!(
            task,
            headers(&tasks[generation]),
            "kill {kill}: the headers are not its image's"
        );
        seen[generation] += 1;
        let left = leftovers(&path).unwrap();
        assert!(left.len() <= 1, "kill {kill}: more than one temporary file: {left:?}");
        mid_write += left.len();
        for tmp in left {
            std::fs::remove_file(tmp).unwrap();
        }
    }
    eprintln!(
        "{KILLS} kills (one rewrite takes {cycle:?}): old image {} times, new image {} times, {mid_write} kills \
         while a temporary file was being written",
        seen[0], seen[1]
    );
    assert!(
        mid_write > 0,
        "no kill landed while a rewrite was under way: the test did not test"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
