//! Tag sets: the hot-path [`TagSet`] (thread-local, interned strings) and its owned, `Send`
//! form [`Tags`] used by the aggregate.
//!
//! Why `Rc<Vec<(Rc<str>, Rc<str>)>>` sorted by key, with strings interned per thread:
//! - building one per request costs two small allocations (the `Rc` and its `Vec`); the strings
//!   themselves are not allocated again when they were seen recently (`"GET"`, `"200"`, a URL used
//!   in a loop), because [`TagSet::with`] looks them up in a thread-local interner by `&str`;
//! - a VU can keep its base tags (`scenario`, `group`) as a `TagSet` and clone it per request:
//!   cloning is a reference-count bump, and the first change to a clone copies the tags;
//! - it is `!Send` on purpose: it lives with the worker thread's sink, and the aggregate converts
//!   it once per series into [`Tags`] (owned `String`s).
//!
//! Equality and hashing are by content, so correctness never depends on the interner; interned
//! strings only make the comparisons short-circuit on pointer equality. The interner forgets
//! strings nobody references any more each time the thread's sink is flushed, so URLs with ids
//! in them do not accumulate.

/// The names of k6's system tags and of rload's own, in one place: every sample, rule and report
/// that reads or writes a tag names it through these constants.
pub mod tag {
    pub const SCENARIO: &str = "scenario";
    pub const GROUP: &str = "group";
    pub const CHECK: &str = "check";
    pub const METHOD: &str = "method";
    pub const URL: &str = "url";
    pub const NAME: &str = "name";
    pub const PROTO: &str = "proto";
    pub const STATUS: &str = "status";
    pub const SUBPROTO: &str = "subproto";
    pub const EXPECTED_RESPONSE: &str = "expected_response";
    pub const ERROR: &str = "error";
    pub const ERROR_CODE: &str = "error_code";
    pub const VU: &str = "vu";
    pub const ITER: &str = "iter";
    pub const IP: &str = "ip";
    /// rload's mark on the series that take samples past the per-metric series cap.
    pub const OVERFLOW: &str = "rload_overflow";
}

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::convert::Infallible;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

thread_local! {
    static INTERNER: RefCell<HashSet<Rc<str>, ahash::RandomState>> = RefCell::new(HashSet::default());
}

/// Returns the thread's shared copy of `s`, allocating only the first time it is seen.
fn intern(s: &str) -> Rc<str> {
    INTERNER
        .try_with(|interner| {
            let mut interner = interner.borrow_mut();
            if let Some(existing) = interner.get(s) {
                return existing.clone();
            }
            let rc: Rc<str> = Rc::from(s);
            interner.insert(rc.clone());
            rc
        })
        // Thread-local already destroyed (thread exiting): fall back to a plain allocation.
        .unwrap_or_else(|_| Rc::from(s))
}

/// Drops interned strings that no tag set references any more. Called on flush.
pub(crate) fn prune_interner() {
    let _ = INTERNER.try_with(|interner| {
        interner.borrow_mut().retain(|s| Rc::strong_count(s) > 1);
    });
}

#[cfg(test)]
pub(crate) fn interned_len() -> usize {
    INTERNER.with(|interner| interner.borrow().len())
}

/// A tag string shared within one thread.
#[derive(Clone, Eq, PartialOrd, Ord)]
struct Sym(Rc<str>);

impl PartialEq for Sym {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
    }
}

impl Hash for Sym {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state)
    }
}

/// A set of `key=value` tags, sorted by key, each key at most once. Built per sample on the hot
/// path; see the module doc for the representation.
///
/// It remembers the hash of its content once computed: one request records 11 samples with the
/// same tag set, each a lookup in its metric's series map, and hashing the tags (a URL among
/// them) every time was 9% of rload's instructions per request. Any change forgets it.
///
/// The tags are shared by its clones and copied on the first change to one (`Rc::make_mut`): a
/// series is keyed by a clone of the tag set that created it, so the lookups of a VU that
/// records with a cached tag set (every hop, check and iteration of a loop) compare one pointer,
/// and handing out a cached set costs a count instead of a copy.
#[derive(Clone, Default)]
pub struct TagSet {
    tags: Rc<Vec<(Sym, Sym)>>,
    /// The content's hash ([`TagSet::content_hash`]); 0 until computed.
    hash: Cell<u64>,
}

impl PartialEq for TagSet {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.tags, &other.tags) || self.tags == other.tags
    }
}

impl Eq for TagSet {}

impl Hash for TagSet {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.content_hash());
    }
}

impl TagSet {
    /// An empty tag set.
    pub fn new() -> Self {
        TagSet::default()
    }

    /// True when `other` is this very tag set or a clone of it (not merely equal tags).
    pub(crate) fn is(&self, other: &TagSet) -> bool {
        Rc::ptr_eq(&self.tags, &other.tags)
    }

    /// A hash of the tags alone, with fixed keys, computed once per content (and kept by clones
    /// made afterwards, so a tag set cached for reuse is hashed once).
    pub(crate) fn content_hash(&self) -> u64 {
        let cached = self.hash.get();
        if cached != 0 {
            return cached;
        }
        let hash = ahash::RandomState::with_seeds(0x5eed, 0x7a95, 0x5e75, 0x18).hash_one(&self.tags).max(1);
        self.hash.set(hash);
        hash
    }

    /// Builder form of [`TagSet::insert`].
    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.insert(key, value);
        self
    }

    /// Sets `key` to `value`, replacing any previous value.
    pub fn insert(&mut self, key: &str, value: &str) {
        match self.tags.binary_search_by(|(k, _)| (*k.0).cmp(key)) {
            Ok(i) if *self.tags[i].1 .0 == *value => {}
            Ok(i) => {
                self.hash.set(0);
                Rc::make_mut(&mut self.tags)[i].1 = Sym(intern(value));
            }
            Err(i) => {
                self.hash.set(0);
                Rc::make_mut(&mut self.tags).insert(i, (Sym(intern(key)), Sym(intern(value))));
            }
        }
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: &str) {
        if let Ok(i) = self.tags.binary_search_by(|(k, _)| (*k.0).cmp(key)) {
            self.hash.set(0);
            Rc::make_mut(&mut self.tags).remove(i);
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.tags.binary_search_by(|(k, _)| (*k.0).cmp(key)).ok().map(|i| &*self.tags[i].1 .0)
    }

    /// The tags in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.tags.iter().map(|(k, v)| (&*k.0, &*v.0))
    }

    /// Number of tags.
    pub fn len(&self) -> usize {
        self.tags.len()
    }

    /// True when there are no tags.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }

    /// The tags whose key satisfies `keep`, sharing this set's strings (no interning).
    pub(crate) fn filtered(&self, keep: impl Fn(&str) -> bool) -> TagSet {
        TagSet { tags: Rc::new(self.tags.iter().filter(|(k, _)| keep(&k.0)).cloned().collect()), hash: Cell::new(0) }
    }

    /// The owned, `Send` copy of this tag set.
    pub fn to_tags(&self) -> Tags {
        Tags { tags: self.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect() }
    }
}

impl fmt::Debug for TagSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// The owned form of a [`TagSet`], sorted by key; used as the series key in the aggregate.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tags {
    tags: Vec<(String, String)>,
}

impl Tags {
    /// Builds a tag set from pairs in any order; a later duplicate key wins.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        let mut tags = Tags::default();
        for (k, v) in pairs {
            let (k, v) = (k.into(), v.into());
            match tags.tags.binary_search_by(|(key, _)| key.as_str().cmp(&k)) {
                Ok(i) => tags.tags[i].1 = v,
                Err(i) => tags.tags.insert(i, (k, v)),
            }
        }
        tags
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.tags.binary_search_by(|(k, _)| k.as_str().cmp(key)).ok().map(|i| self.tags[i].1.as_str())
    }

    /// The tags in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of tags.
    pub fn len(&self) -> usize {
        self.tags.len()
    }

    /// True when there are no tags.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }
}

impl fmt::Debug for Tags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// A thread's most recently built tag sets, most recent first, each with the key it was built
/// from: a VU looping over the same request or check asks for the same set every time, and
/// building one (copies, interning, the hash) is a good part of a sample's cost.
pub(crate) type RecentTagSets<K> = RefCell<Vec<(K, TagSet)>>;

/// The tag set of the first entry of `cache` (a thread-local [`RecentTagSets`]) whose key
/// `matches`, moved to the front; else the one `build` makes, hashed once (the clones handed out
/// keep the hash) and kept in front, `cache` holding at most `keep`. An error of `build` is
/// returned and nothing kept. With the thread-local gone (thread exiting) it only builds.
pub(crate) fn recent_or_build<K: 'static, E>(
    cache: &'static std::thread::LocalKey<RecentTagSets<K>>,
    keep: usize,
    matches: impl Fn(&K) -> bool,
    build: impl FnOnce() -> Result<(K, TagSet), E>,
) -> Result<TagSet, E> {
    let found = cache.try_with(|cache| {
        let mut cache = cache.borrow_mut();
        let at = cache.iter().position(|(key, _)| matches(key))?;
        // Most recent first, so the usual hit is the first comparison.
        cache[..=at].rotate_right(1);
        Some(cache[0].1.clone())
    });
    if let Ok(Some(tags)) = found {
        return Ok(tags);
    }
    let (key, tags) = build()?;
    tags.content_hash();
    let _ = cache.try_with(|cache| {
        let mut cache = cache.borrow_mut();
        cache.truncate(keep - 1);
        cache.insert(0, (key, tags.clone()));
    });
    Ok(tags)
}

/// How many tag sets [`shared_tag_set`] keeps per thread: one per scenario, usually.
const SHARED_TAG_SETS: usize = 8;

thread_local! {
    static SHARED: RecentTagSets<TagSet> = const { RefCell::new(Vec::new()) };
}

/// A recent tag set of this thread equal to `tags` if there is one (a clone of it, the same
/// tags in memory), else `tags`, kept for the next call. The VUs of a scenario start from one
/// set of base tags this way, not one copy each: the thread's sink finds a series by its tag
/// set's identity first, which copies with equal tags would miss (`local.rs`). A VU that
/// changes its tags (a group, `exec.vu.metrics.tags`) gets a copy of its own then.
pub fn shared_tag_set(tags: TagSet) -> TagSet {
    let Ok(shared) = recent_or_build(
        &SHARED,
        SHARED_TAG_SETS,
        |kept| *kept == tags,
        || Ok::<_, Infallible>((tags.clone(), tags.clone())),
    );
    shared
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insertion_order_does_not_matter() {
        let a = TagSet::new().with("status", "200").with("method", "GET");
        let mut b = TagSet::new();
        b.insert("method", "GET");
        b.insert("status", "500");
        assert_ne!(a, b);
        b.insert("status", "200");
        assert_eq!(a, b);
        assert_eq!(a.iter().collect::<Vec<_>>(), [("method", "GET"), ("status", "200")]);
        assert_eq!(a.to_tags(), Tags::from_pairs([("status", "200"), ("method", "GET")]));
        assert_eq!(a.get("status"), Some("200"));
        assert_eq!(a.to_tags().get("method"), Some("GET"));
    }

    #[test]
    fn a_changed_tag_set_is_found_under_its_new_content() {
        use std::collections::HashMap;
        let mut series: HashMap<TagSet, u32, ahash::RandomState> = HashMap::default();
        let mut tags = TagSet::new().with("method", "GET");
        series.insert(tags.clone(), 1);
        assert_eq!(series.get(&tags), Some(&1), "the remembered hash is the content's");
        tags.insert("status", "200");
        assert_eq!(series.get(&tags), None, "an insert kept the old hash");
        series.insert(tags.clone(), 2);
        tags.remove("status");
        assert_eq!(series.get(&tags), Some(&1), "a remove kept the old hash");
        let built_apart = TagSet::new().with("status", "200").with("method", "GET");
        assert_eq!(series.get(&built_apart), Some(&2));
    }

    #[test]
    fn a_changed_clone_leaves_the_original_as_it_was() {
        let a = TagSet::new().with("method", "GET").with("status", "200");
        let hash = a.content_hash();
        let mut same = a.clone();
        same.insert("status", "200");
        assert!(Rc::ptr_eq(&a.tags, &same.tags), "setting a tag to its value copies nothing");
        assert_eq!(same.content_hash(), hash);
        let mut b = a.clone();
        b.insert("status", "500");
        b.remove("method");
        b.insert("url", "http://x/");
        assert_eq!(a.iter().collect::<Vec<_>>(), [("method", "GET"), ("status", "200")]);
        assert_eq!(a.content_hash(), hash);
        assert_eq!(b.iter().collect::<Vec<_>>(), [("status", "500"), ("url", "http://x/")]);
        assert_eq!(b, TagSet::new().with("url", "http://x/").with("status", "500"));
        assert_ne!(b.content_hash(), hash);
    }

    #[test]
    fn interner_forgets_unreferenced_strings() {
        let before = interned_len();
        let tags = TagSet::new().with("url_unique_key_for_test", "http://x/1");
        assert!(interned_len() >= before + 2);
        drop(tags);
        prune_interner();
        assert!(interned_len() <= before);
    }
}
