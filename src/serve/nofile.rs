//! Raising the open-files limit so the reference target can hold 10,000+ connections.
//!
//! Linux starts most processes with a soft `RLIMIT_NOFILE` of 1,024 while the hard limit is
//! much higher (20,000 on the benchmark machine). An unprivileged process may raise its soft
//! limit up to the hard one, which is all this does; it never tries to raise the hard limit.

use std::io;

/// The kernel's default ceiling for open files per process (`fs.nr_open`), used when the
/// hard limit is "unlimited", which `setrlimit` refuses as a soft limit for `RLIMIT_NOFILE`.
const NR_OPEN_DEFAULT: u64 = 1 << 20;

/// Raises this process's soft open-files limit to its hard limit.
///
/// Returns `(soft limit now, hard limit)`. Leaves the limit alone when the soft limit is
/// already at the hard limit.
pub fn raise_nofile_limit() -> io::Result<(u64, u64)> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes into the struct we pass, which lives for the call.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // `rlim_t` is `u64` on the 64-bit Linux targets rload supports.
    let (soft, hard): (u64, u64) = (limit.rlim_cur, limit.rlim_max);
    let target = if hard == libc::RLIM_INFINITY {
        NR_OPEN_DEFAULT
    } else {
        hard
    };
    if soft >= target {
        return Ok((soft, hard));
    }
    limit.rlim_cur = target;
    // SAFETY: setrlimit only reads the struct we pass, which lives for the call.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((target, hard))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_limit_ends_at_the_hard_limit() {
        let (soft, hard) = raise_nofile_limit().expect("raise RLIMIT_NOFILE");
        assert!(soft <= hard);
        // Raising again is a no-op that reports the same limits.
        assert_eq!(raise_nofile_limit().unwrap(), (soft, hard));
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: as above.
        assert_eq!(
            unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
            0
        );
        assert_eq!(limit.rlim_cur, soft);
    }
}
