//! k6's `hosts` option: names (or name:port pairs) dialed at a fixed address instead of the
//! one DNS gives, for `http.*` and WebSockets alike.
//!
//! As in k6 (v0.42 on): a key is a host name, optionally with a port (`"test.k6.io:443"`, only
//! that port), or a wildcard for every subdomain (`"*.k6.io"`); a value is an IP address,
//! optionally with a port (`"127.0.0.1:8443"`, which replaces the URL's). The most precise key
//! wins: name and port, then name, then a wildcard with the port, then a wildcard. Only the
//! dial changes: the `Host` header, the TLS server name and the `url` tag keep the URL's name.
//!
//! The table is the run's, like the metrics sink: [`install`] sets it once the options are
//! known, and [`lookup`] serves every dial of the process (`http/pool.rs`).

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLock};

/// One `hosts` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// The name, lower-case, without the `*.` of a wildcard.
    name: String,
    wildcard: bool,
    port: Option<u16>,
    ip: IpAddr,
    /// The port dialed instead of the URL's.
    to_port: Option<u16>,
}

/// A validated `hosts` table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hosts(Vec<Entry>);

impl Hosts {
    /// The option's entries; every invalid one is reported, naming it.
    pub fn parse(entries: &[(String, String)]) -> Result<Hosts, Vec<String>> {
        let mut hosts = Vec::new();
        let mut errors = Vec::new();
        for (key, value) in entries {
            match entry(key, value) {
                Ok(e) => hosts.push(e),
                Err(e) => errors.push(format!("hosts: \"{key}\": {e}")),
            }
        }
        if errors.is_empty() {
            Ok(Hosts(hosts))
        } else {
            Err(errors)
        }
    }

    /// The entries as the script wrote them (for `exec.test.options` and `rload inspect`).
    pub fn entries(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .map(|e| {
                let mut key = if e.wildcard { format!("*.{}", e.name) } else { e.name.clone() };
                if let Some(port) = e.port {
                    key.push_str(&format!(":{port}"));
                }
                let value = match e.to_port {
                    Some(port) => SocketAddr::new(e.ip, port).to_string(),
                    None => e.ip.to_string(),
                };
                (key, value)
            })
            .collect()
    }

    /// The address to dial for `host:port`, if an entry covers it.
    pub fn resolve(&self, host: &str, port: u16) -> Option<SocketAddr> {
        let host = host.to_ascii_lowercase();
        let covers = |e: &Entry, wildcard: bool, with_port: bool| {
            e.wildcard == wildcard
                && (e.port == Some(port) || (!with_port && e.port.is_none()))
                && if wildcard {
                    host.strip_suffix(&e.name).is_some_and(|rest| rest.ends_with('.'))
                } else {
                    host == e.name
                }
        };
        [(false, true), (false, false), (true, true), (true, false)].iter().find_map(|&(wildcard, with_port)| {
            self.0
                .iter()
                .find(|e| covers(e, wildcard, with_port))
                .map(|e| SocketAddr::new(e.ip, e.to_port.unwrap_or(port)))
        })
    }
}

fn entry(key: &str, value: &str) -> Result<Entry, String> {
    let (name, port) = match key.rsplit_once(':') {
        Some((name, port)) => (name, Some(port.parse::<u16>().map_err(|_| format!("invalid port \"{port}\""))?)),
        None => (key, None),
    };
    let (name, wildcard) = match name.strip_prefix("*.") {
        Some(rest) => (rest, true),
        None => (name, false),
    };
    if name.is_empty() || name.contains('*') {
        return Err("a name, a name:port or *.domain is expected".into());
    }
    let (ip, to_port) = match value.parse::<SocketAddr>() {
        Ok(addr) => (addr.ip(), Some(addr.port())),
        Err(_) => (
            value
                .parse::<IpAddr>()
                .map_err(|_| format!("\"{value}\" is not an IP address or IP:port (k6 maps names to addresses)"))?,
            None,
        ),
    };
    Ok(Entry { name: name.to_ascii_lowercase(), wildcard, port, ip, to_port })
}

static INSTALLED: RwLock<Option<Arc<Hosts>>> = RwLock::new(None);

/// Makes `hosts` the table every dial of this process consults from now on.
pub fn install(hosts: Hosts) {
    let table = (!hosts.0.is_empty()).then(|| Arc::new(hosts));
    *INSTALLED.write().unwrap_or_else(|e| e.into_inner()) = table;
}

/// The address the installed table gives `host:port`; `None` (resolve as usual) without one.
pub fn lookup(host: &str, port: u16) -> Option<SocketAddr> {
    let table = INSTALLED.read().unwrap_or_else(|e| e.into_inner()).clone()?;
    table.resolve(host, port)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(entries: &[(&str, &str)]) -> Result<Hosts, Vec<String>> {
        Hosts::parse(&entries.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>())
    }

    #[test]
    fn the_most_precise_entry_wins_as_in_k6() {
        let h = hosts(&[
            ("*.k6.io", "10.0.0.4"),
            ("*.k6.io:443", "10.0.0.3"),
            ("test.k6.io", "10.0.0.2"),
            ("test.k6.io:443", "10.0.0.1:8443"),
        ])
        .unwrap();
        assert_eq!(h.resolve("test.k6.io", 443), Some("10.0.0.1:8443".parse().unwrap()));
        assert_eq!(h.resolve("TEST.k6.io", 80), Some("10.0.0.2:80".parse().unwrap()));
        assert_eq!(h.resolve("a.k6.io", 443), Some("10.0.0.3:443".parse().unwrap()));
        assert_eq!(h.resolve("a.b.k6.io", 80), Some("10.0.0.4:80".parse().unwrap()));
        assert_eq!(h.resolve("k6.io", 80), None, "a wildcard covers subdomains only");
        assert_eq!(h.resolve("notk6.io", 80), None);
        assert_eq!(h.entries()[3], ("test.k6.io:443".to_string(), "10.0.0.1:8443".to_string()));
    }

    #[test]
    fn invalid_entries_are_all_named() {
        let errors = hosts(&[("a", "not-an-ip"), ("b:x", "1.2.3.4"), ("c", "::1")]).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("\"a\"") && errors[0].contains("not an IP address"), "{errors:?}");
        assert!(errors[1].contains("invalid port \"x\""), "{errors:?}");
        assert_eq!(hosts(&[("c", "[::1]:8080")]).unwrap().resolve("c", 1), Some("[::1]:8080".parse().unwrap()));
    }
}
