"""The harness's pure parts: met or not, the targets-met line, the table and the JSON."""

from __future__ import annotations

import json

import pytest
from load import Run, parse_output
from targets import (
    BY_ID,
    TARGETS,
    Report,
    Row,
    as_json,
    district_record,
    district_rows,
    markdown,
    not_available,
    summary_line,
    table,
)


def every_target_met() -> list[Row]:
    rows = []
    for target in TARGETS:
        if target.kind == "ratio_min":
            rows.append(Row(target, target.bound * 2, 1.0))
        elif target.kind == "ratio_max":
            rows.append(Row(target, target.bound / 2, 1.0))
        elif target.kind == "value_min":
            rows.append(Row(target, target.bound * 2))
        else:
            rows.append(Row(target, target.bound / 2))
    return rows


def test_issue_11_has_ten_targets_and_each_row_an_id_of_its_own() -> None:
    assert sorted({t.group for t in TARGETS}) == list(range(1, 11))
    assert len({t.id for t in TARGETS}) == len(TARGETS)


def test_a_ratio_is_ours_over_the_peer() -> None:
    assert Row(BY_ID["1a"], 300.0, 1_200.0).ratio == pytest.approx(0.25)


def test_a_ratio_at_least_is_met_at_the_bound_and_not_below_it() -> None:
    assert Row(BY_ID["1a"], 500.0, 1_000.0).met
    assert not Row(BY_ID["1a"], 499.0, 1_000.0).met


def test_a_ratio_at_most_is_met_at_the_bound_and_not_above_it() -> None:
    assert Row(BY_ID["5a"], 15.0, 10.0).met
    assert not Row(BY_ID["5a"], 15.1, 10.0).met


def test_a_value_below_a_bound_must_be_strictly_below() -> None:
    assert Row(BY_ID["7a"], 19.9).met
    assert not Row(BY_ID["7a"], 20.0).met


def test_a_rate_at_least_a_bound_is_met_at_it() -> None:
    assert Row(BY_ID["6"], 20_000.0).met
    assert not Row(BY_ID["6"], 19_999.0).met


def test_a_failed_side_condition_fails_a_row_whose_figure_is_good() -> None:
    assert not Row(BY_ID["3"], 900.0, 1_000.0, condition=False).met


def test_a_row_without_a_figure_or_with_a_peer_of_zero_is_not_met() -> None:
    assert not not_available(BY_ID["1b"], "no cache").met
    assert not Row(BY_ID["2"], 10.0, 0.0).met
    assert Row(BY_ID["2"], 10.0, 0.0).ratio is None


def test_the_summary_counts_a_target_only_when_all_its_rows_are_met() -> None:
    rows = every_target_met()
    assert summary_line(rows) == "targets met: 10/10"
    rows[[r.target.id for r in rows].index("4b")] = Row(BY_ID["4b"], 1.0, 1.0)
    assert summary_line(rows) == "targets met: 9/10"


def test_a_report_fills_in_rows_the_run_never_reached() -> None:
    report = Report()
    report.add(Row(BY_ID["2"], 900.0, 1_000.0))
    rows = report.ordered()
    assert [r.target.id for r in rows] == [t.id for t in TARGETS]
    assert "stopped before" in rows[0].note
    assert summary_line(rows) == "targets met: 1/10"


def test_the_table_has_a_line_per_row_saying_met_or_not() -> None:
    rows = every_target_met()
    rows[0] = Row(BY_ID["1a"], 100.0, 1_000.0)
    lines = table(rows)
    row_lines = [line for line in lines[2 : 2 + len(TARGETS)]]
    assert [line.split()[0] for line in row_lines] == [t.id for t in TARGETS]
    assert row_lines[0].endswith("NO") and "0.10x" in row_lines[0]
    assert all(line.endswith("yes") for line in row_lines[1:])


def test_the_json_holds_each_row_and_the_count_and_survives_a_round_trip() -> None:
    rows = every_target_met()
    document = json.loads(json.dumps(as_json(rows, {"mode": "quick"})))
    assert document["run"] == {"mode": "quick"}
    assert (document["targets_met"], document["targets"]) == (10, 10)
    first = document["rows"][0]
    assert set(first) == {
        "id", "target", "measure", "unit", "ours", "peer", "peer_name", "ratio", "bound",
        "met", "note",
    }  # fmt: skip
    assert first["id"] == "1a" and first["bound"] == ">= 0.5x" and first["met"] is True


def test_wrk_output_is_read_from_the_lua_scripts_line() -> None:
    output = (
        "Running 3s test @ http://127.0.0.1:1/graphql\n  2 threads and 32 connections\n"
        'BENCH_JSON {"requests": 843, "seconds": 3.0, "bad_status": 1, "conflicts": 2, '
        '"graphql_errors": 0, "socket_errors": 0, "timeouts": 0, "p50_ms": 101.2, '
        '"p95_ms": 370.3, "p99_ms": 684.5}\n'
    )
    run = parse_output(output)
    assert run == Run(843, 3.0, 101.2, 370.3, 684.5, bad_status=1, conflicts=2)
    assert run.per_second == pytest.approx(281.0)
    assert run.failures == 3


def test_wrk_output_without_the_line_is_an_error_that_shows_the_output() -> None:
    with pytest.raises(ValueError, match="unable to connect"):
        parse_output("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_the_readme_table_has_a_row_per_target_and_the_count() -> None:
    rows = every_target_met()
    rows[0] = Row(BY_ID["1a"], 100.0, 1_000.0)
    lines = markdown(as_json(rows, {}))
    assert lines[2] == (
        "| 1a | 20-project page, no response cache | req/s | 100 | 1,000 | 0.10x | >= 0.5x "
        "| **no** |"
    )
    assert len([line for line in lines if line.startswith("| ")]) == 2 + len(TARGETS)
    assert lines[-1] == "targets met: 9/10"


def test_a_district_seed_counts_as_in_minutes_when_it_takes_under_ten() -> None:
    assert Row(BY_ID["10b"], 599.0).met
    assert not Row(BY_ID["10b"], 600.0).met
    assert BY_ID["10b"].text == "< 600 s"


def test_target_10_counts_only_when_both_the_page_and_the_seed_are_met() -> None:
    rows = every_target_met()
    rows[[r.target.id for r in rows].index("10b")] = Row(BY_ID["10b"], 2_280.0)
    assert summary_line(rows) == "targets met: 9/10"


def test_a_bench_district_run_is_shown_later_labelled_with_its_commit_and_date() -> None:
    measured = [Row(BY_ID["10a"], 170.0, 160.0, note="page"), Row(BY_ID["10b"], 420.0)]
    made = {"commit": "abc1234", "date": "2026-11-30T09:00:00+00:00"}
    record = json.loads(json.dumps(district_record(measured, made)))

    same = district_rows(record, "abc1234")
    assert [(r.target.id, r.ours, r.peer, r.met) for r in same] == [
        ("10a", 170.0, 160.0, True),
        ("10b", 420.0, None, True),
    ]
    assert same[0].note == "from `make bench-district` at abc1234, 2026-11-30T09:00:00+00:00: page"
    later = district_rows(record, "def5678")
    assert "at abc1234, not this run's def5678" in later[1].note
