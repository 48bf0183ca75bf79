//! `/ws/broadcast` on the reference target delivers the same ticks to several VUs at once,
//! with a send timestamp scripts turn into a delivery latency.
mod common;
use common::*;

#[test]
fn broadcast_reaches_every_vu_with_consecutive_ticks_and_a_latency() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let seqs = [];
            let latencies = [];
            let res = ws.connect(`${__ENV.WS}/ws/broadcast?interval_ms=50`, |socket| {
                socket.on("message", |text| {
                    let msg = parse_json(text);
                    if msg.type == "BROADCAST" { seqs.push(msg.seq); }
                    latencies.push(now_ms() - msg.sent_at_ms);
                    if seqs.len() == 6 { socket.close(); }
                });
            });
            check(seqs, #{
                "upgraded": |s| res.status == 101,
                "6 broadcasts": |s| s.len() == 6,
                "consecutive ticks": |s| s[5] == s[0] + 5,
                "latency measured from sent_at_ms": |s| latencies.all(|l| l >= 0.0 && l < 1000.0),
            });
        }
    "#,
    );
    let run = rload(&s, &["-u", "4", "-i", "4", "-e", &format!("WS=ws://{}", target.addr)]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00% 16 out of 16"), "{}\n{}", run.stdout, run.stderr);
    assert!(run.line("ws_msgs_received").contains(": 24 "), "{}", run.stdout);
    assert!(run.line("ws_sessions").contains(": 4 "), "{}", run.stdout);
}
