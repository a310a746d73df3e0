"""Bearer tokens: HS256 only, `exp` required, `nbf`, `iss` and `aud` checked, claims storable."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from cso.graphql.auth import (
    InvalidCredentials,
    TokenRules,
    credentials_from_authorization,
    issue_token,
)
from cso.services.identity import Role

SECRET = "unit-secret-long-enough-for-hs256-hs384-and-hs512-" + "x" * 16
RULES = TokenRules(SECRET)
SUB = "00000000-0000-4000-8000-000000000042"


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {"sub": SUB, "role": "viewer", "iat": now, "exp": now + 600}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def bearer(token: str) -> str:
    return f"Bearer {token}"


def test_a_token_issued_here_is_accepted_with_its_expiry() -> None:
    token = issue_token(SECRET, sub=SUB, role=Role.AUDITOR, name="审计", ttl_seconds=60)
    credentials = credentials_from_authorization(bearer(token), RULES)
    assert credentials is not None
    assert credentials.viewer.role is Role.AUDITOR
    assert credentials.viewer.name == "审计"
    assert 0 < credentials.expires_at - time.time() <= 60


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_a_token_signed_with_another_algorithm_is_refused(algorithm: str) -> None:
    token = jwt.encode(claims(), SECRET, algorithm=algorithm)
    with pytest.raises(InvalidCredentials):
        credentials_from_authorization(bearer(token), RULES)


def test_an_unsigned_token_is_refused() -> None:
    token = jwt.encode(claims(), None, algorithm="none")
    with pytest.raises(InvalidCredentials):
        credentials_from_authorization(bearer(token), RULES)


def test_a_token_without_exp_is_refused() -> None:
    token = jwt.encode(claims(exp=None), SECRET, algorithm="HS256")
    with pytest.raises(InvalidCredentials, match="exp"):
        credentials_from_authorization(bearer(token), RULES)


def test_an_expired_token_is_refused() -> None:
    token = jwt.encode(claims(exp=int(time.time()) - 1), SECRET, algorithm="HS256")
    with pytest.raises(InvalidCredentials, match="expired"):
        credentials_from_authorization(bearer(token), RULES)


def test_a_token_before_its_nbf_is_refused() -> None:
    token = jwt.encode(claims(nbf=int(time.time()) + 300), SECRET, algorithm="HS256")
    with pytest.raises(InvalidCredentials, match="nbf"):
        credentials_from_authorization(bearer(token), RULES)


@pytest.mark.parametrize("sub", ["", "li-ming", 42, None])
def test_a_sub_that_is_not_a_uuid_is_refused_for_every_role(sub: object) -> None:
    for role in Role:
        token = jwt.encode(claims(sub=sub, role=role.value), SECRET, algorithm="HS256")
        with pytest.raises(InvalidCredentials, match=r"(?i)sub"):
            credentials_from_authorization(bearer(token), RULES)


@pytest.mark.parametrize("value", ["\ud800", "a\x00b", "x" * 201, 5, ["x"], {"a": 1}])
@pytest.mark.parametrize("claim", ["name", "dept"])
def test_a_name_or_dept_that_is_not_storable_text_is_refused(claim: str, value: object) -> None:
    token = jwt.encode(claims(**{claim: value}), SECRET, algorithm="HS256")
    with pytest.raises(InvalidCredentials, match=claim):
        credentials_from_authorization(bearer(token), RULES)


def test_an_unknown_role_is_refused() -> None:
    token = jwt.encode(claims(role="root"), SECRET, algorithm="HS256")
    with pytest.raises(InvalidCredentials, match="role"):
        credentials_from_authorization(bearer(token), RULES)


def test_issuer_and_audience_are_required_and_checked_when_configured() -> None:
    rules = TokenRules(SECRET, issuer="https://id.example", audience="cso")
    good = issue_token(
        SECRET, sub=SUB, role=Role.VIEWER, issuer="https://id.example", audience="cso"
    )
    assert credentials_from_authorization(bearer(good), rules) is not None
    for iss, aud in (
        (None, "cso"),
        ("https://id.example", None),
        ("evil", "cso"),
        ("https://id.example", "x"),
    ):
        token = jwt.encode(claims(iss=iss, aud=aud), SECRET, algorithm="HS256")
        with pytest.raises(InvalidCredentials):
            credentials_from_authorization(bearer(token), rules)


@pytest.mark.parametrize("token", ["\ud800", "a.\ud800.c", "é.é.é", "a.b.c", "\x00"])
def test_a_token_that_is_not_a_jwt_in_ascii_is_refused(token: str) -> None:
    with pytest.raises(InvalidCredentials, match="not valid"):
        credentials_from_authorization(bearer(token), RULES)


def test_no_header_is_no_credentials_and_a_bad_scheme_is_refused() -> None:
    assert credentials_from_authorization(None, RULES) is None
    with pytest.raises(InvalidCredentials):
        credentials_from_authorization("Basic abc", RULES)


def test_a_context_whose_token_has_expired_since_it_was_read_is_unauthenticated() -> None:
    from cso.graphql.context import Context
    from cso.services.errors import Unauthenticated
    from cso.services.identity import Principal

    viewer = Principal(SUB, Role.AUDITOR, "审计", "")
    context = Context(
        request=None,  # type: ignore[arg-type]
        response=None,
        runtime=None,  # type: ignore[arg-type]
        correlation_id="c",
        maybe_viewer=viewer,
        expires_at=time.time() + 60,
    )
    assert context.viewer is viewer
    context.expires_at = time.time() - 1
    with pytest.raises(Unauthenticated, match="expired"):
        _ = context.viewer
