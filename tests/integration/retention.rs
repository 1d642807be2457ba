//! Retained levels: the `quantile` rule against a brute-force compound-Poisson distribution, and
//! the `cover_years` rule against its closed form, through the scenario and plan.

use pimsim::inventory::Plan;

use crate::common::{poisson_pmf, scenario};

/// P(S = k), k = 0..=k_max, for S = sum of Poisson(μ) orders with sizes `sizes[j]` = P(j + 1),
/// by explicit convolution powers.
fn brute_compound(mu: f64, sizes: &[f64], k_max: usize) -> Vec<f64> {
    let orders = poisson_pmf(mu, k_max);
    let mut result = vec![0.0; k_max + 1];
    let mut power = vec![0.0; k_max + 1];
    power[0] = 1.0;
    for p_n in orders {
        for k in 0..=k_max {
            result[k] += p_n * power[k];
        }
        let mut next = vec![0.0; k_max + 1];
        for (k, &c) in power.iter().enumerate() {
            for (j, &f) in sizes.iter().enumerate() {
                if k + j < k_max {
                    next[k + j + 1] += c * f;
                }
            }
        }
        power = next;
    }
    result
}

fn plan_for(retain: &str, at: f64, obsolescence: Option<f64>) -> Plan {
    let obs = obsolescence
        .map(|p| format!("[demand.obsolescence]\nannual_probability = {p}\n"))
        .unwrap_or_default();
    let text = format!(
        r#"
[scenario]
horizon_years = 12
[part]
unit_cost = 10
on_hand = 500
[demand]
model = "constant"
rate = 3.0
[demand.order_size]
distribution = "table"
pmf = [0.5, 0.3, 0.2]
{obs}
[costs]
holding_rate = 0.1
shortage_penalty = 50
[[policy]]
name = "scrap"
kind = "scrap"
at_years = {at}
retain = {retain}
"#
    );
    Plan::new(&scenario(&text)).expect("plan")
}

#[test]
fn quantile_retention_matches_brute_force_distribution() {
    let sizes = [0.5, 0.3, 0.2];
    for (q, at, obsolescence) in [
        (0.5, 0.0, None),
        (0.9, 2.0, None),
        (0.99, 2.0, None),
        (0.95, 4.0, Some(0.15)),
    ] {
        let plan = plan_for(&format!("{{ quantile = {q} }}"), at, obsolescence);
        let r = plan.policies[0].dispositions[0].retained as usize;
        // Orders expected after `at`, given the part is alive then.
        let theta = obsolescence.map_or(0.0, |p: f64| -(1.0 - p).ln());
        let mu = if theta == 0.0 {
            3.0 * (12.0 - at)
        } else {
            3.0 * (1.0 - (-theta * (12.0 - at)).exp()) / theta
        };
        let pmf = brute_compound(mu, &sizes, 400);
        let cdf_at = |k: usize| pmf[..=k].iter().sum::<f64>();
        assert!(cdf_at(r) >= q, "q={q}: P(S ≤ {r}) = {} < q", cdf_at(r));
        assert!(
            r == 0 || cdf_at(r - 1) < q,
            "q={q}: {r} is not the smallest level"
        );
    }
}

#[test]
fn cover_years_retention_is_the_ceiling_of_expected_units() {
    // Expected units in (2, 2 + 3.5] = 3 orders/year · 3.5 years · 1.7 units/order = 17.85.
    let plan = plan_for("{ cover_years = 3.5 }", 2.0, None);
    assert_eq!(plan.policies[0].dispositions[0].retained, 18);
}

#[test]
fn reviews_recompute_a_declining_retained_level() {
    let text = r#"
[scenario]
horizon_years = 10
[part]
unit_cost = 10
on_hand = 200
[demand]
model = "exponential"
rate = 20.0
half_life_years = 3.0
[costs]
holding_rate = 0.1
shortage_penalty = 50
[[policy]]
name = "scrap"
kind = "scrap"
retain = { cover_years = 2.0 }
review_every_years = 2.5
"#;
    let plan = Plan::new(&scenario(text)).unwrap();
    let d = &plan.policies[0].dispositions;
    let times: Vec<f64> = d.iter().map(|x| x.at.time).collect();
    assert_eq!(times, vec![0.0, 2.5, 5.0, 7.5]);
    let beta = 2f64.ln() / 3.0;
    for x in d {
        let t = x.at.time;
        let expected = 20.0 * ((-beta * t).exp() - (-beta * (t + 2.0)).exp()) / beta;
        assert_eq!(x.retained, expected.ceil() as u64, "at {t}");
    }
    assert!(d.windows(2).all(|w| w[0].retained > w[1].retained));
}
