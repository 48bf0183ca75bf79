//! The Rhai side: engine construction, compilation, diagnostics and the script API.
pub mod api;
pub mod converted;
pub mod diagnostics;
pub mod engine;
pub mod facts;
pub mod files;
pub mod habits;
pub mod missing;
pub mod resolver;
