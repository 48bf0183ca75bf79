//! `wss://`: certificate checks are on unless the run sets k6's `insecureSkipTLSVerify`.
mod common;
use common::*;

use std::net::SocketAddr;

use futures_util::{SinkExt, StreamExt};

/// A `wss://` echo server on 127.0.0.1:0, on a thread of its own for the test's lifetime.
fn start_wss_echo() -> SocketAddr {
    let (bound, addr) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let acceptor = tls::test_acceptor();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            bound.send(listener.local_addr().unwrap()).unwrap();
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else { return };
                    let Ok(mut socket) = tokio_tungstenite::accept_async(tls).await else { return };
                    while let Some(Ok(message)) = socket.next().await {
                        if (message.is_text() || message.is_binary()) && socket.send(message).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
    });
    addr.recv().unwrap()
}

const ECHO_ONCE: &str = r#"
    fn run() {
        let echoed = "";
        let res = ws.connect(`wss://localhost:${__ENV.PORT}/`, |socket| {
            socket.on("open", || socket.send("over tls"));
            socket.on("message", |text| { echoed = text; socket.close(); });
        });
        check(res, #{
            "wss upgraded": |r| r.status == 101 && echoed == "over tls",
            "untrusted certificate refused": |r| r.status == 0 && r.error_code == 1310 && r.error == "x509: unknown authority",
        });
    }
"#;

#[test]
fn an_untrusted_certificate_fails_the_connect_with_1310() {
    let addr = start_wss_echo();
    let run = rload(&script(ECHO_ONCE), &["-i", "1", "-e", &format!("PORT={}", addr.port())]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("✗ wss upgraded"), "{}", run.stdout);
    assert!(run.stdout.contains("✓ untrusted certificate refused"), "{}", run.stdout);
}

#[test]
fn insecure_skip_tls_verify_lets_wss_through() {
    let addr = start_wss_echo();
    let args = ["-i", "1", "--insecure-skip-tls-verify", "-e", &format!("PORT={}", addr.port())];
    let run = rload(&script(ECHO_ONCE), &args);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("✓ wss upgraded"), "{}", run.stdout);
    assert!(run.line("ws_msgs_received").contains(": 1 "), "{}", run.stdout);
}
