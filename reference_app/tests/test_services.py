"""The services seam: build the services, replace one, hand them to ``create_app``."""

import uuid
from collections.abc import Sequence
from dataclasses import replace

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from reference_app.auth.revocation import AccessTokenDenylist
from reference_app.changes import ChangeAction, ChangeEvent
from reference_app.core.config import Settings
from reference_app.core.security import TokenClaims
from reference_app.events.memory import MemoryBroker
from reference_app.events.models import StreamEvent
from reference_app.main import create_app
from reference_app.services import build_services, services_of
from reference_app.testing import app_client, sign_up

ME = "/api/v1/users/me"


def test_the_app_keeps_the_services_it_was_given(settings: Settings) -> None:
    services = build_services(settings)
    app = create_app(services=services)
    assert services_of(app) is services
    assert services_of(create_app(settings)) is not services  # every app builds its own


def test_settings_and_services_together_are_refused(settings: Settings) -> None:
    services = build_services(settings)
    other = settings.model_copy(update={"project_name": "Another"})
    with pytest.raises(ValueError, match="not both"):
        create_app(other, services=services)
    assert services_of(create_app(services.settings, services=services)) is services


async def test_a_replaced_listener_runs_in_place_of_the_apps_and_the_events_come_last(
    settings: Settings,
) -> None:
    seen: list[str] = []

    async def record(change: ChangeEvent) -> None:
        seen.append(f"{change.entity}.{change.action}")

    services = build_services(settings)
    services.change_listeners["posts_cache"] = record
    order = services.all_change_listeners()
    assert order.index(record) < order.index(services.event_broker.publish) == len(order) - 1

    async with app_client(create_app(services=services)) as client:
        author = await sign_up(client)
        body = {"title": "Seen", "content": "Body.", "published": True}
        created = await client.post("/api/v1/posts", json=body, headers=author.headers)
        assert created.status_code == 201, created.text
    assert seen == ["post.created"]


async def test_a_plugged_in_denylist_is_asked_by_every_request_and_told_of_logouts(
    settings: Settings,
) -> None:
    revoked: set[uuid.UUID] = set()
    asked: list[uuid.UUID] = []

    async def revoke(session: AsyncSession, claims: TokenClaims) -> None:
        revoked.add(claims.token_id)
        await session.commit()  # the refresh-token family's revocation commits with it

    async def is_revoked(session: AsyncSession, token_id: uuid.UUID) -> bool:
        asked.append(token_id)
        return token_id in revoked

    services = build_services(settings.model_copy(update={"cache_token_check_ttl_seconds": 0}))
    services.access_denylist = AccessTokenDenylist(
        services.sessionmaker, services.cache, revoke=revoke, is_revoked=is_revoked
    )
    async with app_client(create_app(services=services)) as client:
        ada = await sign_up(client)
        assert (await client.get(ME, headers=ada.headers)).status_code == 200
        assert (await client.post("/api/v1/auth/logout", headers=ada.headers)).status_code == 204
        refused = await client.get(ME, headers=ada.headers)
    assert refused.status_code == 401
    assert len(revoked) == 1
    assert len(asked) == 3  # /me, the logout's own token check, /me again


async def test_the_memory_broker_resumes_a_stream_with_its_replay_policy() -> None:
    asked: list[tuple[list[str], str]] = []

    def only_the_newest(recent: Sequence[StreamEvent], last_event_id: str) -> list[StreamEvent]:
        asked.append(([event.id for event in recent], last_event_id))
        return list(recent)[-1:]

    broker = MemoryBroker(replay_size=10, replay=only_the_newest)
    for title in ("one", "two"):
        change = ChangeEvent("post", ChangeAction.CREATED, uuid.uuid4(), uuid.uuid4(), True)
        await broker.publish(replace(change, data={"title": title}))
    async with broker.subscribe(None, last_event_id="any-id") as subscription:
        first = await anext(subscription)  # the missed events come first
    assert first.content.data["title"] == "two"
    assert asked == [([f"{first.id[:-2]}-1", first.id], "any-id")]
