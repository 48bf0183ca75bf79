//! `rload new [FILE]`: writes k6's minimal script template, in Rhai, for a first test.
//!
//! As `k6 new`: the default file is `script.rhai` (k6: `script.js`), an existing file is kept
//! unless `--force`, and the message says which template was written. The script reads
//! `BASE_URL` so that `rload run --with-target` points it at the built-in target; without it,
//! it requests k6's demo site, as k6's template does.

use crate::cli::NewFlags;
use crate::runtime::exit;
use crate::stdio;

/// `rload new` without a file name.
pub const DEFAULT_FILE: &str = "script.rhai";

/// k6's minimal template, in Rhai.
pub const MINIMAL: &str = r#"// A first load test: 10 virtual users for 30 seconds, each requesting a page, checking the
// answer and pausing for a second. Run it with `rload run FILE`, or against rload's own
// target with `rload run --with-target FILE`.

export const options = #{
    vus: 10,
    duration: "30s",
};

const BASE_URL = __ENV.BASE_URL ?? "https://quickpizza.grafana.com";

fn run() {
    let res = http.get(BASE_URL);
    check(res, #{ "status is 200": |r| r.status == 200 });
    sleep(1);
}
"#;

/// Writes the template and returns the exit code.
pub fn create(flags: &NewFlags) -> i32 {
    if flags.template != "minimal" {
        eprintln!(
            "error: template \"{}\": rload has only the minimal template (k6's protocol and browser templates \
             use modules rload does not have)",
            flags.template
        );
        return exit::INVALID_CONFIG;
    }
    let path = std::path::Path::new(&flags.file);
    if path.exists() && !flags.force {
        eprintln!("error: {} already exists. Use the `--force` flag to overwrite it", flags.file);
        return exit::OTHER;
    }
    match std::fs::write(path, MINIMAL) {
        Ok(()) => {
            stdio::outln(&format!("New script created: {} (minimal template).", flags.file));
            exit::OK
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", flags.file);
            exit::OTHER
        }
    }
}
