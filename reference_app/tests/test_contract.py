"""The contract: every operation answers as the OpenAPI schema says, whatever it is sent.

Schemathesis reads the app's OpenAPI schema and, for each operation, sends requests built from
it: the schema's own examples, the edges of every constraint (the *coverage* phase: shortest and
longest strings, smallest and largest numbers, missing fields, wrong types, other methods) and
random ones (the *fuzzing* phase). It checks every response: no 5xx, a status the schema lists
for that operation, the documented content type, headers and body, invalid input refused and
valid input accepted, and no protected operation answering without the token.

Each operation is its own test, on SQLite and on PostgreSQL, against a fresh database and a fresh
app, as a signed-up user (the bearer token goes with every request; operations that need none
ignore it). The seed is fixed, so a failure in CI is the same failure on a laptop, printed with
the ``curl`` command that reproduces it. Each bug found this way also has a plain regression
test, in ``test_errors_and_http.py``, ``test_posts.py`` and ``test_todos.py``.

Schemathesis calls the app in-process, over ASGI, on an event loop of its own in a thread. So the
app is built here, not by the ``app`` fixture (whose lifespan runs on the tests' loop):
Schemathesis starts its lifespan with the first request and ends it when the test ends, and the
app's database connections live and die on that one loop.
"""

import uuid
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis import BaseSchema, Case

from reference_app.main import create_app
from reference_app.testing import settings_for_tests
from tests.support import DEFAULT_PASSWORD

VALID_REQUEST_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
"""What Schemathesis accepts by default for a schema-valid request: anything but 400 and 422
(a 5xx is reported by its own check)."""

SCHEMATHESIS_CONFIG = schemathesis.Config.from_dict(
    {
        # The same requests on every run (each operation draws from this seed mixed with its
        # name), so CI is reproducible.
        "seed": 20261204,
        # Random requests per operation, on top of the coverage phase's edge cases: about 40
        # seconds for the whole file (both databases) on two cores. No example database: a
        # run never depends on what an earlier run saved.
        "generation": {"max-examples": 15, "database": "none"},
        "phases": {"stateful": {"enabled": False}},  # one operation at a time
        "checks": {
            # Both send methods the schema does not declare, and what they report comes from
            # Starlette's routing rather than this app's code: a 405 lists in Allow only the
            # methods of the first route whose path matches (OPTIONS /posts gets "Allow: POST",
            # not "GET, POST"), and PATCH /users/me is taken by PATCH /users/{user_id}, which
            # answers 422 ("me" is not a UUID) where 405 is expected.
            "unsupported_method": {"enabled": False},
            "allow_header_conformance": {"enabled": False},
        },
        # Print real values in the curl command that reproduces a failure: these are test
        # accounts, and "[Filtered]" passwords reproduce nothing.
        "output": {"sanitization": {"enabled": False}},
        "operations": [
            {
                # An event stream never ends. Schemathesis stops reading it at the first event
                # (a Last-Event-ID the server does not hold gets a "reset" event at once) or
                # after this long, and checks what arrived: status, headers, content type.
                "include-path": "/api/v1/events",
                "max-stream-events": 1,
                "request-timeout": 1.0,
            },
            {
                # A reset token is a string the schema cannot tell from one the server issued:
                # a well-formed unknown token is a 400 INVALID_RESET_TOKEN (as OAuth's
                # invalid_grant is), not an invalid request.
                "include-path": "/api/v1/auth/password-reset/confirm",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": [*VALID_REQUEST_STATUSES, "400"]
                    }
                },
            },
        ],
    }
)


def load_schema() -> BaseSchema:
    """The app's OpenAPI schema, read when pytest collects this file: one test per operation.

    Building an app connects to nothing, so this one needs no database; the tests call apps built
    on real ones (``contract_app``). The in-memory broker keeps the job queue from creating its
    directory. (``schemathesis.pytest.from_fixture`` would read the schema from a fixture
    instead, but Schemathesis 4.32 renames tests through ``node._nodeid``, gone in pytest 9.)
    """
    settings = settings_for_tests(
        "postgresql+asyncpg://schema-only@127.0.0.1:1/none", celery_broker_url="memory://"
    )
    return schemathesis.openapi.from_dict(
        create_app(settings).openapi(), config=SCHEMATHESIS_CONFIG
    )


schema = load_schema()


@pytest.fixture
def contract_app(database_url: str) -> FastAPI:
    """The app under test, on this test's clean database.

    Rate limits are on in the test settings; here they are turned off, or Schemathesis would
    mostly meet the limiter (429s after 20 sign-ups a minute), which ``test_rate_limit.py`` tests.
    """
    return create_app(settings_for_tests(database_url, rate_limit_enabled=False))


@pytest.fixture
def bearer_headers(contract_app: FastAPI) -> dict[str, str]:
    """Sign up through the API (on Schemathesis's loop, like every call) and use the token."""
    email = f"contract-{uuid.uuid4().hex[:8]}@example.com"
    signup = schema["/api/v1/auth/signup"]["POST"].Case(
        body={"email": email, "password": DEFAULT_PASSWORD}
    )
    response = signup.call(app=contract_app)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['tokens']['access_token']}"}


@schema.parametrize()
# Hypothesis warns that function-scoped fixtures are not reset between the generated requests;
# here that is the point: one app and one database for all the requests of one operation.
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_operation_honours_its_contract(
    case: Case[Any], contract_app: FastAPI, bearer_headers: dict[str, str]
) -> None:
    case.call_and_validate(app=contract_app, headers=bearer_headers)
