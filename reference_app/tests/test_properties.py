"""Properties: rules that hold for *every* input, checked on inputs Hypothesis invents.

An example test checks one case someone thought of (page 2 of 3 posts). A property test states a
rule ("the pages of a list hold every item exactly once") and lets Hypothesis look for an input
that breaks it: page sizes, token edits and request bodies nobody would write by hand. When it
finds one, it *shrinks* it to the simplest input that still fails and prints it, so a failure
reads like a small example test.

What is proved here:

1. **Pagination partitions a list** (``GET /api/v1/posts``, ``GET /api/v1/todos``). Over a fixed
   set of items (23: not a multiple of any common page size), for any ``page_size`` from 1 to
   ``MAX_PAGE_SIZE`` and any listing (public posts, an author's posts with drafts, todos under
   every filter and sort): walking the pages from 1 until ``has_next`` is false returns every
   item exactly once, in the order the endpoint promises; ``total`` is the item count on every
   page; every page but the last is full; ``has_next`` is true exactly before the last page;
   any page after the last is an empty 200 with the same ``total``. Integer ``page`` and
   ``page_size`` values are accepted exactly within their bounds and are a 422 outside them
   (however large); text is a page or a 422; never a 500.
2. **Tokens** (``core/security.py``). For any user, session, token type and lifetime (in whole
   seconds, see ``LIFETIMES``), decoding a created token gives back the claims it was created
   with. Changing any single character of a token (signature, payload or header) makes it
   refused with the app's ``INVALID_TOKEN`` error, both when decoded directly and when sent to
   the API (a 401 in the error shape, not a 500). An access token is refused where a refresh
   token is expected, and the other way round.
3. **Validation never answers 500**. For any JSON value (nested lists and objects of nulls,
   booleans, numbers including NaN and infinities, and text including lone surrogates, sent
   exactly as a client could send them) as the body of ``POST /api/v1/auth/signup``,
   ``POST /api/v1/posts`` and ``POST /api/v1/todos``, the answer is a 201 or a 4xx, and every
   4xx has the one error shape ``{"error": {"code", "message", "details", "request_id"}}``.
   Besides arbitrary JSON, Hypothesis sends objects with the endpoint's own field names (and
   values near their limits): random JSON alone is almost never an object with a ``title``, so
   it would hardly reach the field validators, let alone the database. (``pytest
   --hypothesis-show-statistics`` shows the share of each status: about a fifth are 201s.)

How the tests run. Hypothesis calls a test function many times and does not drive ``async``
tests itself, while this suite runs async tests on one session-wide event loop. So these tests
are plain functions calling the app through :class:`AppClient`: the app (and its lifespan) runs
on an event loop of its own in a thread, as ``test_contract.py`` does for Schemathesis, and each
call waits for its response. (Starlette's ``TestClient`` does the same, but with httpx it warns
that it is deprecated, and this suite turns warnings into errors.) Each test gets a fresh app on
a clean database, on SQLite and on PostgreSQL (the ``database_url`` fixture), as every database
test of the suite does: both are cheap here, and the pagination properties check each one's
ordering. Function-scoped fixtures run once per *test*, not once per generated example, which
Hypothesis warns about (``function_scoped_fixture``); here that is the point, as the items a
pagination test walks are created once and only read afterwards. The properties of
``create_token``/``decode_token`` themselves need no database and run once.

Reproducible and quick: ``derandomize=True`` draws the same inputs on every run (CI fails the
way a laptop does), no example database is kept between runs, and a few dozen examples per
property keep the file at about 15 seconds for both databases. A property that fails prints
its shrunk example, which reproduces it.
"""

import json
import math
import string
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import hypothesis.core
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.vendor.pretty import RepresentationPrinter

from reference_app.api.pagination import MAX_PAGE, MAX_PAGE_SIZE
from reference_app.core.errors import AuthenticationError, ErrorCode
from reference_app.core.security import (
    TokenClaims,
    TokenType,
    create_token,
    decode_token,
    sign_token,
)
from reference_app.main import create_app
from reference_app.posts.models import TITLE_MAX_LENGTH as POST_TITLE_MAX_LENGTH
from reference_app.posts.models import TITLE_MIN_LENGTH as POST_TITLE_MIN_LENGTH
from reference_app.testing import settings_for_tests
from reference_app.todos.models import DESCRIPTION_MAX_LENGTH, MAX_PRIORITY, MIN_PRIORITY
from reference_app.todos.models import TITLE_MAX_LENGTH as TODO_TITLE_MAX_LENGTH
from reference_app.todos.schemas import TodoSort
from reference_app.users.models import FULL_NAME_MAX_LENGTH
from reference_app.users.schemas import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from tests.support import DEFAULT_PASSWORD

API = "/api/v1"
POSTS = f"{API}/posts"
TODOS = f"{API}/todos"
ITEM_COUNT = 23
"""Items each pagination test creates: prime, so no page size above 1 divides it evenly."""

PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,  # a request's time varies with the machine; speed is not the property
    derandomize=True,
    database=None,
    # One app and one database for all the examples of a test (see the module docstring).
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


# --- Fixtures and helpers --------------------------------------------------------------------


@pytest.fixture(autouse=True)
def hypothesis_prints_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let Hypothesis print the failing example's values, for this module's tests.

    Schemathesis's pytest plugin (loaded for ``test_contract.py``) replaces, for the whole run,
    the printer Hypothesis reports a failing example with by one that prints nothing, to save
    time on large schemas: a failure here would read ``size=,`` instead of ``size=1``.
    Hypothesis's own printer is put back for each test of this module, and Schemathesis's
    after it.
    """
    monkeypatch.setattr(hypothesis.core, "RepresentationPrinter", RepresentationPrinter)


class ShortRepr:
    """Shown by its ``repr`` in Hypothesis's report of a failing example, not field by field:
    tokens and 23 items would bury the generated values that matter."""

    def _repr_pretty_(self, printer: RepresentationPrinter, cycle: bool) -> None:
        printer.text(repr(self))


class AppClient(ShortRepr):
    """Synchronous calls to an app served on an event loop running in another thread.

    ``portal.call`` runs a coroutine on that loop and waits for its result, so a sync test (and
    Hypothesis) can send requests while the app's engine, cache and tasks all stay on the one
    loop they were created on.
    """

    def __init__(self, portal: BlockingPortal, http: AsyncClient) -> None:
        self._portal = portal
        self._http = http

    def __repr__(self) -> str:
        return "AppClient(...)"

    def get(self, url: str, **options: Any) -> Response:
        return self._portal.call(partial(self._http.get, url, **options))

    def post(self, url: str, **options: Any) -> Response:
        return self._portal.call(partial(self._http.post, url, **options))


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with (
        LifespanManager(app),
        # A server error comes back as the 500 response a client would get (the app logs the
        # exception), rather than raised into the test.
        AsyncClient(
            transport=ASGITransport(app=app, raise_app_exceptions=False), base_url="http://test"
        ) as http,
    ):
        yield http


@pytest.fixture
def client(database_url: str) -> Iterator[AppClient]:
    """The app on this test's clean database, with its lifespan running.

    This module's own ``client``: synchronous, where ``conftest.py``'s is an async one.
    Rate limits are off: a property test sends hundreds of requests a minute on purpose
    (``test_rate_limit.py`` tests the limiter).
    """
    app = create_app(settings_for_tests(database_url, rate_limit_enabled=False))
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(served(app)) as http,
    ):
        yield AppClient(portal, http)


@dataclass(frozen=True, repr=False)
class Account(ShortRepr):
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    def __repr__(self) -> str:
        return "Account(...)"


@dataclass(frozen=True, repr=False)
class Created(ShortRepr):
    """What a fixture created through the API: the owner, and the items as the API returned them."""

    owner: Account
    items: list[dict[str, Any]]

    def __repr__(self) -> str:
        return f"Created(<{len(self.items)} items>)"


def sign_up(client: AppClient) -> Account:
    email = f"property-{uuid.uuid4().hex[:10]}@example.com"
    response = client.post(
        f"{API}/auth/signup", json={"email": email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 201, response.text
    tokens = response.json()["tokens"]
    return Account(tokens["access_token"], tokens["refresh_token"])


@pytest.fixture
def account(client: AppClient) -> Account:
    """A signed-up user of the app under test."""
    return sign_up(client)


def assert_error_shape(response: Response) -> str:
    """Assert the one error shape (exactly its four fields); return the error's code."""
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details", "request_id"}, body
    assert isinstance(error["code"], str), body
    assert isinstance(error["message"], str), body
    assert error["request_id"] == response.headers["X-Request-ID"], body
    code: str = error["code"]
    return code


def microseconds(timestamp: str) -> int:
    """A response's ISO timestamp as an integer, so that orderings can negate it."""
    moment = datetime.fromisoformat(timestamp)
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def uuid_order(item: dict[str, Any]) -> int:
    """Both databases order UUIDs as 128-bit numbers (PostgreSQL's uuid, SQLite's hex text)."""
    return uuid.UUID(item["id"]).int


# --- 1. Pagination ---------------------------------------------------------------------------


def walk_pages(
    client: AppClient, path: str, query: dict[str, Any], headers: dict[str, str], size: int
) -> list[dict[str, Any]]:
    """Every page from 1 until ``has_next`` is false (and at most one page per item, plus one:
    a listing whose ``has_next`` never turns false fails instead of looping)."""
    pages: list[dict[str, Any]] = []
    for number in range(1, ITEM_COUNT + 2):
        response = client.get(
            path, params={**query, "page": number, "page_size": size}, headers=headers
        )
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        assert (page["page"], page["page_size"]) == (number, size), page
        pages.append(page)
        if not page["has_next"]:
            return pages
    pytest.fail(f"has_next still true after {len(pages)} pages of {size}")


def assert_pages_partition(
    client: AppClient,
    path: str,
    query: dict[str, Any],
    headers: dict[str, str],
    size: int,
    expected: list[dict[str, Any]],
    beyond: int,
) -> None:
    """The pagination property for one listing whose full, ordered content is ``expected``."""
    pages = walk_pages(client, path, query, headers, size)
    count = len(expected)

    assert len(pages) == max(1, math.ceil(count / size))
    assert [page["total"] for page in pages] == [count] * len(pages)
    assert [page["has_next"] for page in pages] == [True] * (len(pages) - 1) + [False]
    assert all(len(page["items"]) == size for page in pages[:-1])
    # Concatenated, the pages are the whole list, in order: no item twice, none missing.
    walked = [item["id"] for page in pages for item in page["items"]]
    assert walked == [item["id"] for item in expected]

    # After the last page: an empty page that still reports the total, for any page number.
    for number in sorted({len(pages) + 1, len(pages) + beyond}):
        response = client.get(
            path, params={**query, "page": number, "page_size": size}, headers=headers
        )
        assert response.status_code == 200, response.text
        past = response.json()
        assert (past["items"], past["total"], past["has_next"]) == ([], count, False)
        assert (past["page"], past["page_size"]) == (number, size)


PAGE_SIZES = st.integers(min_value=1, max_value=MAX_PAGE_SIZE)
PAGES_BEYOND = st.integers(min_value=1, max_value=MAX_PAGE - ITEM_COUNT - 1)
"""How far after the last page to look too: up to the largest page number the API accepts."""


@pytest.fixture
def posts(client: AppClient) -> Created:
    """An author with ``ITEM_COUNT`` posts, every third one a draft, as the API returned them."""
    author = sign_up(client)
    created = []
    for number in range(ITEM_COUNT):
        body = {"title": f"Post {number}", "published": number % 3 != 0}
        response = client.post(POSTS, json=body, headers=author.headers)
        assert response.status_code == 201, response.text
        created.append(response.json())
    return Created(author, created)


@PROPERTY_SETTINGS
@given(size=PAGE_SIZES, include_drafts=st.booleans(), beyond=PAGES_BEYOND)
def test_post_pages_hold_every_post_once(
    client: AppClient,
    posts: Created,
    size: int,
    include_drafts: bool,
    beyond: int,
) -> None:
    """The public listing (anonymous, served from the cache) and the author's (with drafts)."""
    author, created = posts.owner, posts.items
    if include_drafts:
        query, headers, visible = {"published_only": False}, author.headers, created
    else:
        query, headers = {}, {}
        visible = [post for post in created if post["published"]]
    # Newest first; the id breaks ties between posts created in the same microsecond.
    expected = sorted(visible, key=lambda p: (microseconds(p["created_at"]), uuid_order(p)))
    expected.reverse()
    assert_pages_partition(client, POSTS, query, headers, size, expected, beyond)


@pytest.fixture
def todos(client: AppClient) -> Created:
    """An owner with ``ITEM_COUNT`` todos: priorities repeat (ties to break), some done."""
    owner = sign_up(client)
    created = []
    for number in range(ITEM_COUNT):
        body = {
            "title": f"Todo {number}",
            "priority": number * 7 % (MAX_PRIORITY + 1),
            "completed": number % 4 == 0,
        }
        response = client.post(TODOS, json=body, headers=owner.headers)
        assert response.status_code == 201, response.text
        created.append(response.json())
    return Created(owner, created)


TODO_ORDER: dict[TodoSort, Callable[[dict[str, Any]], tuple[int, ...]]] = {
    # What todos/service.py promises for each sort; the id (ascending) breaks every tie.
    TodoSort.CREATED: lambda t: (microseconds(t["created_at"]), uuid_order(t)),
    TodoSort.CREATED_DESC: lambda t: (-microseconds(t["created_at"]), uuid_order(t)),
    TodoSort.PRIORITY: lambda t: (t["priority"], -microseconds(t["created_at"]), uuid_order(t)),
    TodoSort.PRIORITY_DESC: lambda t: (
        -t["priority"],
        -microseconds(t["created_at"]),
        uuid_order(t),
    ),
}


@PROPERTY_SETTINGS
@given(
    size=PAGE_SIZES,
    completed=st.sampled_from([None, True, False]),
    sort=st.sampled_from(TodoSort),
    beyond=PAGES_BEYOND,
)
def test_todo_pages_hold_every_todo_once(
    client: AppClient,
    todos: Created,
    size: int,
    completed: bool | None,
    sort: TodoSort,
    beyond: int,
) -> None:
    owner, created = todos.owner, todos.items
    query: dict[str, Any] = {"sort": sort.value}
    if completed is not None:
        query["completed"] = completed
    matching = [todo for todo in created if completed in (None, todo["completed"])]
    expected = sorted(matching, key=TODO_ORDER[sort])
    assert_pages_partition(client, TODOS, query, owner.headers, size, expected, beyond)


QUERY_VALUES = st.one_of(st.integers(), st.text(max_size=12))


@PROPERTY_SETTINGS
@given(path=st.sampled_from([POSTS, TODOS]), page=QUERY_VALUES, size=QUERY_VALUES)
def test_page_parameters_out_of_bounds_are_a_422(
    client: AppClient, account: Account, path: str, page: int | str, size: int | str
) -> None:
    """Integers are accepted exactly within their bounds; text is a page or a 422, never a 500."""
    headers = account.headers if path == TODOS else {}
    response = client.get(path, params={"page": page, "page_size": size}, headers=headers)
    if isinstance(page, int) and isinstance(size, int):
        in_bounds = 1 <= page <= MAX_PAGE and 1 <= size <= MAX_PAGE_SIZE
        assert response.status_code == (200 if in_bounds else 422), response.text
    else:
        assert response.status_code in {200, 422}, response.text
    if response.status_code == 422:
        assert assert_error_shape(response) == ErrorCode.VALIDATION_ERROR


# --- 2. Tokens -------------------------------------------------------------------------------

TOKEN_SETTINGS = settings_for_tests("sqlite+aiosqlite:///:memory:")
"""Only the signing key and algorithm matter to the token functions; nothing connects."""

LIFETIMES = st.builds(timedelta, seconds=st.integers(min_value=60, max_value=100 * 365 * 24 * 3600))
"""At least a minute (a token expiring during the test would fail for the wrong reason), in
whole seconds: a token's ``exp`` is a whole number of seconds, so with a lifetime of 60.000001 s
the claims ``create_token`` returns end a microsecond later than the token it signed (found by
this property; the app's lifetimes are whole minutes and days, so it never happens there)."""
TOKEN_TYPES = st.sampled_from(TokenType)
OTHER_TYPE = {TokenType.ACCESS: TokenType.REFRESH, TokenType.REFRESH: TokenType.ACCESS}


def new_token(
    user_id: uuid.UUID, session_id: uuid.UUID, token_type: TokenType, lifetime: timedelta
) -> tuple[str, TokenClaims]:
    return create_token(
        TOKEN_SETTINGS,
        user_id=user_id,
        token_type=token_type,
        session_id=session_id,
        lifetime=lifetime,
    )


@settings(deadline=None, derandomize=True, database=None)
@given(user_id=st.uuids(), session_id=st.uuids(), token_type=TOKEN_TYPES, lifetime=LIFETIMES)
def test_a_token_decodes_to_the_claims_it_was_created_with(
    user_id: uuid.UUID, session_id: uuid.UUID, token_type: TokenType, lifetime: timedelta
) -> None:
    token, claims = new_token(user_id, session_id, token_type, lifetime)
    assert decode_token(TOKEN_SETTINGS, token, token_type) == claims
    assert (claims.user_id, claims.session_id, claims.token_type) == (
        user_id,
        session_id,
        token_type,
    )
    assert claims.expires_at - claims.issued_at == lifetime


TOKEN_CLAIMS = st.builds(
    TokenClaims,
    user_id=st.uuids(),
    token_type=TOKEN_TYPES,
    token_id=st.uuids(),
    session_id=st.uuids(),
    issued_at=st.just(datetime(2026, 1, 1, tzinfo=UTC)),
    expires_at=st.just(datetime(2100, 1, 1, tzinfo=UTC)),
)
"""Claims of a token valid today, for ``sign_token``. The same claims give the same token, so
Hypothesis replays a failing example exactly: ``create_token`` would draw a new random ``jti``
and read the clock on every call, and a broken check could then fail for one token and not for
the next (Hypothesis reports that as a ``FlakyFailure``)."""


@st.composite
def one_character_changed(draw: st.DrawFn, token: str, alphabet: str | None = None) -> str:
    """``token`` with the character at one position replaced by a different one."""
    position = draw(st.integers(min_value=0, max_value=len(token) - 1))
    characters = st.characters() if alphabet is None else st.sampled_from(alphabet)
    replacement = draw(characters.filter(lambda character: character != token[position]))
    return token[:position] + replacement + token[position + 1 :]


@settings(deadline=None, derandomize=True, database=None)
@given(claims=TOKEN_CLAIMS, data=st.data())
def test_a_token_with_any_character_changed_is_refused(
    claims: TokenClaims, data: st.DataObject
) -> None:
    token = sign_token(TOKEN_SETTINGS, claims)
    assert decode_token(TOKEN_SETTINGS, token, claims.token_type) == claims  # intact: accepted
    tampered = data.draw(one_character_changed(token), label="tampered")
    with pytest.raises(AuthenticationError) as refused:
        decode_token(TOKEN_SETTINGS, tampered, claims.token_type)
    assert refused.value.code == ErrorCode.INVALID_TOKEN


@settings(deadline=None, derandomize=True, database=None)
@given(claims=TOKEN_CLAIMS)
def test_a_token_is_refused_as_the_other_type(claims: TokenClaims) -> None:
    token = sign_token(TOKEN_SETTINGS, claims)
    with pytest.raises(AuthenticationError) as refused:
        decode_token(TOKEN_SETTINGS, token, OTHER_TYPE[claims.token_type])
    assert refused.value.code == ErrorCode.INVALID_TOKEN


HEADER_CHARACTERS = string.ascii_letters + string.digits + string.punctuation
"""What an Authorization header can carry (HTTP header values are printable ASCII)."""


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_api_answers_401_to_a_tampered_or_wrong_type_token(
    client: AppClient, account: Account, data: st.DataObject
) -> None:
    """Through HTTP: the refusal is the app's 401 ``INVALID_TOKEN``, not an escaped exception."""
    tampered = data.draw(one_character_changed(account.access_token, HEADER_CHARACTERS))
    for bearer in (tampered, account.refresh_token):  # a refresh token is no access token
        response = client.get(f"{API}/users/me", headers={"Authorization": f"Bearer {bearer}"})
        assert response.status_code == 401, response.text
        assert assert_error_shape(response) == ErrorCode.INVALID_TOKEN
        assert response.headers["WWW-Authenticate"] == "Bearer"

    tampered = data.draw(one_character_changed(account.refresh_token, HEADER_CHARACTERS))
    for token in (tampered, account.access_token):  # an access token is no refresh token
        response = client.post(f"{API}/auth/refresh", json={"refresh_token": token})
        assert response.status_code == 401, response.text
        assert assert_error_shape(response) == ErrorCode.INVALID_TOKEN


# --- 3. Validation ---------------------------------------------------------------------------

ANY_CHARACTER = st.characters(exclude_categories=[])
"""Every code point, lone surrogates (U+D800-U+DFFF) included: JSON's ``"\\ud800"`` is valid
syntax and decodes to one, so a client can send it."""

STORABLE_CHARACTER = st.characters(codec="utf-8", exclude_characters="\x00")
"""Any character but the two the app refuses to store: lone surrogates and NUL."""

ANY_TEXT = st.text(ANY_CHARACTER, max_size=12)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(ANY_TEXT, children, max_size=4)
    ),
    max_leaves=12,
)
"""Any JSON value, floats including NaN and the infinities (Python's ``json`` reads them)."""


def text_near(limit: int, shortest: int = 1) -> st.SearchStrategy[str]:
    """Storable text of an acceptable length, or one character either side of a length limit."""
    return st.text(STORABLE_CHARACTER, min_size=shortest, max_size=12) | st.text(
        STORABLE_CHARACTER, min_size=limit - 1, max_size=limit + 1
    )


def bodies(
    required: dict[str, st.SearchStrategy[Any]], optional: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[Any]:
    """Request bodies, drawn three ways in equal shares.

    - an object with every field holding a plausible value, mostly accepted: a body that passes
      validation reaches the service and the database (and every field's value is tried there);
    - an object with some of the fields, each holding a plausible value or any JSON value, and
      perhaps a field the schema does not have;
    - any JSON value at all.
    """
    fields = {**required, **optional}
    plausible = st.fixed_dictionaries(fields)
    mixed = st.fixed_dictionaries(
        {},
        optional={
            **{name: strategy | JSON_VALUES for name, strategy in fields.items()},
            "unexpected": JSON_VALUES,
        },
    )
    return plausible | mixed | JSON_VALUES


SIGNUP_BODIES = bodies(
    required={
        "email": st.emails(),
        "password": st.just(DEFAULT_PASSWORD)
        | st.text(
            STORABLE_CHARACTER, min_size=PASSWORD_MIN_LENGTH, max_size=PASSWORD_MAX_LENGTH + 1
        ),
    },
    optional={"full_name": text_near(FULL_NAME_MAX_LENGTH)},
)
POST_BODIES = bodies(
    required={"title": text_near(POST_TITLE_MAX_LENGTH, shortest=POST_TITLE_MIN_LENGTH)},
    optional={"content": st.text(STORABLE_CHARACTER, max_size=12), "published": st.booleans()},
)
TODO_BODIES = bodies(
    required={"title": text_near(TODO_TITLE_MAX_LENGTH)},
    optional={
        "description": text_near(DESCRIPTION_MAX_LENGTH, shortest=0),
        "completed": st.booleans(),
        "priority": st.integers(min_value=MIN_PRIORITY - 1, max_value=MAX_PRIORITY + 1),
    },
)


def assert_created_or_refused_cleanly(
    client: AppClient, path: str, body: Any, headers: dict[str, str]
) -> None:
    """POST ``body`` to ``path``: a 201, or a 4xx in the error shape; never a 5xx."""
    # Serialized as a client may: NaN and Infinity literals, non-ASCII characters as \u escapes
    # (which is how a lone surrogate travels).
    content = json.dumps(body)
    response = client.post(path, content=content, headers=headers)
    event(f"status {response.status_code}")  # pytest --hypothesis-show-statistics lists these
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_error_shape(response)
    else:
        assert response.status_code == 201, response.text


JSON_CONTENT = {"Content-Type": "application/json"}
RESOURCES = {"posts": (POSTS, POST_BODIES), "todos": (TODOS, TODO_BODIES)}


@settings(PROPERTY_SETTINGS, max_examples=100)
@pytest.mark.parametrize("resource", RESOURCES)
@given(data=st.data())
def test_any_post_or_todo_body_gets_a_201_or_a_4xx(
    client: AppClient, account: Account, resource: str, data: st.DataObject
) -> None:
    path, strategy = RESOURCES[resource]
    body = data.draw(strategy, label="body")
    assert_created_or_refused_cleanly(client, path, body, {**JSON_CONTENT, **account.headers})


@PROPERTY_SETTINGS  # fewer examples: each accepted sign-up hashes a password (Argon2, ~0.1 s)
@given(body=SIGNUP_BODIES)
def test_any_signup_body_gets_a_201_or_a_4xx(client: AppClient, body: Any) -> None:
    assert_created_or_refused_cleanly(client, f"{API}/auth/signup", body, JSON_CONTENT)
