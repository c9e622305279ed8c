"""Lab 17 — a memo of access tokens already verified.

A client sends the same access token with every request until it expires, and verifying it
(PyJWT: base64, JSON, the HMAC, the claims) is the biggest single cost of ``GET /users/me``
once the cache answers the rest. Lesson 17 measures it. Verification is deterministic — the
same token under the same key verifies the same way every time — so an app may remember the
tokens it has verified, as long as it honours their expiry.

The lab's tests call ``TokenMemo`` directly, and through the app: they build the app's services,
put your memo in place of the app's (``services.verified_tokens``), and hand them to
``create_app``. The app then calls your ``verify`` on every authenticated request.
"""

import hashlib
from collections import OrderedDict

from reference_app.core.config import Settings
from reference_app.core.database import utcnow
from reference_app.core.security import TokenClaims, TokenType, decode_token


class TokenMemo:
    """Access tokens this app has verified, at most ``max_entries`` of them."""

    def __init__(self, settings: Settings, max_entries: int = 4096) -> None:
        self.settings = settings
        self.max_entries = max_entries
        # Keyed by the token's digest: the memo never holds a usable token.
        self._claims: OrderedDict[bytes, TokenClaims] = OrderedDict()

    def __len__(self) -> int:
        """How many tokens are remembered."""
        return len(self._claims)

    def verify(self, token: str) -> TokenClaims:
        """The claims of a valid access token; raises ``AuthenticationError`` otherwise."""
        digest = hashlib.sha256(token.encode()).digest()
        claims = self._claims.get(digest)
        if claims is not None:
            if utcnow() < claims.expires_at:
                self._claims.move_to_end(digest)  # now the most recently used
                return claims
            del self._claims[digest]  # expired: decode_token below raises TOKEN_EXPIRED
        # Raises for a bad, expired or refresh token: only tokens that verified are remembered.
        claims = decode_token(self.settings, token, TokenType.ACCESS)
        self._claims[digest] = claims
        if len(self._claims) > self.max_entries:
            self._claims.popitem(last=False)  # the least recently used
        return claims
