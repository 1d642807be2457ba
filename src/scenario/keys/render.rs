//! The reference page `docs/scenario-reference.md`, rendered from the key tables.

use super::{Bound, Key, Kind, Limits, TABLES, TableSpec, num};

/// The Markdown of `docs/scenario-reference.md`: every table and key of a scenario file, from
/// the validator's own tables (so the page cannot drift from what `pimsim check` accepts).
pub fn reference_markdown() -> String {
    let mut out = String::new();
    out.push_str("# Scenario file reference\n\n");
    out.push_str(
        "This page lists every key a pimsim scenario file may hold, with its type, unit, \
         default, allowed values and meaning, so that a scenario can be written and checked \
         against one complete reference. It is generated from the table of keys the validator \
         itself uses (`src/scenario/keys/`), so it says exactly what `pimsim check` accepts; \
         do not edit it by hand: `PIMSIM_UPDATE_DOCS=1 cargo test --release --test integration \
         scenario_reference` rewrites it, and the test fails when it is out of date. The \
         guide to scenario files, [scenarios.md](scenarios.md), explains the model behind the keys.\n\n",
    );
    out.push_str(
        "Keys are written with their dotted path: `demand.half_life_years` is `half_life_years` \
         in the `[demand]` table; `policy[].retain` is `retain` in every `[[policy]]`. Numbers \
         marked \"> 0\" must also be normal floating-point numbers (at least 2.2·10^-308). \
         Limits that involve other keys are given in words; the keys they depend on are listed \
         under \"also limited by\".\n",
    );
    for table in TABLES {
        render_table(&mut out, table);
    }
    out
}

fn heading(table: &TableSpec) -> String {
    match table.path {
        "" => "The tables of a scenario file".to_string(),
        p if p.ends_with("[]") => format!("`[[{}]]`", p.trim_end_matches("[]")),
        p if p.starts_with("policy[].")
            || p.contains(".lead_time_")
            || p.contains(".response_") =>
        {
            format!("`{p} = {{ … }}`")
        }
        p => format!("`[{p}]`"),
    }
}

fn render_table(out: &mut String, table: &TableSpec) {
    out.push_str(&format!(
        "\n## {}\n\n{}\n\n",
        heading(table),
        cell(table.about)
    ));
    out.push_str("| key | type | unit | default | allowed | description |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for key in table.keys {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            table.dotted(key),
            cell(&kind(key)),
            cell(key.unit),
            cell(key.default),
            cell(&allowed(key)),
            cell(key.description),
        ));
    }
}

fn kind(key: &Key) -> String {
    match key.kind {
        Kind::Choice(values) => format!(
            "{} {}",
            key.kind.describe(),
            values
                .iter()
                .map(|v| format!("`\"{v}\"`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.describe().to_string(),
    }
}

/// The allowed values in words: limits, selector, further rules, keys that narrow them.
fn allowed(key: &Key) -> String {
    let mut parts = Vec::new();
    match key.limits {
        Limits::None => {}
        Limits::Number(b @ Bound::Money(..)) => parts.push(format!(
            "{}; 0 or at least {:e} in size",
            b.interval(),
            super::MIN_MONEY
        )),
        Limits::Number(b) => parts.push(match key.kind {
            Kind::Numbers => format!("each {}", b.interval()),
            Kind::NumberOrDistribution => format!("a number {}, or a table", b.interval()),
            _ => b.interval(),
        }),
        Limits::Integer(min, i64::MAX) => parts.push(format!("≥ {min}")),
        Limits::Integer(min, max) => {
            parts.push(format!("in [{}, {}]", num(min as f64), num(max as f64)))
        }
    }
    if !key.applies_to.is_empty() {
        parts.push(format!(
            "only with {}",
            key.applies_to
                .iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !key.rule.is_empty() {
        parts.push(key.rule.to_string());
    }
    if !key.also_limited_by.is_empty() {
        parts.push(format!(
            "also limited by {}",
            key.also_limited_by
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    parts.join("; ")
}

/// Text for a table cell: pipes escaped, powers of ten written 10^k kept as they are.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}
