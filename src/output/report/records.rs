//! The drifting stock records' table of the full numbers (issue 18 part 3): shown only when
//! the scenario's records can drift.

use std::fmt::Write as _;

use super::{cell, esc, plain, policy_columns, row, share, short};
use crate::engine::{RecordsSummary, RunSummary};
use crate::output::money;
use crate::scenario::Scenario;

/// The assumptions' row of the stock records (none when they cannot drift); `cur` is the
/// currency label, escaped.
pub(super) fn records_assumption(h: &mut String, s: &Scenario, cur: &str) {
    let Some(r) = &s.stock.records else {
        return;
    };
    let losses = if r.unrecorded_shrinkage_rate > 0.0 {
        format!(
            "{} of stored units a year are lost without the records seeing it",
            share(r.unrecorded_shrinkage_rate)
        )
    } else {
        "no unrecorded losses".to_string()
    };
    let counts = match r.count_every_years {
        Some(every) => format!(
            "a cycle count every {} sets the records to the shelf ({} {cur} per count)",
            if every == 1.0 {
                "year".to_string()
            } else {
                format!("{} years", esc(&short(every, 3)))
            },
            money(r.count_cost)
        ),
        None => "no cycle counts: only an order that finds the shelf empty corrects the \
                 records"
            .to_string(),
    };
    row(
        h,
        "Stock records",
        &format!("{losses}; {counts}; replenishment decides on the recorded stock"),
    );
}

/// A row: JSON name under `records`, label, value, format.
type RecordRow = (
    &'static str,
    &'static str,
    fn(&RecordsSummary) -> Option<f64>,
    fn(f64) -> String,
);

/// Stock records per policy: accuracy at the counts, phantom stock found and the shortages it
/// caused (nothing when no policy has records).
pub(super) fn records_table(h: &mut String, summary: &RunSummary) {
    if summary.policies.iter().all(|p| p.records.is_none()) {
        return;
    }
    policy_columns(h, summary, "Stock records, mean per future", "figure");
    let units = |v: f64| plain(v, 2);
    let rows: [RecordRow; 10] = [
        (
            "record_accuracy",
            "counts that found the records right",
            |r| r.record_accuracy,
            share,
        ),
        (
            "phantom_found_per_count",
            "phantom units found per count",
            |r| r.phantom_found_per_count,
            units,
        ),
        (
            "phantom_share_of_short",
            "share of short units caused by phantom stock",
            |r| r.phantom_share_of_short,
            share,
        ),
        (
            "unrecorded_lost",
            "units lost unrecorded",
            |r| Some(r.means.unrecorded_lost),
            units,
        ),
        ("counts", "cycle counts", |r| Some(r.means.counts), units),
        (
            "accurate_counts",
            "counts with the records right",
            |r| Some(r.means.accurate_counts),
            units,
        ),
        (
            "phantom_found_at_counts",
            "phantom units found by counts",
            |r| Some(r.means.phantom_found_at_counts),
            units,
        ),
        (
            "phantom_found_by_picks",
            "phantom units found by picks",
            |r| Some(r.means.phantom_found_by_picks),
            units,
        ),
        (
            "phantom_short",
            "units short because of phantom stock",
            |r| Some(r.means.phantom_short),
            units,
        ),
        (
            "recorded_on_hand_at_horizon",
            "on record at the horizon",
            |r| Some(r.means.recorded_on_hand_at_horizon),
            units,
        ),
    ];
    for (key, label, get, format) in rows {
        let _ = write!(h, "<tr><th scope=\"row\">{}</th>", esc(label));
        for (i, p) in summary.policies.iter().enumerate() {
            let v = p.records.as_ref().and_then(get);
            h.push_str(&cell(&format!("/policies/{i}/records/{key}"), v, format));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
}
