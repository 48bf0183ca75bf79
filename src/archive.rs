//! `rload archive`: a test in one tar file that `rload run archive.tar` (and `rload inspect`)
//! runs anywhere, as k6's archives do: the script, the modules it imports from beside it, the
//! files its init code `open()`s, the options resolved when it was made (script and flags), and
//! the `-e` variables.
//!
//! Layout: `metadata.json` (`filename`, `options`, `env`, `rloadVersion`) and `files/…`, the
//! files at their paths relative to the deepest directory holding them all, so `../data.csv`
//! still resolves. Only what the init code read while the archive was made is carried (k6 does
//! the same): a file opened only on some condition that did not hold then is missing. An
//! `open()` of an absolute path is refused, since the archive could not serve it elsewhere.
//! Running unpacks into a temporary directory, removed when the run ends.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use serde_json::{json, Value};

/// What `rload run` needs of an unpacked archive.
pub struct Unpacked {
    dir: PathBuf,
    /// The main script, inside the unpacked tree.
    pub script: PathBuf,
    /// The options resolved when the archive was made (k6's JSON).
    pub options: Value,
    /// The `-e` variables given when the archive was made.
    pub env: Vec<(String, String)>,
}

impl Drop for Unpacked {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// True when `path` is a tar file (POSIX `ustar` magic), not a script.
pub fn is_archive(path: &Path) -> bool {
    let mut head = [0u8; 262];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && &head[257..262] == b"ustar"
}

/// Writes the archive of `script` and the `files` its init code read (as joined to the script's
/// directory), with the resolved `options` and the `-e` variables `env`.
pub fn write(
    out: &Path,
    script: &Path,
    files: &[PathBuf],
    options: &Value,
    env: &[(String, String)],
) -> Result<(), String> {
    let script_dir = script.parent().unwrap_or(Path::new(""));
    let mut all = vec![script.to_path_buf()];
    for f in files {
        let under_script_dir = f.starts_with(script_dir) && (script_dir.is_absolute() || !f.is_absolute());
        if !under_script_dir {
            return Err(format!(
                "{}: an absolute path in open() cannot be archived (the archive could not serve it \
                 elsewhere); open it by a path relative to the script",
                f.display()
            ));
        }
        all.push(f.clone());
    }
    let absolute: Vec<PathBuf> = all
        .iter()
        .map(|p| std::path::absolute(p).map(|a| normalize(&a)).map_err(|e| format!("{}: {e}", p.display())))
        .collect::<Result<_, _>>()?;
    let root = common_dir(&absolute);
    let rel = |p: &Path| p.strip_prefix(&root).expect("under the common directory").to_path_buf();
    let metadata = json!({
        "type": "rload-archive",
        "filename": rel(&absolute[0]).to_string_lossy(),
        "options": options,
        "env": env.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "rloadVersion": env!("CARGO_PKG_VERSION"),
    });
    let file = std::fs::File::create(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut tar = tar::Builder::new(file);
    let meta = serde_json::to_vec_pretty(&metadata).expect("metadata serialises");
    append(&mut tar, Path::new("metadata.json"), &meta)?;
    for path in &absolute {
        let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        append(&mut tar, &Path::new("files").join(rel(path)), &data)?;
    }
    tar.into_inner().and_then(|mut f| std::io::Write::flush(&mut f)).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(())
}

fn append(tar: &mut tar::Builder<std::fs::File>, path: &Path, data: &[u8]) -> Result<(), String> {
    let mut header = tar::Header::new_ustar();
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    tar.append_data(&mut header, path, data).map_err(|e| format!("{}: {e}", path.display()))
}

/// Unpacks `archive` into a fresh temporary directory.
pub fn unpack(archive: &Path) -> Result<Unpacked, String> {
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    let dir = std::env::temp_dir().join(format!("rload-archive-{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let unpacked = |metadata: Value| -> Result<Unpacked, String> {
        let filename = metadata["filename"].as_str().ok_or("metadata.json has no filename")?;
        let env = metadata["env"]
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
            .unwrap_or_default();
        Ok(Unpacked {
            dir: dir.clone(),
            script: dir.join("files").join(filename),
            options: metadata["options"].clone(),
            env,
        })
    };
    let file = std::fs::File::open(archive).map_err(|e| format!("{}: {e}", archive.display()))?;
    let mut tar = tar::Archive::new(file);
    let mut metadata = None;
    let entries = tar.entries().map_err(|e| format!("{}: {e}", archive.display()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("{}: {e}", archive.display()))?;
        let path = entry.path().map_err(|e| e.to_string())?.into_owned();
        if path == Path::new("metadata.json") {
            let mut text = String::new();
            entry.read_to_string(&mut text).map_err(|e| format!("metadata.json: {e}"))?;
            metadata = Some(serde_json::from_str::<Value>(&text).map_err(|e| format!("metadata.json: {e}"))?);
        } else {
            // `unpack_in` refuses paths that would leave `dir`.
            entry.unpack_in(&dir).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    let metadata = metadata.ok_or_else(|| format!("{}: not an rload archive (no metadata.json)", archive.display()))?;
    if metadata["type"] != "rload-archive" {
        return Err(format!("{}: not an rload archive (k6's .js archives cannot run here)", archive.display()));
    }
    unpacked(metadata)
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The deepest directory holding every path.
fn common_dir(paths: &[PathBuf]) -> PathBuf {
    let mut root = paths[0].parent().map(Path::to_path_buf).unwrap_or_default();
    for p in &paths[1..] {
        while !p.starts_with(&root) {
            if !root.pop() {
                break;
            }
        }
    }
    root
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_keep_their_places_relative_to_the_deepest_common_directory() {
        let paths =
            [PathBuf::from("/t/a/s.rhai"), normalize(Path::new("/t/a/../data/x.csv")), PathBuf::from("/t/a/m.rhai")];
        assert_eq!(paths[1], PathBuf::from("/t/data/x.csv"));
        assert_eq!(common_dir(&paths), PathBuf::from("/t"));
    }
}
