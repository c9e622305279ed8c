"""A memo of access tokens already verified, so a client's next request skips PyJWT.

A client sends the same access token with every request until it expires. Verifying it again
each time was the biggest single cost of an authenticated request that hits the cache: most of
``jwt.decode`` is PyJWT checking each base64 character in a Python loop and re-checking the
HMAC key. Lesson 17 profiles ``GET /users/me`` and measures the memo's worth.

Remembering a verified token is safe because verification is deterministic: the same token
bytes under the same key verify the same way every time. So the memo

- is keyed by the SHA-256 digest of the token, so the tokens themselves are not kept;
- remembers only tokens that verified: a bad token pays a full verification every time;
- honours expiry: an entry past its ``exp`` is dropped and the token is verified again, which
  then fails with ``TOKEN_EXPIRED`` as it would without the memo;
- belongs to one app (``Services.verified_tokens``): a new signing key means a new app;
- is bounded: the least recently used entry goes when it is full.

Logout is unaffected: the revocation check (``auth/revocation.py``) runs after this on every
request. Gateways do the same (Envoy's ``jwt_authn`` filter has a ``jwt_cache_config``).
Hand-written rather than a library: it is an ``OrderedDict`` with an expiry check, and the
expiry comes from each token, which TTL caches (one TTL for all entries) do not model.
"""

import hashlib
from collections import OrderedDict

from reference_app.core.config import Settings
from reference_app.core.database import utcnow
from reference_app.core.security import TokenClaims, TokenType, decode_token

DEFAULT_MAX_ENTRIES = 4096


class VerifiedTokens:
    """Access tokens verified by this app, by digest, least recently used first."""

    def __init__(self, settings: Settings, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._settings = settings
        self._max_entries = max_entries
        self._claims: OrderedDict[bytes, TokenClaims] = OrderedDict()

    def __len__(self) -> int:
        return len(self._claims)

    def verify(self, token: str) -> TokenClaims:
        """The claims of a valid access token; raises ``AuthenticationError`` otherwise."""
        digest = hashlib.sha256(token.encode()).digest()
        claims = self._claims.get(digest)
        if claims is not None:
            if utcnow() < claims.expires_at:
                self._claims.move_to_end(digest)
                return claims
            del self._claims[digest]  # expired: decode_token below says so
        claims = decode_token(self._settings, token, TokenType.ACCESS)
        self._claims[digest] = claims
        if len(self._claims) > self._max_entries:
            self._claims.popitem(last=False)
        return claims
