//! `portfolio.json`: the typed report ([`PortfolioReport`]) of what `pimsim portfolio` found,
//! built from the portfolio and its analysis, and its rendering.

use super::*;

/// How each part's seed is derived, in words (`part_seeds` of `portfolio.json`).
const PART_SEEDS: &str = "each part's seed is derived from the portfolio seed and the part id \
                          (the seed column of portfolio.csv); pimsim run of the part's scenario \
                          with that --seed and these --paths gives the same results";

/// What `pimsim portfolio` found, as written to `portfolio.json`: the settings, per-policy
/// totals over all parts, the best mix, the ABC and XYZ classes and their rules
/// (docs/portfolios.md; the per-part figures are in `portfolio.csv` and
/// `portfolio_parts.csv`). Money is in the template's currency, discounted to t = 0. Every
/// object of the file has its keys in alphabetical order.
// The fields of these types are declared in that order, so that serde writes them so.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PortfolioReport {
    /// The baseline policy (the template's first), against which savings are counted
    /// (`null` only for a template without policies).
    pub baseline: Option<String>,
    /// Every part following its recommended policy.
    pub best_mix: BestMix,
    /// Parts per ABC and XYZ class, and the rules.
    pub classes: PortfolioClasses,
    /// The fill-rate target of the recommendation (share in [0, 1]; `null`: none).
    #[schemars(range(min = 0, max = 1))]
    pub fill_rate_target: Option<f64>,
    /// How each part's seed is derived, in words.
    pub part_seeds: String,
    /// Number of parts.
    pub parts: usize,
    /// The parts files' names, in the order given (joined on `part`).
    pub parts_files: Vec<String>,
    /// Demand paths per part.
    pub paths: u64,
    /// Version of pimsim that wrote the file (e.g. "0.1.0").
    pub pimsim_version: String,
    /// Per policy of the template, in its order: the portfolio total if every part followed
    /// it.
    pub policies: Vec<PortfolioPolicyTotal>,
    /// The portfolio seed (each part's own seed is derived from it and the part id).
    pub seed: u64,
    /// The rule each recommendation's service is judged by: poor below `fill_rate_floor` (the
    /// fill-rate target, else 0.95) or with a stock-out in more than `max_stockout_share` of
    /// the futures.
    pub service_rule: ServiceRule,
    /// The template scenario's file name.
    pub template: String,
}

/// A portfolio total: the sum over parts of their means, parts taken as independent
/// (currency).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct PortfolioTotal {
    /// 95 % confidence interval of the sum, [low, high] (currency).
    pub ci95: [f64; 2],
    /// Sum over parts of the mean (currency).
    pub mean: f64,
    /// Standard error of the sum: √(Σ standard error²) (currency).
    pub std_err: f64,
}

impl PortfolioTotal {
    fn of(t: &Total) -> PortfolioTotal {
        PortfolioTotal {
            ci95: [t.mean - Z95 * t.std_err, t.mean + Z95 * t.std_err],
            mean: t.mean,
            std_err: t.std_err,
        }
    }
}

/// One policy's portfolio total.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PortfolioPolicyTotal {
    /// What the policy does with the stock: hold, scrap or partner_release.
    #[schemars(with = "PolicyKind")]
    pub kind: String,
    /// The policy's name.
    pub policy: String,
    /// Parts for which it is the recommended policy.
    pub recommended_parts: usize,
    /// Sum over parts of the mean total discounted cost (currency).
    pub total_cost: PortfolioTotal,
}

/// The best mix: every part following its recommended policy.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct BestMix {
    /// Parts that meet the fill-rate target with their recommendation (all parts without a
    /// target).
    pub parts_meeting_target: usize,
    /// Parts whose recommendation serves poorly by `service_rule` but have a dearer policy
    /// that serves well (`better_service_policy` in portfolio_parts.csv).
    pub parts_with_better_service: usize,
    /// Parts whose recommendation serves poorly by `service_rule` (`service_poor` in
    /// portfolio_parts.csv).
    pub parts_with_poor_service: usize,
    /// Sum over parts of the saving of the recommended policy against the baseline on the
    /// same paths (currency; the standard errors are paired per part).
    pub saving_vs_baseline: PortfolioTotal,
    /// Sum over parts of the recommended policy's mean total cost (currency).
    pub total_cost: PortfolioTotal,
}

/// Parts per ABC class (by annual usage value) and XYZ class (by demand variability).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PortfolioClasses {
    /// Per ABC class.
    pub abc: AbcClasses,
    /// Parts per ABC × XYZ cell.
    pub abc_xyz: AbcXyzCounts,
    /// The rules of the classes, in words.
    pub rules: ClassRules,
    /// Per XYZ class.
    pub xyz: XyzClasses,
}

/// The ABC classes.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AbcClasses {
    /// Class A: the parts of largest annual usage value, up to 80 % of the total (see
    /// `rules.abc`).
    #[serde(rename = "A")]
    pub a: AbcClass,
    /// Class B: the next parts, up to 95 % of the total.
    #[serde(rename = "B")]
    pub b: AbcClass,
    /// Class C: the other parts.
    #[serde(rename = "C")]
    pub c: AbcClass,
}

/// One ABC class.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AbcClass {
    /// Sum of the annual usage values of its parts: `part.unit_cost` × expected units in the
    /// first year (currency per year).
    pub annual_usage_value: f64,
    /// Number of parts.
    pub parts: usize,
}

/// The XYZ classes.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct XyzClasses {
    /// Class X: coefficient of variation of first-year demand up to 0.5.
    #[serde(rename = "X")]
    pub x: XyzClass,
    /// Class Y: up to 1.
    #[serde(rename = "Y")]
    pub y: XyzClass,
    /// Class Z: above 1, or no expected demand.
    #[serde(rename = "Z")]
    pub z: XyzClass,
}

/// One XYZ class.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct XyzClass {
    /// Number of parts.
    pub parts: usize,
}

/// Parts per ABC × XYZ cell (`AX`: class A and class X, …).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AbcXyzCounts {
    /// Parts of classes A and X.
    #[serde(rename = "AX")]
    pub ax: usize,
    /// Parts of classes A and Y.
    #[serde(rename = "AY")]
    pub ay: usize,
    /// Parts of classes A and Z.
    #[serde(rename = "AZ")]
    pub az: usize,
    /// Parts of classes B and X.
    #[serde(rename = "BX")]
    pub bx: usize,
    /// Parts of classes B and Y.
    #[serde(rename = "BY")]
    pub by: usize,
    /// Parts of classes B and Z.
    #[serde(rename = "BZ")]
    pub bz: usize,
    /// Parts of classes C and X.
    #[serde(rename = "CX")]
    pub cx: usize,
    /// Parts of classes C and Y.
    #[serde(rename = "CY")]
    pub cy: usize,
    /// Parts of classes C and Z.
    #[serde(rename = "CZ")]
    pub cz: usize,
}

/// The rules of the classes, in words.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ClassRules {
    /// The ABC rule.
    pub abc: String,
    /// The XYZ rule.
    pub xyz: String,
}

impl PortfolioReport {
    /// The report of the portfolio `p` with the analysis `a`.
    pub fn of(p: &Portfolio, a: &Analysis) -> PortfolioReport {
        let m = class_matrix(a);
        let abc = |r: usize, class: char| AbcClass {
            annual_usage_value: a
                .parts
                .iter()
                .filter(|pa| pa.abc == class)
                .map(|pa| pa.annual_usage_value)
                .sum(),
            parts: m[r].iter().sum(),
        };
        let xyz = |c: usize| XyzClass {
            parts: (0..3).map(|r| m[r][c]).sum(),
        };
        PortfolioReport {
            baseline: p.meta.policies.first().map(|x| x.0.clone()),
            best_mix: BestMix {
                parts_meeting_target: a.parts_meeting_target,
                parts_with_better_service: a.parts_with_better_service,
                parts_with_poor_service: a.parts_with_poor_service,
                saving_vs_baseline: PortfolioTotal::of(&a.best_mix_saving),
                total_cost: PortfolioTotal::of(&a.best_mix),
            },
            classes: PortfolioClasses {
                abc: AbcClasses {
                    a: abc(0, 'A'),
                    b: abc(1, 'B'),
                    c: abc(2, 'C'),
                },
                abc_xyz: AbcXyzCounts {
                    ax: m[0][0],
                    ay: m[0][1],
                    az: m[0][2],
                    bx: m[1][0],
                    by: m[1][1],
                    bz: m[1][2],
                    cx: m[2][0],
                    cy: m[2][1],
                    cz: m[2][2],
                },
                rules: ClassRules {
                    abc: format!(
                        "by annual usage value (unit_cost × expected units in the first year), \
                         largest first: A while the value before the part is below {} % of the \
                         total, B below {} %, else C",
                        ABC_A * 100.0,
                        ABC_B * 100.0
                    ),
                    xyz: format!(
                        "by the coefficient of variation of the units demanded in the first year \
                         under the part's demand model: X up to {XYZ_X}, Y up to {XYZ_Y}, Z above \
                         or without expected demand"
                    ),
                },
                xyz: XyzClasses {
                    x: xyz(0),
                    y: xyz(1),
                    z: xyz(2),
                },
            },
            fill_rate_target: p.meta.fill_rate_target,
            part_seeds: PART_SEEDS.to_string(),
            parts: p.parts.len(),
            parts_files: p.meta.parts_files.clone(),
            paths: p.meta.paths,
            pimsim_version: env!("CARGO_PKG_VERSION").to_string(),
            policies: a
                .policies
                .iter()
                .map(|t| PortfolioPolicyTotal {
                    kind: t.kind.clone(),
                    policy: t.policy.clone(),
                    recommended_parts: t.recommended_parts,
                    total_cost: PortfolioTotal::of(&t.total_cost),
                })
                .collect(),
            seed: p.meta.seed,
            service_rule: a.service_rule,
            template: p.meta.template.clone(),
        }
    }
}

/// `portfolio.json` ([`PortfolioReport`]): settings, per-policy totals, the best mix, the
/// classes and their rules.
pub fn render_portfolio_json(p: &Portfolio, a: &Analysis) -> anyhow::Result<Vec<u8>> {
    let mut text = serde_json::to_string_pretty(&PortfolioReport::of(p, a))?;
    text.push('\n');
    Ok(text.into_bytes())
}
