//! System limits that decide how many VUs and connections one process can hold.
//!
//! Two limits matter: open files (`RLIMIT_NOFILE`: every connection is a descriptor) and memory
//! mappings (`vm.max_map_count`: every VU coroutine stack takes two). Both are checked before a
//! run starts so that a VU count the machine cannot reach fails with a message saying which
//! limit and how to raise it, instead of failing half-way.
//!
//! Linux starts most processes with a soft `RLIMIT_NOFILE` of 1,024 while the hard limit is
//! much higher (20,000 on the benchmark machine). An unprivileged process may raise its soft
//! limit up to the hard one, which is all this does; it never tries to raise the hard limit.

use std::io;

use rlimit::Resource;

/// Raises this process's soft open-files limit to its hard limit.
///
/// Returns `(soft limit now, hard limit)`. Leaves the limit alone when the soft limit is
/// already at the hard limit.
pub fn raise_nofile_limit() -> io::Result<(u64, u64)> {
    // rlimit clamps the request to the hard limit (and, on macOS, to kern.maxfilesperproc).
    let soft = rlimit::increase_nofile_limit(u64::MAX)?;
    let (_, hard) = Resource::NOFILE.get()?;
    Ok((soft, hard))
}

/// Descriptors kept free for everything that is not a VU connection.
const SPARE_FILES: u64 = 64;
/// Mappings used by the process besides VU stacks (libraries, heap arenas, thread stacks).
const SPARE_MAPS: u64 = 2_000;

/// Raises the open-files limit and checks that `vus` VUs, each with one connection and one
/// coroutine stack, fit this process. The error names the limit and how to raise it.
pub fn ensure_capacity(vus: u64) -> Result<(), String> {
    let (soft, hard) = raise_nofile_limit().map_err(|e| format!("cannot read the open-files limit: {e}"))?;
    if vus + SPARE_FILES > soft {
        return Err(format!(
            "{vus} VUs need about {} open files (one connection each), but this process may open {soft} \
             (hard limit {hard}). Raise it with `ulimit -n {}` (as root, or in /etc/security/limits.conf), \
             or run the target (`rload serve`) as its own process so its sockets do not count here.",
            vus + SPARE_FILES,
            vus + SPARE_FILES
        ));
    }
    if let Some(max_maps) = max_map_count() {
        let needed = 2 * vus + SPARE_MAPS;
        if needed > max_maps {
            return Err(format!(
                "{vus} VUs need about {needed} memory mappings (two per VU stack), but vm.max_map_count is \
                 {max_maps}. Raise it with `sysctl -w vm.max_map_count={}` (as root).",
                needed.next_power_of_two()
            ));
        }
    }
    Ok(())
}

fn max_map_count() -> Option<u64> {
    std::fs::read_to_string("/proc/sys/vm/max_map_count").ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_unreachable_vu_count_names_the_limit() {
        let err = ensure_capacity(10_000_000).unwrap_err();
        assert!(err.contains("open files") || err.contains("vm.max_map_count"), "{err}");
        assert!(err.contains("ulimit -n") || err.contains("sysctl"), "{err}");
    }

    use super::*;

    #[test]
    fn soft_limit_ends_at_the_hard_limit() {
        let (soft, hard) = raise_nofile_limit().expect("raise RLIMIT_NOFILE");
        assert!(soft <= hard);
        // Raising again is a no-op that reports the same limits.
        assert_eq!(raise_nofile_limit().unwrap(), (soft, hard));
        let (current, _) = Resource::NOFILE.get().expect("read RLIMIT_NOFILE");
        assert_eq!(current, soft);
    }
}
