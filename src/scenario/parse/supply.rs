//! Supply: `[replenishment]` (and a policy's override of it), `[remanufacture]` and the
//! `[[partner]]` tables.

use crate::elementary;
use std::collections::HashSet;

use super::delay::read_delay;
use crate::error::Severity;
use crate::scenario::keys::supply::{
    LEAD_TIME, MAX_ESCALATION_FACTOR, MAX_PARTNERS, PARTNER, REMANUFACTURE, REPLENISHMENT,
    RESPONSE, partner, remanufacture, replenishment,
};
use crate::scenario::reader::{Table, type_name};
use crate::scenario::{Partner, Remanufacture, Replenishment};

pub(super) fn read_replenishment(
    t: &Table<'_, '_>,
    base: Option<Replenishment>,
) -> Option<Replenishment> {
    t.check_spec(&REPLENISHMENT);
    let base = base.unwrap_or(Replenishment {
        reorder_point: 0,
        order_up_to: 1,
    });
    let (s_key, big_s_key) = (replenishment::REORDER_POINT, replenishment::ORDER_UP_TO);
    let s = t.integer_of(&s_key);
    let big_s = t.integer_of(&big_s_key);
    let reorder_point = if t.has(s_key.name) {
        s?
    } else {
        base.reorder_point
    };
    let order_up_to = match (t.has(big_s_key.name), t.has(s_key.name)) {
        (true, _) => big_s?,
        // A new s without a new S: keep S above s.
        (false, true) => base.order_up_to.max(reorder_point + 1),
        (false, false) => base.order_up_to,
    };
    if order_up_to <= reorder_point {
        t.error(
            big_s_key.name,
            format!("must be greater than reorder_point ({reorder_point})"),
        );
        return None;
    }
    Some(Replenishment {
        reorder_point,
        order_up_to,
    })
}

pub(super) fn read_remanufacture(
    root: &Table<'_, '_>,
    horizon: Option<f64>,
) -> Option<Option<Remanufacture>> {
    let Some(t) = root.table("remanufacture") else {
        return Some(None);
    };
    t.check_spec(&REMANUFACTURE);
    // The other keys are validated even when disabled, so that switching re-manufacture back
    // on never reveals a hidden mistake.
    let enabled = t.boolean(remanufacture::ENABLED.name).unwrap_or(true);
    let setup = t.number_of(&remanufacture::SETUP_COST).unwrap_or(0.0);
    let unit = t.required_number_of(&remanufacture::UNIT_COST);
    let escalation = t.number_of(&remanufacture::COST_ESCALATION).unwrap_or(0.0);
    let lead = read_delay(&t, &remanufacture::LEAD_TIME_YEARS, &LEAD_TIME, None);
    let until = t.number_of(&remanufacture::AVAILABLE_UNTIL_YEARS);
    let min_batch = t.integer_of(&remanufacture::MIN_BATCH).unwrap_or(1);
    let cover = t.number_of(&remanufacture::BATCH_COVER_YEARS);
    // Costs grow by (1 + escalation)^t while runs can be ordered; keep them finite.
    if let Some(h) = horizon {
        let last_order = until.unwrap_or(h).min(h);
        let growth = elementary::ln_1p(escalation) * last_order;
        if growth > elementary::ln(MAX_ESCALATION_FACTOR) {
            t.error(
                remanufacture::COST_ESCALATION.name,
                format!(
                    "makes re-manufacture costs grow by a factor of about 10^{:.0} by year {last_order}; \
                     at most 10^30 is allowed (check that it is a fraction per year: 0.03 for 3 %)",
                    growth / std::f64::consts::LN_10
                ),
            );
            return None;
        }
    }
    if !enabled {
        return Some(None);
    }
    let (lead_time_years, lead_time_distribution) = lead?;
    Some(Some(Remanufacture {
        setup_cost: setup,
        unit_cost: unit?,
        cost_escalation: escalation,
        lead_time_years,
        lead_time_distribution,
        available_until_years: until.or(horizon).unwrap_or(f64::INFINITY),
        min_batch: min_batch as u64,
        batch_cover_years: cover,
    }))
}

/// The partners, or `None` after reporting their problems.
pub(super) fn read_partners(root: &Table<'_, '_>) -> Option<Vec<Partner>> {
    let items = root.array("partner");
    let mut partners = Vec::new();
    let mut names = HashSet::new();
    let mut ok = true;
    let mut shares_given = 0;
    if let Some(extra) = items.get(MAX_PARTNERS) {
        root.src.report(
            Severity::Error,
            extra.span(),
            &format!("partner[{MAX_PARTNERS}]"),
            false,
            format!(
                "{} [[partner]] tables; at most {MAX_PARTNERS} are allowed",
                items.len()
            ),
        );
        return None;
    }
    for (i, item) in items.iter().enumerate() {
        let Some(t) = root.table_at(item, format!("partner[{i}]")) else {
            root.src.report(
                Severity::Error,
                item.span(),
                &format!("partner[{i}]"),
                false,
                format!(
                    "expected a table ([[partner]]), found {}",
                    type_name(item.get_ref())
                ),
            );
            ok = false;
            continue;
        };
        if t.has(partner::SHARE.name) {
            shares_given += 1;
        }
        match read_partner(&t, &mut names) {
            Some(p) => partners.push(p),
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    split_shares(root, &mut partners, shares_given)?;
    Some(partners)
}

/// One `[[partner]]`; `names` holds the names of the earlier ones. `share` is NaN when not
/// given ([`split_shares`] decides).
fn read_partner(t: &Table<'_, '_>, names: &mut HashSet<String>) -> Option<Partner> {
    t.check_spec(&PARTNER);
    let mut ok = true;
    let name = t.name(partner::NAME.name);
    if name.is_none() && !t.has(partner::NAME.name) {
        t.error(
            partner::NAME.name,
            "missing required key; expected a unique partner name",
        );
    }
    if let Some(n) = &name {
        if n.trim().is_empty() {
            t.error("name", "must not be empty; give each partner a unique name");
            ok = false;
        } else if !names.insert(n.clone()) {
            t.error(
                "name",
                format!("partner names must be unique; \"{n}\" is used by an earlier [[partner]]"),
            );
            ok = false;
        }
    }
    let share = t.number_of(&partner::SHARE);
    if share.is_none() && t.has(partner::SHARE.name) {
        // Reported at the share; the split of shares is not judged on a bad one.
        ok = false;
    }
    let release = t.required_number_of(&partner::RELEASE_PRICE);
    let buyback = t.required_number_of(&partner::BUYBACK_PRICE);
    let reliability = t.number_of(&partner::RELIABILITY).unwrap_or(1.0);
    let response = read_delay(t, &partner::RESPONSE_DAYS, &RESPONSE, Some(0.0));
    let attrition = t.number_of(&partner::ATTRITION_RATE).unwrap_or(0.0);
    let fee = t.number_of(&partner::ORDER_FEE).unwrap_or(0.0);
    match (name, release, buyback, response) {
        (Some(name), Some(release_price), Some(buyback_price), Some(response)) if ok => {
            Some(Partner {
                name,
                share: share.unwrap_or(f64::NAN),
                release_price,
                buyback_price,
                reliability,
                response_days: response.0,
                response_distribution: response.1,
                attrition_rate: attrition,
                order_fee: fee,
            })
        }
        _ => None,
    }
}

/// Sets every partner's share: an equal split when no share was given, else checks that all
/// were given and sum to 1.
fn split_shares(root: &Table<'_, '_>, partners: &mut [Partner], shares_given: usize) -> Option<()> {
    if shares_given == 0 {
        let n = partners.len() as f64;
        for p in partners.iter_mut() {
            p.share = 1.0 / n;
        }
    } else if shares_given < partners.len() || partners.iter().any(|p| p.share.is_nan()) {
        root.error(
            "partner",
            "give a share to every partner or to none (then released units are split equally)",
        );
        return None;
    } else {
        let total: f64 = partners.iter().map(|p| p.share).sum();
        if (total - 1.0).abs() > 1e-9 {
            root.error(
                "partner",
                format!("partner shares must sum to 1 (they sum to {total})"),
            );
            return None;
        }
    }
    Some(())
}
