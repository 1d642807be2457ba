//! `docs/scenario-reference.md` is rendered from the validator's own key table
//! (`pimsim::scenario::keys`); the committed page must be exactly what the table renders.
//! `PIMSIM_UPDATE_DOCS=1 cargo test --release --test integration scenario_reference` rewrites
//! it.

use std::path::Path;

use pimsim::scenario::keys::{self, Kind, TABLES};

const PAGE: &str = "docs/scenario-reference.md";

#[test]
fn scenario_reference_is_rendered_from_the_key_table() {
    let rendered = keys::reference_markdown();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(PAGE);
    if std::env::var_os("PIMSIM_UPDATE_DOCS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &rendered).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != rendered {
        let line = committed
            .lines()
            .zip(rendered.lines())
            .position(|(a, b)| a != b)
            .map_or(
                committed.lines().count().min(rendered.lines().count()),
                |i| i,
            )
            + 1;
        panic!(
            "{PAGE} is out of date with the key table (src/scenario/keys/): first difference at \
             line {line}:\n  committed: {}\n  rendered:  {}\nRun `PIMSIM_UPDATE_DOCS=1 cargo test \
             --release --test integration scenario_reference` and commit the file.",
            committed.lines().nth(line - 1).unwrap_or("(end of file)"),
            rendered.lines().nth(line - 1).unwrap_or("(end of file)"),
        );
    }
}

#[test]
fn the_reference_names_every_key_and_table() {
    let page = keys::reference_markdown();
    assert!(page.starts_with("# Scenario file reference\n\nThis page lists every key"));
    for (path, key) in keys::all_keys() {
        assert!(page.contains(&format!("| `{path}` |")), "{path} missing");
        assert!(!key.description.is_empty(), "{path} has no description");
        assert!(
            !key.default.is_empty() || path.contains("retain.") || path.starts_with("sweep."),
            "{path} has no default"
        );
    }
    // Every table a key of kind table or array of tables refers to has its own section.
    for table in TABLES {
        for key in table.keys {
            if matches!(key.kind, Kind::Table | Kind::Tables) {
                let sub = match key.kind {
                    Kind::Tables => format!("{}[]", table.dotted(key)),
                    _ => table.dotted(key),
                };
                assert!(keys::table(&sub).is_some(), "no table {sub}");
            }
        }
    }
}
