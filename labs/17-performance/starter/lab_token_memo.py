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

from reference_app.core.config import Settings
from reference_app.core.security import TokenClaims, TokenType, decode_token


class TokenMemo:
    """Access tokens this app has verified, at most ``max_entries`` of them."""

    def __init__(self, settings: Settings, max_entries: int = 4096) -> None:
        self.settings = settings
        self.max_entries = max_entries
        # TODO 1: somewhere to keep verified claims, in least-recently-used order.

    def __len__(self) -> int:
        """How many tokens are remembered."""
        # TODO 2: the number of entries.
        return 0

    def verify(self, token: str) -> TokenClaims:
        """The claims of a valid access token; raises ``AuthenticationError`` otherwise."""
        # TODO 3: a remembered token that has not expired: its claims, without decode_token.
        # TODO 4: otherwise decode_token (which raises for a bad or expired token), remember
        #         the claims, and forget the least recently used entry when over max_entries.
        return decode_token(self.settings, token, TokenType.ACCESS)
