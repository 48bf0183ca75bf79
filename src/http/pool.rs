//! Keep-alive connections: dialing (DNS, TCP, TLS, HTTP/1.1 or HTTP/2 handshake) and keeping
//! idle connections per (scheme, host, port).
//!
//! A TLS connection whose server picks `h2` by ALPN is an HTTP/2 connection ([`super::h2`]):
//! the pool keeps it in `http2` for as long as it is open and hands a clone of it to every
//! request to its host, also while other requests are in flight on it, so a VU holds one
//! connection per HTTP/2 host. While a TLS connection to a host is being dialed, other requests
//! to that host wait for it (Go's transport delivers a new HTTP/2 connection to every request
//! waiting for one): when it turns out HTTP/2 they share it, else each dials its own.
//!
//! By default each VU has its own pool (k6's model: a VU holds its connections). A VU makes one
//! request at a time in the common case, so the pool is a short `Vec` searched linearly, and
//! holds one idle connection per host; concurrent requests of one VU (batch) each dial their
//! own and all of them come back idle. An HTTP/1.1 connection is rload's own ([`super::h1`]):
//! no task runs it and nothing reads it while it is idle, so dropping its [`Conn`] closes the
//! socket at once, and a server's close is noticed when the connection is taken again. An
//! HTTP/2 connection's hyper driver runs as a `spawn_local` task, aborted (closing the socket)
//! when the connection's last handle goes.
//!
//! With rload's `sharedConnections: K` the VUs of a thread share one [`Pool::shared`] pool of at
//! most K connections (all hosts together), so 100,000 mostly sleeping VUs need K sockets per
//! thread, not 100,000. A request takes one of K permits before it takes an idle connection or
//! dials (waiting, in order, while all K are busy: the wait counts as `http_req_blocked`) and
//! gives the permit back when its connection goes idle or is closed; a dial that would pass K
//! open connections closes an idle one (of another host) first. Nothing here is shared between
//! threads, so there are no locks.

use std::cell::{Cell, RefCell};
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::task::AbortHandle;
use url::{Host, Url};

use super::error_code::{self, Failure, Op};
use super::h1::H1Conn;
use super::h2::{self, Sender};
use super::timing::{IoStats, Marks, Timed, WireCounter};
use super::tls;

/// k6's dialer timeout: a connect that takes longer fails with 1211 (the request timeout,
/// when shorter, fires first with 1050).
const DIAL_TIMEOUT: Duration = Duration::from_secs(30);

/// Where a request goes, borrowed from its URL.
pub(crate) struct Target<'a> {
    pub tls: bool,
    pub host: Host<&'a str>,
    /// The host as written in the URL (IPv6 in brackets); the pool key with `tls` and `port`.
    pub host_str: &'a str,
    pub port: u16,
}

impl<'a> Target<'a> {
    /// The target of an absolute http(s) URL, or k6's failure for any other.
    pub fn of(url: &'a Url) -> Result<Self, Failure> {
        let tls = match url.scheme() {
            "http" => false,
            "https" => true,
            // Go's client refuses it when it sends (k6's 1000), after parsing it.
            other => return Err(error_code::unsupported_scheme(other)),
        };
        let (Some(host), Some(host_str), Some(port)) = (url.host(), url.host_str(), url.port_or_known_default()) else {
            return Err(Failure::new(error_code::INVALID_URL, format!("invalid URL \"{url}\": no host")));
        };
        Ok(Target { tls, host, host_str, port })
    }
}

/// What a hop learns about its connection, kept outside the hop's future so that a timeout
/// (which drops that future) can still report timings, bytes and the peer.
#[derive(Debug)]
pub(crate) struct ConnInfo {
    pub stats: Option<Rc<IoStats>>,
    pub remote: Option<SocketAddr>,
    /// The connection's byte counters when this hop got it (0 for a connection it dialed, so
    /// the TLS handshake counts for the hop that needed it).
    pub base_written: u64,
    pub base_read: u64,
    /// The connection speaks HTTP/2: the socket's timestamps are not this request's.
    pub http2: bool,
    /// [`ConnInfo::bytes`] has claimed the hop's bytes.
    claimed: std::cell::Cell<bool>,
    /// Where a hop dropped in flight leaves its bytes (its client's [`CutBytes`]).
    cut: Option<CutBytes>,
}

/// The bytes of a client's hops dropped in flight, until the VU records them.
pub type CutBytes = Rc<std::cell::Cell<(u64, u64)>>;

impl ConnInfo {
    pub fn empty() -> Self {
        ConnInfo {
            stats: None,
            remote: None,
            base_written: 0,
            base_read: 0,
            http2: false,
            claimed: std::cell::Cell::new(false),
            cut: None,
        }
    }

    /// An empty one whose bytes go to `cut` if its hop is dropped in flight.
    pub fn counting_into(cut: &CutBytes) -> Self {
        let mut info = ConnInfo::empty();
        info.cut = Some(Rc::clone(cut));
        info
    }

    /// Bytes (written, read) on the wire since this hop got the connection that no other
    /// request on it has counted ([`IoStats::claim`]); call it once, when the hop ends.
    pub fn bytes(&self) -> (u64, u64) {
        self.claimed.set(true);
        self.stats.as_ref().map_or((0, 0), |stats| stats.claim((self.base_written, self.base_read)))
    }
}

/// A hop dropped in flight (its iteration interrupted by the end of `gracefulStop`, a ramp-down
/// or an abort) still moved bytes: they go to its client's [`CutBytes`], which the VU records
/// with its iteration's `data_sent`/`data_received`, as k6's dialer counts every byte its
/// connections moved (a request cut while waiting for its response: its request's bytes). The
/// connection goes with the hop, so no other request can have moved them.
impl Drop for ConnInfo {
    fn drop(&mut self) {
        let Some(cut) = self.cut.take() else { return };
        if self.claimed.get() || self.stats.is_none() {
            return;
        }
        let (sent, received) = self.bytes();
        let (s, r) = cut.get();
        cut.set((s + sent, r + received));
    }
}

impl ConnInfo {
    /// The connection's (last request write, first response read) for the hop in flight.
    pub fn io_instants(&self) -> (Option<Instant>, Option<Instant>) {
        self.stats.as_ref().map_or((None, None), |stats| (stats.last_write(), stats.first_read()))
    }
}

/// One connection of a VU (HTTP/1.1), or one handle on it (HTTP/2).
pub(crate) struct Conn {
    pub sender: Sender,
    pub stats: Rc<IoStats>,
    pub remote: SocketAddr,
    pub tls: bool,
    host: Rc<str>,
    port: u16,
    /// What keeps the socket open, and counts it as open.
    life: Life,
    /// In a shared pool: the permit this connection's request holds while it is busy.
    permit: Option<OwnedSemaphorePermit>,
}

impl Conn {
    fn serves(&self, target: &Target<'_>) -> bool {
        self.port == target.port && self.tls == target.tls && *self.host == *target.host_str
    }

    /// Whether `other` is a connection to the same host, port and scheme.
    fn same_peer(&self, other: &Conn) -> bool {
        self.port == other.port && self.tls == other.tls && *self.host == *other.host
    }

    /// Another handle on an HTTP/2 connection (`None` for HTTP/1.1), without a permit.
    fn share(&self) -> Option<Conn> {
        Some(Conn {
            sender: self.sender.share()?,
            stats: Rc::clone(&self.stats),
            remote: self.remote,
            tls: self.tls,
            host: Rc::clone(&self.host),
            port: self.port,
            life: Life::Task(Rc::clone(self.driver()?)),
            permit: None,
        })
    }

    /// HTTP/2's driver task; `None` for HTTP/1.1.
    fn driver(&self) -> Option<&Rc<Driver>> {
        match &self.life {
            Life::Task(driver) => Some(driver),
            Life::Owned { .. } => None,
        }
    }

    fn same_connection(&self, other: &Conn) -> bool {
        matches!((self.driver(), other.driver()), (Some(a), Some(b)) if Rc::ptr_eq(a, b))
    }
}

/// An HTTP/2 connection's driver task, shared by its handles (the socket closes when the last
/// one goes); an HTTP/1.1 connection owns its socket and is counted while it exists.
enum Life {
    Task(Rc<Driver>),
    Owned { _open: OpenGuard },
}

/// A connection's driver task; dropping it aborts the task, which closes the socket.
struct Driver(AbortHandle);

impl Drop for Driver {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A TLS dial in progress: its (host, port), and how the requests waiting for it learn it ended.
type Dialing = (Rc<str>, u16, Rc<Notify>);

#[derive(Default)]
pub struct Pool {
    idle: RefCell<Vec<Conn>>,
    /// Open HTTP/2 connections, busy or not: each serves any number of requests at once.
    http2: RefCell<Vec<Conn>>,
    /// TLS dials in progress, by (host, port): requests to the same host wait for them.
    dialing: RefCell<Vec<Dialing>>,
    /// Sockets alive: HTTP/1.1 connections that exist and HTTP/2 driver tasks that run.
    open: Rc<Cell<usize>>,
    /// A shared pool's bound: `limit` permits, one per busy connection.
    bound: Option<(usize, Arc<Semaphore>)>,
    /// A VU's own pool: how many idle HTTP/1.1 connections it keeps ([`IdleLimits`]).
    idle_limits: Option<IdleLimits>,
}

/// The idle HTTP/1.1 connections a VU keeps, as k6's Go transport keeps them: k6 sets its
/// `MaxIdleConns` to the `batch` option and `MaxIdleConnsPerHost` to `batchPerHost`. A
/// connection given back beyond its host's count is closed; one beyond the total closes the
/// connection idle the longest. So after 8 requests at once to one host (`http.batch` with a
/// higher `batchPerHost`, `Promise.all` of asyncRequests) 6 stay open by default, and the 2
/// requests beyond them connect again next time, as in k6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleLimits {
    pub total: usize,
    pub per_host: usize,
}

impl IdleLimits {
    /// k6's transport for `batch` and `batchPerHost`: a `batchPerHost` of 0 leaves Go's
    /// default of 2 idle connections per host.
    pub fn of(batch: crate::http::batch::BatchLimits) -> IdleLimits {
        IdleLimits { total: batch.total, per_host: if batch.per_host == 0 { 2 } else { batch.per_host } }
    }
}

impl Pool {
    /// A VU's own pool, keeping idle connections within `limits`.
    pub fn own(limits: IdleLimits) -> Pool {
        Pool { idle_limits: Some(limits), ..Pool::default() }
    }

    /// A pool shared by the VUs of one thread, holding at most `limit` connections (at least 1).
    pub fn shared(limit: usize) -> Pool {
        let limit = limit.max(1);
        Pool { bound: Some((limit, Arc::new(Semaphore::new(limit)))), ..Pool::default() }
    }

    pub fn open_connections(&self) -> usize {
        self.open.get()
    }

    /// A connection to `target` for one request: an idle one when there is one (`true`), else a
    /// new one. In a shared pool it first waits for one of the pool's permits.
    pub(crate) async fn checkout(
        &self,
        target: &Target<'_>,
        insecure_skip_tls_verify: bool,
        marks: &mut Marks,
        info: &mut ConnInfo,
    ) -> Result<(Conn, bool), Failure> {
        let permit = match &self.bound {
            Some((_, permits)) => Some(Arc::clone(permits).acquire_owned().await.expect("the pool never closes")),
            None => None,
        };
        if target.tls {
            self.wait_for_dial(target).await;
        }
        if let Some(mut conn) = self.take_ready(target).await {
            info.stats = Some(Rc::clone(&conn.stats));
            info.remote = Some(conn.remote);
            info.base_written = conn.stats.bytes_written();
            info.base_read = conn.stats.bytes_read();
            info.http2 = conn.sender.is_http2();
            conn.permit = permit;
            return Ok((conn, true));
        }
        if let Some((limit, permits)) = &self.bound {
            // Busy connections hold permits; make room among the idle ones (other hosts'): the
            // HTTP/1.1 ones, then HTTP/2 ones no request is using (only the pool holds them).
            let busy = limit - permits.available_permits();
            let mut idle = self.idle.borrow_mut();
            let mut http2 = self.http2.borrow_mut();
            let unused = |conn: &Conn| conn.driver().is_some_and(|driver| Rc::strong_count(driver) == 1);
            while idle.len() + http2.iter().filter(|conn| unused(conn)).count() + busy > *limit {
                if !idle.is_empty() {
                    idle.remove(0);
                } else if let Some(at) = http2.iter().position(unused) {
                    http2.remove(at);
                } else {
                    break;
                }
            }
        }
        let dialing = target.tls.then(|| DialingGuard::new(self, target));
        // Boxed: dialing (TCP, TLS, the HTTP/2 handshake) is most of a request future's size
        // (9 of 12 KB in a debug build) but happens once per connection; inline, every request
        // in flight would carry its space for the whole exchange (10,000 VUs waiting for
        // responses each hold one), and the request future is moved whole into its box for
        // every request.
        let dialed = Box::pin(self.dial(target, insecure_skip_tls_verify, marks, info)).await;
        let mut conn = dialed?;
        if let Some(shared) = conn.share() {
            self.http2.borrow_mut().push(shared);
        }
        drop(dialing);
        conn.permit = permit;
        Ok((conn, false))
    }

    /// Waits while a TLS connection to `target` is being dialed (by another request of this
    /// pool), so that a request can share it when it turns out HTTP/2.
    async fn wait_for_dial(&self, target: &Target<'_>) {
        loop {
            let notify = {
                let dialing = self.dialing.borrow();
                let Some((_, _, notify)) =
                    dialing.iter().find(|(host, port, _)| *port == target.port && **host == *target.host_str)
                else {
                    return;
                };
                Rc::clone(notify)
            };
            let notified = notify.notified();
            // The dial may have ended between the lookup and here.
            if !self.dialing.borrow().iter().any(|(_, _, n)| Rc::ptr_eq(n, &notify)) {
                return;
            }
            notified.await;
        }
    }

    /// Stops handing out `conn`'s HTTP/2 connection (`noConnectionReuse`): it closes when its
    /// requests are done.
    pub(crate) fn forget(&self, conn: &Conn) {
        self.http2.borrow_mut().retain(|kept| !kept.same_connection(conn));
    }

    /// A connection to `target` that is ready for a request, if there is one: an open HTTP/2
    /// one, else an idle HTTP/1.1 one. Connections the server has closed meanwhile are dropped
    /// on the way.
    async fn take_ready(&self, target: &Target<'_>) -> Option<Conn> {
        if target.tls {
            loop {
                let mut conn = {
                    let mut http2 = self.http2.borrow_mut();
                    http2.retain(|conn| !conn.sender.is_closed());
                    let at = http2.iter().rposition(|conn| conn.serves(target));
                    match at {
                        Some(at) => http2[at].share().expect("an HTTP/2 connection"),
                        None => break,
                    }
                };
                if conn.sender.ready().await {
                    return Some(conn);
                }
                self.forget(&conn);
            }
        }
        loop {
            let mut conn = {
                let mut idle = self.idle.borrow_mut();
                // The most recently used first, as Go takes them; `remove` keeps the others in
                // the order they were given back, oldest first, for `put_idle`'s limit.
                let at = idle.iter().rposition(|conn| conn.serves(target))?;
                idle.remove(at)
            };
            if conn.sender.ready().await {
                return Some(conn);
            }
        }
    }

    /// Keeps `conn` for the next request to its host (and gives its permit back).
    pub(crate) fn put_idle(&self, mut conn: Conn) {
        let permit = conn.permit.take();
        if conn.sender.is_http2() {
            // The pool has its own handle on it.
            return;
        }
        // Nothing happens to an idle HTTP/1.1 connection: whether the server closed it meanwhile
        // is asked when it is taken again (`take_ready`).
        let mut idle = self.idle.borrow_mut();
        if let Some(limits) = self.idle_limits {
            if idle.iter().filter(|other| other.same_peer(&conn)).count() >= limits.per_host {
                return;
            }
            idle.push(conn);
            if idle.len() > limits.total {
                idle.remove(0);
            }
            return;
        }
        idle.push(conn);
        drop(idle);
        drop(permit);
    }

    /// Opens a connection to `target`, recording the phases in `marks` and the connection in
    /// `info` as soon as they are known.
    async fn dial(
        &self,
        target: &Target<'_>,
        insecure_skip_tls_verify: bool,
        marks: &mut Marks,
        info: &mut ConnInfo,
    ) -> Result<Conn, Failure> {
        let tcp = connect(target, marks).await?;
        let remote = tcp.peer_addr().map_err(|err| error_code::for_dial(&err))?;
        // Requests are written in one go; do not let Nagle hold back a small body.
        let _ = tcp.set_nodelay(true);
        marks.connected = Some(Instant::now());
        let stats = Rc::new(IoStats::default());
        info.stats = Some(Rc::clone(&stats));
        info.remote = Some(remote);
        info.base_written = 0;
        info.base_read = 0;
        info.http2 = false;
        let wire = WireCounter::new(tcp, Rc::clone(&stats));

        let (sender, life) = if target.tls {
            marks.tls_start = Some(Instant::now());
            let name = server_name(&target.host)?;
            let stream = tls::test_connector(insecure_skip_tls_verify, target.host_str, tls::Alpn::Http2)
                .connect(name, wire)
                .await
                .map_err(|err| error_code::for_io(&err, stats.failed_op().unwrap_or(Op::Read)))?;
            marks.tls_done = Some(Instant::now());
            if stream.get_ref().1.alpn_protocol() == Some(b"h2") {
                info.http2 = true;
                self.start_http2(Timed::new(stream, Rc::clone(&stats))).await?
            } else {
                self.start(Timed::new(stream, Rc::clone(&stats)))
            }
        } else {
            self.start(Timed::new(wire, Rc::clone(&stats)))
        };
        Ok(Conn {
            sender,
            stats,
            remote,
            tls: target.tls,
            host: target.host_str.into(),
            port: target.port,
            life,
            permit: None,
        })
    }

    /// Runs the HTTP/2 handshake and spawns the connection driver.
    async fn start_http2<I>(&self, io: I) -> Result<(Sender, Life), Failure>
    where
        I: AsyncRead + AsyncWrite + Unpin + 'static,
    {
        let (sender, connection) = h2::handshake(io).await.map_err(|err| error_code::for_hyper(&err, None))?;
        let driver = Driver(self.spawn_driver(connection));
        Ok((Sender::Http2(sender), Life::Task(Rc::new(driver))))
    }

    /// An HTTP/1.1 connection over `io`: no handshake, no task ([`H1Conn`]).
    fn start<I>(&self, io: I) -> (Sender, Life)
    where
        I: AsyncRead + AsyncWrite + Unpin + 'static,
    {
        let open = OpenGuard::new(Rc::clone(&self.open));
        (Sender::Http1(H1Conn::new(Box::new(io))), Life::Owned { _open: open })
    }

    fn spawn_driver<C>(&self, connection: C) -> AbortHandle
    where
        C: std::future::Future + 'static,
    {
        let open = OpenGuard::new(Rc::clone(&self.open));
        let driver = tokio::task::spawn_local(async move {
            let _open = open;
            // Its errors reach the request that was in flight through hyper; an idle
            // connection closed by the server needs no report.
            let _ = connection.await;
        });
        driver.abort_handle()
    }
}

/// Marks a TLS dial to a host as in progress; when it ends (done, failed or dropped by a
/// timeout) the requests waiting for it go on.
struct DialingGuard<'p> {
    pool: &'p Pool,
    notify: Rc<Notify>,
}

impl<'p> DialingGuard<'p> {
    fn new(pool: &'p Pool, target: &Target<'_>) -> Self {
        let notify = Rc::new(Notify::new());
        pool.dialing.borrow_mut().push((target.host_str.into(), target.port, Rc::clone(&notify)));
        DialingGuard { pool, notify }
    }
}

impl Drop for DialingGuard<'_> {
    fn drop(&mut self) {
        self.pool.dialing.borrow_mut().retain(|(_, _, n)| !Rc::ptr_eq(n, &self.notify));
        self.notify.notify_waiters();
    }
}

/// Resolves the host and connects to its addresses in order until one accepts. Also used by
/// the WebSocket client (`crate::ws`), so both report dial failures with the same codes.
pub(crate) async fn connect(target: &Target<'_>, marks: &mut Marks) -> Result<TcpStream, Failure> {
    // k6's `hosts` option first.
    let fixed = super::hosts::lookup(target.host_str, target.port);
    let addrs: Vec<SocketAddr> = match (fixed, &target.host) {
        (Some(addr), _) => vec![addr],
        (None, Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(*ip), target.port)],
        (None, Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(*ip), target.port)],
        (None, Host::Domain(domain)) => match tokio::net::lookup_host((*domain, target.port)).await {
            Ok(found) => found.collect(),
            Err(err) => return Err(error_code::for_lookup(domain, Some(&err))),
        },
    };
    if addrs.is_empty() {
        return Err(error_code::for_lookup(target.host_str, None));
    }
    marks.connect_start = Some(Instant::now());
    let mut first_failure = None;
    for addr in addrs {
        let failure = match tokio::time::timeout(DIAL_TIMEOUT, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => return Ok(stream),
            Ok(Err(err)) => error_code::for_dial(&err),
            Err(_elapsed) => error_code::for_dial(&std::io::ErrorKind::TimedOut.into()),
        };
        first_failure.get_or_insert(failure);
    }
    Err(first_failure.expect("at least one address was tried"))
}

pub(crate) fn server_name(host: &Host<&str>) -> Result<ServerName<'static>, Failure> {
    match host {
        Host::Ipv4(ip) => Ok(ServerName::IpAddress(IpAddr::V4(*ip).into())),
        Host::Ipv6(ip) => Ok(ServerName::IpAddress(IpAddr::V6(*ip).into())),
        Host::Domain(domain) => ServerName::try_from((*domain).to_owned())
            .map_err(|_| Failure::new(error_code::TLS_GENERIC, format!("tls: invalid server name \"{domain}\""))),
    }
}

/// Counts a socket as open for as long as what owns it (an HTTP/1.1 connection, an HTTP/2
/// driver task) exists.
struct OpenGuard(Rc<Cell<usize>>);

impl OpenGuard {
    fn new(open: Rc<Cell<usize>>) -> Self {
        open.set(open.get() + 1);
        OpenGuard(open)
    }
}

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}
