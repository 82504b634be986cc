//! Files `ics` reads and writes, apart from the database: one policy for each direction.
//!
//! [`output`] writes every `--out` file: it refuses the files the open database is made of (as
//! its store lists them: for SQLite, `-wal`, `-shm` and `-journal` too), the files the command
//! reads, and anything that is not a regular
//! file; it replaces only an earlier output of the same kind, atomically, keeping the old file's
//! permissions and writing through a symbolic link to its target. [`input`] reads input files
//! with the size limit enforced on the bytes actually read, so a device or a pipe (`/dev/zero`)
//! cannot make `ics` read without end. [`io_reason`] turns an I/O error into the few words a
//! message ends with, so no user ever sees a bare `os error 28`.

mod atomic;
pub mod input;
pub mod output;

use std::io::ErrorKind;

/// What went wrong, as the end of a sentence ("could not write `x`: the disk is full").
pub fn io_reason(e: &std::io::Error) -> String {
    let known = match e.kind() {
        ErrorKind::StorageFull => "the disk is full",
        ErrorKind::QuotaExceeded => "the disk quota is used up",
        ErrorKind::PermissionDenied => "permission denied",
        ErrorKind::ReadOnlyFilesystem => "the file system is read-only",
        ErrorKind::NotFound => "it does not exist",
        ErrorKind::IsADirectory => "it is a folder",
        ErrorKind::NotADirectory => "a part of the path is a file, not a folder",
        ErrorKind::FileTooLarge => "the file is larger than the file system allows",
        ErrorKind::InvalidFilename => "the file name is too long or not allowed",
        ErrorKind::StaleNetworkFileHandle => "the network file system lost the file",
        ErrorKind::CrossesDevices => "it is on another disk",
        ErrorKind::OutOfMemory => "out of memory",
        ErrorKind::BrokenPipe => "the reader closed the pipe",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    // Anything else: the system's own words, without the `(os error N)` tail, in lower case.
    let text = e.to_string();
    let text = match text.find(" (os error ") {
        Some(i) => &text[..i],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "an unknown input/output error".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::io_reason;
    use std::io::Error;

    #[test]
    fn a_full_disk_is_said_in_words_never_as_an_os_error_number() {
        // 28 is ENOSPC on Linux and the BSDs.
        let reason = io_reason(&Error::from_raw_os_error(28));
        assert_eq!(reason, "the disk is full");
        assert_eq!(
            io_reason(&Error::from_raw_os_error(13)),
            "permission denied"
        );
        assert_eq!(
            io_reason(&Error::from_raw_os_error(30)),
            "the file system is read-only"
        );
        // EIO has no kind of its own: the system's words, without the number.
        let eio = io_reason(&Error::from_raw_os_error(5));
        assert!(!eio.contains("os error") && !eio.is_empty(), "{eio}");
        assert!(eio.starts_with(char::is_lowercase), "{eio}");
    }
}
