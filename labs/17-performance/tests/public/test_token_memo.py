"""Lab 17, public tests: run them with ``workbook lab check 17``."""

from collections.abc import Callable
from types import ModuleType
from typing import Any

from labsupport.app import API, sign_up

from reference_app.core.config import Settings
from reference_app.core.security import TokenType, decode_token


def test_a_valid_token_gives_its_claims(
    lab: ModuleType, settings: Settings, issue: Callable[..., str]
) -> None:
    """verify(token) returns what decode_token(settings, token, TokenType.ACCESS) returns."""
    token = issue()
    claims = lab.TokenMemo(settings).verify(token)
    assert claims == decode_token(settings, token, TokenType.ACCESS)


def test_a_token_is_verified_once(
    lab: ModuleType, settings: Settings, issue: Callable[..., str], decodes: list[str]
) -> None:
    """Verifying the same token three times runs PyJWT once: the second and third calls answer
    from the memo, with the same claims. Remember the claims after the first decode_token."""
    memo = lab.TokenMemo(settings)
    token = issue()
    answers = [memo.verify(token) for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]
    assert len(decodes) == 1, f"PyJWT verified the same token {len(decodes)} times, not once"
    assert len(memo) == 1, f"len(memo) is {len(memo)} after one token"


async def test_the_app_verifies_with_your_memo(
    app_with_memo: tuple[Any, Any], decodes: list[str]
) -> None:
    """Three GET /users/me with one token: all 200, and PyJWT ran once for that token. The app
    calls your memo's verify on every authenticated request."""
    client, memo = app_with_memo
    account = await sign_up(client)
    statuses = [
        (await client.get(f"{API}/users/me", headers=account.headers)).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 200], f"GET /users/me answered {statuses}"
    verified = decodes.count(account.access_token)
    assert verified == 1, f"PyJWT verified the access token {verified} times, not once"
    assert len(memo) == 1
