"""Lab 15, hidden tests: the instructor grades with these as well as the public ones."""

import uuid
from collections.abc import Callable
from typing import Any

import httpx

LIMIT = 5
PASSWORD = "correct horse battery"


def exhaust(client: httpx.Client, refresh: Callable[[httpx.Client], httpx.Response]) -> list[int]:
    return [refresh(client).status_code for _ in range(LIMIT + 1)]


def test_each_client_address_has_a_count_of_its_own(
    edge: Any, refresh: Callable[[httpx.Client], httpx.Response]
) -> None:
    """The limit counts per client address (Traefik's default source): one address that is
    refused does not lock out another."""
    assert exhaust(edge.client("127.0.2.1"), refresh)[-1] == 429, "the first address is not limited"
    other = refresh(edge.client("127.0.2.2")).status_code
    assert other == 401, f"another address's first request got {other}"


def test_every_auth_endpoint_shares_one_count(edge: Any) -> None:
    """PathPrefix(`/api/v1/auth/`): sign-up, login and refresh are one budget per address, so
    switching endpoints does not get a guesser more attempts."""
    client = edge.client("127.0.2.3")
    tried = [
        client.post("/api/v1/auth/login", json={"email": "a@example.com", "password": "x" * 12}),
        client.post("/api/v1/auth/refresh", json={"refresh_token": "made-up"}),
        client.post("/api/v1/auth/login", json={"email": "b@example.com", "password": "y" * 12}),
        client.post("/api/v1/auth/refresh", json={"refresh_token": "made-up"}),
        client.post("/api/v1/auth/signup", json={}),
        client.post("/api/v1/auth/login", json={"email": "c@example.com", "password": "z" * 12}),
    ]
    statuses = [response.status_code for response in tried]
    assert statuses[:LIMIT] == [401, 401, 401, 401, 422], f"the first five got {statuses[:LIMIT]}"
    assert statuses[LIMIT] == 429, f"the sixth auth request got {statuses[LIMIT]}"


def test_a_refusal_carries_the_security_headers_and_never_reaches_the_app(edge: Any) -> None:
    """Put `security-headers` before `auth-rate-limit` on the router: every response of the auth
    API, a refusal included, carries them; a refused request is answered by Traefik alone."""
    client = edge.client("127.0.2.4")
    sent = []
    for _ in range(LIMIT + 1):
        request_id = str(uuid.uuid4())
        response = client.post(
            "/api/v1/auth/refresh",
            json={"refresh_token": "made-up"},
            headers={"X-Request-ID": request_id},
        )
        sent.append((request_id, response))
    for _, response in sent:
        assert response.headers.get("X-Frame-Options") == "DENY", dict(response.headers)
        assert "Strict-Transport-Security" in response.headers
    refused_id, refused = sent[-1]
    assert refused.status_code == 429, f"the sixth request got {refused.status_code}"
    entry = edge.access_log([refused_id])[refused_id]
    assert entry["RouterName"] == "auth@file", f"served by router {entry['RouterName']}"
    assert entry.get("OriginStatus") == 0, "the refused request reached the app"


def test_a_right_password_still_signs_in(edge: Any) -> None:
    """The router sends to the `reference-app` service (Host header passed on): sign-up and
    login through the edge work as they do without it."""
    client = edge.client("127.0.2.5")
    email = f"lab-{uuid.uuid4().hex[:8]}@example.com"
    signup = client.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD})
    assert signup.status_code == 201, signup.text
    login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    assert login.json()["access_token"]


def test_another_host_is_not_routed_to_the_app(edge: Any) -> None:
    """Match the host as the workbook's router does (Host(`api.example.com`)): a request for
    another name is not the app's, and Traefik answers 404 itself."""
    response = edge.client("127.0.2.6", host="other.example.net").post(
        "/api/v1/auth/refresh", json={"refresh_token": "made-up"}
    )
    assert response.status_code == 404, f"a request for another host got {response.status_code}"
