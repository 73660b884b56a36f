//! The diff's public types: [`DiffReport`], [`CenterDiff`], [`Change`] and
//! [`ChangeKind`], and the options that shape a diff ([`DiffOptions`]).
//!
//! These types serialize to the documented JSON schema of `cartwatch diff
//! --format json` (see the crate docs); field names are a contract.

use serde::{Deserialize, Serialize};

/// What changed between two snapshots, center by center.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffReport {
    /// The older snapshot's id.
    pub from: String,
    /// The newer snapshot's id.
    pub to: String,
    /// One entry per center present in either snapshot, in the newer
    /// snapshot's config order, then centers only the older one had.
    pub centers: Vec<CenterDiff>,
}

impl DiffReport {
    /// True when any center has a change that counts (everything except the
    /// reminders [`ChangeKind::PageStillUnreachable`] and
    /// [`ChangeKind::PageStillSuspect`]): the
    /// `cartwatch diff` exit status 1.
    pub fn has_changes(&self) -> bool {
        self.centers.iter().any(CenterDiff::has_changes)
    }

    /// The number of changes that count (see [`DiffReport::has_changes`]).
    pub fn change_count(&self) -> usize {
        self.centers
            .iter()
            .flat_map(|c| c.changes.iter())
            .filter(|c| c.kind.counts_as_change())
            .count()
    }
}

/// One center's part of a [`DiffReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CenterDiff {
    /// The center id.
    pub center: String,
    /// The center's display name (not part of the JSON schema).
    #[serde(skip)]
    pub name: String,
    /// The center's overall status in the newer snapshot.
    pub status: CenterStatus,
    /// Record-level and page-level changes, in page order.
    pub changes: Vec<Change>,
    /// Word-level diffs of `main_text`, one per page whose content changed.
    pub text_diff: Vec<PageTextDiff>,
}

impl CenterDiff {
    /// True when this center has a change that counts.
    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| c.kind.counts_as_change())
    }
}

/// A center's overall status in a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CenterStatus {
    /// Present in both snapshots, nothing changed.
    Unchanged,
    /// Present in both snapshots, something changed.
    Changed,
    /// Every page of the center failed to fetch in the newer snapshot.
    Unreachable,
    /// Only the newer snapshot has the center (added to the config).
    Added,
    /// Only the older snapshot has the center: it was dropped from the
    /// config and is no longer watched (its stored snapshots are kept; its
    /// content is not reported as removed).
    NoLongerWatched,
}

impl CenterStatus {
    /// The snake_case id used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            CenterStatus::Unchanged => "unchanged",
            CenterStatus::Changed => "changed",
            CenterStatus::Unreachable => "unreachable",
            CenterStatus::Added => "added",
            CenterStatus::NoLongerWatched => "no_longer_watched",
        }
    }
}

/// One change, with the values on both sides and the sentence it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// What kind of change this is.
    pub kind: ChangeKind,
    /// One line a person can read: `appointments number changed: (216) 844-3951 → (216) 844-3960`.
    pub summary: String,
    /// The value in the older snapshot (`null` for an addition).
    pub before: Option<String>,
    /// The value in the newer snapshot (`null` for a removal).
    pub after: Option<String>,
    /// The sentence of the page the change was read from (the newer page's
    /// for additions and changes, the older page's for removals).
    pub evidence: Option<String>,
    /// The page's configured URL.
    pub url: String,
    /// The fact this change is about (`product:kymriah`, `contact:appointments`,
    /// `status`, ...): what `--settle` compares across snapshots. Not part of
    /// the JSON schema.
    #[serde(skip)]
    pub fact: String,
}

/// Every kind of change the diff reports. Serialized as snake_case
/// (`contact_number_changed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A phone number or email address appeared.
    ContactAdded,
    /// A phone number or email address disappeared.
    ContactRemoved,
    /// The number given for a purpose is now a different one.
    ContactNumberChanged,
    /// The same number is now given for a different purpose.
    ContactPurposeChanged,
    /// An FDA-approved product is now named.
    ProductAdded,
    /// An FDA-approved product is no longer named.
    ProductRemoved,
    /// The page now says the center offers all FDA-approved products.
    AllApprovedAdded,
    /// The page no longer says the center offers all FDA-approved products.
    AllApprovedRemoved,
    /// A condition is now treated (or studied).
    ConditionAdded,
    /// A condition is no longer named.
    ConditionRemoved,
    /// A population (`pediatric`, `adult`, ...) is now served.
    PopulationAdded,
    /// A population is no longer named.
    PopulationRemoved,
    /// The stated upper age limit changed, appeared or disappeared.
    AgeLimitChanged,
    /// The page now says the center offers CAR T clinical trials.
    TrialAdded,
    /// The page no longer says the center offers CAR T clinical trials.
    TrialRemoved,
    /// The page now says the center manufactures CAR T cells on site.
    ManufacturingAdded,
    /// The page no longer says the center manufactures CAR T cells on site.
    ManufacturingRemoved,
    /// A treatment stage is now described.
    StageAdded,
    /// A treatment stage is no longer described.
    StageRemoved,
    /// The stated duration of a treatment stage changed.
    DurationChanged,
    /// A side effect is now named.
    SideEffectAdded,
    /// A side effect is no longer named.
    SideEffectRemoved,
    /// The dollar amounts given changed.
    CostChanged,
    /// The medical-review date changed.
    ReviewDateChanged,
    /// The last-revised date changed.
    RevisionDateChanged,
    /// The page's text changed beyond the facts above (wording).
    TextChanged,
    /// The page was fetched in the older snapshot and failed in the newer one.
    PageUnreachable,
    /// The page failed in both snapshots (a reminder, not a change).
    PageStillUnreachable,
    /// The page failed or looked like an error page before, and now has its
    /// content again.
    PageRecovered,
    /// The page answered, but with what looks like an error, maintenance,
    /// not-found or sign-in page, or an almost empty shell (see
    /// [`crate::suspect`]); it is not compared.
    PageContentSuspect,
    /// The page still looks like an error or maintenance page (a reminder,
    /// not a change).
    PageStillSuspect,
    /// The page now ends at a different address after redirects.
    PageRedirected,
    /// A page was added to the center's configuration.
    PageAdded,
    /// A page was removed from the center's configuration.
    PageRemoved,
    /// The center was added to the configuration.
    CenterAdded,
    /// The center is no longer in the configuration: a note, not a change
    /// (it does not make `diff` exit 1 nor `run` notify), and never removed
    /// content.
    CenterNoLongerWatched,
    /// An archive snapshot has no capture of the page in its period (a gap,
    /// a note, not a change): the page is compared across the gap with its
    /// last capture, and never reported as removed.
    PageNotCaptured,
}

impl ChangeKind {
    /// Every kind, in the order of the crate docs' list.
    pub const ALL: [ChangeKind; 37] = [
        ChangeKind::ContactAdded,
        ChangeKind::ContactRemoved,
        ChangeKind::ContactNumberChanged,
        ChangeKind::ContactPurposeChanged,
        ChangeKind::ProductAdded,
        ChangeKind::ProductRemoved,
        ChangeKind::AllApprovedAdded,
        ChangeKind::AllApprovedRemoved,
        ChangeKind::ConditionAdded,
        ChangeKind::ConditionRemoved,
        ChangeKind::PopulationAdded,
        ChangeKind::PopulationRemoved,
        ChangeKind::AgeLimitChanged,
        ChangeKind::TrialAdded,
        ChangeKind::TrialRemoved,
        ChangeKind::ManufacturingAdded,
        ChangeKind::ManufacturingRemoved,
        ChangeKind::StageAdded,
        ChangeKind::StageRemoved,
        ChangeKind::DurationChanged,
        ChangeKind::SideEffectAdded,
        ChangeKind::SideEffectRemoved,
        ChangeKind::CostChanged,
        ChangeKind::ReviewDateChanged,
        ChangeKind::RevisionDateChanged,
        ChangeKind::TextChanged,
        ChangeKind::PageUnreachable,
        ChangeKind::PageStillUnreachable,
        ChangeKind::PageRecovered,
        ChangeKind::PageContentSuspect,
        ChangeKind::PageStillSuspect,
        ChangeKind::PageRedirected,
        ChangeKind::PageAdded,
        ChangeKind::PageRemoved,
        ChangeKind::CenterAdded,
        ChangeKind::CenterNoLongerWatched,
        ChangeKind::PageNotCaptured,
    ];

    /// The snake_case id used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::ContactAdded => "contact_added",
            ChangeKind::ContactRemoved => "contact_removed",
            ChangeKind::ContactNumberChanged => "contact_number_changed",
            ChangeKind::ContactPurposeChanged => "contact_purpose_changed",
            ChangeKind::ProductAdded => "product_added",
            ChangeKind::ProductRemoved => "product_removed",
            ChangeKind::AllApprovedAdded => "all_approved_added",
            ChangeKind::AllApprovedRemoved => "all_approved_removed",
            ChangeKind::ConditionAdded => "condition_added",
            ChangeKind::ConditionRemoved => "condition_removed",
            ChangeKind::PopulationAdded => "population_added",
            ChangeKind::PopulationRemoved => "population_removed",
            ChangeKind::AgeLimitChanged => "age_limit_changed",
            ChangeKind::TrialAdded => "trial_added",
            ChangeKind::TrialRemoved => "trial_removed",
            ChangeKind::ManufacturingAdded => "manufacturing_added",
            ChangeKind::ManufacturingRemoved => "manufacturing_removed",
            ChangeKind::StageAdded => "stage_added",
            ChangeKind::StageRemoved => "stage_removed",
            ChangeKind::DurationChanged => "duration_changed",
            ChangeKind::SideEffectAdded => "side_effect_added",
            ChangeKind::SideEffectRemoved => "side_effect_removed",
            ChangeKind::CostChanged => "cost_changed",
            ChangeKind::ReviewDateChanged => "review_date_changed",
            ChangeKind::RevisionDateChanged => "revision_date_changed",
            ChangeKind::TextChanged => "text_changed",
            ChangeKind::PageUnreachable => "page_unreachable",
            ChangeKind::PageStillUnreachable => "page_still_unreachable",
            ChangeKind::PageRecovered => "page_recovered",
            ChangeKind::PageContentSuspect => "page_content_suspect",
            ChangeKind::PageStillSuspect => "page_still_suspect",
            ChangeKind::PageRedirected => "page_redirected",
            ChangeKind::PageAdded => "page_added",
            ChangeKind::PageRemoved => "page_removed",
            ChangeKind::CenterAdded => "center_added",
            ChangeKind::CenterNoLongerWatched => "center_no_longer_watched",
            ChangeKind::PageNotCaptured => "page_not_captured",
        }
    }

    /// False only for the reminders [`ChangeKind::PageStillUnreachable`] and
    /// [`ChangeKind::PageStillSuspect`] and the note
    /// [`ChangeKind::CenterNoLongerWatched`] and
    /// [`ChangeKind::PageNotCaptured`], which do not make `cartwatch diff`
    /// exit 1.
    pub fn counts_as_change(self) -> bool {
        !matches!(
            self,
            ChangeKind::PageStillUnreachable
                | ChangeKind::PageStillSuspect
                | ChangeKind::CenterNoLongerWatched
                | ChangeKind::PageNotCaptured
        )
    }

    /// True for page-status kinds (unreachable, recovered, redirected, page
    /// or center added/removed) as opposed to record content.
    pub fn is_status(self) -> bool {
        matches!(
            self,
            ChangeKind::PageUnreachable
                | ChangeKind::PageStillUnreachable
                | ChangeKind::PageRecovered
                | ChangeKind::PageContentSuspect
                | ChangeKind::PageStillSuspect
                | ChangeKind::PageRedirected
                | ChangeKind::PageAdded
                | ChangeKind::PageRemoved
                | ChangeKind::CenterAdded
                | ChangeKind::CenterNoLongerWatched
                | ChangeKind::PageNotCaptured
        )
    }
}

impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word-level diff of one page's `main_text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageTextDiff {
    /// The page's configured URL.
    pub url: String,
    /// The changed regions, each with a few words of context around it.
    pub hunks: Vec<TextHunk>,
}

/// One changed region of a text diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextHunk {
    /// Runs of words, in order: context, deletions and insertions.
    pub spans: Vec<TextSpan>,
}

/// A run of words that is equal, deleted or inserted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextSpan {
    /// Whether the words are context, deleted or inserted.
    pub op: TextOp,
    /// The words, separated by single spaces.
    pub text: String,
}

/// What a [`TextSpan`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextOp {
    /// Context, the same on both sides.
    Equal,
    /// Only in the older text.
    Delete,
    /// Only in the newer text.
    Insert,
}

/// How a diff is computed: noise control and filters. The default ignores
/// nothing, does not settle, reports every center, and keeps eight words of
/// context in text diffs.
#[derive(Debug, Clone)]
pub struct DiffOptions {
    /// Ignore rules (`[diff].ignore` and per-center `ignore`).
    pub ignore: crate::IgnoreRules,
    /// Suppress a change that flips back within this many snapshots (0: off);
    /// see the crate docs, "Settling".
    pub settle: usize,
    /// Only report this center.
    pub center: Option<String>,
    /// Words of context around each changed region of a text diff.
    pub context_words: usize,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            ignore: crate::IgnoreRules::none(),
            settle: 0,
            center: None,
            context_words: 8,
        }
    }
}

impl DiffOptions {
    /// Options from a configuration: its ignore patterns and settle count,
    /// eight words of context.
    pub fn from_config(config: &cartwatch_model::Config) -> Result<DiffOptions, crate::DiffError> {
        Ok(DiffOptions {
            ignore: crate::IgnoreRules::from_config(config)?,
            settle: config.diff.settle,
            center: None,
            context_words: 8,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_ids_match_serde_and_the_documented_schema() {
        let docs = include_str!("lib.rs");
        for kind in ChangeKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert!(
                docs.contains(&format!("`{}`", kind.as_str())),
                "{kind} is missing from the crate docs"
            );
        }
    }
}
