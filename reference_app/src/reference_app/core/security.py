"""Password hashing and JSON Web Tokens.

Passwords are hashed with Argon2 (pwdlib's recommended hasher). Tokens are JWTs signed with
PyJWT; decoding pins the algorithm (so ``alg: none`` and algorithm-confusion attacks fail),
requires every claim the app relies on, and checks the token type, so a refresh token can never
be used as an access token or the other way round.
"""

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache

import jwt
from pwdlib import PasswordHash

from reference_app.core.config import Settings
from reference_app.core.database import utcnow
from reference_app.core.errors import AuthenticationError, ErrorCode

TOKEN_ISSUER = "reference-app"
REQUIRED_CLAIMS = ["exp", "iat", "jti", "sub", "sid", "type", "iss"]

_password_hash = PasswordHash.recommended()


async def hash_password(password: str) -> str:
    """Hash in a worker thread: Argon2 is deliberately slow and would block the event loop."""
    return await asyncio.to_thread(_password_hash.hash, password)


async def verify_password(password: str, password_hash: str) -> tuple[bool, str | None]:
    """Check a password; also return a new hash when the stored one uses outdated parameters."""
    return await asyncio.to_thread(_password_hash.verify_and_update, password, password_hash)


@cache
def _dummy_hash() -> str:
    return _password_hash.hash("not-a-real-password")


async def waste_password_check(password: str) -> None:
    """Spend the time a real check would, so login timing does not reveal unknown emails."""
    await asyncio.to_thread(_password_hash.verify, password, _dummy_hash())


class TokenType(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"


@dataclass(frozen=True)
class TokenClaims:
    """The verified contents of a token.

    ``session_id`` names the login session (the refresh-token *family*): every token issued by
    refreshing carries the login's session id, so revoking the family ends the session.
    """

    user_id: uuid.UUID
    token_type: TokenType
    token_id: uuid.UUID
    session_id: uuid.UUID
    issued_at: datetime
    expires_at: datetime


def create_token(
    settings: Settings,
    *,
    user_id: uuid.UUID,
    token_type: TokenType,
    session_id: uuid.UUID,
    lifetime: timedelta,
) -> tuple[str, TokenClaims]:
    """Sign a new token and return it with its claims."""
    issued_at = utcnow().replace(microsecond=0)
    claims = TokenClaims(
        user_id=user_id,
        token_type=token_type,
        token_id=uuid.uuid4(),
        session_id=session_id,
        issued_at=issued_at,
        expires_at=issued_at + lifetime,
    )
    return sign_token(settings, claims), claims


def sign_token(settings: Settings, claims: TokenClaims) -> str:
    """Encode and sign ``claims``.

    Signing the same claims again gives the same token: the same ``jti``, so the same row in the
    database (with HS256, the default, even the very same string).
    """
    payload = {
        "sub": str(claims.user_id),
        "type": claims.token_type.value,
        "jti": str(claims.token_id),
        "sid": str(claims.session_id),
        "iat": claims.issued_at,
        "exp": claims.expires_at,
        "iss": TOKEN_ISSUER,
    }
    return jwt.encode(payload, settings.signing_key, algorithm=settings.jwt_algorithm)


def decode_token(settings: Settings, token: str, expected_type: TokenType) -> TokenClaims:
    """Verify a token and return its claims, or raise a 401 with a precise error code."""
    try:
        payload = jwt.decode(
            token,
            settings.signing_key,
            algorithms=[settings.jwt_algorithm],
            issuer=TOKEN_ISSUER,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthenticationError("The token has expired", code=ErrorCode.TOKEN_EXPIRED) from exc
    except jwt.InvalidTokenError as exc:
        raise AuthenticationError("The token is invalid", code=ErrorCode.INVALID_TOKEN) from exc

    if payload["type"] != expected_type.value:
        raise AuthenticationError(
            f"Expected a token of type '{expected_type.value}'",
            code=ErrorCode.INVALID_TOKEN,
        )
    try:
        return TokenClaims(
            user_id=uuid.UUID(payload["sub"]),
            token_type=expected_type,
            token_id=uuid.UUID(payload["jti"]),
            session_id=uuid.UUID(payload["sid"]),
            issued_at=datetime.fromtimestamp(payload["iat"], UTC),
            expires_at=datetime.fromtimestamp(payload["exp"], UTC),
        )
    except (TypeError, ValueError) as exc:
        raise AuthenticationError("The token is invalid", code=ErrorCode.INVALID_TOKEN) from exc
