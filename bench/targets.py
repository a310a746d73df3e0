"""The targets of issue 11 and what `make bench` reports of them: one row per measure
(ours, the peer, their ratio, the bound, met or not), the JSON of a run, and the closing
`targets met: K/N` line. Pure: nothing here measures or reads the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["ratio_min", "ratio_max", "value_min", "value_max"]
NOT_AVAILABLE = "not available"

# Target 10's "in minutes": the whole district seed (over 1,000,000 events through the use
# cases, verified hash chains) in one process within the time a developer waits for a
# build: 10 minutes wall on the benchmark's machine (2 cores, PostgreSQL on the same host).
SEED_MINUTES = 10
DISTRICT_ROWS = ("10a", "10b")


@dataclass(frozen=True)
class Target:
    """One bound of issue 11: `group` is the target's number there (1-10); a target with
    two bounds (reads, append, long streams, freshness) has a row for each."""

    id: str
    group: int
    measure: str
    unit: str
    kind: Kind
    bound: float
    peer: str

    @property
    def text(self) -> str:
        sign = {"ratio_min": ">=", "ratio_max": "<=", "value_min": ">=", "value_max": "<"}
        suffix = "x" if self.kind.startswith("ratio") else f" {self.unit}"
        return f"{sign[self.kind]} {self.bound:,g}{suffix}"


TARGETS = (
    Target("1a", 1, "20-project page, no response cache", "req/s", "ratio_min", 0.5,
           "PostGraphile 4"),
    Target("1b", 1, "page under 95/5 mix, response cache on", "req/s", "ratio_min", 1.0,
           "PostGraphile 4"),
    Target("2", 2, "recordService over HTTP, spread", "req/s", "ratio_min", 0.8,
           "bare Starlette route, same use case"),
    Target("3", 3, "recordService, 32 clients on one project, 0 CONFLICT", "req/s",
           "ratio_min", 0.5, "ours, spread"),
    Target("4a", 4, "single-event appends, 32 writers", "appends/s", "ratio_min", 0.9,
           "bare asyncpg INSERT"),
    Target("4b", 4, "single-event appends, 32 writers", "appends/s", "ratio_min", 3.0,
           "eventsourcing PostgreSQL recorder"),
    Target("5a", 5, "recordService on a 10,000-event project, warm", "ms p50", "ratio_max",
           1.5, "ours, new project"),
    Target("5b", 5, "recordService on a 10,000-event project, after restart", "ms",
           "ratio_max", 1.5, "ours, new project"),
    Target("6", 6, "catch-up: rebuilding every read model", "events/s", "value_min", 20_000,
           ""),
    Target("7a", 7, "freshness at low load, median", "ms", "value_max", 20, ""),
    Target("7b", 7, "freshness under 32 writers, p95", "ms", "value_max", 500, ""),
    Target("8", 8, "project(asOf:) on a 10,000-event project", "ms p50", "ratio_max", 5.0,
           "ours, current read"),
    Target("9", 9, "server RSS under the mix, no growth", "MB", "value_max", 300, ""),
    Target("10a", 10, "page p50 at district scale", "ms", "ratio_max", 1.5,
           "ours, demo scale"),
    Target("10b", 10, "`cso seed --scale district`, one process, wall", "s", "value_max",
           SEED_MINUTES * 60, ""),
)  # fmt: skip
GROUPS = sorted({t.group for t in TARGETS})


@dataclass
class Row:
    """What one run measured for a target. `ours` None: not measured (say why in `note`);
    `condition` False: a side condition failed (CONFLICTs, growth), which `note` names."""

    target: Target
    ours: float | None = None
    peer: float | None = None
    condition: bool = True
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.ours is None or self.peer is None or self.peer == 0:
            return None
        return self.ours / self.peer

    @property
    def met(self) -> bool:
        kind, bound = self.target.kind, self.target.bound
        value = self.ratio if kind.startswith("ratio") else self.ours
        if value is None or not self.condition:
            return False
        return {
            "ratio_min": value >= bound,
            "ratio_max": value <= bound,
            "value_min": value >= bound,
            "value_max": value < bound,
        }[kind]


def not_available(target: Target, why: str) -> Row:
    return Row(target, note=f"{NOT_AVAILABLE}: {why}")


def targets_met(rows: list[Row]) -> tuple[int, int]:
    """(targets whose every row is met, targets): issue 11 has 10; a target without a row
    counts as not met."""
    met = 0
    for group in GROUPS:
        mine = [row for row in rows if row.target.group == group]
        met += bool(mine) and all(row.met for row in mine)
    return met, len(GROUPS)


def summary_line(rows: list[Row]) -> str:
    met, total = targets_met(rows)
    return f"targets met: {met}/{total}"


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def table(rows: list[Row]) -> list[str]:
    """The report's lines: one per row, then its notes."""
    header = (
        f"{'#':<3} {'measure':<54} {'unit':<9} {'ours':>9} {'peer':>9} {'ratio':>7} "
        f"{'target':>17}  met"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        t = row.target
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}x"
        lines.append(
            f"{t.id:<3} {t.measure:<54} {t.unit:<9} {_number(row.ours):>9} "
            f"{_number(row.peer):>9} {ratio:>7} {t.text:>17}  {'yes' if row.met else 'NO'}"
        )
    lines.append("")
    for row in rows:
        peer = f"peer: {row.target.peer}. " if row.target.peer else ""
        if peer or row.note:
            lines.append(f"{row.target.id:<3} {peer}{row.note}".rstrip())
    return lines


def as_json(rows: list[Row], run: dict[str, Any]) -> dict[str, Any]:
    """latest.json: `run` (mode, machine, what was used) and a record per row."""
    met, total = targets_met(rows)
    return {
        "run": run,
        "rows": [
            {
                "id": row.target.id,
                "target": row.target.group,
                "measure": row.target.measure,
                "unit": row.target.unit,
                "ours": row.ours,
                "peer": row.peer,
                "peer_name": row.target.peer,
                "ratio": row.ratio,
                "bound": row.target.text,
                "met": row.met,
                "note": row.note,
            }
            for row in rows
        ],
        "targets_met": met,
        "targets": total,
    }


@dataclass
class Report:
    """Rows gathered while a run goes on, in the order of TARGETS when printed."""

    rows: dict[str, Row] = field(default_factory=dict)

    def add(self, row: Row) -> None:
        self.rows[row.target.id] = row

    def ordered(self) -> list[Row]:
        """Every target's row; one not measured (the run failed before it) says so."""
        return [
            self.rows.get(t.id) or not_available(t, "the run stopped before it") for t in TARGETS
        ]


BY_ID = {t.id: t for t in TARGETS}


def district_record(rows: list[Row], made: dict[str, Any]) -> dict[str, Any]:
    """district-latest.json: target 10's rows of a `make bench-district` run and `made`
    (the commit, the date, the machine), for later runs of `make bench` to show."""
    return {"made": made, "rows": [as_json([row], {})["rows"][0] for row in rows]}


def district_rows(record: dict[str, Any], commit: str) -> list[Row]:
    """Target 10's rows as a `make bench-district` run measured them (`district_record`),
    each note saying which run, and whether that was this run's commit (`commit`)."""
    made = record["made"]
    other = "" if made["commit"] == commit else f", not this run's {commit}"
    where = f"from `make bench-district` at {made['commit']}{other}, {made['date']}: "
    return [
        Row(BY_ID[row["id"]], row["ours"], row["peer"], note=where + row["note"])
        for row in record["rows"]
        if row["id"] in DISTRICT_ROWS
    ]


def markdown(document: dict[str, Any]) -> list[str]:
    """The README's table from a latest.json document."""

    def cell(value: float | None) -> str:
        return "-" if value is None else _number(value)

    lines = [
        "| # | measure | unit | ours | peer | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in document["rows"]:
        ratio = "-" if row["ratio"] is None else f"{row['ratio']:.2f}x"
        lines.append(
            f"| {row['id']} | {row['measure']} | {row['unit']} | {cell(row['ours'])} | "
            f"{cell(row['peer'])} | {ratio} | {row['bound']} | "
            f"{'yes' if row['met'] else '**no**'} |"
        )
    lines.append("")
    lines.append(f"targets met: {document['targets_met']}/{document['targets']}")
    return lines


if __name__ == "__main__":
    import json
    import sys
    from pathlib import Path

    # `python bench/targets.py [latest.json]`: the README's table of a run.
    path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "results/latest.json")
    print("\n".join(markdown(json.loads(path.read_text()))))
