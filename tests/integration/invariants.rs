//! Invariants over random valid scenarios (property tests): stock never negative, units
//! conserved, cost lines add up to the total, counts consistent with each other.

use proptest::prelude::*;

use pimsim::engine::{self, RunSettings};
use pimsim::inventory::{PathOutcome, Plan};

use crate::common::{outcomes, scenario};

#[derive(Debug, Clone)]
struct Params {
    model: usize,
    rate: f64,
    size: usize,
    rate_cv: f64,
    obsolescence: f64,
    shrinkage: f64,
    on_hand: u64,
    ltb: u64,
    discount: f64,
    backorder: bool,
    reman: Option<(f64, u64, f64, Option<f64>)>,
    partners: Vec<(f64, f64, f64, f64)>,
    reorder: (i64, i64),
    retain: u64,
    at: f64,
    review: Option<f64>,
}

fn params() -> impl Strategy<Value = Params> {
    (
        (
            0usize..5,
            0.5f64..30.0,
            0usize..5,
            prop_oneof![Just(0.0), 0.05f64..1.5],
        ),
        (
            prop_oneof![Just(0.0), 0.01f64..0.3],
            prop_oneof![Just(0.0), 0.01f64..0.2],
        ),
        (0u64..400, 0u64..50, 0.0f64..0.12, any::<bool>()),
        proptest::option::of((
            0.0f64..2.0,
            1u64..30,
            0.0f64..0.1,
            proptest::option::of(0.2f64..3.0),
        )),
        proptest::collection::vec((0.0f64..1.0, 0.0f64..60.0, 0.0f64..0.5, 0.0f64..20.0), 0..3),
        ((-2i64..5), (1i64..20)),
        (0u64..120, 0.0f64..5.0, proptest::option::of(0.5f64..6.0)),
    )
        .prop_map(
            |(
                (model, rate, size, rate_cv),
                (obsolescence, shrinkage),
                (on_hand, ltb, discount, backorder),
                reman,
                partners,
                (s, gap),
                (retain, at, review),
            )| Params {
                model,
                rate,
                size,
                rate_cv,
                obsolescence,
                shrinkage,
                on_hand,
                ltb,
                discount,
                backorder,
                reman,
                partners,
                reorder: (s, s + gap),
                retain,
                at,
                review,
            },
        )
}

fn toml(p: &Params) -> String {
    let demand = match p.model {
        0 => format!("model = \"constant\"\nrate = {}", p.rate),
        1 => format!(
            "model = \"exponential\"\nrate = {}\nhalf_life_years = 3.0",
            p.rate
        ),
        2 => format!("model = \"linear\"\nrate = {}\nend_years = 7.0", p.rate),
        3 => format!(
            "model = \"installed_base\"\nunits_in_field = {}\nretirement_scale_years = 6.0\nretirement_shape = 2.0\nfailure_rate = 0.01\nfailure_growth = 0.05",
            p.rate * 100.0
        ),
        _ => format!(
            "model = \"table\"\nrates = [{}, {}, 0.0, {}]",
            p.rate,
            p.rate / 2.0,
            p.rate / 3.0
        ),
    };
    let size = match p.size {
        0 => String::new(),
        1 => "[demand.order_size]\ndistribution = \"poisson\"\nmean = 2.2".into(),
        2 => "[demand.order_size]\ndistribution = \"geometric\"\nmean = 1.8".into(),
        3 => "[demand.order_size]\ndistribution = \"negative_binomial\"\nmean = 3.0\ndispersion = 0.5".into(),
        _ => "[demand.order_size]\ndistribution = \"table\"\npmf = [0.6, 0.0, 0.4]".into(),
    };
    let mut t = format!(
        r#"[scenario]
horizon_years = 10
discount_rate = {discount}
[report]
step_years = 0.75
[part]
unit_cost = 40
on_hand = {on_hand}
last_time_buy = {ltb}
sale_price = 55
[demand]
{demand}
{size}
[demand.uncertainty]
rate_cv = {cv}
[demand.obsolescence]
annual_probability = {obs}
[stock]
shrinkage_rate = {shrink}
[costs]
holding_rate = 0.2
salvage_value = 3
shortage_penalty = 120
{unmet}
[replenishment]
reorder_point = {s}
order_up_to = {big_s}
"#,
        discount = p.discount,
        on_hand = p.on_hand,
        ltb = p.ltb,
        cv = p.rate_cv,
        obs = p.obsolescence,
        shrink = p.shrinkage,
        unmet = if p.backorder {
            "unmet_demand = \"backorder\"\nbackorder_cost_per_year = 15"
        } else {
            ""
        },
        s = p.reorder.0,
        big_s = p.reorder.1,
    );
    if let Some((lead, batch, esc, cover)) = p.reman {
        t += &format!(
            "[remanufacture]\nsetup_cost = 300\nunit_cost = 70\nlead_time_years = {lead}\nmin_batch = {batch}\ncost_escalation = {esc}\navailable_until_years = 8\n"
        );
        if let Some(c) = cover {
            t += &format!("batch_cover_years = {c}\n");
        }
    }
    for (j, (rel, days, attr, fee)) in p.partners.iter().enumerate() {
        t += &format!(
            "[[partner]]\nname = \"p{j}\"\nrelease_price = 12\nbuyback_price = 60\nreliability = {rel}\nresponse_days = {days}\nattrition_rate = {attr}\norder_fee = {fee}\n"
        );
    }
    t += "[[policy]]\nname = \"hold\"\nkind = \"hold\"\n";
    let review = p
        .review
        .map(|r| format!("review_every_years = {r}\n"))
        .unwrap_or_default();
    t += &format!(
        "[[policy]]\nname = \"scrap\"\nkind = \"scrap\"\nat_years = {}\nretain = {}\n{review}",
        p.at, p.retain
    );
    if !p.partners.is_empty() {
        t += &format!(
            "[[policy]]\nname = \"release\"\nkind = \"partner_release\"\nat_years = {}\nretain = {{ cover_years = 2.0 }}\n{review}",
            p.at
        );
    }
    t
}

fn check_path(o: &PathOutcome, start: u64) -> Result<(), TestCaseError> {
    let u = &o.units;
    // Units conserved: start + arrivals = served + disposed + lost in storage + left at T.
    prop_assert_eq!(
        start + u.bought_back + u.remanufactured,
        u.filled_from_stock
            + u.backorders_filled
            + u.scrapped
            + u.released
            + u.lost_in_storage
            + u.on_hand_at_horizon
    );
    prop_assert_eq!(u.demanded, u.filled_from_stock + u.short);
    prop_assert_eq!(u.short, u.lost + u.backordered);
    prop_assert_eq!(
        u.backordered,
        u.backorders_filled + u.open_backorders_at_horizon
    );
    let shipped: u64 = o.partners.iter().map(|p| p.units_shipped).sum();
    prop_assert!(shipped <= u.released);
    prop_assert!(u.bought_back <= shipped);
    for p in &o.partners {
        prop_assert!(p.honoured <= p.requests && p.units_shipped <= p.units_requested);
    }
    // Cost lines add up to the total, and every figure is finite.
    let lines = o.costs.values();
    prop_assert!(lines.iter().all(|x| x.is_finite()));
    prop_assert_eq!(o.costs.total(), lines.iter().sum::<f64>());
    prop_assert!(o.costs.holding >= 0.0 && o.costs.shortage >= 0.0 && o.costs.backorder >= 0.0);
    prop_assert!(o.on_hand_unit_years >= 0.0);
    // The time series ends at the horizon with the stock left there.
    prop_assert_eq!(*o.on_hand_at_step.last().unwrap(), u.on_hand_at_horizon);
    prop_assert_eq!(*o.cost_at_step.last().unwrap(), o.costs.total());
    if let Some(t) = o.first_stockout {
        prop_assert!(u.short > 0 && (0.0..10.0).contains(&t));
    } else {
        prop_assert_eq!(u.short, 0);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn paths_conserve_units_and_costs_add_up(p in params()) {
        let s = scenario(&toml(&p));
        let start = s.starting_stock();
        for outs in outcomes(&s, 24, 5) {
            for o in &outs {
                check_path(o, start)?;
            }
        }
    }

    #[test]
    fn summaries_add_up(p in params()) {
        let s = scenario(&toml(&p));
        let plan = Plan::new(&s).unwrap();
        let summary = engine::run(&s, &plan, RunSettings { paths: 300, seed: 9, threads: 1 }, &|_| {});
        for policy in &summary.policies {
            let b = &policy.cost_breakdown;
            let l = &b.lines;
            let sum = l.last_time_buy + l.holding + l.disposal + l.release + l.buyback
                + l.remanufacture + l.shortage + l.backorder + l.end_of_horizon;
            prop_assert!((sum - b.total).abs() <= 1e-9 * b.total.abs().max(1.0), "{} vs {}", sum, b.total);
            prop_assert!((b.total - policy.total_cost.mean).abs() <= 1e-9 * b.total.abs().max(1.0));
            let c = &policy.total_cost;
            prop_assert!(c.p05 <= c.p50 && c.p50 <= c.p95 && c.p95 <= c.cvar95 + 1e-9);
            prop_assert!(c.ci95[0] <= c.mean && c.mean <= c.ci95[1]);
            if let Some(f) = policy.fill_rate {
                prop_assert!((0.0..=1.0).contains(&f));
            }
            prop_assert!((0.0..=1.0).contains(&policy.no_stockout_probability));
            for point in summary.timeseries.iter().filter(|t| t.policy == policy.name) {
                prop_assert!(point.on_hand_p05 <= point.on_hand_p95);
                prop_assert!(point.on_hand_mean >= 0.0);
            }
        }
    }
}
