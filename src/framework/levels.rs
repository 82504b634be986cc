//! The levels of an Integrated Country Strategy as people count them: which node kinds are
//! "mission objectives" (objectives and their sub-objectives) and which are "development
//! objectives" (DOs with their results and sub-results). One definition, so every listing
//! counts the same way.

use super::NodeKind;

/// How many nodes a strategy has at each level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LevelCounts {
    pub goals: usize,
    /// Mission objectives: objectives and sub-objectives.
    pub mission_objectives: usize,
    pub management_objectives: usize,
    /// Development objectives: DOs, results and sub-results.
    pub development_objectives: usize,
    pub themes: usize,
}

impl LevelCounts {
    /// Add up per-kind counts (as the store gives them) by level.
    pub fn from_kinds(counts: &[(NodeKind, usize)]) -> LevelCounts {
        let mut out = LevelCounts::default();
        for &(kind, n) in counts {
            let level = match kind {
                NodeKind::Goal => &mut out.goals,
                NodeKind::Objective | NodeKind::SubObjective => &mut out.mission_objectives,
                NodeKind::ManagementObjective => &mut out.management_objectives,
                NodeKind::DevelopmentObjective | NodeKind::Result | NodeKind::SubResult => {
                    &mut out.development_objectives
                }
                NodeKind::Theme => &mut out.themes,
            };
            *level += n;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_add_up_by_level() {
        let c = LevelCounts::from_kinds(&[
            (NodeKind::Goal, 4),
            (NodeKind::Objective, 9),
            (NodeKind::SubObjective, 2),
            (NodeKind::ManagementObjective, 2),
            (NodeKind::DevelopmentObjective, 4),
            (NodeKind::Result, 3),
            (NodeKind::SubResult, 1),
            (NodeKind::Theme, 2),
        ]);
        assert_eq!(
            c,
            LevelCounts {
                goals: 4,
                mission_objectives: 11,
                management_objectives: 2,
                development_objectives: 8,
                themes: 2,
            }
        );
    }
}
