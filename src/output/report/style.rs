//! The style sheet every report page shares (`report.html` of a run, a sweep and a portfolio),
//! inline in the page's head.

/// The style sheet of every report page.
pub(crate) const CSS: &str = "
:root { --ink: #212529; --soft: #555a62; --rule: #dee2e6; --zebra: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 16px/1.5 'DejaVu Sans', 'Segoe UI', Helvetica, Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 22px; margin: 36px 0 10px; border-bottom: 2px solid var(--rule); padding-bottom: 4px; }
h3 { font-size: 18px; margin: 0 0 4px; }
.description { font-size: 18px; margin: 0 0 6px; }
.meta, .how, figcaption, footer, caption, .tablenote { color: var(--soft); font-size: 14px; }
#verdict, .verdict { background: #f3f7fb; border-left: 5px solid #4e79a7; padding: 4px 20px 10px; margin-top: 24px; }
#verdict h2, .verdict h3 { border: 0; margin-top: 12px; }
.lead { font-size: 19px; margin: 6px 0 10px; }
#verdict li, .verdict li { margin: 4px 0; }
#verdict li.warning > strong:first-child, .verdict li.warning > strong:first-child { color: #b02a37; }
p.warning { border-left: 4px solid #b02a37; padding-left: 10px; }
td.poor, span.poor { color: #b02a37; }
span.poor { font-size: 13px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px;
  vertical-align: -1px; }
.keyitem { white-space: nowrap; margin-right: 14px; }
figure { margin: 28px 0 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; border: 1px solid var(--rule); margin: 6px 0; }
table { border-collapse: collapse; margin: 14px 0 22px; font-size: 14px; }
caption { text-align: left; padding: 0 0 6px; }
tbody th { white-space: nowrap; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); white-space: nowrap; }
tbody tr:nth-child(even) { background: var(--zebra); }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.na { color: var(--soft); }
th.wrap { white-space: normal; min-width: 6em; }
section > h3 { margin-top: 28px; }
div.wide { overflow-x: auto; }
th.wrap code { display: block; font-weight: normal; font-size: 12px; color: var(--soft); }
tr.total th, tr.total td { font-weight: bold; border-top: 2px solid var(--ink); }
table.assumptions th { width: 190px; white-space: nowrap; }
table.numbers { width: 100%; }
.tablenote { margin: -14px 0 22px; }
#numbers { overflow-x: auto; }
footer { margin-top: 36px; border-top: 1px solid var(--rule); padding-top: 8px; }
@media print { main { max-width: none; padding: 0; } h2 { break-after: avoid; } }
";
