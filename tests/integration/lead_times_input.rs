//! Bad delay tables (issue 18, uncertain lead times): each refused with exit code 2 and one
//! error naming the file, the line, the key, the bad value and what is allowed. The table is
//! treated as hostile input (an ERP export pasted in): a huge array is one message, not one per
//! entry. Edits of the valid scenario of bad_input.rs, one line each.

/// Bad delays: (edit of the [`crate::bad_input::BASE`] line, key named, message fragment).
const BAD: &[(&str, &str, &str, &str)] = &[
    (
        "lead_time_years = 0.5",
        r#"lead_time_years = { distribution = "gama", mean = 0.5, cv = 0.4 }"#,
        "remanufacture.lead_time_years.distribution",
        "did you mean \"gamma\"?",
    ),
    (
        "lead_time_years = 0.5",
        "lead_time_years = { mean = 0.5, cv = 0.4 }",
        "remanufacture.lead_time_years.distribution",
        "missing required key; one of \"fixed\", \"gamma\"",
    ),
    (
        "lead_time_years = 0.5",
        r#"lead_time_years = { distribution = "gamma", mean = 0.5, cv = 0.4, lo = 0.1 }"#,
        "remanufacture.lead_time_years.lo",
        "not a parameter of distribution \"gamma\"; its parameters are: mean, cv",
    ),
    (
        "lead_time_years = 0.5",
        r#"lead_time_years = { distribution = "lognormal", mean = 0.5, cv = 0 }"#,
        "remanufacture.lead_time_years.cv",
        "must be a number in [0.001, 10]",
    ),
    (
        "lead_time_years = 0.5",
        r#"lead_time_years = { distribution = "gamma", cv = 0.4 }"#,
        "remanufacture.lead_time_years.mean",
        "missing required key",
    ),
    (
        "lead_time_years = 0.5",
        r#"lead_time_years = { distribution = "uniform", lo = 2, hi = 1 }"#,
        "remanufacture.lead_time_years.hi",
        "must be ≥ lo (2)",
    ),
    (
        "lead_time_years = 0.5",
        r#"lead_time_years = { distribution = "gamma", mean = 0.5, cv = 0.4, crosing = false }"#,
        "remanufacture.lead_time_years.crosing",
        "did you mean `crossing`?",
    ),
    (
        "lead_time_years = 0.5",
        r#"lead_time_years = { distribution = "gamma", mean = 0.5, cv = 0.4, crossing = "no" }"#,
        "remanufacture.lead_time_years.crossing",
        "expected true or false",
    ),
    (
        "lead_time_years = 0.5",
        r#"lead_time_years = "half a year""#,
        "remanufacture.lead_time_years",
        "or a table naming a distribution",
    ),
    (
        "response_days = 14",
        r#"response_days = { distribution = "empirical", values = [10, -3] }"#,
        "partner[0].response_days.values[1]",
        "must be a number in [0, 365250] (days)",
    ),
    (
        "response_days = 14",
        r#"response_days = { distribution = "empirical", values = [10, nan] }"#,
        "partner[0].response_days.values[1]",
        "must be a number in [0, 365250]",
    ),
    (
        "response_days = 14",
        r#"response_days = { distribution = "empirical", values = [10, "12"] }"#,
        "partner[0].response_days.values[1]",
        "must be a number",
    ),
    (
        "response_days = 14",
        r#"response_days = { distribution = "empirical", values = [] }"#,
        "partner[0].response_days.values",
        "must hold at least one recorded delay",
    ),
    (
        "response_days = 14",
        r#"response_days = { distribution = "empirical", values = [10, 20], weights = [1] }"#,
        "partner[0].response_days.weights",
        "holds 1 weights for 2 values; give one weight per value",
    ),
    (
        "response_days = 14",
        r#"response_days = { distribution = "empirical", values = [10, 20], weights = [0, 0] }"#,
        "partner[0].response_days.weights",
        "are all 0",
    ),
    (
        "response_days = 14",
        r#"response_days = { distribution = "empirical", values = [10, 20], weights = [1, 1e300] }"#,
        "partner[0].response_days.weights[1]",
        "must be a number in [0, 10^12]",
    ),
    (
        "response_days = 14",
        r#"response_days = { distribution = "gamma", mean = 400000, cv = 0.5 }"#,
        "partner[0].response_days.mean",
        "(days)",
    ),
];

#[test]
fn bad_delays_name_their_key_line_and_what_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let huge = format!(
        "response_days = {{ distribution = \"empirical\", values = [{}] }}",
        vec!["1"; 100_001].join(", ")
    );
    let mut cases: Vec<(&str, &str, &str, &str)> = BAD.to_vec();
    cases.push((
        "response_days = 14",
        &huge,
        "partner[0].response_days.values",
        "holds 100001 entries; at most 100000 are allowed",
    ));
    let mut failures = Vec::new();
    for (n, (find, replace, key, fragment)) in cases.iter().enumerate() {
        let base = crate::bad_input::BASE;
        assert_eq!(base.matches(find).count(), 1, "{find}");
        let line = base.lines().position(|l| l == *find).unwrap() + 1;
        let file = dir.path().join(format!("delay{n}.toml"));
        std::fs::write(&file, base.replace(find, replace)).unwrap();
        let out = crate::common::pimsim()
            .arg("check")
            .arg(&file)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let at = format!("delay{n}.toml:{line}:");
        let hit = err.lines().any(|l| {
            l.contains(&at) && l.contains(&format!("error: `{key}`")) && l.contains(fragment)
        });
        let errors = err.lines().filter(|l| l.contains("error:")).count();
        if out.status.code() != Some(2) || !hit || errors != 1 || err.contains("panicked") {
            failures.push(format!(
                "`{replace:.120}`: expected exit 2 and one error `{at}…{key}…{fragment}`; got {:?}:\n{err:.2000}",
                out.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
