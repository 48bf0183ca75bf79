//! k6's system tags (`systemTags`, `--system-tags`, `K6_SYSTEM_TAGS`): which of the tags rload
//! attaches by itself a run's samples carry.
//!
//! A [`SystemTags`] is a bit set of k6's names. A run hands its set to [`crate::metrics::start_run`];
//! every thread that records for the run holds it in a thread-local, and the code that attaches
//! a system tag asks [`enabled`] first (one thread-local read, no allocation), so a disabled tag
//! is never built, interned or stored. As in k6, the summary reads the same tags: without
//! `check` it lists no checks, without `group` no groups, without `expected_response` no
//! `http_req_duration{expected_response:true}`; a threshold on a sub-metric whose tag is
//! disabled sees no sample.
//!
//! k6's default set is every system tag but `vu`, `iter`, `ip` and `ocsp_status`. rload records
//! `vu`, `iter` and `ip` when asked; it does no OCSP and does not yet report the TLS version, so
//! naming `ocsp_status` or `tls_version` is an error rather than a tag that never appears.
//! `service` is a gRPC tag and rload has no gRPC.
//!
//! Not here: the tag names themselves (`tags::tag`), user tags (never filtered).

use std::cell::Cell;
use std::sync::atomic::{AtomicU32, Ordering};

/// k6's system tags, in k6's order; a tag's bit is its index.
const NAMES: [&str; 18] = [
    "proto",
    "subproto",
    "status",
    "method",
    "url",
    "name",
    "group",
    "check",
    "error",
    "error_code",
    "tls_version",
    "scenario",
    "service",
    "expected_response",
    "vu",
    "iter",
    "ip",
    "ocsp_status",
];

/// One of k6's system tags, for [`enabled`]: its index in k6's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemTag(u8);

impl SystemTag {
    pub const PROTO: SystemTag = SystemTag(0);
    pub const SUBPROTO: SystemTag = SystemTag(1);
    pub const STATUS: SystemTag = SystemTag(2);
    pub const METHOD: SystemTag = SystemTag(3);
    pub const URL: SystemTag = SystemTag(4);
    pub const NAME: SystemTag = SystemTag(5);
    pub const GROUP: SystemTag = SystemTag(6);
    pub const CHECK: SystemTag = SystemTag(7);
    pub const ERROR: SystemTag = SystemTag(8);
    pub const ERROR_CODE: SystemTag = SystemTag(9);
    pub const SCENARIO: SystemTag = SystemTag(11);
    pub const EXPECTED_RESPONSE: SystemTag = SystemTag(13);
    pub const VU: SystemTag = SystemTag(14);
    pub const ITER: SystemTag = SystemTag(15);
    pub const IP: SystemTag = SystemTag(16);
}

/// k6 system tags rload cannot attach, with why.
const NOT_RECORDED: [(&str, &str); 2] =
    [("ocsp_status", "rload does not check OCSP"), ("tls_version", "rload does not report the TLS version yet")];

/// A set of k6 system tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemTags(u32);

impl Default for SystemTags {
    /// k6's default: all but `vu`, `iter`, `ip` and `ocsp_status`.
    fn default() -> Self {
        let off = ["vu", "iter", "ip", "ocsp_status"];
        SystemTags(NAMES.iter().enumerate().filter(|(_, n)| !off.contains(n)).fold(0, |bits, (i, _)| bits | 1 << i))
    }
}

impl SystemTags {
    /// No system tag at all (`--system-tags ""`).
    pub const NONE: SystemTags = SystemTags(0);

    /// Parses k6's names, every problem at once: an unknown name, or one rload cannot record.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<SystemTags, Vec<String>> {
        let mut bits = 0;
        let mut errors = Vec::new();
        for name in names.into_iter().map(str::trim).filter(|n| !n.is_empty()) {
            match NAMES.iter().position(|n| *n == name) {
                Some(_) if NOT_RECORDED.iter().any(|(n, _)| *n == name) => {
                    let why = NOT_RECORDED.iter().find(|(n, _)| *n == name).map(|(_, w)| *w).unwrap_or_default();
                    errors.push(format!("system tag \"{name}\" is not supported by rload ({why}); leave it out"));
                }
                Some(i) => bits |= 1 << i,
                None => errors.push(format!("\"{name}\" is not a k6 system tag (k6's are {})", NAMES.join(", "))),
            }
        }
        if errors.is_empty() {
            Ok(SystemTags(bits))
        } else {
            Err(errors)
        }
    }

    /// Whether `name` is one of k6's system tags (else a user tag, never filtered).
    pub fn is_system_tag(name: &str) -> bool {
        NAMES.contains(&name)
    }

    /// Whether `name` is in the set.
    pub fn has(self, name: &str) -> bool {
        NAMES.iter().position(|n| *n == name).is_some_and(|i| self.0 & (1 << i) != 0)
    }

    /// The names in the set, in k6's order.
    pub fn names(self) -> Vec<&'static str> {
        NAMES.iter().enumerate().filter(|(i, _)| self.0 & (1 << i) != 0).map(|(_, n)| *n).collect()
    }
}

/// The running test's set, for the threads that join it.
static RUN: AtomicU32 = AtomicU32::new(u32::MAX);

thread_local! {
    /// The set of the run this thread records for; k6's default on a thread that joined none.
    static CURRENT: Cell<SystemTags> = Cell::new(SystemTags::default());
}

/// Makes `tags` the running test's set and the calling thread's.
pub(super) fn start(tags: SystemTags) {
    RUN.store(tags.0, Ordering::Relaxed);
    join();
}

/// Gives the calling thread the running test's set.
pub(super) fn join() {
    let bits = RUN.load(Ordering::Relaxed);
    let tags = if bits == u32::MAX { SystemTags::default() } else { SystemTags(bits) };
    let _ = CURRENT.try_with(|c| c.set(tags));
}

/// The set of the run this thread records for.
pub fn current() -> SystemTags {
    CURRENT.try_with(Cell::get).unwrap_or_default()
}

/// Whether samples recorded on this thread carry the system tag `tag`. Hot path: one
/// thread-local read and a bit test.
pub fn enabled(tag: SystemTag) -> bool {
    CURRENT.try_with(|c| c.get().0 & (1 << tag.0) != 0).unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k6s_default_leaves_out_vu_iter_ip_and_ocsp_status() {
        let d = SystemTags::default();
        for on in [
            "proto",
            "subproto",
            "status",
            "method",
            "url",
            "name",
            "group",
            "check",
            "error",
            "error_code",
            "scenario",
        ] {
            assert!(d.has(on), "{on}");
        }
        for off in ["vu", "iter", "ip", "ocsp_status"] {
            assert!(!d.has(off), "{off}");
        }
    }

    #[test]
    fn each_constant_is_the_bit_of_its_k6_name() {
        let pairs = [
            (SystemTag::PROTO, "proto"),
            (SystemTag::SUBPROTO, "subproto"),
            (SystemTag::STATUS, "status"),
            (SystemTag::METHOD, "method"),
            (SystemTag::URL, "url"),
            (SystemTag::NAME, "name"),
            (SystemTag::GROUP, "group"),
            (SystemTag::CHECK, "check"),
            (SystemTag::ERROR, "error"),
            (SystemTag::ERROR_CODE, "error_code"),
            (SystemTag::SCENARIO, "scenario"),
            (SystemTag::EXPECTED_RESPONSE, "expected_response"),
            (SystemTag::VU, "vu"),
            (SystemTag::ITER, "iter"),
            (SystemTag::IP, "ip"),
        ];
        for (tag, name) in pairs {
            assert_eq!(NAMES[tag.0 as usize], name);
        }
    }

    #[test]
    fn a_list_enables_only_its_tags_and_bad_names_are_all_reported() {
        let s = SystemTags::parse(["status", " vu ", "ip", "subproto"]).unwrap();
        assert_eq!(s.names(), ["subproto", "status", "vu", "ip"]);
        assert!(!s.has("url") && !s.has("check"));
        assert_eq!(SystemTags::parse([""]).unwrap(), SystemTags::NONE);
        let errs = SystemTags::parse(["stauts", "tls_version", "ocsp_status"]).unwrap_err();
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(errs[0].starts_with("\"stauts\" is not a k6 system tag"), "{errs:?}");
        assert!(errs[1].contains("\"tls_version\" is not supported by rload"), "{errs:?}");
    }

    #[test]
    fn a_thread_records_with_the_set_of_the_run_it_joined() {
        std::thread::spawn(|| {
            assert!(enabled(SystemTag::URL) && !enabled(SystemTag::VU), "k6's default before any run");
            CURRENT.with(|c| c.set(SystemTags::parse(["status"]).unwrap()));
            assert!(enabled(SystemTag::STATUS) && !enabled(SystemTag::URL));
        })
        .join()
        .unwrap();
    }
}
