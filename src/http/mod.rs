//! http (stub)
