//! The `[[policy]]` tables and their `retain`.

use std::collections::HashSet;

use toml::de::DeValue;

use super::supply::read_replenishment;
use crate::error::Severity;
use crate::retention::RetainRule;
use crate::scenario::keys::Bound;
use crate::scenario::keys::policy::{KINDS, MAX_REVIEWS, POLICY, RETAIN, keys, retain};
use crate::scenario::reader::{Table, type_name};
use crate::scenario::{Policy, PolicyKind, Replenishment, RetainAt};

/// What every policy needs from the rest of the scenario.
struct Context {
    horizon: Option<f64>,
    replenishment: Option<Replenishment>,
    partner_count: usize,
}

pub(super) fn read_policies(
    root: &Table<'_, '_>,
    horizon: Option<f64>,
    replenishment: Option<Replenishment>,
    partner_count: usize,
) -> Option<Vec<Policy>> {
    let items = root.array("policy");
    if items.is_empty() {
        root.error(
            "policy",
            "at least one [[policy]] is needed (kind = \"hold\", \"scrap\" or \"partner_release\")",
        );
        return None;
    }
    let context = Context {
        horizon,
        replenishment,
        partner_count,
    };
    let mut policies = Vec::new();
    let mut names = HashSet::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let Some(t) = root.table_at(item, format!("policy[{i}]")) else {
            root.src.report(
                Severity::Error,
                item.span(),
                &format!("policy[{i}]"),
                false,
                format!(
                    "expected a table ([[policy]]), found {}",
                    type_name(item.get_ref())
                ),
            );
            ok = false;
            continue;
        };
        match read_policy(&t, &context, &mut names) {
            Some(p) => policies.push(p),
            None => ok = false,
        }
    }
    ok.then_some(policies)
}

/// One `[[policy]]`; `names` holds the names of the earlier ones.
fn read_policy(
    t: &Table<'_, '_>,
    context: &Context,
    names: &mut HashSet<String>,
) -> Option<Policy> {
    t.check_spec(&POLICY);
    let mut ok = true;
    let name = t.name(keys::NAME.name);
    if !t.has(keys::NAME.name) {
        t.error(
            keys::NAME.name,
            "missing required key; expected a unique policy name",
        );
    }
    if let Some(n) = &name {
        if n.trim().is_empty() {
            t.error("name", "must not be empty; give each policy a unique name");
            ok = false;
        } else if !names.insert(n.clone()) {
            t.error(
                "name",
                format!("policy names must be unique; \"{n}\" is used by an earlier [[policy]]"),
            );
            ok = false;
        }
    }
    let kind = read_kind(t);
    let at_years = match context.horizon {
        Some(h) => t.number(
            keys::AT_YEARS.name,
            Bound::HalfOpen(0.0, h),
            keys::AT_YEARS.unit,
        ),
        None => t.number(keys::AT_YEARS.name, keys::AT_YEARS.bound(), "years"),
    }
    .or_else(|| (!t.has(keys::AT_YEARS.name)).then_some(0.0));
    let review = t.number_of(&keys::REVIEW_EVERY_YEARS);
    if let (Some(every), Some(h)) = (review, context.horizon)
        && h / every > MAX_REVIEWS as f64
    {
        t.error(
            keys::REVIEW_EVERY_YEARS.name,
            format!(
                "gives {:.0} reviews over the horizon; at most {MAX_REVIEWS} are allowed (years ≥ {})",
                h / every,
                h / MAX_REVIEWS as f64
            ),
        );
        ok = false;
    }
    let retain = read_retain(t, kind);
    check_kind(t, kind, context.partner_count, &mut ok);
    let repl = match t.table(keys::REPLENISHMENT.name) {
        Some(r) => context
            .replenishment
            .and_then(|base| read_replenishment(&r, Some(base))),
        None => context.replenishment,
    };
    match (name, kind, at_years, retain, repl) {
        (Some(name), Some(kind), Some(at_years), Some(retain), Some(replenishment)) if ok => {
            Some(Policy {
                name,
                kind,
                at_years,
                retain,
                review_every_years: review,
                replenishment,
            })
        }
        _ => None,
    }
}

fn read_kind(t: &Table<'_, '_>) -> Option<PolicyKind> {
    if !t.has(keys::KIND.name) {
        t.error(
            keys::KIND.name,
            "missing required key; one of \"hold\", \"scrap\", \"partner_release\"",
        );
    }
    match t.choice(keys::KIND.name, KINDS).as_deref() {
        Some("hold") => Some(PolicyKind::Hold),
        Some("scrap") => Some(PolicyKind::Scrap),
        Some("partner_release") => Some(PolicyKind::PartnerRelease),
        _ => None,
    }
}

/// Keys that do not go with the policy's kind.
fn check_kind(t: &Table<'_, '_>, kind: Option<PolicyKind>, partner_count: usize, ok: &mut bool) {
    if kind == Some(PolicyKind::Hold) && t.has(keys::REVIEW_EVERY_YEARS.name) {
        t.error(
            keys::REVIEW_EVERY_YEARS.name,
            "a hold policy has no disposition to repeat",
        );
    }
    if kind == Some(PolicyKind::Hold) && t.has(keys::AT_YEARS.name) {
        t.error(keys::AT_YEARS.name, "a hold policy has no disposition time");
    }
    if kind == Some(PolicyKind::PartnerRelease) && partner_count == 0 {
        t.error(
            keys::KIND.name,
            "a partner_release policy needs at least one [[partner]]",
        );
        *ok = false;
    }
}

/// `retain`: an integer, `{ cover_years = y }`, `{ quantile = q }` or `"optimal"`.
fn read_retain(t: &Table<'_, '_>, kind: Option<PolicyKind>) -> Option<Option<RetainRule>> {
    let allowed = "a whole number of units, { cover_years = y }, { quantile = q } or \"optimal\"";
    let name = keys::RETAIN.name;
    let Some(raw) = t.raw(name) else {
        if matches!(kind, Some(PolicyKind::Scrap | PolicyKind::PartnerRelease)) {
            t.error(name, format!("missing required key; expected {allowed}"));
            return None;
        }
        return Some(None);
    };
    if kind == Some(PolicyKind::Hold) {
        t.error(
            name,
            "a hold policy keeps everything; remove retain or use kind = \"scrap\"",
        );
        return None;
    }
    match raw.get_ref() {
        DeValue::Integer(_) => t
            .integer_of(&keys::RETAIN)
            .map(|r| Some(RetainRule::Units(r as u64))),
        DeValue::String(s) if s.as_ref() == "optimal" => {
            if t.has(keys::REVIEW_EVERY_YEARS.name) {
                t.error(
                    name,
                    "\"optimal\" chooses one retained level for one disposition; remove review_every_years, or give R as a number of units, cover_years or quantile",
                );
                return None;
            }
            Some(Some(RetainRule::Optimal))
        }
        DeValue::Table(_) => {
            let r = t.table_at(raw, t.path(name))?;
            r.check_spec(&RETAIN);
            match (
                r.has(retain::COVER_YEARS.name),
                r.has(retain::QUANTILE.name),
            ) {
                (true, false) => r
                    .number_of(&retain::COVER_YEARS)
                    .map(|y| Some(RetainRule::CoverYears(y))),
                (false, true) => r
                    .number_of(&retain::QUANTILE)
                    .map(|q| Some(RetainRule::Quantile(q))),
                _ => {
                    t.error(name, "give exactly one of cover_years or quantile");
                    None
                }
            }
        }
        _ => {
            t.error(name, format!("expected {allowed}"));
            None
        }
    }
}

/// Where each policy's `retain` (and its `quantile`) is, for errors found when the plan is
/// built; called on a valid scenario, so every policy is a table.
pub(super) fn retain_positions(root: &Table<'_, '_>) -> Vec<Option<RetainAt>> {
    root.array("policy")
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let t = root.table_at(item, format!("policy[{i}]"))?;
            let raw = t.raw(keys::RETAIN.name)?;
            let quantile = match raw.get_ref() {
                DeValue::Table(inner) => inner
                    .iter()
                    .find(|(k, _)| k.get_ref().as_ref() == retain::QUANTILE.name)
                    .map(|(_, v)| root.src.locate(v.span())),
                _ => None,
            };
            Some(RetainAt {
                retain: root.src.locate(raw.span()),
                quantile,
            })
        })
        .collect()
}
