//! Issue 16, item 2: `rload archive` and `rload inspect [--execution-requirements]`, the two
//! commands of k6-operator's initializer (`k6 archive $script -O $archive $args && k6 inspect
//! --execution-requirements $archive`), and `rload run archive.tar` away from the sources.
mod common;
use common::*;

use std::process::Command;

fn rload_in(dir: &std::path::Path, args: &[&str]) -> Run {
    Run::from_output(Command::new(BIN).current_dir(dir).args(args).arg("--no-system-env-vars").output().unwrap())
}

#[test]
fn an_archive_carries_modules_opened_files_options_and_env_and_runs_without_the_sources() {
    let src = tempfile::tempdir().unwrap();
    let app = src.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::create_dir_all(src.path().join("data")).unwrap();
    std::fs::write(src.path().join("data/users.txt"), "alice\nbob\n").unwrap();
    std::fs::write(app.join("names.rhai"), "fn greeting() { \"hello\" }\n").unwrap();
    std::fs::write(
        app.join("main.rhai"),
        "import \"names\" as names;\n\
         const USERS = open(\"../data/users.txt\");\n\
         export const options = #{ iterations: 2, thresholds: #{ checks: [\"rate==1\"] } };\n\
         fn run() {\n\
             check(USERS, #{ \"users\": |u| u.contains(\"alice\") });\n\
             check(names::greeting(), #{ \"module\": |g| g == \"hello\" });\n\
             check(__ENV.WHO, #{ \"env\": |w| w == \"carol\" });\n\
         }\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let archive = out.path().join("test.tar");
    let made = rload_in(
        src.path(),
        &["archive", "app/main.rhai", "-O", archive.to_str().unwrap(), "-i", "5", "-e", "WHO=carol"],
    );
    assert_eq!(made.code, 0, "{}\n{}", made.stdout, made.stderr);
    drop(src); // the sources are gone

    let elsewhere = tempfile::tempdir().unwrap();
    let run = rload_in(elsewhere.path(), &["run", archive.to_str().unwrap(), "--no-color", "--address", ""]);
    assert_eq!(run.code, 0, "every check passed: {}\n{}", run.stdout, run.stderr);
    assert!(
        run.line("iterations").contains(" 5 "),
        "-i 5 given to archive is in its options: {}",
        run.line("iterations")
    );

    let inspected = rload_in(elsewhere.path(), &["inspect", "--execution-requirements", archive.to_str().unwrap()]);
    assert_eq!(inspected.code, 0, "{}", inspected.stderr);
    let json: serde_json::Value = serde_json::from_str(&inspected.stdout).unwrap();
    assert_eq!(json["iterations"], 5, "{json}");
    assert_eq!(json["maxVUs"], 1, "{json}");
    assert_eq!(json["totalDuration"], "10m30s", "shared-iterations' maxDuration plus gracefulStop: {json}");
}

#[test]
fn inspect_prints_the_scripts_options_and_with_execution_requirements_k6s_max_vus_and_total_duration() {
    let s = script(
        "export const options = #{ scenarios: #{\n\
             a: #{ executor: \"constant-vus\", vus: 10, duration: \"30s\" },\n\
             b: #{ executor: \"constant-vus\", vus: 5, duration: \"10s\", startTime: \"40s\" },\n\
         } };\nfn run() {}\n",
    );
    let plain = Run::from_output(Command::new(BIN).args(["inspect"]).arg(&s.path).output().unwrap());
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    let json: serde_json::Value = serde_json::from_str(&plain.stdout).unwrap();
    assert_eq!(json["scenarios"]["b"]["startTime"], "40s");
    assert!(json.get("maxVUs").is_none(), "{json}");

    let req = Run::from_output(
        Command::new(BIN).args(["inspect", "--execution-requirements"]).arg(&s.path).output().unwrap(),
    );
    assert_eq!(req.code, 0, "{}", req.stderr);
    let json: serde_json::Value = serde_json::from_str(&req.stdout).unwrap();
    // a holds 10 VUs until 60s (30s + gracefulStop 30s); b holds 5 from 40s to 80s.
    assert_eq!(json["maxVUs"], 15, "{json}");
    assert_eq!(json["totalDuration"], "1m20s", "{json}");
}

#[test]
fn an_absolute_open_path_cannot_be_archived_and_says_so() {
    let data = tempfile::NamedTempFile::new().unwrap();
    let s = script(&format!(
        "const D = open(\"{}\");\nexport const options = #{{ iterations: 1 }};\nfn run() {{}}\n",
        data.path().display()
    ));
    let archive = s.dir.path().join("a.tar");
    let run = Run::from_output(Command::new(BIN).arg("archive").arg(&s.path).arg("-O").arg(&archive).output().unwrap());
    assert_eq!(run.code, 255, "{}", run.stderr);
    assert!(run.stderr.contains("an absolute path in open() cannot be archived"), "{}", run.stderr);
}

/// k6-operator archives the TestRun's script as it is: a k6 JavaScript test with a local module
/// and an opened file archives, and the archive runs elsewhere (converted on each runner).
#[test]
fn a_javascript_test_archives_with_its_modules_and_files_and_runs_from_the_archive() {
    let src = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(src.path().join("app/lib")).unwrap();
    std::fs::create_dir_all(src.path().join("data")).unwrap();
    std::fs::write(src.path().join("data/users.json"), r#"["alice","bob"]"#).unwrap();
    std::fs::write(src.path().join("app/lib/gen.js"), "export function greeting() { return 'hello'; }\n").unwrap();
    std::fs::write(
        src.path().join("app/main.js"),
        "import { check } from 'k6';\n\
         import { greeting } from './lib/gen.js';\n\
         const users = JSON.parse(open('../data/users.json'));\n\
         export const options = { iterations: 2, thresholds: { checks: ['rate==1'] } };\n\
         export default function () {\n\
           check(users, { users: (u) => u.length === 2 });\n\
           check(greeting(), { module: (g) => g === 'hello' });\n\
           check(__ENV.WHO, { env: (w) => w === 'carol' });\n\
         }\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let archive = out.path().join("test.tar");
    let made = rload_in(
        src.path(),
        &["archive", "app/main.js", "-O", archive.to_str().unwrap(), "-i", "3", "-e", "WHO=carol"],
    );
    assert_eq!(made.code, 0, "{}\n{}", made.stdout, made.stderr);
    drop(src);

    let elsewhere = tempfile::tempdir().unwrap();
    let run = rload_in(elsewhere.path(), &["run", archive.to_str().unwrap(), "--no-color", "--address", ""]);
    assert_eq!(run.code, 0, "every check passed: {}\n{}", run.stdout, run.stderr);
    assert!(run.line("checks_succeeded").contains("9 out of 9"), "{}", run.stdout);
    let inspected = rload_in(elsewhere.path(), &["inspect", "--execution-requirements", archive.to_str().unwrap()]);
    assert_eq!(inspected.code, 0, "{}", inspected.stderr);
    let json: serde_json::Value = serde_json::from_str(&inspected.stdout).unwrap();
    assert_eq!(json["iterations"], 3, "{json}");
}

/// Sweep 31: `rload inspect` printed the script's options as written (`"startTime": "120s"`,
/// only the keys given); k6 v1.1.0's `inspect` prints every `lib.Options` field in its order,
/// `null` when unset, durations in Go's form, each scenario's executor fields, thresholds
/// without `abortOnFail` as text. `K6_INSPECTED` is k6 v1.1.0's output for the same script in
/// JavaScript:
///
/// ```js
/// export const options = {
///   vus: 2,
///
///   setupTimeout: '120s', teardownTimeout: '61s',
///   thresholds: { http_req_duration: ['p(95)<500', { threshold: 'avg<200', abortOnFail: true, delayAbortEval: '90s' }] },
///   summaryTrendStats: ['avg', 'p(95)'],
///   tags: { a: '1' },
///   scenarios: {
///     s1: { executor: 'constant-vus', vus: 2, duration: '90s', gracefulStop: '45s', startTime: '120s' },
///     s2: { executor: 'ramping-arrival-rate', preAllocatedVUs: 2, timeUnit: '60s', stages: [{ duration: '90s', target: 5 }] },
///   },
/// };
/// export default function () {}
/// ```
#[test]
fn inspect_prints_the_options_as_k6_inspect_does_field_by_field() {
    let s = script(
        r#"export const options = #{
  vus: 2,

  setupTimeout: "120s", teardownTimeout: "61s",
  thresholds: #{ http_req_duration: ["p(95)<500", #{ threshold: "avg<200", abortOnFail: true, delayAbortEval: "90s" }] },
  summaryTrendStats: ["avg", "p(95)"],
  tags: #{ a: "1" },
  scenarios: #{
    s1: #{ executor: "constant-vus", vus: 2, duration: "90s", gracefulStop: "45s", startTime: "120s" },
    s2: #{ executor: "ramping-arrival-rate", preAllocatedVUs: 2, timeUnit: "60s", stages: [#{ duration: "90s", target: 5 }] },
  },
};
fn run() {}
"#,
    );
    let plain = Run::from_output(Command::new(BIN).args(["inspect"]).arg(&s.path).output().unwrap());
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert_eq!(plain.stdout.trim_end(), K6_INSPECTED);
}

const K6_INSPECTED: &str = r#"{
  "paused": null,
  "vus": 2,
  "duration": null,
  "iterations": null,
  "stages": null,
  "scenarios": {
    "s1": {
      "executor": "constant-vus",
      "startTime": "2m0s",
      "gracefulStop": "45s",
      "env": null,
      "exec": null,
      "tags": null,
      "vus": 2,
      "duration": "1m30s"
    },
    "s2": {
      "executor": "ramping-arrival-rate",
      "startTime": null,
      "gracefulStop": null,
      "env": null,
      "exec": null,
      "tags": null,
      "startRate": null,
      "timeUnit": "1m0s",
      "stages": [
        {
          "duration": "1m30s",
          "target": 5
        }
      ],
      "preAllocatedVUs": 2,
      "maxVUs": null
    }
  },
  "executionSegment": null,
  "executionSegmentSequence": null,
  "noSetup": null,
  "setupTimeout": "2m0s",
  "noTeardown": null,
  "teardownTimeout": "1m1s",
  "rps": null,
  "dns": {
    "ttl": null,
    "select": null,
    "policy": null
  },
  "maxRedirects": null,
  "userAgent": null,
  "batch": null,
  "batchPerHost": null,
  "httpDebug": null,
  "insecureSkipTLSVerify": null,
  "tlsCipherSuites": null,
  "tlsVersion": null,
  "tlsAuth": null,
  "throw": null,
  "thresholds": {
    "http_req_duration": [
      "p(95)\u003c500",
      {
        "threshold": "avg\u003c200",
        "abortOnFail": true,
        "delayAbortEval": "1m30s"
      }
    ]
  },
  "blacklistIPs": null,
  "blockHostnames": null,
  "hosts": null,
  "noConnectionReuse": null,
  "noVUConnectionReuse": null,
  "minIterationDuration": null,
  "ext": null,
  "summaryTrendStats": [
    "avg",
    "p(95)"
  ],
  "summaryTimeUnit": null,
  "systemTags": null,
  "tags": {
    "a": "1"
  },
  "metricSamplesBufferSize": null,
  "noCookiesReset": null,
  "discardResponseBodies": null
}"#;

/// With `--execution-requirements` k6 v1.1.0 shows `summaryTrendStats` and `systemTags` as the
/// run will use them, its defaults where no layer set them (plain `inspect` shows `null`); rload
/// showed `null`.
#[test]
fn execution_requirements_show_k6s_default_trend_stats_and_system_tags() {
    let s = script("export const options = #{ vus: 1, duration: \"5s\" };\nfn run() {}\n");
    let field = |args: &[&str], key: &str| {
        let run = Run::from_output(Command::new(BIN).args(args).arg(&s.path).output().unwrap());
        assert_eq!(run.code, 0, "{}", run.stderr);
        serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap()[key].clone()
    };
    let requirements = ["inspect", "--execution-requirements"];
    assert_eq!(
        field(&requirements, "summaryTrendStats"),
        serde_json::json!(["avg", "min", "med", "max", "p(90)", "p(95)"])
    );
    let k6_default_tags = [
        "check",
        "error",
        "error_code",
        "expected_response",
        "group",
        "method",
        "name",
        "proto",
        "scenario",
        "service",
        "status",
        "subproto",
        "tls_version",
        "url",
    ];
    assert_eq!(field(&requirements, "systemTags"), serde_json::json!(k6_default_tags));
    assert_eq!(
        field(&["inspect", "--execution-requirements", "--system-tags", "url,status"], "systemTags"),
        serde_json::json!(["status", "url"])
    );
    assert_eq!(field(&["inspect"], "summaryTrendStats"), serde_json::Value::Null);
    assert_eq!(field(&["inspect"], "systemTags"), serde_json::Value::Null);
}
