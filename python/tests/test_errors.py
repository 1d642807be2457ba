"""Bad input raises ScenarioError (a ValueError) with every problem's file, line, column, key
and value, as the command line prints them; the library's other errors map to OSError,
RuntimeError and KeyboardInterrupt, and a panic never aborts the interpreter."""

from __future__ import annotations

import re

import pandas as pd

import pytest

import pimsim
from pimsim import _native

BAD = """\
[scenario]
horizon_years = 10

[part]
unit_cost = 100.0
on_hand = 50

[demand]
model = "constant"
rate = -5.0

[costs]
holding_rat = 0.2
shortage_penalty = 500.0

[[policy]]
name = "hold"
kind = "hold"
"""


def test_every_problem_with_file_line_column_key_and_value(tmp_path, cli):
    path = tmp_path / "bad.toml"
    path.write_text(BAD)
    with pytest.raises(pimsim.ScenarioError) as caught:
        pimsim.Scenario.from_file(path)
    e = caught.value
    assert isinstance(e, ValueError)
    assert [(p.line, p.column, p.key) for p in e.problems] == [
        (10, 8, "demand.rate"),
        (13, 1, "costs.holding_rat"),
        (12, 1, "costs.holding_rate"),
    ]
    assert (e.file, e.line, e.column, e.key, e.value) == (str(path), 10, 8, "demand.rate", "-5.0")
    assert "did you mean `holding_rate`?" in e.problems[1].message
    assert all(p.severity == "error" for p in e.problems)
    # Word for word what `pimsim check` prints, less the source line and caret the terminal
    # shows under each problem (a display of the command line; here the line and column are
    # attributes).
    check = cli("check", path, check=False)
    assert check.returncode == 2
    snippet = re.compile(r"^ *[0-9]* \|")
    assert any(snippet.match(line) for line in check.stderr.splitlines())
    printed = [line for line in check.stderr.splitlines() if not snippet.match(line)]
    assert str(e).splitlines() == printed
    assert [str(p) for p in e.problems] == printed[:-1]


def test_a_text_is_checked_at_its_own_lines():
    with pytest.raises(pimsim.ScenarioError) as caught:
        pimsim.Scenario.from_toml(BAD, name="mine.toml")
    assert (caught.value.file, caught.value.line, caught.value.key) == ("mine.toml", 10, "demand.rate")


def test_an_unreadable_file_is_a_scenario_error(tmp_path):
    with pytest.raises(pimsim.ScenarioError) as caught:
        pimsim.Scenario.from_file(tmp_path / "missing.toml")
    assert caught.value.file == str(tmp_path / "missing.toml")
    assert "cannot read" in str(caught.value)


def test_bad_overrides_name_their_key(scenarios):
    s = pimsim.Scenario.from_file(scenarios / "benchmark.toml")
    with pytest.raises(pimsim.ScenarioError) as caught:
        s.with_overrides({"policy.scrap-6.retain": 40})
    assert caught.value.key == "policy.scrap-6.retain"
    assert "did you mean `policy.scrap-60`?" in str(caught.value)
    with pytest.raises(pimsim.ScenarioError) as caught:
        s.with_overrides({"policy.scrap-60.retain": -3})
    assert caught.value.key == "policy[1].retain" and caught.value.value == "-3"
    assert caught.value.line > 0 and caught.value.column > 0
    with pytest.raises(pimsim.ScenarioError) as caught:
        s.with_overrides({"demand.rte": 3.0})
    assert caught.value.key == "demand.rte" and "did you mean `rate`?" in str(caught.value)


def test_none_and_other_types_have_no_value(scenarios):
    s = pimsim.Scenario.from_file(scenarios / "benchmark.toml")
    with pytest.raises(pimsim.ScenarioError) as caught:
        s.with_overrides({"demand.rate": None})
    assert caught.value.key == "demand.rate" and "None" in str(caught.value)
    d = s.to_dict()
    d["part"]["on_hand"] = object()
    with pytest.raises(pimsim.ScenarioError) as caught:
        pimsim.Scenario.from_dict(d)
    assert caught.value.key == "part.on_hand"


@pytest.mark.parametrize(
    "call, key",
    [
        (lambda s: pimsim.run(s, paths=0), "paths"),
        (lambda s: pimsim.run(s, paths=10**13), "paths"),
        (lambda s: pimsim.run(s, threads=5000), "threads"),
        (lambda s: pimsim.optimize(s, fill_rate_target=1.5), "fill_rate_target"),
        (lambda s: pimsim.optimize(s, policy="scrap-6"), "policy"),
        (lambda s: pimsim.fit("h.csv", origin="start"), "origin"),
    ],
)
def test_bad_arguments_are_refused_as_the_command_line_refuses_its_flags(scenarios, call, key):
    s = pimsim.Scenario.from_file(scenarios / "benchmark.toml")
    with pytest.raises(pimsim.ScenarioError) as caught:
        call(s)
    assert caught.value.key == key


def test_a_bad_cell_of_a_parts_frame_is_reported_at_its_row(scenarios):
    parts = pd.DataFrame({"part": ["P-1", "P-2", "P-3"], "part.on_hand": [12, -3, 40]})
    with pytest.raises(pimsim.ScenarioError) as caught:
        pimsim.portfolio(("master.csv", parts), scenarios / "portfolio_template.toml", paths=10)
    e = caught.value
    # Row 1 of the frame is line 3 (the header is line 1); column 2 is part.on_hand.
    assert (e.file, e.line, e.column, e.key, e.value) == ("master.csv", 3, 2, "part.on_hand", '"-3"')


def test_a_bad_row_of_a_history_frame_is_reported_at_its_line():
    history = pd.DataFrame({"part": ["A", "A"], "period": ["2020-01", "2020-13"], "quantity": [1, 2]})
    with pytest.raises(pimsim.ScenarioError) as caught:
        pimsim.fit(history, name="erp.csv")
    assert caught.value.file == "erp.csv"
    assert caught.value.line == 3
    assert caught.value.key == "period"


def test_a_foreign_directory_is_never_written_into(tmp_path, scenarios):
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter.tex").write_text("precious")
    result = pimsim.run(scenarios / "benchmark.toml", paths=100)
    with pytest.raises(pimsim.ScenarioError) as caught:
        result.write(mine)
    assert "did not create" in str(caught.value)
    assert [p.name for p in mine.iterdir()] == ["chapter.tex"]


def test_warnings_are_issued_with_their_line():
    text = (
        BAD.replace("rate = -5.0", "rate = 5.0")
        .replace("holding_rat = 0.2\n", "")
        .replace("horizon_years = 10", "horizon_years = 10\ndiscount_rate = 0.05")
        + "\n[costs.holding]\ncapital = 0.08\nstorage = 0.05\n"
    )
    with pytest.warns(pimsim.ScenarioWarning) as caught:
        s = pimsim.Scenario.from_toml(text, "money.toml")
    assert len(s.warnings) == 1
    w = s.warnings[0]
    assert (w.severity, w.file, w.key) == ("warning", "money.toml", "costs.holding.capital")
    assert w.line == text.splitlines().index("capital = 0.08") + 1
    assert caught[0].message.problem == w


@pytest.mark.parametrize(
    "kind, exception",
    [
        ("input", pimsim.ScenarioError),
        ("cancelled", KeyboardInterrupt),
        ("machine", OSError),
        ("internal", RuntimeError),
        ("panic", RuntimeError),
    ],
)
def test_each_error_of_the_library_is_its_python_exception(kind, exception):
    with pytest.raises(exception) as caught:
        _native._fail_for_tests(kind)
    if kind == "panic":
        assert "panicked: a test of a panic" in str(caught.value)
    # The interpreter is still alive and well after a panic in the library.
    assert pimsim.Scenario.from_toml(BAD.replace("-5.0", "5.0").replace("holding_rat", "holding_rate"))
