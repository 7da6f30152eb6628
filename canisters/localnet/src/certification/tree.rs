//! Labeled trees and their pruned witnesses (IC interface specification,
//! "Certification" → "Encoding of certificates" and "Lookup").
//!
//! A [`LabeledTree`] node has its children sorted by label (byte order). Its
//! hash tree lays the children out as a balanced binary tree of forks over
//! the sorted sequence: a range of `n > 1` children splits at `n / 2`, a
//! single child is a labeled node, no children is `Empty`. The layout is
//! fixed, so a witness and the full tree always have the same root hash.
//!
//! A witness for a set of requested paths reveals every value whose path has
//! a requested path as a prefix. For a requested label that is missing, it
//! keeps the labels (not the contents) of the closest smaller and larger
//! siblings, so that `lookup_path` on the witness answers `Absent` rather than
//! `Unknown`. Everything else is collapsed into `Pruned` hashes.

use std::collections::BTreeMap;

use ic_certification::hash_tree::{HashTree, empty, fork, label, leaf, pruned};

/// A path in the state tree: a sequence of labels.
pub type Path = Vec<Vec<u8>>;

/// A tree of labeled values (the state tree, or a part of it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabeledTree {
    Leaf(Vec<u8>),
    SubTree(BTreeMap<Vec<u8>, LabeledTree>),
}

impl LabeledTree {
    /// An empty subtree.
    pub fn empty() -> Self {
        Self::SubTree(BTreeMap::new())
    }

    /// A subtree from `(label, child)` pairs.
    pub fn subtree<L: Into<Vec<u8>>>(children: impl IntoIterator<Item = (L, LabeledTree)>) -> Self {
        Self::SubTree(
            children
                .into_iter()
                .map(|(label, child)| (label.into(), child))
                .collect(),
        )
    }

    /// A leaf.
    pub fn leaf(value: impl Into<Vec<u8>>) -> Self {
        Self::Leaf(value.into())
    }

    /// The hash tree revealing everything.
    pub fn full(&self) -> HashTree<Vec<u8>> {
        match self {
            Self::Leaf(value) => leaf(value.clone()),
            Self::SubTree(children) => {
                let children: Vec<_> = children.iter().collect();
                forest(&children, &vec![Reveal::All; children.len()])
            }
        }
    }

    /// The root hash of the tree.
    pub fn digest(&self) -> [u8; 32] {
        self.full().digest()
    }

    /// The witness for the given set of paths (see the module docs).
    pub fn witness(&self, wanted: &Wanted) -> HashTree<Vec<u8>> {
        match (self, wanted) {
            (_, Wanted::All) => self.full(),
            // A path that continues below a leaf reveals nothing of it.
            (Self::Leaf(_), Wanted::Some(_)) => pruned(self.digest()),
            (Self::SubTree(children), Wanted::Some(wanted)) => {
                let entries: Vec<_> = children.iter().collect();
                let mut reveal = vec![Reveal::None; entries.len()];
                for (wanted_label, sub) in wanted {
                    match entries
                        .binary_search_by(|(l, _)| l.as_slice().cmp(wanted_label.as_slice()))
                    {
                        Ok(index) => reveal[index] = Reveal::Sub(sub),
                        Err(insertion) => {
                            if insertion > 0 && matches!(reveal[insertion - 1], Reveal::None) {
                                reveal[insertion - 1] = Reveal::Label;
                            }
                            if insertion < entries.len()
                                && matches!(reveal[insertion], Reveal::None)
                            {
                                reveal[insertion] = Reveal::Label;
                            }
                        }
                    }
                }
                forest(&entries, &reveal)
            }
        }
    }
}

/// The set of requested paths, as a trie: `All` below a requested path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wanted {
    All,
    Some(BTreeMap<Vec<u8>, Wanted>),
}

impl Default for Wanted {
    fn default() -> Self {
        Self::Some(BTreeMap::new())
    }
}

impl Wanted {
    /// The trie of the given paths.
    pub fn from_paths<'a>(paths: impl IntoIterator<Item = &'a Path>) -> Self {
        let mut wanted = Self::default();
        for path in paths {
            wanted.insert(path);
        }
        wanted
    }

    /// Adds a path; an empty path asks for everything.
    pub fn insert<L: AsRef<[u8]>>(&mut self, path: &[L]) {
        let Some((first, rest)) = path.split_first() else {
            *self = Self::All;
            return;
        };
        if let Self::Some(children) = self {
            children
                .entry(first.as_ref().to_vec())
                .or_default()
                .insert(rest);
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Reveal<'a> {
    /// Collapse into the hash.
    None,
    /// Keep the label, prune the content (a neighbour proving absence).
    Label,
    /// Reveal below, as the trie says.
    Sub(&'a Wanted),
    /// Reveal everything.
    All,
}

fn forest(children: &[(&Vec<u8>, &LabeledTree)], reveal: &[Reveal<'_>]) -> HashTree<Vec<u8>> {
    match children {
        [] => empty(),
        [(l, child)] => match reveal[0] {
            Reveal::None => pruned(label((*l).clone(), child.full()).digest()),
            Reveal::Label => label((*l).clone(), pruned(child.digest())),
            Reveal::Sub(sub) => label((*l).clone(), child.witness(sub)),
            Reveal::All => label((*l).clone(), child.full()),
        },
        _ => {
            if reveal.iter().all(|r| matches!(r, Reveal::None)) {
                let all = vec![Reveal::All; children.len()];
                return pruned(forest(children, &all).digest());
            }
            let mid = children.len() / 2;
            fork(
                forest(&children[..mid], &reveal[..mid]),
                forest(&children[mid..], &reveal[mid..]),
            )
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ic_certification::LookupResult;

    fn sample() -> LabeledTree {
        LabeledTree::subtree([
            ("time", LabeledTree::leaf(vec![1u8])),
            (
                "request_status",
                LabeledTree::subtree(
                    [b"b".to_vec(), b"d".to_vec(), b"f".to_vec(), b"h".to_vec()]
                        .into_iter()
                        .map(|id| {
                            (
                                id.clone(),
                                LabeledTree::subtree([
                                    ("status", LabeledTree::leaf("replied")),
                                    ("reply", LabeledTree::leaf(id)),
                                ]),
                            )
                        }),
                ),
            ),
            (
                "subnet",
                LabeledTree::subtree([("x", LabeledTree::leaf("y"))]),
            ),
        ])
    }

    fn witness_of(tree: &LabeledTree, paths: &[&[&str]]) -> HashTree<Vec<u8>> {
        let mut wanted = Wanted::default();
        for path in paths {
            wanted.insert(path);
        }
        tree.witness(&wanted)
    }

    #[test]
    fn a_witness_has_the_root_hash_of_the_full_tree() {
        let tree = sample();
        let witness = witness_of(&tree, &[&["time"], &["request_status", "d"]]);
        assert_eq!(witness.digest(), tree.digest());
        let nothing = witness_of(&tree, &[]);
        assert_eq!(nothing.digest(), tree.digest());
    }

    #[test]
    fn requested_values_are_found_and_others_are_unknown() {
        let tree = sample();
        let witness = witness_of(&tree, &[&["request_status", "d"]]);
        assert_eq!(
            witness.lookup_path([&b"request_status"[..], b"d", b"reply"]),
            LookupResult::Found(b"d")
        );
        assert_eq!(
            witness.lookup_path([&b"request_status"[..], b"f", b"reply"]),
            LookupResult::Unknown
        );
        assert_eq!(witness.lookup_path([b"time"]), LookupResult::Unknown);
    }

    #[test]
    fn missing_labels_are_proven_absent_wherever_they_sort() {
        let tree = sample();
        for missing in ["a", "c", "e", "g", "i", "dd"] {
            let witness = witness_of(&tree, &[&["request_status", missing]]);
            assert_eq!(witness.digest(), tree.digest());
            assert_eq!(
                witness.lookup_path([b"request_status".as_slice(), missing.as_bytes(), b"status"]),
                LookupResult::Absent,
                "label {missing}"
            );
        }
        let witness = witness_of(&tree, &[&["nothing_here", "x"]]);
        assert_eq!(
            witness.lookup_path([&b"nothing_here"[..], b"x"]),
            LookupResult::Absent
        );
    }

    #[test]
    fn an_empty_subtree_proves_absence() {
        let tree = LabeledTree::subtree([("request_status", LabeledTree::empty())]);
        let witness = witness_of(&tree, &[&["request_status", "q"]]);
        assert_eq!(
            witness.lookup_path([&b"request_status"[..], b"q", b"status"]),
            LookupResult::Absent
        );
    }

    #[test]
    fn a_requested_prefix_reveals_everything_below_it() {
        let tree = sample();
        let witness = witness_of(&tree, &[&["request_status"], &["request_status", "b"]]);
        for id in ["b", "d", "f", "h"] {
            assert_eq!(
                witness.lookup_path([b"request_status".as_slice(), id.as_bytes(), b"reply"]),
                LookupResult::Found(id.as_bytes())
            );
        }
    }
}
