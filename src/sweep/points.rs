//! Validating the points of a sweep: each point's values are written into the scenario
//! document and the result goes through the normal validation and plan, so every check of a
//! scenario applies to swept values; problems are reported at the `[sweep]` key that caused
//! them. Also the cost of validating: the exact-quantile recursions of all points together are
//! limited to [`super::MAX_SWEEP_VALIDATION_WORK`] multiply-adds.

use std::sync::atomic::{AtomicBool, Ordering};

use toml::Value;

use super::{OatPoint, Param, SweepLoadError, SweepPoint, SweepReader, number};
use crate::error::{InputError, Severity};
use crate::inventory::{Plan, PlanError};
use crate::retention::quantile_work;
use crate::scenario::overrides::{OverrideKey, apply_overrides};
use crate::scenario::{Scenario, retain_key};

/// What validating the points needs besides the reader.
pub(super) struct Points<'a> {
    /// The scenario text as written.
    pub(super) text: &'a str,
    /// The swept keys, in parameter order.
    pub(super) keys: &'a [OverrideKey],
    /// Their canonical names (`policy[2].retain`), as validation messages name keys.
    pub(super) canon: Vec<String>,
    /// The span of each swept key in the file.
    pub(super) spans: Vec<std::ops::Range<usize>>,
    /// Set to stop.
    pub(super) cancel: &'a AtomicBool,
    /// Called with the number of points validated so far.
    pub(super) progress: &'a (dyn Fn(u64) + Sync),
}

/// Why validation stopped before the last point.
enum Halt {
    /// The cancel flag was set.
    Cancelled,
    /// The points validated so far already exceed the work limit (reported).
    TooCostly,
}

/// The multiply-adds of the exact-quantile recursions of every policy of `s`, and the name of
/// the costliest policy.
fn scenario_work(s: &Scenario) -> (f64, Option<&str>) {
    let mut total = 0.0;
    let mut costliest: Option<(f64, &str)> = None;
    for p in &s.policies {
        let Some(rule) = p.retain else { continue };
        let w = quantile_work(
            rule,
            &s.demand,
            p.disposition_times(s.horizon_years),
            s.horizon_years,
        );
        total += w;
        if w > 0.0 && costliest.is_none_or(|(c, _)| w > c) {
            costliest = Some((w, &p.name));
        }
    }
    (total, costliest.map(|(_, name)| name))
}

impl SweepReader<'_> {
    /// The error with every problem found so far.
    fn take_error(&mut self) -> SweepLoadError {
        SweepLoadError::Input(InputError::Problems(std::mem::take(&mut self.rep.problems)))
    }

    /// Whether validating `count` points of the scenario as written stays within
    /// the budget ([`super::MAX_SWEEP_VALIDATION_WORK`]); reports at `[sweep]` when it does not.
    pub(super) fn affordable(&mut self, base: &Scenario, points: usize, oat: usize) -> bool {
        let (per_point, costliest) = scenario_work(base);
        let total = per_point * (points + oat) as f64;
        if total <= self.budget {
            return true;
        }
        let policy = costliest.unwrap_or("?");
        self.rep.error(
            self.sweep_span.clone(),
            "sweep",
            None,
            format!(
                "validating its {points} points{} would take about {total:.1e} multiply-adds of \
                 the exact-quantile recursion ({per_point:.1e} per point, most of them for the \
                 retained level of policy \"{policy}\", a quantile of a large remaining demand); \
                 at most {:.0e} are allowed (about a minute): use fewer points, or give that \
                 policy's retained level as a number of units or with cover_years",
                if oat > 0 {
                    format!(" and {oat} one-at-a-time points")
                } else {
                    String::new()
                },
                self.budget
            ),
        );
        false
    }

    /// Validates every point, then (when there is no problem) the one-at-a-time points.
    pub(super) fn validate_all(
        &mut self,
        points: &Points<'_>,
        point_values: Vec<Vec<Value>>,
        params: &[Param],
    ) -> Result<(Vec<SweepPoint>, Vec<OatPoint>), SweepLoadError> {
        let mut validated = 0u64;
        let mut swept = Vec::with_capacity(point_values.len());
        for (n, values) in point_values.into_iter().enumerate() {
            let overrides: Vec<(OverrideKey, Value)> = points
                .keys
                .iter()
                .cloned()
                .zip(values.iter().cloned())
                .collect();
            match self.validate(points, format!("sweep point {n}"), overrides) {
                Ok(Some(scenario)) => swept.push(SweepPoint { values, scenario }),
                Ok(None) => {}
                Err(Halt::Cancelled) => return Err(SweepLoadError::Cancelled),
                Err(Halt::TooCostly) => return Err(self.take_error()),
            }
            validated += 1;
            (points.progress)(validated);
        }
        let mut oat = Vec::new();
        if !self.rep.problems.is_empty() {
            return Ok((swept, oat));
        }
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
                let overrides = vec![(points.keys[i].clone(), value.clone())];
                let label = format!("one-at-a-time point `{}` {level}", points.keys[i]);
                match self.validate(points, label, overrides) {
                    Ok(Some(scenario)) => oat.push(OatPoint {
                        parameter: i,
                        level,
                        value: value.clone(),
                        scenario,
                    }),
                    Ok(None) => {}
                    Err(Halt::Cancelled) => return Err(SweepLoadError::Cancelled),
                    Err(Halt::TooCostly) => return Err(self.take_error()),
                }
                validated += 1;
                (points.progress)(validated);
            }
        }
        Ok((swept, oat))
    }

    /// The parameter (index) a problem at `problem_key` is blamed on: the first override whose
    /// key is it or contains it, else the first parameter.
    fn blame(points: &Points<'_>, overrides: &[(OverrideKey, Value)], problem_key: &str) -> usize {
        let index_of = |k: &OverrideKey| points.keys.iter().position(|x| x == k).unwrap_or(0);
        overrides
            .iter()
            .position(|(k, _)| {
                let c = &points.canon[index_of(k)];
                problem_key == c
                    || problem_key.starts_with(&format!("{c}."))
                    || problem_key.starts_with(&format!("{c}["))
            })
            .map(|i| index_of(&overrides[i].0))
            .unwrap_or(0)
    }

    /// Reports `cause` at the `[sweep]` key of parameter `p`, once per cause.
    fn report_at(
        &mut self,
        points: &Points<'_>,
        p: usize,
        label: &str,
        describe: &str,
        cause: String,
    ) {
        self.rep.error_once(
            points.spans[p].clone(),
            &format!("sweep.{}", points.keys[p]),
            None,
            format!("{label} ({describe}): {cause}"),
            cause,
        );
    }

    /// Validates one point as a scenario of its own (and builds its plan); `None` after
    /// reporting its problems.
    fn validate(
        &mut self,
        points: &Points<'_>,
        label: String,
        overrides: Vec<(OverrideKey, Value)>,
    ) -> Result<Option<Scenario>, Halt> {
        if points.cancel.load(Ordering::Relaxed) {
            return Err(Halt::Cancelled);
        }
        let describe = overrides
            .iter()
            .map(|(k, v)| format!("`{k}` = {}", v))
            .collect::<Vec<_>>()
            .join(", ");
        let point_text = match apply_overrides(points.text, &overrides) {
            Ok(t) => t,
            Err(e) => {
                let span = self.sweep_span.clone();
                self.rep.error(span, "sweep", None, format!("{label}: {e}"));
                return Ok(None);
            }
        };
        let loaded = match Scenario::from_toml(self.rep.path, &point_text) {
            Ok(loaded) => loaded,
            Err(InputError::Problems(problems)) => {
                for pr in problems.iter().filter(|p| p.severity == Severity::Error) {
                    let p = Self::blame(points, &overrides, &pr.key);
                    let value = pr
                        .value
                        .as_ref()
                        .map(|v| format!(" = {v}"))
                        .unwrap_or_default();
                    // The same problem at several points is reported once, at the first.
                    let cause = format!("`{}`{value}: {}", pr.key, pr.message);
                    self.report_at(points, p, &label, &describe, cause);
                }
                return Ok(None);
            }
            Err(e) => {
                let span = self.sweep_span.clone();
                self.rep.error(span, "sweep", None, format!("{label}: {e}"));
                return Ok(None);
            }
        };
        self.work += scenario_work(&loaded.scenario).0;
        if self.work > self.budget {
            let span = self.sweep_span.clone();
            self.rep.error(
                span,
                "sweep",
                None,
                format!(
                    "validating the points up to {label} already takes about {:.1e} \
                     multiply-adds of the exact-quantile recursion (the swept values make the \
                     remaining demand of a quantile policy large); at most {:.0e} are allowed \
                     (about a minute): use fewer points, or give the retained levels as a number \
                     of units or with cover_years",
                    self.work, self.budget
                ),
            );
            return Err(Halt::TooCostly);
        }
        match Plan::new_cancellable(&loaded.scenario, points.cancel) {
            Ok(_) => Ok(Some(loaded.scenario)),
            Err(PlanError::Cancelled) => Err(Halt::Cancelled),
            Err(PlanError::Retention { policy, error }) => {
                let key = retain_key(policy, &error);
                let p = Self::blame(points, &overrides, &key);
                let cause = format!("`{key}`: {error}");
                self.report_at(points, p, &label, &describe, cause);
                Ok(None)
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests_support {
    /// The quantile work of one scenario, for the tests of the budget.
    pub(in crate::sweep) fn work(s: &crate::scenario::Scenario) -> f64 {
        super::scenario_work(s).0
    }
}
