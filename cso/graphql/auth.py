"""JWT bearer tokens (HS256) and the viewer they identify."""

from __future__ import annotations

import time

import jwt

from cso.services.identity import Principal, Role

ALGORITHM = "HS256"
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
            token.strip(), secret, algorithms=[ALGORITHM], options={"require": ["sub", "role"]}
        )
        role = Role(claims["role"])
    except jwt.ExpiredSignatureError as exc:
        raise InvalidCredentials("the token has expired") from exc
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise InvalidCredentials(f"the token is not valid: {exc}") from exc
    return Viewer(
        id=str(claims["sub"]),
        role=role,
        name=str(claims.get("name", "")),
        dept=str(claims.get("dept", "")),
    )


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
