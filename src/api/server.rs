//! The REST API's HTTP server: hyper's HTTP/1.1 on the scheduler's thread (a local task per
//! connection, so the routes can call into the run, which is not `Send`), k6's routes and
//! methods, its error documents.
//!
//! Binding happens before anything else of the run, so a busy `--address` fails the run at once
//! (k6's exit code 106) instead of after the VUs were initialised.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::rc::Rc;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;

use super::body;
use super::Surface;

/// The largest request body read (a PUT of setup data is the only big one).
const MAX_BODY: usize = 64 << 20;

/// A bound, not yet serving listener.
pub struct Bound {
    listener: std::net::TcpListener,
}

impl Bound {
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }
}

/// Binds the API's address (no task yet, so the run can report a busy port as it likes).
pub fn bind(addr: SocketAddr) -> std::io::Result<Bound> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    Ok(Bound { listener })
}

/// Serves the API on the current `LocalSet` until the runtime ends.
pub fn serve(bound: Bound, surface: Rc<dyn Surface>) {
    let listener = match tokio::net::TcpListener::from_std(bound.listener) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("WARN REST API: {e}");
            return;
        }
    };
    tokio::task::spawn_local(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let surface = surface.clone();
            tokio::task::spawn_local(async move {
                let service = service_fn(move |req| {
                    let surface = surface.clone();
                    async move { Ok::<_, Infallible>(handle(&*surface, req).await) }
                });
                let _ =
                    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
}

type Reply = Response<Full<Bytes>>;

fn json_text(status: StatusCode, text: String) -> Reply {
    Response::builder()
        .status(status)
        .header("Content-Type", "application/json")
        .body(Full::new(Bytes::from(text)))
        .expect("a valid response")
}

/// 200 with a document of [`body`], written as k6 writes it.
fn ok(document: String) -> Reply {
    json_text(StatusCode::OK, document)
}

fn error(status: StatusCode, title: &str, detail: &str) -> Reply {
    json_text(status, body::error_document(status.as_u16(), title, detail))
}

fn plain(status: StatusCode, text: &'static str) -> Reply {
    Response::builder()
        .status(status)
        .header("Content-Type", "text/plain; charset=utf-8")
        .body(Full::new(Bytes::from_static(text.as_bytes())))
        .expect("a valid response")
}

fn method_not_allowed() -> Reply {
    Response::builder().status(StatusCode::METHOD_NOT_ALLOWED).body(Full::new(Bytes::new())).expect("a response")
}

async fn read_body(req: Request<Incoming>) -> Result<Bytes, String> {
    Limited::new(req.into_body(), MAX_BODY).collect().await.map(|c| c.to_bytes()).map_err(|e| e.to_string())
}

/// k6's `api/v1` routes: the same paths, methods and answers.
async fn handle(surface: &dyn Surface, req: Request<Incoming>) -> Reply {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    match path.as_str() {
        "/" | "/ping" => plain(StatusCode::OK, "ok"),
        "/v1/status" => match method {
            Method::GET => ok(body::status_document(&surface.status())),
            Method::PATCH => patch_status(surface, req).await,
            _ => method_not_allowed(),
        },
        "/v1/metrics" if method == Method::GET => ok(body::metrics_document(&surface.metrics())),
        "/v1/groups" if method == Method::GET => ok(body::groups_document(&surface.groups())),
        "/v1/setup" => match method {
            Method::GET => ok(body::setup_document(surface.setup_data().as_ref())),
            Method::PUT => put_setup(surface, req).await,
            Method::POST => match surface.run_setup().await {
                Ok(()) => ok(body::setup_document(surface.setup_data().as_ref())),
                Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "Error executing setup", &e),
            },
            _ => method_not_allowed(),
        },
        "/v1/teardown" => match method {
            Method::POST => match surface.run_teardown().await {
                Ok(()) => Response::new(Full::new(Bytes::new())),
                Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "Error executing teardown", &e),
            },
            _ => method_not_allowed(),
        },
        "/v1/metrics" | "/v1/groups" => method_not_allowed(),
        p if p.starts_with("/v1/metrics/") => {
            if method != Method::GET {
                return method_not_allowed();
            }
            let id = &p["/v1/metrics/".len()..];
            match surface.metrics().iter().find(|m| m.name == id) {
                Some(m) => ok(body::metric_document(m)),
                None => error(StatusCode::NOT_FOUND, "Not Found", "No metric with that ID was found"),
            }
        }
        p if p.starts_with("/v1/groups/") => {
            if method != Method::GET {
                return method_not_allowed();
            }
            let id = &p["/v1/groups/".len()..];
            match surface.groups().iter().find(|g| g.id == id) {
                Some(g) => ok(body::group_document(g)),
                None => error(StatusCode::NOT_FOUND, "Not Found", "No group with that ID was found"),
            }
        }
        _ => plain(StatusCode::NOT_FOUND, "404 page not found\n"),
    }
}

/// k6's `handlePatchStatus`: `stopped` ends the run and nothing else is looked at; otherwise
/// `paused`, then `vus`/`vus-max` (which k6 v1 refuses: no executor takes live VU changes).
async fn patch_status(surface: &dyn Surface, req: Request<Incoming>) -> Reply {
    let bytes = match read_body(req).await {
        Ok(b) => b,
        Err(e) => return error(StatusCode::BAD_REQUEST, "Couldn't read request", &e),
    };
    let status = match body::parse_status(&bytes) {
        Ok(s) => s,
        Err(e) => return error(StatusCode::BAD_REQUEST, "Invalid data", &e),
    };
    if status.stopped {
        surface.stop();
    } else {
        if let Some(paused) = status.paused {
            if let Err(e) = surface.set_paused(paused) {
                return error(StatusCode::INTERNAL_SERVER_ERROR, "Pause error", &e);
            }
        }
        if status.vus.is_some() || status.vus_max.is_some() {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Execution config error",
                "live VU configuration updates are not supported",
            );
        }
    }
    ok(body::status_document(&surface.status()))
}

/// k6's `handleSetSetupData`: the body is the data itself (no envelope); an empty body clears it.
async fn put_setup(surface: &dyn Surface, req: Request<Incoming>) -> Reply {
    let bytes = match read_body(req).await {
        Ok(b) => b,
        Err(e) => return error(StatusCode::BAD_REQUEST, "Error reading request body", &e),
    };
    let data = if bytes.is_empty() {
        None
    } else {
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => Some(v),
            Err(e) => return error(StatusCode::BAD_REQUEST, "Error parsing request body", &e.to_string()),
        }
    };
    surface.set_setup_data(data);
    ok(body::setup_document(surface.setup_data().as_ref()))
}
