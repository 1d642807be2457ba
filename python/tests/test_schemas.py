"""The dicts the package returns (``.summary``) are the JSON files the schemas in ``schema/``
describe: each validates, and a damaged one does not (so the check can fail)."""

from __future__ import annotations

import copy
import json

import pytest

import pimsim

jsonschema = pytest.importorskip("jsonschema")


def schema(root, name):
    return json.loads((root / "schema" / f"{name}.schema.json").read_text())


def errors(root, name, document):
    validator = jsonschema.Draft202012Validator(schema(root, name))
    return [e.message for e in validator.iter_errors(document)]


def test_the_schemas_are_valid_draft_2020_12(root):
    for name in ("summary", "optimize", "sweep", "portfolio"):
        jsonschema.Draft202012Validator.check_schema(schema(root, name))


def test_every_result_s_summary_validates(root, scenarios):
    run = pimsim.run(scenarios / "heavy_machinery.toml", paths=300, seed=3)
    assert errors(root, "summary", run.summary) == []
    opt = pimsim.optimize(scenarios / "benchmark.toml", policy="scrap-60", paths=200)
    assert errors(root, "optimize", opt.summary) == []
    sweep = pimsim.sweep(scenarios / "sweep_release_vs_scrap.toml", paths=100)
    assert errors(root, "sweep", sweep.summary) == []
    fitted = pimsim.fit(scenarios / "history" / "history.csv", origin="end")
    template = pimsim.Scenario.from_file(scenarios / "portfolio_template.toml")
    master = scenarios / "history" / "part_master.csv"
    folio = pimsim.portfolio([fitted, master], template, paths=100)
    assert errors(root, "portfolio", folio.summary) == []


def test_a_damaged_summary_does_not_validate(root, scenarios):
    summary = pimsim.run(scenarios / "benchmark.toml", paths=200).summary
    missing = copy.deepcopy(summary)
    del missing["seed"]
    assert any("'seed' is a required property" in e for e in errors(root, "summary", missing))
    wrong = copy.deepcopy(summary)
    wrong["paths"] = "many"
    assert any("is not of type 'integer'" in e for e in errors(root, "summary", wrong))
    nested = copy.deepcopy(summary)
    nested["policies"][0]["fill_rate"] = 1.5  # a share is at most 1
    assert errors(root, "summary", nested) != []


def test_a_field_added_later_still_validates(root, scenarios):
    # docs/output.md: a new field is an addition, so the schemas leave unknown fields open.
    summary = pimsim.run(scenarios / "benchmark.toml", paths=200).summary
    summary["policies"][0]["added_in_a_later_version"] = 1
    assert errors(root, "summary", summary) == []
