//! `[sweep]`: a scenario evaluated at many points, each a set of [`overrides`](super::overrides)
//! of scenario fields by dotted name.
//!
//! ```toml
//! [sweep]
//! "demand.rate" = [2.0, 4.0, 8.0]          # a grid: the full factorial of the lists
//! policy.scrap-60.retain = [20, 60, 120]   # nested (unquoted) keys work too
//! ```
//!
//! or a Latin hypercube over `[lo, hi]` ranges: `design = "latin_hypercube"`, `points = N`,
//! optional `seed` (default: the scenario's `simulation.seed`). Each range is cut into N equal
//! strata and each stratum is used by exactly one point; a range of two integers gives whole
//! numbers.
//!
//! [`SweepPlan::load`] validates the base scenario, the `[sweep]` table and every point (the
//! overridden document goes through the normal validation, so every range check applies to
//! swept values); problems of a point are reported at the `[sweep]` line of the key that
//! caused them, all at once. It also builds the one-at-a-time points of the tornado chart.

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use toml::Value;
use toml::de::{DeTable, DeValue};

use super::overrides::{OverrideKey, apply_overrides, get_value};
use super::{LoadedScenario, Scenario};
use crate::error::{InputError, Problem, Severity};
use crate::inventory::Plan;

/// Most points a sweep may have (grid or Latin hypercube).
pub const MAX_POINTS: usize = 100_000;

/// How the points are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    /// The full factorial of the listed values.
    Grid,
    /// `points` points, one per stratum of every range.
    LatinHypercube {
        /// Number of points (and of strata per range).
        points: usize,
        /// Seed of the stratum permutations and the positions within strata.
        seed: u64,
    },
}

/// One swept parameter.
#[derive(Debug, Clone)]
pub struct SweepParameter {
    /// The dotted key (also the column header of `sweep.csv`).
    pub key: OverrideKey,
    /// 1-based line and column of the key in the file.
    pub line: usize,
    /// Column of the key.
    pub column: usize,
    /// The scenario's own value of the field (`None`: not set, the default applies).
    pub base: Option<Value>,
}

/// One point: the value of every parameter and the validated scenario.
#[derive(Debug, Clone)]
pub struct SweepPoint {
    /// One value per parameter, in parameter order.
    pub values: Vec<Value>,
    /// The scenario with the values applied.
    pub scenario: Scenario,
}

/// One-at-a-time point for the tornado chart: parameter `parameter` at its lowest or highest
/// swept value, every other field at the scenario's own value.
#[derive(Debug, Clone)]
pub struct OatPoint {
    /// Index into [`SweepPlan::parameters`].
    pub parameter: usize,
    /// "low" or "high".
    pub level: &'static str,
    /// The parameter's value.
    pub value: Value,
    /// The scenario with that one value applied.
    pub scenario: Scenario,
}

/// A validated sweep of one scenario file.
#[derive(Debug, Clone)]
pub struct SweepPlan {
    /// The scenario as written (without overrides), with its warnings.
    pub base: LoadedScenario,
    /// The design (a scenario without `[sweep]` is a grid of one point).
    pub design: Design,
    /// Swept parameters, in file order.
    pub parameters: Vec<SweepParameter>,
    /// The points, in order (grid: the first parameter varies slowest).
    pub points: Vec<SweepPoint>,
    /// The one-at-a-time points (numeric parameters only), low then high per parameter.
    pub oat: Vec<OatPoint>,
}

/// A [sweep] entry being read: key, its segments, span of the key and the value.
struct Entry<'a> {
    parts: Vec<String>,
    key_span: Range<usize>,
    value: &'a toml::Spanned<DeValue<'a>>,
}

fn position(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

fn flatten<'a>(table: &'a DeTable<'a>, prefix: &[String], out: &mut Vec<Entry<'a>>) {
    for (k, v) in table.iter() {
        let mut parts = prefix.to_vec();
        parts.push(k.get_ref().to_string());
        if prefix.is_empty() && ["design", "points", "seed"].contains(&parts[0].as_str()) {
            out.push(Entry {
                parts,
                key_span: k.span(),
                value: v,
            });
            continue;
        }
        match v.get_ref() {
            DeValue::Table(t) => flatten(t, &parts, out),
            _ => out.push(Entry {
                parts,
                key_span: k.span(),
                value: v,
            }),
        }
    }
}

fn to_value(v: &DeValue<'_>) -> Option<Value> {
    Some(match v {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => {
            Value::Integer(i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok()?)
        }
        DeValue::Float(f) => Value::Float(f.as_str().replace('_', "").parse().ok()?),
        DeValue::Boolean(b) => Value::Boolean(*b),
        DeValue::Datetime(d) => Value::Datetime(*d),
        DeValue::Array(a) => Value::Array(
            a.iter()
                .map(|x| to_value(x.get_ref()))
                .collect::<Option<_>>()?,
        ),
        DeValue::Table(t) => Value::Table(
            t.iter()
                .map(|(k, x)| Some((k.get_ref().to_string(), to_value(x.get_ref())?)))
                .collect::<Option<_>>()?,
        ),
    })
}

/// A value as a cell or message fragment: numbers and strings as they are, others as TOML.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        other => other.to_string(),
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

struct Reporter<'p> {
    path: &'p Path,
    text: &'p str,
    problems: Vec<Problem>,
    seen: HashSet<(usize, usize, String)>,
}

impl Reporter<'_> {
    fn error(&mut self, span: Range<usize>, key: &str, value: Option<String>, message: String) {
        let dedupe = format!("{key}\u{0}{value:?}\u{0}{message}");
        self.error_once(span, key, value, message, dedupe);
    }

    /// Reports a problem unless one with the same position and `dedupe` text was reported.
    fn error_once(
        &mut self,
        span: Range<usize>,
        key: &str,
        value: Option<String>,
        message: String,
        dedupe: String,
    ) {
        let (line, column) = position(self.text, span.start);
        let dedupe = (line, column, dedupe);
        if !self.seen.insert(dedupe) {
            return;
        }
        self.problems.push(Problem {
            severity: Severity::Error,
            file: self.path.to_path_buf(),
            line,
            column,
            key: key.to_string(),
            value,
            message,
        });
    }
}

impl SweepPlan {
    /// Reads a scenario file and validates it with its `[sweep]` (see the module docs).
    pub fn load(path: &Path) -> Result<SweepPlan, InputError> {
        let text = Scenario::read_text(path)?;
        Self::from_toml(path, &text)
    }

    /// [`SweepPlan::load`] from text.
    pub fn from_toml(path: &Path, text: &str) -> Result<SweepPlan, InputError> {
        let base = Scenario::from_toml(path, text)?;
        let doc = DeTable::parse(text).expect("the scenario parsed already");
        let Some(sweep) = doc.get_ref().get("sweep") else {
            let point = SweepPoint {
                values: Vec::new(),
                scenario: base.scenario.clone(),
            };
            return Ok(SweepPlan {
                base,
                design: Design::Grid,
                parameters: Vec::new(),
                points: vec![point],
                oat: Vec::new(),
            });
        };
        let plain: toml::Table = text.parse().expect("the scenario parsed already");
        let mut rep = Reporter {
            path,
            text,
            problems: Vec::new(),
            seen: HashSet::new(),
        };
        let sweep_span = sweep.span();
        let DeValue::Table(table) = sweep.get_ref() else {
            rep.error(
                sweep_span,
                "sweep",
                None,
                "expected a table [sweep] of dotted keys and lists of values".into(),
            );
            return Err(InputError::Problems(rep.problems));
        };
        let mut entries = Vec::new();
        flatten(table, &[], &mut entries);
        entries.sort_by_key(|e| e.key_span.start);

        // Design settings.
        let mut design_name = "grid".to_string();
        let mut points: Option<usize> = None;
        let mut seed = base.scenario.simulation.seed;
        let mut params: Vec<(SweepParameter, Range<usize>, Vec<Value>)> = Vec::new();
        let mut canonical_seen: HashSet<String> = HashSet::new();
        for e in &entries {
            let name = format!("sweep.{}", e.parts.join("."));
            let vspan = e.value.span();
            let vtext = text.get(vspan.clone()).map(|s| s.trim().to_string());
            match e.parts[0].as_str() {
                "design" if e.parts.len() == 1 => match e.value.get_ref() {
                    DeValue::String(s) if s == "grid" || s == "latin_hypercube" => {
                        design_name = s.to_string()
                    }
                    _ => rep.error(
                        vspan,
                        &name,
                        vtext,
                        "allowed: \"grid\" (default, the full factorial of the lists) or \
                         \"latin_hypercube\" (with `points` and [lo, hi] ranges)"
                            .into(),
                    ),
                },
                "points" if e.parts.len() == 1 => match to_value(e.value.get_ref()) {
                    Some(Value::Integer(n)) if n >= 1 && n as usize <= MAX_POINTS => {
                        points = Some(n as usize)
                    }
                    _ => rep.error(
                        vspan,
                        &name,
                        vtext,
                        format!("must be a whole number of points in [1, {MAX_POINTS}]"),
                    ),
                },
                "seed" if e.parts.len() == 1 => match to_value(e.value.get_ref()) {
                    Some(Value::Integer(n)) if n >= 0 => seed = n as u64,
                    _ => rep.error(vspan, &name, vtext, "must be a whole number ≥ 0".into()),
                },
                _ => {
                    let key = match OverrideKey::from_segments(&e.parts) {
                        Ok(k) => k,
                        Err(err) => {
                            rep.error(e.key_span.clone(), &name, None, err.to_string());
                            continue;
                        }
                    };
                    let canonical = match key.canonical(&plain) {
                        Some(c) => c,
                        None => {
                            let mut probe = plain.clone();
                            let err = super::overrides::apply_overrides_to_table(
                                &mut probe,
                                &[(key.clone(), Value::Integer(0))],
                            )
                            .expect_err("an unresolvable key fails");
                            rep.error(e.key_span.clone(), &name, None, err.to_string());
                            continue;
                        }
                    };
                    if canonical.starts_with("simulation.") {
                        rep.error(
                            e.key_span.clone(),
                            &name,
                            None,
                            "every point runs with the same seed and number of paths (common \
                             random numbers); set them with --seed and --paths, not in [sweep]"
                                .into(),
                        );
                        continue;
                    }
                    if canonical.starts_with("sweep") {
                        rep.error(
                            e.key_span.clone(),
                            &name,
                            None,
                            "a sweep cannot sweep itself".into(),
                        );
                        continue;
                    }
                    if !canonical_seen.insert(canonical.clone()) {
                        rep.error(
                            e.key_span.clone(),
                            &name,
                            None,
                            format!("`{canonical}` is swept twice; give it one list"),
                        );
                        continue;
                    }
                    let values = match to_value(e.value.get_ref()) {
                        Some(Value::Array(values)) if !values.is_empty() => values,
                        Some(Value::Array(_)) => {
                            rep.error(
                                vspan,
                                &name,
                                vtext,
                                "an empty list; give at least one value".into(),
                            );
                            continue;
                        }
                        _ => {
                            rep.error(
                                vspan,
                                &name,
                                vtext,
                                "expected a list of values, e.g. [1.0, 2.0, 4.0] (or [lo, hi] \
                                 with design = \"latin_hypercube\")"
                                    .into(),
                            );
                            continue;
                        }
                    };
                    let (line, column) = position(text, e.key_span.start);
                    params.push((
                        SweepParameter {
                            base: get_value(&plain, &key).cloned(),
                            key,
                            line,
                            column,
                        },
                        e.key_span.clone(),
                        values,
                    ));
                }
            }
        }
        if params.is_empty() && rep.problems.is_empty() {
            rep.error(
                sweep_span.clone(),
                "sweep",
                None,
                "no parameter to sweep; add e.g. \"demand.rate\" = [2.0, 4.0]".into(),
            );
        }

        // The design's points.
        let lhs = design_name == "latin_hypercube";
        let design = if lhs {
            Design::LatinHypercube {
                points: points.unwrap_or(0),
                seed,
            }
        } else {
            Design::Grid
        };
        if lhs && points.is_none() {
            rep.error(
                sweep_span.clone(),
                "sweep.points",
                None,
                "design = \"latin_hypercube\" needs `points`, the number of points, e.g. 20".into(),
            );
        }
        if !lhs && points.is_some() {
            rep.error(
                sweep_span.clone(),
                "sweep.points",
                None,
                "`points` applies to design = \"latin_hypercube\" only; a grid has one point \
                 per combination of the listed values"
                    .into(),
            );
        }
        let mut ranges = Vec::new();
        if lhs {
            for (p, span, values) in &params {
                let name = format!("sweep.{}", p.key);
                let vtext = Some(format!(
                    "[{}]",
                    values.iter().map(value_text).collect::<Vec<_>>().join(", ")
                ));
                let nums: Vec<Option<f64>> = values.iter().map(number).collect();
                match nums.as_slice() {
                    [Some(lo), Some(hi)] if lo <= hi && lo.is_finite() && hi.is_finite() => {
                        let integer = values.iter().all(|v| matches!(v, Value::Integer(_)));
                        ranges.push((*lo, *hi, integer));
                    }
                    [Some(lo), Some(hi)] => rep.error(
                        span.clone(),
                        &name,
                        vtext,
                        format!("a range [lo, hi] needs lo ≤ hi; here lo = {lo} > hi = {hi}"),
                    ),
                    _ => rep.error(
                        span.clone(),
                        &name,
                        vtext,
                        "with design = \"latin_hypercube\" each parameter is a range of two \
                         numbers [lo, hi]"
                            .into(),
                    ),
                }
            }
        }
        // The points of the well-formed parameters are validated even when other entries
        // have problems, so that `check` reports everything at once.
        let point_values: Vec<Vec<Value>> = if let Design::LatinHypercube { points, seed } = design
        {
            if points > 0 && ranges.len() == params.len() {
                latin_hypercube(&ranges, points, seed)
            } else {
                Vec::new()
            }
        } else if params.is_empty() {
            Vec::new()
        } else {
            let count = params
                .iter()
                .try_fold(1usize, |acc, (_, _, v)| acc.checked_mul(v.len()));
            match count {
                Some(n) if n <= MAX_POINTS => {
                    grid(&params.iter().map(|p| &p.2[..]).collect::<Vec<_>>())
                }
                _ => {
                    rep.error(
                        sweep_span.clone(),
                        "sweep",
                        None,
                        format!(
                            "the grid has more than {MAX_POINTS} points (the product of the list \
                             lengths); use fewer values or design = \"latin_hypercube\""
                        ),
                    );
                    Vec::new()
                }
            }
        };

        // Validate every point (and the one-at-a-time points) as a scenario of its own.
        let keys: Vec<OverrideKey> = params.iter().map(|p| p.0.key.clone()).collect();
        let canon: Vec<String> = keys
            .iter()
            .map(|k| k.canonical(&plain).unwrap_or_default())
            .collect();
        let validate = |label: String,
                        overrides: Vec<(OverrideKey, Value)>,
                        rep: &mut Reporter<'_>|
         -> Option<Scenario> {
            let describe = overrides
                .iter()
                .map(|(k, v)| format!("`{k}` = {}", v))
                .collect::<Vec<_>>()
                .join(", ");
            let blame = |problem_key: &str| -> usize {
                overrides
                    .iter()
                    .position(|(k, _)| {
                        let c = &canon[keys.iter().position(|x| x == k).unwrap_or(0)];
                        problem_key == c
                            || problem_key.starts_with(&format!("{c}."))
                            || problem_key.starts_with(&format!("{c}["))
                    })
                    .map(|i| keys.iter().position(|x| *x == overrides[i].0).unwrap_or(0))
                    .unwrap_or(0)
            };
            let point_text = match apply_overrides(text, &overrides) {
                Ok(t) => t,
                Err(e) => {
                    rep.error(sweep_span.clone(), "sweep", None, format!("{label}: {e}"));
                    return None;
                }
            };
            match Scenario::from_toml(path, &point_text) {
                Ok(loaded) => match Plan::new(&loaded.scenario) {
                    Ok(_) => Some(loaded.scenario),
                    Err((i, e)) => {
                        let p = blame(&format!("policy[{i}].retain"));
                        let cause = format!("`policy[{i}].retain`: {e}");
                        rep.error_once(
                            params[p].1.clone(),
                            &format!("sweep.{}", keys[p]),
                            None,
                            format!("{label} ({describe}): {cause}"),
                            cause.clone(),
                        );
                        None
                    }
                },
                Err(InputError::Problems(problems)) => {
                    for pr in problems.iter().filter(|p| p.severity == Severity::Error) {
                        let p = blame(&pr.key);
                        let value = pr
                            .value
                            .as_ref()
                            .map(|v| format!(" = {v}"))
                            .unwrap_or_default();
                        // The same problem at several points is reported once, at the first.
                        let cause = format!("`{}`{value}: {}", pr.key, pr.message);
                        rep.error_once(
                            params[p].1.clone(),
                            &format!("sweep.{}", keys[p]),
                            None,
                            format!("{label} ({describe}): {cause}"),
                            cause.clone(),
                        );
                    }
                    None
                }
                Err(e) => {
                    rep.error(sweep_span.clone(), "sweep", None, format!("{label}: {e}"));
                    None
                }
            }
        };
        let mut swept = Vec::with_capacity(point_values.len());
        for (n, values) in point_values.into_iter().enumerate() {
            let overrides: Vec<(OverrideKey, Value)> =
                keys.iter().cloned().zip(values.iter().cloned()).collect();
            if let Some(scenario) = validate(format!("sweep point {n}"), overrides, &mut rep) {
                swept.push(SweepPoint { values, scenario });
            }
        }
        let mut oat = Vec::new();
        if rep.problems.is_empty() {
            for (i, (_, _, values)) in params.iter().enumerate() {
                let nums: Option<Vec<(f64, &Value)>> =
                    values.iter().map(|v| number(v).map(|x| (x, v))).collect();
                let Some(nums) = nums else { continue };
                let lo = nums
                    .iter()
                    .min_by(|a, b| a.0.total_cmp(&b.0))
                    .expect("non-empty");
                let hi = nums
                    .iter()
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .expect("non-empty");
                for (level, value) in [("low", lo.1), ("high", hi.1)] {
                    let overrides = vec![(keys[i].clone(), value.clone())];
                    let label = format!("one-at-a-time point `{}` {level}", keys[i]);
                    if let Some(scenario) = validate(label, overrides, &mut rep) {
                        oat.push(OatPoint {
                            parameter: i,
                            level,
                            value: value.clone(),
                            scenario,
                        });
                    }
                }
            }
        }
        if !rep.problems.is_empty() {
            return Err(InputError::Problems(rep.problems));
        }
        Ok(SweepPlan {
            base,
            design,
            parameters: params.into_iter().map(|p| p.0).collect(),
            points: swept,
            oat,
        })
    }
}

/// Whether scenario `text` has a `[sweep]` table (false for text that is not valid TOML; its
/// validation reports that).
pub fn has_sweep(text: &str) -> bool {
    DeTable::parse(text).is_ok_and(|doc| doc.get_ref().get("sweep").is_some())
}

/// The full factorial of `lists`, the first list varying slowest.
fn grid(lists: &[&[Value]]) -> Vec<Vec<Value>> {
    let mut out: Vec<Vec<Value>> = vec![Vec::new()];
    for list in lists {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                list.iter().map(move |v| {
                    let mut p = prefix.clone();
                    p.push(v.clone());
                    p
                })
            })
            .collect();
    }
    out
}

/// `n` points over `ranges` (lo, hi, integer): each range is cut into `n` equal strata, each
/// used by exactly one point (a seeded random permutation per parameter), at a seeded random
/// position within the stratum. Integer ranges are cut over [lo, hi + 1) and rounded down.
pub fn latin_hypercube(ranges: &[(f64, f64, bool)], n: usize, seed: u64) -> Vec<Vec<Value>> {
    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut columns = Vec::with_capacity(ranges.len());
    for &(lo, hi, integer) in ranges {
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = rng.random_range(0..=i);
            strata.swap(i, j);
        }
        let column: Vec<Value> = strata
            .iter()
            .map(|&s| {
                let u = (s as f64 + rng.random::<f64>()) / n as f64;
                if integer {
                    let width = hi - lo + 1.0;
                    Value::Integer(((lo + u * width).floor()).min(hi) as i64)
                } else {
                    Value::Float(lo + u * (hi - lo))
                }
            })
            .collect();
        columns.push(column);
    }
    (0..n)
        .map(|k| columns.iter().map(|c| c[k].clone()).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_is_the_full_factorial_first_slowest() {
        let a = [Value::Integer(1), Value::Integer(2)];
        let b = [Value::Integer(10), Value::Integer(20), Value::Integer(30)];
        let g = grid(&[&a, &b]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![Value::Integer(1), Value::Integer(10)]);
        assert_eq!(g[1], vec![Value::Integer(1), Value::Integer(20)]);
        assert_eq!(g[5], vec![Value::Integer(2), Value::Integer(30)]);
    }

    #[test]
    fn latin_hypercube_uses_each_stratum_once() {
        let n = 17;
        let pts = latin_hypercube(&[(1.0, 3.0, false), (-5.0, 5.0, false)], n, 7);
        assert_eq!(
            pts,
            latin_hypercube(&[(1.0, 3.0, false), (-5.0, 5.0, false)], n, 7)
        );
        for (j, (lo, hi)) in [(1.0, 3.0), (-5.0, 5.0)].into_iter().enumerate() {
            let mut used = vec![0; n];
            for p in &pts {
                let x = p[j].as_float().unwrap();
                let s = (((x - lo) / (hi - lo)) * n as f64).floor() as usize;
                used[s.min(n - 1)] += 1;
            }
            assert!(used.iter().all(|&c| c == 1), "{used:?}");
        }
    }
}
