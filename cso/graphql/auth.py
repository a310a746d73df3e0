"""JWT bearer tokens (HS256 only) and the viewer they identify.

A token is accepted when it is signed with the configured secret by HS256 (no other
algorithm, `none` included), carries `sub`, `role`, `iat` and `exp`, is not expired and
not before its `nbf`, names the configured issuer and audience when those are set, and its
claims are what the platform can store: `sub` a UUID, `name` and `dept` text of at most
MAX_CLAIM_CHARS characters with no NUL and no lone surrogate (they are written into
events). Anything else is UNAUTHENTICATED, never an error further on.

Checking a signature and its claims costs about 0.2 ms of CPU, as much as a third of what a
mutation's use case costs: `VerifiedTokens` keeps what a token was found to grant, by its
text and the rules it was checked against, until the token expires. There is nothing else
to revoke a token by (API.md: a token's rights end when it expires); what an officer may
do is decided by the use cases on the state of the data, never from the token's claims.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import jwt

from cso.services.identity import Principal, Role

ALGORITHM = "HS256"
# A token without `exp` would never expire.
REQUIRED_CLAIMS = ["sub", "role", "iat", "exp"]
MAX_CLAIM_CHARS = 200
Viewer = Principal


class InvalidCredentials(Exception):
    pass


@dataclass(frozen=True, slots=True)
class TokenRules:
    """What a token must satisfy: the HS256 secret, and `iss`/`aud` when configured."""

    secret: str
    issuer: str | None = None
    audience: str | None = None


@dataclass(frozen=True, slots=True)
class Credentials:
    """The viewer a token names, and when (epoch seconds) its rights end."""

    viewer: Viewer
    expires_at: float


def credentials_from_authorization(header: str | None, rules: TokenRules) -> Credentials | None:
    """The credentials of an `Authorization: Bearer …` value; None when there is none.

    Raises InvalidCredentials (with a reason that quotes no claim) for anything else.
    """
    token = bearer_token(header)
    return None if token is None else verified(token, rules)


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` value; None when there is no header.
    Raises InvalidCredentials for a header of another shape."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidCredentials("the Authorization header must be 'Bearer <token>'")
    return token.strip()


def verified(token: str, rules: TokenRules) -> Credentials:
    """The credentials `token` grants under `rules`, its signature and claims checked.
    Raises InvalidCredentials."""
    required = REQUIRED_CLAIMS + [
        c for c, v in (("iss", rules.issuer), ("aud", rules.audience)) if v
    ]
    try:
        claims = jwt.decode(
            token,
            rules.secret,
            algorithms=[ALGORITHM],
            issuer=rules.issuer,
            audience=rules.audience,
            options={"require": required},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidCredentials("the token has expired") from exc
    except jwt.ImmatureSignatureError as exc:
        raise InvalidCredentials("the token is not valid yet (nbf)") from exc
    except jwt.InvalidTokenError as exc:
        raise InvalidCredentials(f"the token is not valid: {exc}") from exc
    except ValueError as exc:  # a character with no UTF-8 form (a lone surrogate, say)
        raise InvalidCredentials("the token is not valid: it is not ASCII text") from exc
    viewer = Viewer(
        id=_sub(claims.get("sub")),
        role=_role(claims.get("role")),
        name=_text(claims, "name"),
        dept=_text(claims, "dept"),
    )
    expires_at = claims["exp"]
    if not isinstance(expires_at, int | float):
        raise InvalidCredentials("the token is not valid: exp must be a number")
    return Credentials(viewer, float(expires_at))


class VerifiedTokens:
    """The credentials of tokens already verified, by token and rules, at most `max_entries`
    (the oldest dropped first), each kept only while its token has not expired.

    A token is verified once (`verified`) and then answered from here: the same text under
    the same rules always grants the same credentials, and the one way they end, expiry, is
    checked on every use. Refused tokens are not kept (each refusal is checked anew, with
    its own reason). Lives in the view, made by the composition root: no process global.
    """

    def __init__(self, max_entries: int = 4096, clock: Callable[[], float] = time.time) -> None:
        self.max_entries = max(max_entries, 1)
        self._clock = clock
        self._entries: dict[tuple[str, TokenRules], Credentials] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def credentials(self, header: str | None, rules: TokenRules) -> Credentials | None:
        """As `credentials_from_authorization`, from the cache when the token was verified
        before and has not expired since. Raises InvalidCredentials."""
        token = bearer_token(header)
        if token is None:
            return None
        key = (token, rules)
        found = self._entries.get(key)
        if found is not None:
            if self._clock() < found.expires_at:
                return found
            del self._entries[key]  # expired: verified again below, which says so
        credentials = verified(token, rules)
        if len(self._entries) >= self.max_entries:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = credentials
        return credentials


def _sub(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidCredentials("the token is not valid: sub must be a UUID")
    try:
        uuid.UUID(value)
    except ValueError:
        raise InvalidCredentials("the token is not valid: sub must be a UUID") from None
    return value


def _role(value: object) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidCredentials("the token is not valid: unknown role") from None


def _text(claims: dict[str, object], name: str) -> str:
    value = claims.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_CLAIM_CHARS or "\x00" in value:
        raise InvalidCredentials(f"the token is not valid: {name} must be text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no UTF-8 form, cannot be stored
        raise InvalidCredentials(f"the token is not valid: {name} must be text") from None
    return value


def issue_token(
    secret: str,
    *,
    sub: str,
    role: Role,
    name: str = "",
    dept: str = "",
    ttl_seconds: int = 12 * 3600,
    issuer: str | None = None,
    audience: str | None = None,
) -> str:
    """A signed token for `sub` acting as `role`, valid for `ttl_seconds` from now."""
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": sub,
        "role": role.value,
        "name": name,
        "dept": dept,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm=ALGORITHM)
