//! Memory pages: small by default, huge for the reports that read a whole big strategy.
//!
//! The binary allocates through mimalloc (`main.rs`), which asks the kernel for transparent
//! huge pages (2 MiB) where the system allows them on request (`madvise`, Debian's default).
//! A report on a 20,000-indicator strategy builds hundreds of thousands of small values in
//! fresh memory: with 4 KiB pages, each first touch of a page is a fault, and those faults
//! were a quarter of `ics progress` (perf); with huge pages they are a few hundred. But a
//! huge page is resident whole, so a command that streams a big file (`import-values`) would
//! hold 20 MB more than it uses. So every command starts with small pages ([`small`]) and the
//! reports that build a whole strategy's rows turn huge pages on ([`huge`]).
//!
//! Pages are Linux's `PR_SET_THP_DISABLE`, which the kernel checks at each fault; elsewhere,
//! or where the kernel refuses, it does nothing (only speed and memory depend on it). With
//! them goes mimalloc's purge delay: a streaming command gives freed memory back at once (its
//! peak stays where the system allocator kept it), a report never does (it ends soon after).

use libmimalloc_sys::{mi_option_set, mi_option_t};

/// mimalloc's `mi_option_purge_delay` in its `mimalloc.h` (v3, as libmimalloc-sys 0.1.49
/// builds it), which the crate names no constant for; the test below checks it is that
/// option.
const PURGE_DELAY: mi_option_t = 15;

/// Use 4 KiB pages from now on (this process), and give freed memory back at once.
pub fn small() {
    set_thp_disabled(true);
    set_purge_delay(0);
}

/// Use huge pages where the allocator asked for them, from now on (this process), and keep
/// freed memory.
pub fn huge() {
    set_thp_disabled(false);
    set_purge_delay(-1);
}

fn set_purge_delay(ms: libc::c_long) {
    // SAFETY: sets one of mimalloc's options, which it reads atomically.
    unsafe { mi_option_set(PURGE_DELAY, ms) }
}

/// mimalloc's purge delay now, in milliseconds.
#[cfg(test)]
fn purge_delay() -> libc::c_long {
    // SAFETY: reads one of mimalloc's options.
    unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }
}

#[cfg(target_os = "linux")]
fn set_thp_disabled(disabled: bool) {
    // SAFETY: PR_SET_THP_DISABLE takes an integer flag and no pointer; it changes only how
    // the kernel backs this process's future page faults.
    unsafe {
        libc::prctl(
            libc::PR_SET_THP_DISABLE,
            libc::c_ulong::from(disabled),
            0,
            0,
            0,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn set_thp_disabled(_disabled: bool) {}

#[cfg(test)]
mod purge_tests {
    use super::*;

    /// The option is mimalloc's purge delay: its default (1000 ms, `options.c`) unless a test
    /// set it (to 0 or -1), and the value set after.
    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        let default = purge_delay();
        assert!(default == 1000 || default == 0 || default == -1, "{default}");
        set_purge_delay(0);
        assert_eq!(purge_delay(), 0);
        set_purge_delay(-1);
        assert_eq!(purge_delay(), -1);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn disabled() -> bool {
        // SAFETY: PR_GET_THP_DISABLE takes no pointer and only reads the flag.
        unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1 }
    }

    #[test]
    fn small_and_huge_set_the_process_flag() {
        small();
        assert!(disabled());
        huge();
        assert!(!disabled());
    }
}
