//! A body-less POST, PUT or PATCH declares `Content-Length: 0`, as k6 (Go's client) sends it:
//! servers that require a length answer 411 without it (issue 12). A raw loopback listener
//! reads each request head as it arrives on the wire.

mod common;
use common::*;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

#[test]
fn a_bodyless_post_put_and_patch_send_content_length_zero_and_a_get_does_not() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let mut heads = Vec::new();
        for _ in 0..4 {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line.to_ascii_lowercase());
            }
            let mut stream = stream;
            stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
            heads.push(head);
        }
        heads
    });
    let s = script(&format!(
        r#"
        export const options = #{{ iterations: 1, vus: 1 }};
        fn run() {{
            http.post("http://{addr}/a");
            http.put("http://{addr}/b", ());
            http.patch("http://{addr}/c");
            http.get("http://{addr}/d");
        }}
        "#
    ));
    let run = rload(&s, &["-q", "--no-summary", "--no-connection-reuse"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let heads = server.join().unwrap();
    for head in &heads[..3] {
        assert!(head.contains("\r\ncontent-length: 0\r\n"), "{head}");
    }
    assert!(!heads[3].contains("content-length"), "{}", heads[3]);
}
