//! The local files a script's init code reads: its imported modules and `open()`ed files, noted
//! on the calling thread while `rload archive` runs the init code once, so the archive can carry
//! them. Off (nothing kept) unless [`record`] is active on the thread.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

thread_local! {
    static READ: RefCell<Option<Vec<PathBuf>>> = const { RefCell::new(None) };
}

/// Notes the files read on this thread while `f` runs, and returns them with `f`'s result.
pub async fn record<T>(f: impl std::future::Future<Output = T>) -> (T, Vec<PathBuf>) {
    READ.with(|r| *r.borrow_mut() = Some(Vec::new()));
    let out = f.await;
    let files = READ.with(|r| r.borrow_mut().take()).unwrap_or_default();
    (out, files)
}

/// A file the init code read (a module next to the script, an `open()`ed file).
pub fn read(path: &Path) {
    READ.with(|r| {
        if let Some(files) = r.borrow_mut().as_mut() {
            if !files.iter().any(|f| f == path) {
                files.push(path.to_path_buf());
            }
        }
    });
}
