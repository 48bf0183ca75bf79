//! System caches.

use crate::func::native::LockGuardMut;
use crate::func::{locked_write, RhaiFunc, StraightHashMap};
use crate::types::BloomFilterU64;
use crate::{ImmutableString, Locked, Shared, StaticVec};
use std::ops::{Deref, DerefMut};
#[cfg(feature = "no_std")]
use std::prelude::v1::*;

/// _(internals)_ An entry in a function resolution cache.
/// Exported under the `internals` feature only.
#[derive(Debug, Clone)]
pub struct FnResolutionCacheEntry {
    /// Function.
    pub func: RhaiFunc,
    /// Optional source.
    pub source: Option<ImmutableString>,
}

/// _(internals)_ A function resolution cache with a bloom filter.
/// Exported under the `internals` feature only.
///
/// The [bloom filter][`BloomFilterU64`] is used to rapidly check whether a function hash has never been encountered.
/// It enables caching a hash only during the second encounter to avoid "one-hit wonders".
#[derive(Debug, Clone, Default)]
pub struct FnResolutionCache {
    /// Hash map containing cached functions.
    pub dict: StraightHashMap<Option<FnResolutionCacheEntry>>,
    /// Bloom filter to avoid caching "one-hit wonders".
    ///
    /// Default to 64 bytes (512 bits) which hopefully is enough for different function calls in a script.
    pub bloom_filter: BloomFilterU64<64>,
}

impl FnResolutionCache {
    /// Clear the [`FnResolutionCache`].
    #[inline(always)]
    #[allow(dead_code)]
    pub fn clear(&mut self) {
        self.dict.clear();
        self.bloom_filter.clear();
    }
}

/// _(internals)_ A type containing system-wide caches.
/// Exported under the `internals` feature only.
///
/// The following caches are contained inside this type:
/// * A stack of [function resolution caches][FnResolutionCache]
#[derive(Debug, Clone, Default)]
pub struct Caches {
    fn_resolution: StaticVec<FnResolutionLevel>,
}

/// _(internals)_ A function resolution cache that several [`Caches`] share (rload,
/// RLOAD-PATCH.md): evaluations of one [`AST`][crate::AST] with the same engine, imports and
/// functions resolve every call alike, so one cache can serve them all and stay warm.
/// Exported under the `internals` feature only.
///
/// Entries are cloned out of it, so no reference into it outlives a resolution: a shared
/// cache may change between two calls of one evaluation (another evaluation inserted), and an
/// evaluation may be suspended in the middle of a native call (a coroutine).
#[derive(Debug, Clone, Default)]
pub struct SharedFnResolutionCache(Shared<Locked<FnResolutionCache>>);

/// One level of the stack of function resolution caches: its own, or a shared one.
#[derive(Debug, Clone)]
enum FnResolutionLevel {
    Own(FnResolutionCache),
    Shared(SharedFnResolutionCache),
}

/// _(internals)_ Mutable access to the current function resolution cache.
/// Exported under the `internals` feature only.
pub enum FnResolutionCacheMut<'a> {
    /// A level the [`Caches`] owns.
    Own(&'a mut FnResolutionCache),
    /// A shared level, locked.
    Shared(LockGuardMut<'a, FnResolutionCache>),
    /// A shared level already locked (never, as rload uses it): an empty cache for this one
    /// resolution, which then goes uncached.
    Scratch(FnResolutionCache),
}

impl Deref for FnResolutionCacheMut<'_> {
    type Target = FnResolutionCache;

    #[inline(always)]
    fn deref(&self) -> &Self::Target {
        match self {
            Self::Own(cache) => cache,
            Self::Shared(cache) => cache,
            Self::Scratch(cache) => cache,
        }
    }
}

impl DerefMut for FnResolutionCacheMut<'_> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut Self::Target {
        match self {
            Self::Own(cache) => cache,
            Self::Shared(cache) => cache,
            Self::Scratch(cache) => cache,
        }
    }
}

impl Caches {
    /// Create an empty [`Caches`].
    #[inline(always)]
    #[must_use]
    pub const fn new() -> Self {
        Self {
            fn_resolution: StaticVec::new_const(),
        }
    }
    /// Get the number of function resolution cache(s) in the stack.
    #[inline(always)]
    #[must_use]
    pub fn fn_resolution_caches_len(&self) -> usize {
        self.fn_resolution.len()
    }
    /// Get mutable access to the current function resolution cache.
    ///
    /// A new function resolution cache is pushed onto the stack if the stack is empty.
    /// A shared cache already locked gives an empty scratch cache (rload: the resolution then
    /// goes uncached).
    #[inline]
    #[must_use]
    pub fn fn_resolution_cache_mut(&mut self) -> FnResolutionCacheMut<'_> {
        // Push a new function resolution cache if the stack is empty
        if self.fn_resolution.is_empty() {
            self.push_fn_resolution_cache();
        }
        match self.fn_resolution.last_mut().unwrap() {
            FnResolutionLevel::Own(cache) => FnResolutionCacheMut::Own(cache),
            FnResolutionLevel::Shared(cache) => locked_write(&cache.0)
                .map_or_else(|| FnResolutionCacheMut::Scratch(<_>::default()), FnResolutionCacheMut::Shared),
        }
    }
    /// Clear the current function resolution cache. A shared one is left to the evaluations
    /// sharing it, which may resolve differently (they did not make the `import` that clears
    /// it), and replaced by an empty one of this [`Caches`]' own (rload).
    #[inline(never)]
    pub fn clear_fn_resolution_cache(&mut self) {
        match self.fn_resolution.last_mut() {
            Some(FnResolutionLevel::Own(cache)) => cache.clear(),
            Some(level @ FnResolutionLevel::Shared(..)) => *level = FnResolutionLevel::Own(<_>::default()),
            None => (),
        }
    }
    /// Push an empty function resolution cache onto the stack and make it current.
    ///
    /// rload: never inlined, so the empty cache it builds (~100 bytes) is not in the frame of
    /// every `eval_stmt_block`, which calls it only for the first block of an evaluation.
    #[inline(never)]
    pub fn push_fn_resolution_cache(&mut self) {
        self.fn_resolution.push(FnResolutionLevel::Own(<_>::default()));
    }
    /// Push a shared function resolution cache onto the stack and make it current (rload).
    #[inline(never)]
    pub fn push_shared_fn_resolution_cache(&mut self, cache: SharedFnResolutionCache) {
        self.fn_resolution.push(FnResolutionLevel::Shared(cache));
    }
    /// Rewind the function resolution caches stack to a particular size.
    #[inline(always)]
    pub fn rewind_fn_resolution_caches(&mut self, len: usize) {
        self.fn_resolution.truncate(len);
    }
}
