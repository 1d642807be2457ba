//! Random valid scenarios for the property tests: every demand model and order-size
//! distribution, rate uncertainty and obsolescence, stock and last-time buys, (s, S) levels,
//! re-manufacture, partners with reliability, attrition and response times, dispositions with
//! reviews, discounting and time-series steps; with or without a sale price (the plain per-order
//! loop has a copy for it) and the two features that take a policy off that loop (losses in
//! storage, backorders).

use proptest::prelude::*;

/// Which per-order loop the drawn scenarios take (`PolicySimulator::plain_loop_applies`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loop {
    /// No losses in storage and lost sales, with or without a sale price: the plain loop.
    Plain,
    /// Losses in storage or backorders (or both), with or without a sale price: the general
    /// loop.
    General,
}

/// One random scenario, before it is written as TOML ([`toml`]).
#[derive(Debug, Clone)]
pub struct Params {
    /// Demand model: 0 constant, 1 exponential, 2 linear, 3 installed base, 4 table.
    pub model: usize,
    /// Orders per year at t = 0 (installed base: a hundred times the units in the field).
    pub rate: f64,
    /// Order sizes: 0 one, 1 Poisson, 2 geometric, 3 negative binomial, 4 table.
    pub size: usize,
    /// `demand.uncertainty.rate_cv` (0 = none).
    pub rate_cv: f64,
    /// `demand.obsolescence.annual_probability` (0 = none).
    pub obsolescence: f64,
    /// `stock.shrinkage_rate`, losses per unit-year (0 = none).
    pub shrinkage: f64,
    /// `part.sale_price` (currency per unit), if any.
    pub sale_price: Option<f64>,
    /// Units on hand at t = 0.
    pub on_hand: u64,
    /// Last-time buy at t = 0, units.
    pub ltb: u64,
    /// Annual discount rate.
    pub discount: f64,
    /// Backorders (otherwise lost sales).
    pub backorder: bool,
    /// Re-manufacture: (lead time years, minimum batch, cost escalation per year, batch cover
    /// years, available until years).
    pub reman: Option<(f64, u64, f64, Option<f64>, f64)>,
    /// Partners: (reliability, response days, attrition per unit-year, order fee).
    pub partners: Vec<(f64, f64, f64, f64)>,
    /// (s, S).
    pub reorder: (i64, i64),
    /// The scrap policy's retained level, units.
    pub retain: u64,
    /// The release policy's retained level: `Some(R)` units, `None` two years' cover.
    pub release_retain: Option<u64>,
    /// Time of the first disposition, years.
    pub at: f64,
    /// Years between reviews of the disposition, if any.
    pub review: Option<f64>,
    /// `report.step_years`.
    pub step_years: f64,
}

/// Scenarios that take loop `which`.
pub fn params(which: Loop) -> impl Strategy<Value = Params> {
    // Bits (shrinkage, sale price, backorders): neither shrinkage nor backorders for the plain
    // loop (a sale price or not); at least one of them for the general one.
    let general = match which {
        Loop::Plain => prop_oneof![Just(0u8), Just(2u8)].boxed(),
        Loop::General => {
            prop_oneof![Just(1u8), Just(3), Just(4), Just(5), Just(6), Just(7)].boxed()
        }
    };
    (
        (
            0usize..5,
            0.5f64..30.0,
            0usize..5,
            prop_oneof![Just(0.0), 0.05f64..1.5],
            prop_oneof![Just(0.0), 0.01f64..0.3],
        ),
        (general, 0.01f64..0.2, 20.0f64..90.0),
        (0u64..400, 0u64..50, prop_oneof![Just(0.0), 0.0f64..0.12]),
        proptest::option::of((
            prop_oneof![Just(0.0), 0.0f64..2.0],
            1u64..30,
            prop_oneof![Just(0.0), 0.0f64..0.1],
            proptest::option::of(0.2f64..3.0),
            0.5f64..12.0,
        )),
        proptest::collection::vec(
            (
                prop_oneof![Just(1.0), 0.0f64..1.0],
                prop_oneof![Just(0.0), 0.0f64..60.0],
                prop_oneof![Just(0.0), 0.0f64..0.5],
                prop_oneof![Just(0.0), 0.0f64..20.0],
            ),
            0..3,
        ),
        prop_oneof![(-2i64..5, 1i64..20), (0i64..30, 1i64..40)],
        (
            0u64..120,
            proptest::option::of(0u64..80),
            0.0f64..5.0,
            proptest::option::of(0.5f64..6.0),
            prop_oneof![Just(0.75), 0.1f64..3.0],
        ),
    )
        .prop_map(
            |(
                (model, rate, size, rate_cv, obsolescence),
                (general, shrinkage, price),
                (on_hand, ltb, discount),
                reman,
                partners,
                (s, gap),
                (retain, release_retain, at, review, step_years),
            )| Params {
                model,
                rate,
                size,
                rate_cv,
                obsolescence,
                shrinkage: if general & 1 != 0 { shrinkage } else { 0.0 },
                sale_price: (general & 2 != 0).then_some(price),
                on_hand,
                ltb,
                discount,
                backorder: general & 4 != 0,
                reman,
                partners,
                reorder: (s, s + gap),
                retain,
                release_retain,
                at,
                review,
                step_years,
            },
        )
}

/// Horizon of every drawn scenario, years.
pub const HORIZON: f64 = 10.0;

/// The scenario as TOML: a hold, a scrap and (with partners) a partner-release policy.
pub fn toml(p: &Params) -> String {
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
    let sale_price = p
        .sale_price
        .map(|x| format!("sale_price = {x}\n"))
        .unwrap_or_default();
    let mut t = format!(
        r#"[scenario]
horizon_years = {HORIZON}
discount_rate = {discount}
[report]
step_years = {step}
[part]
unit_cost = 40
on_hand = {on_hand}
last_time_buy = {ltb}
{sale_price}[demand]
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
        step = p.step_years,
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
    if let Some((lead, batch, esc, cover, until)) = p.reman {
        t += &format!(
            "[remanufacture]\nsetup_cost = 300\nunit_cost = 70\nlead_time_years = {lead}\nmin_batch = {batch}\ncost_escalation = {esc}\navailable_until_years = {until}\n"
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
        let retain = p
            .release_retain
            .map_or("{ cover_years = 2.0 }".to_string(), |r| r.to_string());
        t += &format!(
            "[[policy]]\nname = \"release\"\nkind = \"partner_release\"\nat_years = {}\nretain = {retain}\n{review}",
            p.at
        );
    }
    t
}
