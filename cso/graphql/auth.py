"""JWT bearer tokens (HS256) and the viewer they identify."""

from __future__ import annotations

import time

import jwt

from cso.services.identity import Principal, Role

ALGORITHM = "HS256"
# A token without `exp` would never expire.
REQUIRED_CLAIMS = ["sub", "role", "iat", "exp"]
Viewer = Principal


class InvalidCredentials(Exception):
    pass


def viewer_from_authorization(header: str | None, secret: str) -> Viewer | None:
    """The viewer named by an `Authorization: Bearer …` value; None when there is none."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidCredentials("the Authorization header must be 'Bearer <token>'")
    try:
        claims = jwt.decode(
            token.strip(), secret, algorithms=[ALGORITHM], options={"require": REQUIRED_CLAIMS}
        )
        role = Role(claims["role"])
    except jwt.ExpiredSignatureError as exc:
        raise InvalidCredentials("the token has expired") from exc
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise InvalidCredentials(f"the token is not valid: {exc}") from exc
    viewer = Viewer(
        id=str(claims["sub"]),
        role=role,
        name=str(claims.get("name", "")),
        dept=str(claims.get("dept", "")),
    )
    if role is Role.OFFICER and viewer.officer_id is None:
        raise InvalidCredentials("the token is not valid: an officer's sub must be their UUID")
    return viewer


def issue_token(
    secret: str,
    *,
    sub: str,
    role: Role,
    name: str = "",
    dept: str = "",
    ttl_seconds: int = 12 * 3600,
) -> str:
    now = int(time.time())
    claims = {
        "sub": sub,
        "role": role.value,
        "name": name,
        "dept": dept,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)
