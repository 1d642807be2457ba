//! Delays that are a number (fixed) or a table naming a distribution:
//! `[remanufacture] lead_time_years` and `[[partner]] response_days` (issue 18, uncertain lead
//! times). The table is hostile input (an ERP export of past lead times may be pasted in): its
//! array is measured before any element is read, every value must be finite and within the
//! key's limits, and weights must not all be 0.

use toml::de::DeValue;

use crate::scenario::delay::{DelayDistribution, RandomDelay};
use crate::scenario::keys::supply::{DELAY_DISTRIBUTIONS, MAX_DELAY_VALUES};
use crate::scenario::keys::{Key, TableSpec};
use crate::scenario::reader::{Table, type_name};

/// A delay read from `key` of `t`: `(mean, distribution)` in the key's unit, the distribution
/// `None` for a fixed delay. An absent key is `default` (`None`: required).
pub(super) fn read_delay(
    t: &Table<'_, '_>,
    key: &Key,
    spec: &TableSpec,
    default: Option<f64>,
) -> Option<(f64, Option<RandomDelay>)> {
    let Some(raw) = t.raw(key.name) else {
        return match default {
            Some(d) => Some((d, None)),
            None => t.required_number_of(key).map(|x| (x, None)),
        };
    };
    match raw.get_ref() {
        DeValue::Integer(_) | DeValue::Float(_) => t.number_of(key).map(|x| (x, None)),
        DeValue::Table(_) => {
            let d = t.table_at(raw, t.path(key.name))?;
            read_distribution(&d, spec)
        }
        other => {
            t.error(
                key.name,
                format!(
                    "expected {} ({}) or a table naming a distribution, e.g. \
                     {{ distribution = \"gamma\", mean = …, cv = … }}; found {}",
                    key.bound().describe(),
                    key.unit,
                    type_name(other)
                ),
            );
            None
        }
    }
}

/// The key of `spec` called `name` (the delay tables all have the same keys).
fn key<'k>(spec: &'k TableSpec, name: &str) -> &'k Key {
    spec.key(name).expect("a key of every delay table")
}

/// A delay's table: `distribution` and its parameters, and `crossing`.
fn read_distribution(d: &Table<'_, '_>, spec: &TableSpec) -> Option<(f64, Option<RandomDelay>)> {
    d.check_spec(spec);
    let selector = key(spec, "distribution");
    if !d.has(selector.name) {
        d.error(
            selector.name,
            format!(
                "missing required key; one of {}",
                DELAY_DISTRIBUTIONS
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        return None;
    }
    let kind = d.choice(selector.name, DELAY_DISTRIBUTIONS)?;
    let uses = spec.parameters_of(&kind);
    let mut ok = true;
    for p in spec.parameters() {
        if d.has(p) && !uses.contains(&p) {
            d.error(
                p,
                format!(
                    "not a parameter of distribution \"{kind}\"; its parameters are: {}",
                    uses.join(", ")
                ),
            );
            ok = false;
        }
    }
    let crossing = match d.has("crossing") {
        true => d.boolean("crossing"),
        false => Some(true),
    };
    let number = |name: &str| d.required_number_of(key(spec, name));
    let distribution = match kind.as_str() {
        "fixed" => {
            return number("value")
                .filter(|_| ok && crossing.is_some())
                .map(|v| (v, None));
        }
        "gamma" | "lognormal" => {
            let (mean, cv) = (number("mean"), number("cv"));
            let (mean, cv) = (mean?, cv?);
            if kind == "gamma" {
                DelayDistribution::Gamma { mean, cv }
            } else {
                DelayDistribution::Lognormal { mean, cv }
            }
        }
        "uniform" => {
            let (lo, hi) = (number("lo"), number("hi"));
            let (lo, hi) = (lo?, hi?);
            if hi < lo {
                d.error("hi", format!("must be ≥ lo ({lo})"));
                return None;
            }
            DelayDistribution::Uniform { lo, hi }
        }
        _ => read_empirical(d, spec)?,
    };
    if !ok {
        return None;
    }
    let mean = distribution.mean();
    Some((
        mean,
        Some(RandomDelay {
            distribution,
            crossing: crossing?,
        }),
    ))
}

/// The length of the array at `name`, when it is one (`None`: absent or another type, which
/// [`Table::numbers_of`] reports).
fn array_len(d: &Table<'_, '_>, name: &str) -> Option<usize> {
    match d.raw(name)?.get_ref() {
        DeValue::Array(items) => Some(items.len()),
        _ => None,
    }
}

/// `values` and `weights` of an empirical delay.
fn read_empirical(d: &Table<'_, '_>, spec: &TableSpec) -> Option<DelayDistribution> {
    let (values_key, weights_key) = (key(spec, "values"), key(spec, "weights"));
    if !d.has(values_key.name) {
        d.error(
            values_key.name,
            format!(
                "missing required key; expected an array of recorded delays ({}), at most \
                 {MAX_DELAY_VALUES}",
                values_key.unit
            ),
        );
        return None;
    }
    // Measured before any element is read: a pasted export of a million rows is one message,
    // not a million.
    for k in [values_key, weights_key] {
        if let Some(n) = array_len(d, k.name)
            && n > MAX_DELAY_VALUES
        {
            d.error(
                k.name,
                format!(
                    "holds {n} entries; at most {MAX_DELAY_VALUES} are allowed (a sample of \
                     past delays, or their histogram with weights, is enough)"
                ),
            );
            return None;
        }
    }
    let values = d.numbers_of(values_key);
    let weights = match d.has(weights_key.name) {
        true => Some(d.numbers_of(weights_key)?),
        false => None,
    };
    let values = values?;
    if values.is_empty() {
        d.error(values_key.name, "must hold at least one recorded delay");
        return None;
    }
    if let Some(w) = &weights {
        if w.len() != values.len() {
            d.error(
                weights_key.name,
                format!(
                    "holds {} weights for {} values; give one weight per value",
                    w.len(),
                    values.len()
                ),
            );
            return None;
        }
        if w.iter().all(|&x| x == 0.0) {
            d.error(
                weights_key.name,
                "are all 0; give at least one value a positive weight",
            );
            return None;
        }
    }
    Some(DelayDistribution::Empirical { values, weights })
}
