//! Replacing a file atomically, and sweeping up the temporary files of killed runs.
//!
//! [`write_atomically`] writes to a temporary file beside the target, named `.NAME.ics-PID.tmp`
//! and created with `O_EXCL` (never an existing file or a link), gives it the old file's
//! permission bits, syncs it, renames it over the target and syncs the folder. On any error,
//! and on a panic, the temporary file is removed. A run killed between creating and renaming one
//! leaves it behind; [`sweep_stale`] removes every such file in a folder whose process is no
//! longer running, or that is older than [`STALE_AFTER`] (a process id may have been reused).

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::output::Target;

/// A temporary file older than this is stale even if its process id is in use.
pub const STALE_AFTER: Duration = Duration::from_secs(60 * 60);

/// The temporary file name for `name` written by process `pid`.
pub(super) fn temp_name(name: &std::ffi::OsStr, pid: u32) -> PathBuf {
    // Keep the whole name within the usual 255-byte limit.
    let bytes = name.as_bytes();
    let name = std::ffi::OsStr::from_bytes(&bytes[..bytes.len().min(200)]);
    let mut t = std::ffi::OsString::from(".");
    t.push(name);
    t.push(format!(".ics-{pid}.tmp"));
    PathBuf::from(t)
}

/// The process id in a temporary file name made by [`temp_name`].
pub(super) fn temp_pid(name: &std::ffi::OsStr) -> Option<u32> {
    // Bytes, not text: a target's name need not be UTF-8.
    let rest = name.as_bytes().strip_prefix(b".")?.strip_suffix(b".tmp")?;
    let at = rest.windows(5).rposition(|w| w == b".ics-")?;
    let pid = &rest[at + 5..];
    if at == 0 || pid.is_empty() || !pid.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(pid).ok()?.parse().ok()
}

/// Whether a process with this id is running (or exists but belongs to another user).
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 sends nothing; it only checks that the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Remove the temporary files of killed runs from `folder`. Failures are ignored: a stale
/// file left there harms nothing.
pub(super) fn sweep_stale(folder: &Path) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    let me = std::process::id();
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let Some(pid) = temp_pid(&entry.file_name()) else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let old = meta
            .modified()
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if old || !process_alive(pid) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// A temporary file, removed when dropped unless it has been renamed into place.
struct TempFile {
    path: PathBuf,
    file: File,
    kept: bool,
}

impl TempFile {
    /// Create a new file at `path`; never opens an existing one (nor follows a link there).
    fn create(path: PathBuf) -> io::Result<TempFile> {
        let open = || {
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o666)
                .open(&path)
        };
        let file = match open() {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                // Left by an earlier process with this same id: it is not running now.
                fs::remove_file(&path)?;
                open()?
            }
            other => other?,
        };
        Ok(TempFile {
            path,
            file,
            kept: false,
        })
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = fs::remove_file(&self.path);
        }
    }
}

pub(super) fn write_atomically(target: &Target, bytes: &[u8]) -> io::Result<()> {
    let name = target
        .path
        .file_name()
        .ok_or_else(|| io::Error::from(io::ErrorKind::InvalidFilename))?;
    let mut temp = TempFile::create(target.folder.join(temp_name(name, std::process::id())))?;
    if let Some(mode) = target.mode {
        temp.file.set_permissions(Permissions::from_mode(mode))?;
    }
    temp.file.write_all(bytes)?;
    temp.file.sync_all()?;
    fs::rename(&temp.path, &target.path)?;
    temp.kept = true;
    // Make the rename itself durable. Some file systems cannot sync a folder; the file is in
    // place either way, so that is not an error.
    if let Ok(folder) = File::open(&target.folder) {
        let _ = folder.sync_all();
    }
    Ok(())
}
