"""The benchmark report's arithmetic (``benchmarks/run.py``); no timing is measured here."""

from __future__ import annotations

import statistics

from benchmarks.run import Row, Table, Target


def _table(rounds: dict[str, list[float]]) -> Table:
    table = Table("t", [("cpu", "CPU")], ratio_key="cpu", rounds=rounds)
    for name, values in rounds.items():
        table.rows.append(Row(name, "ours", {"cpu": statistics.median(values)}))
    return table


def test_ratios_pair_the_rounds() -> None:
    # The machine slows down in round 3: both sides pay, the per-round ratio stays 1.2.
    table = _table({"ours": [120.0, 120.0, 240.0, 240.0], "floor": [100.0, 100.0, 200.0, 200.0]})
    assert table.ratio("ours", "floor") == 1.2
    # Ratio of the medians (180 / 150) is what unpaired samples give.
    unpaired = _table({"ours": [120.0, 240.0, 240.0], "floor": [100.0, 100.0, 200.0, 300.0]})
    assert unpaired.ratio("ours", "floor") == statistics.median([120.0, 240.0, 240.0]) / 150.0


def test_other_columns_use_the_medians() -> None:
    table = _table({"ours": [1.0, 3.0], "floor": [2.0, 2.0]})
    table.rows[0].values["wall"] = 9.0
    table.rows[1].values["wall"] = 3.0
    assert table.ratio("ours", "floor", key="wall") == 3.0


def test_a_row_outside_the_issue_is_never_reported_missed() -> None:
    inside = Target("import", 0.55, 0.4)
    outside = Target("class import", 0.55, 0.4, in_issue=False)
    assert inside.cells()[3] == "**missed**"
    assert outside.cells()[3] == "above (not an issue target)"
    assert Target("x", 0.3, 0.4, in_issue=False).cells()[3] == "within (not an issue target)"
