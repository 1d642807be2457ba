//! The charts section: the policies' colour key, then each chart inline as SVG with a
//! heading, how to read it and links to its files.

use std::fmt::Write as _;

use super::{esc, swatch};
use crate::engine::RunSummary;
use crate::output::charts::Chart;

/// The charts section.
pub(super) fn charts(h: &mut String, summary: &RunSummary) -> anyhow::Result<()> {
    let _ = write!(
        h,
        "<section id=\"charts\">\n<h2>Charts</h2>\n<p class=\"key\">Policy colours, the same in every chart: {}</p>\n",
        summary
            .policies
            .iter()
            .enumerate()
            .map(|(i, p)| format!(
                "<span class=\"keyitem\">{}{}</span>",
                swatch(i),
                esc(&p.name)
            ))
            .collect::<Vec<_>>()
            .join(" ")
    );
    for (n, chart) in Chart::ALL.iter().enumerate() {
        figure(h, n + 1, *chart, summary)?;
    }
    h.push_str("</section>\n");
    Ok(())
}

/// Chart number `n` as a figure: heading, how to read it, the inline SVG, links to its files.
fn figure(h: &mut String, n: usize, chart: Chart, summary: &RunSummary) -> anyhow::Result<()> {
    let svg = chart.inline_svg(summary)?;
    let svg = svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{}\" ", esc(chart.title())),
        1,
    );
    let _ = write!(
        h,
        "<figure id=\"chart-{stem}\">\n<h3>{n}. {title}</h3>\n<p class=\"how\">{how}</p>\n{svg}\
         <figcaption>As files: <a href=\"{svg_name}\">{svg_name}</a> · <a href=\"{png_name}\">{png_name}</a></figcaption>\n</figure>\n",
        stem = chart.file_stem(),
        n = n,
        title = esc(chart.title()),
        how = how_to_read(chart, summary),
        svg = svg,
        svg_name = chart.svg_name(),
        png_name = chart.png_name(),
    );
    Ok(())
}

/// How to read `chart`, in a paragraph (markup-escaped).
fn how_to_read(chart: Chart, summary: &RunSummary) -> String {
    let cur = esc(summary.scenario.report.currency_label());
    let baseline = summary
        .policies
        .first()
        .map_or(String::new(), |p| esc(&p.name));
    match chart {
        Chart::Demand => "The black curve is the expected number of units demanded per year. The dark \
             brown step line is the median of the simulated futures, year by year, and the sand-coloured \
             band holds 90 % of them (5th to 95th percentile); the grey dots, joined by thin lines, are single \
             futures. Years with few or no orders show how intermittent the demand becomes."
            .to_string(),
        Chart::Stock => "One panel per policy. The line is the mean number of units on hand, the band \
             holds 90 % of futures. A drop at the start is the scrap or release of the excess. The bars \
             under each panel are the units arriving per year on average: re-manufactured units (paid \
             in runs with a setup cost) and units bought back from partners."
            .to_string(),
        Chart::CostDistribution => format!(
            "Each row is the spread of total discounted cost ({cur}) over the simulated futures, on the \
             same axis for every policy. The solid line is the mean, the dashed line the 95th \
             percentile: a bad but not extreme future. A wide or long-tailed histogram is a risky policy."
        ),
        Chart::CostBreakdown => format!(
            "The mean cost per part ({cur}, present value) split into its lines: carrying (holding) \
             cost, buy-backs, re-manufacture, shortage penalties to the right of zero; scrap, release and \
             end-of-horizon income to the left. The black bar under each stack is the net total. \
             The cost lines have greys and earth tones of their own, never a policy's colour. \
             Carrying cost against re-manufacture and shortages is the trade-off every policy makes."
        ),
        Chart::Comparison => format!(
            "Every policy is run on the same futures as the baseline, {baseline}, so each future gives a \
             cost difference. The diamond is the mean difference ({cur}) with its 95 % confidence \
             interval (often too narrow to see); the box and whiskers show how the difference varies \
             from future to future. Left of zero is cheaper than {baseline}."
        ),
        Chart::Service => "Fill rate is the share of units demanded that were served from stock at once; \
             P(no stock-out) the share of futures in which no unit ever went short. The curves show, \
             for each policy, the share of futures that have run short at least once by a given year: \
             the earlier a curve rises, the sooner the shelf runs empty."
            .to_string(),
    }
}
