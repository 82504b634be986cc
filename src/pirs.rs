//! Performance Indicator Reference Sheets (USAID ADS 201): what `ics pirs` prints for an
//! indicator, gathered from one stored version and the versions before it. No SQL, no terminal:
//! the command reads the versions, [`sheets`] builds the sheets and `render::pirs` lays them out.
//!
//! A sheet holds only what the framework states; a field it does not state stays `None` and is
//! printed as "not stated". The changes to an indicator are what [`crate::diff::compare`] finds
//! between each two consecutive stored versions, followed back through recodings.

use crate::diff::{self, Change, ChangeType, Kind};
use crate::error::Error;
use crate::framework::{Alignment, Framework, Indicator, NodeKind};

/// A node named on a sheet: its kind, code and title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRef {
    pub kind: NodeKind,
    pub code: String,
    pub title: String,
}

/// What one pair of consecutive versions changed in an indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    /// The older version's label.
    pub from: String,
    /// The newer version's label and when it was loaded.
    pub to: String,
    pub loaded_at: String,
    /// The indicator's changes, as `ics diff` reports them (never empty).
    pub changes: Vec<Change>,
}

/// One reference sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub indicator: Indicator,
    /// The node the indicator sits under (the objective, DO or result it measures).
    pub node: NodeRef,
    /// From the top-level node down to [`Sheet::node`].
    pub path: Vec<NodeRef>,
    /// For an indicator of a DO (or of a result under one): the Mission Objectives and
    /// sub-objectives that DO and the results on the path support.
    pub supports: Vec<NodeRef>,
    /// For an indicator of a Mission Objective (or of a sub-objective under one): the DOs,
    /// Intermediate Results and sub-results that support it.
    pub supported_by: Vec<NodeRef>,
    /// The objectives of other strategies that the nodes on the path align with (the measured
    /// node's last), each once.
    pub aligns_with: Vec<Alignment>,
    /// The version the indicator first appears in, if it was added after the first stored one.
    pub added_in: Option<String>,
    /// Changes between consecutive stored versions, oldest first.
    pub revisions: Vec<Revision>,
}

/// A stored version as the sheets need it: label, load time and content.
pub struct StoredVersion {
    pub label: String,
    pub loaded_at: String,
    pub framework: Framework,
}

/// Everything `ics pirs` prints: the strategy and version, and one sheet per indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheets {
    pub strategy_code: String,
    pub strategy_title: String,
    pub version: String,
    /// How many versions the change history looked at.
    pub versions_compared: usize,
    pub sheets: Vec<Sheet>,
}

fn node_ref(fw: &Framework, code: &str) -> Option<NodeRef> {
    fw.node(code).map(|n| NodeRef {
        kind: n.kind,
        code: n.code.clone(),
        title: n.title.clone(),
    })
}

/// The sheets of the indicators `codes` (every indicator, in file order, when empty) of the
/// last of `history`, which holds the stored versions up to and including the one reported
/// on, oldest first. An unknown code is an error naming the closest codes.
pub fn sheets(history: &[StoredVersion], codes: &[String]) -> Result<Sheets, Error> {
    let Some(current) = history.last() else {
        return Err(Error::input("no stored version to report on"));
    };
    let fw = &current.framework;
    let mut wanted: Vec<&Indicator> = Vec::new();
    if codes.is_empty() {
        wanted.extend(fw.indicators().map(|(_, i)| i));
    } else {
        for code in codes {
            let code = code.trim();
            match fw.indicator(code) {
                Some((_, i)) => {
                    if !wanted.iter().any(|w| w.code == i.code) {
                        wanted.push(i);
                    }
                }
                None if fw.node(code).is_some() => {
                    let node = fw.node(code).expect("checked just above");
                    let codes: Vec<String> = node
                        .indicators
                        .iter()
                        .map(|i| format!("`{}`", i.code))
                        .collect();
                    return Err(Error::input_with_hint(
                        format!(
                            "`{code}` is {}, not an indicator; `ics pirs` takes indicator codes",
                            node.kind.with_article()
                        ),
                        if codes.is_empty() {
                            "`ics tree --indicators` lists the indicators and where they sit"
                                .to_string()
                        } else {
                            format!("its own indicators: {}", codes.join(", "))
                        },
                    ));
                }
                None => {
                    return Err(Error::input_with_hint(
                        crate::values::unknown_indicator(
                            code,
                            fw.indicators().map(|(_, i)| i.code.as_str()),
                        ),
                        format!(
                            "`ics tree --indicators` lists the indicators of version `{}`",
                            current.label
                        ),
                    ))
                }
            }
        }
    }
    // The diffs of consecutive versions, computed once for every sheet.
    let diffs: Vec<(usize, Vec<Change>)> = history
        .windows(2)
        .enumerate()
        .map(|(i, pair)| (i, diff::compare(&pair[0].framework, &pair[1].framework)))
        .collect();
    let mut out = Vec::with_capacity(wanted.len());
    for ind in wanted {
        let Some((node, _)) = fw.indicator(&ind.code) else {
            continue;
        };
        let path: Vec<NodeRef> = fw
            .path(&node.code)
            .into_iter()
            .filter_map(|c| node_ref(fw, c))
            .collect();
        let mut supports: Vec<NodeRef> = Vec::new();
        let mut supported_by = Vec::new();
        let mut aligns_with: Vec<Alignment> = Vec::new();
        for step in &path {
            let Some(n) = fw.node(&step.code) else {
                continue;
            };
            for a in &n.aligns_with {
                if !aligns_with.contains(a) {
                    aligns_with.push(a.clone());
                }
            }
            match n.kind {
                NodeKind::DevelopmentObjective | NodeKind::Result | NodeKind::SubResult => {
                    for r in n.supports.iter().filter_map(|c| node_ref(fw, c)) {
                        if !supports.contains(&r) {
                            supports.push(r);
                        }
                    }
                }
                NodeKind::Objective | NodeKind::SubObjective => {
                    supported_by.extend(
                        fw.supported_by(&n.code)
                            .filter_map(|d| node_ref(fw, &d.code)),
                    );
                }
                _ => {}
            }
        }
        let (added_in, revisions) = history_of(history, &diffs, &ind.code);
        out.push(Sheet {
            indicator: ind.clone(),
            node: node_ref(fw, &node.code).unwrap_or(NodeRef {
                kind: node.kind,
                code: node.code.clone(),
                title: node.title.clone(),
            }),
            path,
            supports,
            supported_by,
            aligns_with,
            added_in,
            revisions,
        });
    }
    Ok(Sheets {
        strategy_code: fw.strategy.code.clone(),
        strategy_title: fw.strategy.title.clone(),
        version: current.label.clone(),
        versions_compared: history.len(),
        sheets: out,
    })
}

/// The indicator's revisions, oldest first, and the version it was added in: walking from the
/// newest pair back, following a recoding to the older code, and stopping where it was added.
fn history_of(
    history: &[StoredVersion],
    diffs: &[(usize, Vec<Change>)],
    code: &str,
) -> (Option<String>, Vec<Revision>) {
    let mut code = code.to_string();
    let mut revisions = Vec::new();
    let mut added_in = None;
    for (i, changes) in diffs.iter().rev() {
        let mine: Vec<Change> = changes
            .iter()
            .filter(|c| c.kind == Kind::Indicator && c.code.as_deref() == Some(code.as_str()))
            .cloned()
            .collect();
        if mine.is_empty() {
            continue;
        }
        let added = mine.iter().any(|c| c.change == ChangeType::Added);
        let older_code = mine
            .iter()
            .find(|c| c.change == ChangeType::Recoded)
            .and_then(|c| c.old.as_str().map(str::to_string));
        let newer = &history[i + 1];
        if added {
            added_in = Some(newer.label.clone());
        } else {
            revisions.push(Revision {
                from: history[*i].label.clone(),
                to: newer.label.clone(),
                loaded_at: newer.loaded_at.clone(),
                changes: mine,
            });
        }
        if added {
            break;
        }
        if let Some(old) = older_code {
            code = old;
        }
    }
    revisions.reverse();
    (added_in, revisions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::parse_str;

    const V1: &str = r#"
[strategy]
code = "s"
title = "S"
version = "v1"

[[goal]]
code = "G1"
title = "Goal"

  [[goal.objective]]
  code = "MO1"
  title = "Mission objective"

    [[goal.objective.indicator]]
    code = "I1"
    title = "One"
    unit = "people"
    direction = "increase"
    targets = { FY2021 = 10, FY2022 = 20 }

[[development_objective]]
code = "DO1"
title = "Development objective"
supports = ["MO1"]

  [[development_objective.result]]
  code = "IR1"
  title = "Result"

    [[development_objective.result.indicator]]
    code = "I2"
    title = "Two"
    unit = "percent"
    direction = "increase"
"#;

    fn stored(label: &str, text: &str) -> StoredVersion {
        StoredVersion {
            label: label.into(),
            loaded_at: format!("{label}-loaded"),
            framework: parse_str(text, "f.toml").unwrap(),
        }
    }

    #[test]
    fn links_go_both_ways() {
        let s = sheets(&[stored("v1", V1)], &[]).unwrap();
        let codes: Vec<&str> = s.sheets.iter().map(|s| s.indicator.code.as_str()).collect();
        assert_eq!(codes, ["I1", "I2"]);
        let one = &s.sheets[0];
        assert_eq!(one.node.code, "MO1");
        assert_eq!(
            one.path.iter().map(|n| n.code.as_str()).collect::<Vec<_>>(),
            ["G1", "MO1"]
        );
        assert_eq!(one.supported_by[0].code, "DO1");
        assert!(one.supports.is_empty());
        let two = &s.sheets[1];
        assert_eq!(
            two.path.iter().map(|n| n.code.as_str()).collect::<Vec<_>>(),
            ["DO1", "IR1"]
        );
        assert_eq!(two.supports[0].code, "MO1");
        assert!(two.revisions.is_empty() && two.added_in.is_none());
    }

    #[test]
    fn history_follows_recodes_and_stops_where_the_indicator_was_added() {
        let v2 = V1.replace("FY2022 = 20", "FY2022 = 25").replace(
            "title = \"Two\"",
            "title = \"Two\"\n    definition = \"Share.\"",
        );
        let v3 = v2.replace("code = \"I1\"", "code = \"I1-NEW\"");
        let v4 = v3.replace(
            "unit = \"percent\"\n    direction = \"increase\"\n",
            "unit = \"percent\"\n    direction = \"increase\"\n\n    [[development_objective.result.indicator]]\n    code = \"I3\"\n    title = \"Three\"\n    unit = \"people\"\n    direction = \"increase\"\n",
        );
        let history = [
            stored("v1", V1),
            stored("v2", &v2),
            stored("v3", &v3),
            stored("v4", &v4),
        ];
        let s = sheets(&history, &["I1-NEW".into(), "I2".into(), "I3".into()]).unwrap();
        let one = &s.sheets[0];
        let seen: Vec<(&str, &str, Option<&str>)> = one
            .revisions
            .iter()
            .flat_map(|r| {
                r.changes
                    .iter()
                    .map(move |c| (r.from.as_str(), c.change.as_str(), c.field.as_deref()))
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("v1", "modified", Some("targets.FY2022")),
                ("v2", "recoded", Some("code")),
            ]
        );
        assert_eq!(one.revisions[0].to, "v2");
        assert_eq!(one.revisions[0].loaded_at, "v2-loaded");
        assert_eq!(
            s.sheets[1].revisions[0].changes[0].field.as_deref(),
            Some("definition")
        );
        assert_eq!(s.sheets[2].added_in.as_deref(), Some("v4"));
        assert!(s.sheets[2].revisions.is_empty());
        assert_eq!(s.versions_compared, 4);
    }

    #[test]
    fn an_unknown_code_names_the_closest() {
        let err = sheets(&[stored("v1", V1)], &["I11".into()]).unwrap_err();
        let text = format!("{err:?}");
        assert!(text.contains("unknown indicator `I11`"), "{text}");
        assert!(text.contains("`I1`"), "{text}");
    }
}
