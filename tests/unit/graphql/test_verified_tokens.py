"""VerifiedTokens: a token's credentials kept after one check, for its lifetime only."""

from __future__ import annotations

import time

import pytest

from cso.graphql import auth
from cso.graphql.auth import InvalidCredentials, TokenRules, VerifiedTokens, issue_token
from cso.services.identity import Role

SECRET = "unit-secret-long-enough-for-hs256-hs384-and-hs512-" + "x" * 16
RULES = TokenRules(SECRET)
SUB = "00000000-0000-4000-8000-000000000042"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens whose signature and claims were checked (not answered from the cache)."""
    seen: list[str] = []
    real = auth.verified

    def counting(token: str, rules: TokenRules) -> auth.Credentials:
        seen.append(token)
        return real(token, rules)

    monkeypatch.setattr(auth, "verified", counting)
    return seen


def test_a_token_is_checked_once_and_then_answered_from_the_cache(checks: list[str]) -> None:
    tokens = VerifiedTokens()
    token = issue_token(SECRET, sub=SUB, role=Role.AUDITOR, name="审计", ttl_seconds=60)
    first = tokens.credentials(f"Bearer {token}", RULES)
    again = tokens.credentials(f"bearer  {token} ", RULES)
    assert first is not None and again == first
    assert first.viewer.role is Role.AUDITOR and first.viewer.name == "审计"
    assert checks == [token]


def test_a_cached_token_is_refused_once_it_expires(checks: list[str]) -> None:
    clock = Clock()
    tokens = VerifiedTokens(clock=clock)
    token = issue_token(SECRET, sub=SUB, role=Role.VIEWER, ttl_seconds=1)
    credentials = tokens.credentials(f"Bearer {token}", RULES)
    assert credentials is not None
    clock.now = credentials.expires_at - 0.001
    assert tokens.credentials(f"Bearer {token}", RULES) == credentials
    clock.now = credentials.expires_at  # PyJWT's rule: expired when now >= exp
    # The cache lets it go; the check it falls back to refuses it as expired.
    with pytest.raises(InvalidCredentials, match="expired"):
        real_clock_past_expiry(tokens, token, credentials.expires_at)
    assert len(tokens) == 0


def real_clock_past_expiry(tokens: VerifiedTokens, token: str, expires_at: float) -> None:
    """Waits (at most a second) until the real clock, which PyJWT reads, is past `exp`."""
    while time.time() < expires_at:
        time.sleep(min(expires_at - time.time(), 1.0) + 0.01)
    tokens.credentials(f"Bearer {token}", RULES)


def test_a_token_is_kept_per_rules_so_another_secret_or_audience_checks_it_again(
    checks: list[str],
) -> None:
    tokens = VerifiedTokens()
    token = issue_token(SECRET, sub=SUB, role=Role.VIEWER)
    assert tokens.credentials(f"Bearer {token}", RULES) is not None
    with pytest.raises(InvalidCredentials):
        tokens.credentials(f"Bearer {token}", TokenRules("another-secret-" + "y" * 40))
    with pytest.raises(InvalidCredentials):
        tokens.credentials(f"Bearer {token}", TokenRules(SECRET, audience="cso"))
    assert len(checks) == 3


def test_a_refused_token_is_not_kept_and_is_refused_every_time(checks: list[str]) -> None:
    tokens = VerifiedTokens()
    forged = issue_token("another-secret-" + "y" * 40, sub=SUB, role=Role.SUPERVISOR)
    for _ in range(2):
        with pytest.raises(InvalidCredentials, match="not valid"):
            tokens.credentials(f"Bearer {forged}", RULES)
    assert len(tokens) == 0 and checks == [forged, forged]


def test_no_header_is_no_credentials_and_a_bad_scheme_is_refused() -> None:
    tokens = VerifiedTokens()
    assert tokens.credentials(None, RULES) is None
    with pytest.raises(InvalidCredentials, match="Bearer"):
        tokens.credentials("Basic abc", RULES)


def test_the_cache_keeps_at_most_its_bound_dropping_the_oldest(checks: list[str]) -> None:
    tokens = VerifiedTokens(max_entries=2)
    issued = [issue_token(SECRET, sub=SUB, role=Role.VIEWER, name=str(n)) for n in range(3)]
    for token in issued:
        tokens.credentials(f"Bearer {token}", RULES)
    assert len(tokens) == 2
    tokens.credentials(f"Bearer {issued[2]}", RULES)  # still kept
    tokens.credentials(f"Bearer {issued[0]}", RULES)  # dropped: checked again
    assert checks == [*issued, issued[0]]
