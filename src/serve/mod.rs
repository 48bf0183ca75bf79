//! serve (stub)
