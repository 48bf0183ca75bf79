//! System limits that decide how many VUs and connections one process can hold.
//!
//! Two limits matter: open files (`RLIMIT_NOFILE`: every connection is a descriptor) and memory
//! mappings (`vm.max_map_count`: VU coroutine stacks share a few, `runtime/stack_pool.rs`, or take
//! two each on a kernel without guard regions). Both are checked before a run starts so that a
//! VU count the machine cannot reach fails with a message saying which limit and how to raise
//! it, instead of failing half-way. Open files are counted for the connections the run can
//! actually open ([`connections`]): none for VUs whose script never names `http` or `ws`, and a
//! bounded number when VUs share connections.
//!
//! Linux starts most processes with a soft `RLIMIT_NOFILE` of 1,024 while the hard limit is
//! much higher (20,000 on the benchmark machine). An unprivileged process may raise its soft
//! limit up to the hard one, which is all this does; it never tries to raise the hard limit.

use std::io;

use rlimit::Resource;

use crate::runtime::stack_pool;
use crate::script::engine::VU_STACK_SIZE;

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

/// What a run may hold at once, as far as system limits go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Demand {
    /// VUs alive at the peak: one coroutine stack each.
    pub vus: u64,
    /// Sockets the run can have open at once (see [`connections`]).
    pub connections: u64,
    /// Why that many, for the message: "one per VU", "4 shared per thread × 3 threads", ...
    pub why: &'static str,
}

/// How the run's script reaches the network, for [`connections`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NetworkUse {
    /// The script (or a module it imports) names `http`.
    pub http: bool,
    /// It names `ws`: every VU may hold a WebSocket.
    pub ws: bool,
}

/// The sockets a run can open at once: none for a script that names neither `http` nor `ws`;
/// one per VU for `ws` (a WebSocket each) and for `http` with per-VU pools (k6's model); with
/// `sharedConnections: K`, K per thread that runs VUs (`threads` workers + the scheduler's
/// thread, where setup() and teardown() run) for `http`.
pub fn connections(vus: u64, network: NetworkUse, shared: Option<u64>, threads: u64) -> (u64, &'static str) {
    let pooled = shared.map(|k| k.saturating_mul(threads + 1));
    match (network.http, network.ws, pooled) {
        (false, false, _) => (0, "the script names neither http nor ws"),
        (true, false, Some(pooled)) => (pooled, "sharedConnections per thread"),
        (true, true, Some(pooled)) => (vus.saturating_add(pooled), "a WebSocket per VU + sharedConnections per thread"),
        (_, true, _) | (true, false, None) => (vus, "one connection per VU"),
    }
}

/// Raises the open-files limit and checks that the run's VUs and connections fit this process.
/// The error names the limit and how to raise it (or how to need less of it).
pub fn ensure_capacity(demand: Demand) -> Result<(), String> {
    let (soft, hard) = raise_nofile_limit().map_err(|e| format!("cannot read the open-files limit: {e}"))?;
    let files = demand.connections.saturating_add(SPARE_FILES);
    if files > soft {
        return Err(format!(
            "{} VUs need about {files} open files ({} connections: {}), but this process may open {soft} \
             (hard limit {hard}). Raise it with `ulimit -n {files}` (as root, or in /etc/security/limits.conf), \
             run the target (`rload serve`) as its own process so its sockets do not count here, or let the VUs \
             share connections (`--shared-connections N`, option `sharedConnections`).",
            demand.vus, demand.connections, demand.why
        ));
    }
    if let Some(max_maps) = max_map_count() {
        let needed = (demand.vus as f64 * stack_pool::maps_per_stack(VU_STACK_SIZE)).ceil() as u64 + SPARE_MAPS;
        if needed > max_maps {
            return Err(format!(
                "{} VUs need about {needed} memory mappings (two per VU stack on this kernel, which has no \
                 MADV_GUARD_INSTALL), but vm.max_map_count is {max_maps}. Raise it with \
                 `sysctl -w vm.max_map_count={}` (as root).",
                demand.vus,
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
    use super::*;

    #[test]
    fn an_unreachable_connection_count_names_the_limit_and_the_shared_pool() {
        let demand = Demand { vus: 10_000_000, connections: 10_000_000, why: "one connection per VU" };
        let err = ensure_capacity(demand).unwrap_err();
        assert!(err.contains("open files") && err.contains("ulimit -n"), "{err}");
        assert!(err.contains("--shared-connections"), "{err}");
    }

    #[test]
    fn idle_vus_reserve_no_open_files() {
        let (soft, _) = raise_nofile_limit().unwrap();
        let vus = soft * 5;
        let (connections, _) = connections(vus, NetworkUse::default(), None, 2);
        assert_eq!(connections, 0);
        assert_eq!(ensure_capacity(Demand { vus, connections, why: "" }), Ok(()));
    }

    #[test]
    fn connections_count_what_the_run_can_open() {
        let http = NetworkUse { http: true, ws: false };
        let ws = NetworkUse { http: false, ws: true };
        let both = NetworkUse { http: true, ws: true };
        assert_eq!(connections(100_000, http, None, 2).0, 100_000, "one per VU without sharing");
        assert_eq!(connections(100_000, http, Some(50), 2).0, 150, "50 per worker + the scheduler's thread");
        assert_eq!(connections(100_000, ws, Some(50), 2).0, 100_000, "a WebSocket is never shared");
        assert_eq!(connections(1_000, both, Some(50), 2).0, 1_150);
        assert_eq!(connections(1_000, both, None, 2).0, 1_000);
    }

    #[test]
    fn vus_past_the_map_count_fit_when_stacks_share_mappings() {
        let Some(max_maps) = max_map_count() else { return };
        let vus = max_maps; // two mappings per stack would need twice the limit
        let result = ensure_capacity(Demand { vus, connections: 0, why: "" });
        if stack_pool::maps_per_stack(VU_STACK_SIZE) < 1.0 {
            assert_eq!(result, Ok(()));
        } else {
            assert!(result.unwrap_err().contains("vm.max_map_count"));
        }
    }

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
