//! Shared text for the symbol index. The strings of its entries repeat a lot: every entry of a
//! file names the file, a name like `useState` is used in hundreds of files, and every use
//! inside `App` carries the chain `["App"]`. Each is kept once and entries hold a pointer to it
//! ([`Name`], [`FilePath`], [`Chain`]: an `Arc` each, compared and hashed by content), so an
//! entry costs about 60 bytes instead of a few hundred, and an idle language server holds its
//! workspace's symbols in a fraction of the memory. [`Interner`] keeps the one copy of each name
//! and chain the index holds, and lets go of those no entry uses any more.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A name in the index (of a definition, a reference, a container): shared text that reads as a
/// `str`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(Arc<str>);

impl Name {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Name {
        Name(Arc::from(s))
    }
}

impl From<String> for Name {
    fn from(s: String) -> Name {
        Name(Arc::from(s))
    }
}

impl From<&Name> for String {
    fn from(n: &Name) -> String {
        n.as_str().to_owned()
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == &*other.0
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        **self == *other.0
    }
}

impl Serialize for Name {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Name, D::Error> {
        String::deserialize(d).map(Name::from)
    }
}

/// A file's path relative to the index root, shared by every entry of the file; reads as a
/// `Path`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FilePath(Arc<Path>);

impl FilePath {
    pub fn as_path(&self) -> &Path {
        &self.0
    }

    /// Whether both are the same shared copy (not only the same path).
    pub(crate) fn same(&self, other: &FilePath) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Deref for FilePath {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Borrow<Path> for FilePath {
    fn borrow(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for FilePath {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl From<&Path> for FilePath {
    fn from(p: &Path) -> FilePath {
        FilePath(Arc::from(p))
    }
}

impl From<PathBuf> for FilePath {
    fn from(p: PathBuf) -> FilePath {
        FilePath(Arc::from(p))
    }
}

impl fmt::Debug for FilePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl PartialEq<Path> for FilePath {
    fn eq(&self, other: &Path) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&Path> for FilePath {
    fn eq(&self, other: &&Path) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<PathBuf> for FilePath {
    fn eq(&self, other: &PathBuf) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<FilePath> for Path {
    fn eq(&self, other: &FilePath) -> bool {
        *self == *other.0
    }
}

impl PartialEq<FilePath> for &Path {
    fn eq(&self, other: &FilePath) -> bool {
        **self == *other.0
    }
}

impl PartialEq<FilePath> for PathBuf {
    fn eq(&self, other: &FilePath) -> bool {
        **self == *other.0
    }
}

impl Serialize for FilePath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for FilePath {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FilePath, D::Error> {
        PathBuf::deserialize(d).map(FilePath::from)
    }
}

/// The names of the definitions around an entry, outermost first, shared by every entry with
/// the same chain; reads as a slice of [`Name`]s.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Chain(Arc<[Name]>);

impl Chain {
    /// The chain as plain strings.
    pub fn to_strings(&self) -> Vec<String> {
        self.0.iter().map(String::from).collect()
    }

    /// Whether this chain ends with `tail` (as given by a caller, in plain strings).
    pub fn ends_with<S: AsRef<str>>(&self, tail: &[S]) -> bool {
        tail.len() <= self.0.len()
            && self.0[self.0.len() - tail.len()..]
                .iter()
                .zip(tail)
                .all(|(a, b)| a.as_str() == b.as_ref())
    }

    /// Whether this chain is where `chain` (plain strings) starts.
    pub fn is_prefix_of<S: AsRef<str>>(&self, chain: &[S]) -> bool {
        self.0.len() <= chain.len()
            && self
                .0
                .iter()
                .zip(chain)
                .all(|(a, b)| a.as_str() == b.as_ref())
    }

    /// Identifies the shared copy, for caches of one pass.
    pub(crate) fn address(&self) -> usize {
        self.0.as_ptr() as usize
    }
}

impl Deref for Chain {
    type Target = [Name];
    fn deref(&self) -> &[Name] {
        &self.0
    }
}

impl Borrow<[Name]> for Chain {
    fn borrow(&self) -> &[Name] {
        &self.0
    }
}

impl From<Vec<Name>> for Chain {
    fn from(v: Vec<Name>) -> Chain {
        Chain(Arc::from(v))
    }
}

impl From<&[&str]> for Chain {
    fn from(v: &[&str]) -> Chain {
        Chain(v.iter().map(|s| Name::from(*s)).collect())
    }
}

impl fmt::Debug for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

impl<S: AsRef<str>> PartialEq<[S]> for Chain {
    fn eq(&self, other: &[S]) -> bool {
        self.0.len() == other.len()
            && self
                .0
                .iter()
                .zip(other)
                .all(|(a, b)| a.as_str() == b.as_ref())
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for Chain {
    fn eq(&self, other: &Vec<S>) -> bool {
        *self == **other
    }
}

impl Serialize for Chain {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Chain {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Chain, D::Error> {
        Vec::<Name>::deserialize(d).map(Chain::from)
    }
}

/// The one copy of each name and chain an index holds. Entries are given the interned copy when
/// they are added; a sweep forgets the copies no entry holds any more, once about as many
/// entries were let go as half the copies held (so it costs O(1) per entry, amortized).
#[derive(Debug, Default)]
pub(crate) struct Interner {
    names: HashSet<Name>,
    chains: HashSet<Chain>,
    released: usize,
}

impl Interner {
    /// The interned copy of `name`.
    pub fn name(&mut self, name: &Name) -> Name {
        if let Some(n) = self.names.get(name.as_str()) {
            return n.clone();
        }
        self.names.insert(name.clone());
        name.clone()
    }

    /// The interned copy of `chain`, its names interned too.
    pub fn chain(&mut self, chain: &Chain) -> Chain {
        if let Some(c) = self.chains.get(&*chain.0) {
            return c.clone();
        }
        let names: Vec<Name> = chain.0.iter().map(|n| self.name(n)).collect();
        let c = Chain::from(names);
        self.chains.insert(c.clone());
        c
    }

    /// Notes that `n` entries were let go; sweeps when enough were.
    pub fn release(&mut self, n: usize) {
        self.released += n;
        if self.released > 1024 && self.released * 2 >= self.names.len() + self.chains.len() {
            self.released = 0;
            // Chains first: they hold names.
            self.chains.retain(|c| Arc::strong_count(&c.0) > 1);
            self.names.retain(|n| Arc::strong_count(&n.0) > 1);
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> (usize, usize) {
        (self.names.len(), self.chains.len())
    }
}
