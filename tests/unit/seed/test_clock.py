from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from cso.seed.clock import DISTRICT_ZONE, TICK, SimulatedClock


def test_the_simulated_clock_records_a_day_from_its_opening_time_one_tick_at_a_time() -> None:
    clock = SimulatedClock(date(2025, 3, 3))
    first, second = clock(), clock()
    assert first == datetime(2025, 3, 3, 8, 30, tzinfo=DISTRICT_ZONE)
    assert first.tzinfo is UTC
    assert second - first == TICK


def test_advancing_to_a_later_day_records_from_that_day() -> None:
    clock = SimulatedClock(date(2025, 3, 3))
    clock()
    clock.advance_to(date(2025, 4, 1))
    assert clock() == datetime(2025, 4, 1, 8, 30, tzinfo=DISTRICT_ZONE)


def test_the_simulated_clock_never_goes_back_to_an_earlier_day() -> None:
    clock = SimulatedClock(date(2025, 3, 3))
    clock.advance_to(date(2025, 3, 10))
    before = clock()
    clock.advance_to(date(2025, 3, 4))
    assert clock() == before + TICK


def test_restarting_records_from_the_given_day_even_if_earlier() -> None:
    clock = SimulatedClock(date(2025, 3, 10))
    clock()
    clock.restart(date(2025, 3, 4))
    assert clock() == datetime(2025, 3, 4, 8, 30, tzinfo=DISTRICT_ZONE)


def test_a_busy_day_stays_ordered_past_its_opening_hours() -> None:
    clock = SimulatedClock(date(2025, 3, 3))
    times = [clock() for _ in range(1000)]
    assert times == sorted(times) and len(set(times)) == 1000
    assert times[-1] - times[0] == 999 * TICK < timedelta(hours=1)


def test_a_clock_resumed_after_another_records_after_it_and_never_before() -> None:
    setup = SimulatedClock(date(2025, 3, 3))
    setup.advance_to(date(2025, 4, 1))
    last = setup()
    lane = SimulatedClock(date(2025, 3, 3))
    lane.resume_after(setup.next)
    assert lane() == last + TICK
    lane.resume_after(datetime(2025, 1, 1, tzinfo=UTC))  # earlier: no change
    assert lane() == last + 2 * TICK
