//! What changed between two frameworks (issue 5): the pure comparison behind `ics diff`.
//!
//! [`compare`] takes two [`Framework`]s and returns a [`Change`] list, with no SQL and no
//! terminal. Matching follows docs/decisions.md item 18 (see [`matching`]): nodes and indicators match by code;
//! among the rest, the same kind and the same title (anywhere) is one `recoded` change (plus
//! `moved` if the parent differs); failing that, the same kind, the same parent and a title
//! similarity of at least [`SIMILAR_TITLE`] is `recoded` plus a `modified` title.
//!
//! The list is in strategy order: strategy metadata and settings first, then each top-level node
//! (goal, management objective, DO, theme) in the NEW side's order with everything under it;
//! a removed node keeps its OLD position. Each change object carries the six contract keys
//! (docs/decisions.md item 19) plus the context a memo needs (the item's title and its top-level group), which
//! is not part of the JSON.

mod fields;
mod fuzzy;
mod matching;
mod order;

use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::framework::{Framework, NodeKind};

pub use matching::{title_similarity, SIMILAR_TITLE};

/// What happened to a thing, as written in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeType {
    Added,
    Removed,
    Modified,
    Moved,
    Recoded,
    Linked,
    Unlinked,
}

impl ChangeType {
    /// Every type, in the order the summary counts them.
    pub const ALL: [ChangeType; 7] = [
        ChangeType::Added,
        ChangeType::Removed,
        ChangeType::Modified,
        ChangeType::Moved,
        ChangeType::Recoded,
        ChangeType::Linked,
        ChangeType::Unlinked,
    ];

    /// The word used in JSON and in the summary.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeType::Added => "added",
            ChangeType::Removed => "removed",
            ChangeType::Modified => "modified",
            ChangeType::Moved => "moved",
            ChangeType::Recoded => "recoded",
            ChangeType::Linked => "linked",
            ChangeType::Unlinked => "unlinked",
        }
    }
}

/// What a change is about: a node of some kind, an indicator, the `[strategy]` table or the
/// `[settings]` table. Serialised as `goal`, ..., `indicator`, `strategy`, `settings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Node(NodeKind),
    Indicator,
    Strategy,
    Settings,
}

impl Kind {
    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Node(k) => k.as_str(),
            Kind::Indicator => "indicator",
            Kind::Strategy => "strategy",
            Kind::Settings => "settings",
        }
    }

    /// A human label: "Mission Objective", "indicator", ...
    pub fn label(self) -> &'static str {
        match self {
            Kind::Node(k) => k.label(),
            Kind::Indicator => "indicator",
            Kind::Strategy => "strategy",
            Kind::Settings => "settings",
        }
    }
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The top-level node (goal, management objective, DO or theme) a change sits under, for
/// grouping a memo. Codes and titles are the NEW side's, or the OLD side's for a removed group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub kind: NodeKind,
    pub code: String,
    pub title: String,
}

/// One change, in the contract's shape (docs/decisions.md item 19), plus memo context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub change: ChangeType,
    pub kind: Kind,
    /// The node's or indicator's code (the new code when recoded); the strategy's code for
    /// strategy metadata; null for settings.
    pub code: Option<String>,
    /// `title`, `targets.FY2021`, `parent`, `code`, `supports`, `applies_to`, ...; null for
    /// `added`/`removed`.
    pub field: Option<String>,
    /// The old value as JSON (numbers stay numbers), or null.
    pub old: Value,
    /// The new value as JSON, or null.
    pub new: Value,
    /// The title of the node or indicator (new side, or old side when removed); not in JSON.
    #[serde(skip)]
    pub title: Option<String>,
    /// The top-level node the change sits under; `None` for strategy and settings. Not in JSON.
    #[serde(skip)]
    pub group: Option<Group>,
}

impl Change {
    fn new(change: ChangeType, kind: Kind, code: Option<&str>) -> Change {
        Change {
            change,
            kind,
            code: code.map(str::to_string),
            field: None,
            old: Value::Null,
            new: Value::Null,
            title: None,
            group: None,
        }
    }

    fn field(mut self, field: &str, old: Value, new: Value) -> Change {
        self.field = Some(field.to_string());
        self.old = old;
        self.new = new;
        self
    }
}

/// A whole diff: the two sides' names and the changes, serialised as the `--format json` object
/// `{ "from", "to", "changes" }`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffReport {
    /// The OLD side as the user named it: a file path, or a stored version's label.
    pub from: String,
    /// The NEW side.
    pub to: String,
    pub changes: Vec<Change>,
}

impl DiffReport {
    /// Whether the two sides are the same (exit 0).
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Compare two frameworks: every change from `old` to `new`, in strategy order.
pub fn compare(old: &Framework, new: &Framework) -> Vec<Change> {
    let mut changes = fields::strategy_changes(old, new);
    changes.extend(order::node_changes(old, new));
    changes
}

/// The one-line count of changes: `3 changes: 1 added, 1 modified, 1 recoded`, or
/// `no changes`.
pub fn summary(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "no changes".to_string();
    }
    let parts: Vec<String> = ChangeType::ALL
        .into_iter()
        .filter_map(|t| {
            let n = changes.iter().filter(|c| c.change == t).count();
            (n > 0).then(|| format!("{n} {}", t.as_str()))
        })
        .collect();
    let n = changes.len();
    let noun = if n == 1 { "change" } else { "changes" };
    format!("{n} {noun}: {}", parts.join(", "))
}

#[cfg(test)]
mod tests;
