"""Target 10 in a plain `make bench`: the last `make bench-district` run's rows, or none."""

from __future__ import annotations

import json
from pathlib import Path

import district
import pytest
from district import SeedRun, earlier_rows
from targets import BY_ID, Report, Row, district_record


def test_without_a_district_run_target_10_is_not_available_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(district, "RESULTS", tmp_path / "district-latest.json")
    report = Report()
    earlier_rows(report)
    assert {name: row.met for name, row in report.rows.items()} == {"10a": False, "10b": False}
    assert "`make bench-district` measures it" in report.rows["10b"].note


def test_the_last_district_run_is_shown_with_where_it_comes_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = tmp_path / "district-latest.json"
    rows = [Row(BY_ID["10a"], 170.0, 160.0, note="page"), Row(BY_ID["10b"], 700.0, note="x")]
    made = {"commit": "abc1234", "date": "2026-11-30T09:00:00+00:00"}
    results.write_text(json.dumps(district_record(rows, made)))
    monkeypatch.setattr(district, "RESULTS", results)
    report = Report()
    earlier_rows(report)
    assert report.rows["10a"].met and not report.rows["10b"].met  # 700 s: over 10 minutes
    assert report.rows["10b"].note.startswith("from `make bench-district` at abc1234")


def test_the_seeds_details_give_wall_time_and_cpu_per_event() -> None:
    run = SeedRun(wall=400.0, cpu=200.0, postgres_cpu=50.0, load_before=1.5, load_after=2.0)
    assert run.details(1_000_000) == (
        "1,000,000 events in 400 s wall (2,500/s), one process: seed CPU 200 s (200 µs/event), "
        "all PostgreSQL processes' CPU 50 s (50 µs/event); load average 1.5 before, 2.0 after"
    )
