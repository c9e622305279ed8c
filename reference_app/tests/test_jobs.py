"""Background jobs end to end: a real Celery worker, the real Redis, a real SMTP server.

One in-thread worker (``celery.contrib.testing.worker.start_worker``) serves the module; it
consumes from Redis under a key prefix of its own. Each test points the worker at the test's
database and SMTP sink (the worker's :class:`JobRuntime`), builds its own API app — a separate
Celery app object, as in production — and waits, always with a deadline, for what the worker
does. The SMTP sink is aiosmtpd on a free loopback port; it can defer (421) or refuse (550).

The worker runs one task at a time, in the order they were sent, so "send a marker email and
wait for it" proves that everything sent before it was handled.
"""

import asyncio
import os
import re
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgi_lifespan import LifespanManager
from celery import signals
from celery.contrib.testing.worker import start_worker
from celery.schedules import crontab
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from redis import Redis
from sqlalchemy import func, select
from sqlmodel import col

from reference_app.auth.models import PasswordResetToken, RefreshToken, RevokedAccessToken
from reference_app.auth.password_reset import hash_token
from reference_app.auth.tasks import SEND_WELCOME_EMAIL
from reference_app.core.config import Settings
from reference_app.core.database import create_sessionmaker, utcnow
from reference_app.jobs.cleanup import DAILY_CLEANUP
from reference_app.jobs.registry import create_jobs_app, publish_to_event_stream
from reference_app.main import create_app
from reference_app.profiles.tasks import EXPORT_USER_DATA
from reference_app.services import services_of
from reference_app.task_queue import observability
from reference_app.task_queue.email import create_email_backend, header_safe
from reference_app.task_queue.models import DeadLetter, Job, SentEmail
from reference_app.task_queue.runtime import JobRuntime
from reference_app.testing import settings_for_tests
from reference_app.users import service as users_service
from reference_app.users.schemas import UserCreate
from tests.conftest import require_redis
from tests.support import DEFAULT_PASSWORD, Account, error_code, eventually, free_port, sign_up

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TIMEOUT = 15.0
BACKOFF = 0.05  # seconds: the retries' base back-off here (60 s in production)


# --- an SMTP server on loopback ------------------------------------------------------------


class SmtpSink:
    """Keeps every message it accepts; can defer the next N, defer all, or refuse recipients."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.defer_next = 0
        self.defer_all = False
        self.refuse_recipients = False
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self.defer_next = 0
            self.defer_all = self.refuse_recipients = False

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook names)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.refuse_recipients:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        with self._lock:
            if self.defer_all or self.defer_next > 0:
                self.defer_next = max(0, self.defer_next - 1)
                return "421 4.3.2 Try again later"
            content = envelope.content
            raw = content if isinstance(content, bytes) else str(content).encode()
            message = message_from_bytes(raw, policy=default_policy)
            assert isinstance(message, EmailMessage)
            self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str, subject_part: str = "") -> list[EmailMessage]:
        with self._lock:
            return [
                message
                for message in self.messages
                if message["To"] == address and subject_part in str(message["Subject"])
            ]


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[tuple[SmtpSink, int]]:
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


@pytest.fixture
def sink(smtp_server: tuple[SmtpSink, int]) -> SmtpSink:
    smtp_server[0].reset()
    return smtp_server[0]


# --- one worker for the module --------------------------------------------------------------


@pytest.fixture(scope="module")
def celery_prefix() -> Iterator[str]:
    require_redis(REDIS_URL)
    prefix = f"refapp-jobs-test-{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(scope="module")
def worker_app(celery_prefix: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The worker's Celery app; each test gives it its own runtime (database, SMTP)."""
    placeholder = tmp_path_factory.mktemp("worker") / "unused.db"
    settings = settings_for_tests(
        f"sqlite+aiosqlite:///{placeholder}",
        celery_broker_url=REDIS_URL,
        celery_key_prefix=celery_prefix,
    )
    app = create_jobs_app(settings)
    with start_worker(app, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=20):
        yield app
    app.close()


@dataclass
class Harness:
    app: FastAPI
    client: AsyncClient
    settings: Settings
    sink: SmtpSink
    worker_app: Any
    retries: list[str] = field(default_factory=list)

    async def session_scope(self) -> Any:
        return create_sessionmaker(services_of(self.app).engine)()


@pytest.fixture
async def jobs(
    database_url: str,
    sink: SmtpSink,
    smtp_server: tuple[SmtpSink, int],
    worker_app: Any,
    celery_prefix: str,
) -> AsyncIterator[Harness]:
    prefix = f"refapp-test-{uuid.uuid4().hex[:12]}:"
    settings = settings_for_tests(
        database_url,
        redis_url=REDIS_URL,
        redis_key_prefix=prefix,
        celery_broker_url=REDIS_URL,
        celery_key_prefix=celery_prefix,
        email_backend="smtp",
        smtp_host="127.0.0.1",
        smtp_port=smtp_server[1],
        smtp_timeout_seconds=5,
        jobs_retry_backoff_seconds=BACKOFF,
        jobs_retry_backoff_max_seconds=1,
        rate_limit_enabled=False,
    )
    worker_app.refapp_runtime = JobRuntime(
        settings=settings,
        email=create_email_backend(settings),
        event_publisher=publish_to_event_stream,  # as create_jobs_app sets it
    )
    retries: list[str] = []

    def on_retry(request: Any = None, **_: Any) -> None:
        retries.append(request.id)

    signals.task_retry.connect(on_retry, weak=False)
    application = create_app(settings)
    try:
        async with LifespanManager(application):
            transport = ASGITransport(app=application)
            async with AsyncClient(transport=transport, base_url="http://test") as client:
                yield Harness(application, client, settings, sink, worker_app, retries)
    finally:
        signals.task_retry.disconnect(on_retry)
        await asyncio.to_thread(worker_app.control.purge)  # nothing left for the next test
        redis = Redis.from_url(REDIS_URL)
        keys = list(redis.scan_iter(match=f"{prefix}*"))
        if keys:
            redis.delete(*keys)
        redis.close()


async def email_to(sink: SmtpSink, address: str, subject_part: str = "") -> EmailMessage:
    async def arrived() -> list[EmailMessage]:
        return sink.to(address, subject_part)

    messages: list[EmailMessage] = await eventually(arrived)
    return messages[0]


async def make_superuser(harness: Harness) -> Account:
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    password = "a long admin password"
    async with await harness.session_scope() as session:
        await users_service.create_superuser(session, UserCreate(email=email, password=password))
    response = await harness.client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}
    )
    tokens = response.json()
    return Account("", email, password, tokens["access_token"], tokens["refresh_token"])


async def dead_letters(harness: Harness) -> list[DeadLetter]:
    async with await harness.session_scope() as session:
        return list(await session.scalars(select(DeadLetter)))


# --- emails ---------------------------------------------------------------------------------


async def test_signup_sends_a_welcome_email(jobs: Harness) -> None:
    account = await sign_up(jobs.client)
    message = await email_to(jobs.sink, account.email, "Welcome")
    assert "your account is ready" in message.get_content()


async def test_password_reset_works_once_and_ends_every_session(jobs: Harness) -> None:
    account = await sign_up(jobs.client)
    await email_to(jobs.sink, account.email, "Welcome")

    unknown = await jobs.client.post(
        "/api/v1/auth/password-reset", json={"email": "nobody@example.com"}
    )
    known = await jobs.client.post("/api/v1/auth/password-reset", json={"email": account.email})
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()  # nothing tells whether the account exists

    message = await email_to(jobs.sink, account.email, "Reset your password")
    match = re.search(r"token=([A-Za-z0-9_\-]+)", message.get_content())
    assert match is not None
    token = match[1]
    assert jobs.sink.to("nobody@example.com") == []  # handled before, in order: nothing sent

    async def stored_hashes() -> list[str]:
        # The worker sends, then commits the token with the sent-email key: a real mailbox
        # receives the link long after that commit, the in-memory sink can beat it.
        async with await jobs.session_scope() as session:
            return list(await session.scalars(select(col(PasswordResetToken.token_hash))))

    assert await eventually(stored_hashes) == [hash_token(token)]  # the hash, never the token

    confirm = "/api/v1/auth/password-reset/confirm"
    done = await jobs.client.post(confirm, json={"token": token, "new_password": "a new password"})
    assert done.status_code == 204, done.text
    again = await jobs.client.post(confirm, json={"token": token, "new_password": "another one"})
    assert again.status_code == 400
    assert error_code(again) == "INVALID_TOKEN"
    wrong = await jobs.client.post(confirm, json={"token": "nope", "new_password": "still valid"})
    assert error_code(wrong) == "INVALID_TOKEN"

    refreshed = await jobs.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": account.refresh_token}
    )
    assert refreshed.status_code == 401
    assert error_code(refreshed) == "TOKEN_REVOKED"
    old = await jobs.client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": account.password}
    )
    assert old.status_code == 401
    new = await jobs.client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": "a new password"}
    )
    assert new.status_code == 200


async def test_a_changed_email_is_announced_to_the_old_address(jobs: Harness) -> None:
    account = await sign_up(jobs.client)
    await email_to(jobs.sink, account.email, "Welcome")
    new_email = f"moved-{uuid.uuid4().hex[:8]}@example.com"
    changed = await jobs.client.patch(
        f"/api/v1/users/{account.id}",
        headers=account.headers,
        json={"email": new_email, "current_password": account.password},
    )
    assert changed.status_code == 200, changed.text

    message = await email_to(jobs.sink, account.email, "email address was changed")
    assert new_email in message.get_content()
    assert jobs.sink.to(new_email) == []  # the warning goes where the attacker cannot read it


async def test_publishing_a_post_notifies_its_author_once(jobs: Harness) -> None:
    account = await sign_up(jobs.client)
    await email_to(jobs.sink, account.email, "Welcome")
    created = await jobs.client.post(
        "/api/v1/posts", json={"title": "Draft", "content": "..."}, headers=account.headers
    )
    post_id = created.json()["id"]
    for title in ("Now public", "Edited while public"):
        response = await jobs.client.patch(
            f"/api/v1/posts/{post_id}",
            json={"title": title, "published": True},
            headers=account.headers,
        )
        assert response.status_code == 200
    await email_to(jobs.sink, account.email, "is published")
    # A marker sent last: once it arrives, both notifications were handled.
    await jobs.client.post("/api/v1/auth/password-reset", json={"email": account.email})
    await email_to(jobs.sink, account.email, "Reset your password")
    assert len(jobs.sink.to(account.email, "is published")) == 1


# --- exports ----------------------------------------------------------------------------------


async def test_export_runs_in_the_background_for_its_owner_only(jobs: Harness) -> None:
    owner = await sign_up(jobs.client)
    other = await sign_up(jobs.client)
    await jobs.client.post(
        "/api/v1/posts", json={"title": "Mine", "content": "text"}, headers=owner.headers
    )
    await jobs.client.post("/api/v1/todos", json={"title": "Do it"}, headers=owner.headers)

    broker = services_of(jobs.app).event_broker
    async with broker.subscribe(uuid.UUID(owner.id)) as subscription:
        started = await jobs.client.post("/api/v1/users/me/export", headers=owner.headers)
        assert started.status_code == 202, started.text
        job = started.json()
        assert job["status"] == "pending"
        assert job["result"] is None

        async def finished() -> dict[str, Any] | None:
            body: dict[str, Any] = (
                await jobs.client.get(f"/api/v1/jobs/{job['id']}", headers=owner.headers)
            ).json()
            return body if body["status"] == "done" else None

        done = await eventually(finished)
        event = await asyncio.wait_for(anext(subscription), TIMEOUT)
    assert event.content.type == "job.updated"
    assert event.content.data == {"id": job["id"], "kind": "export", "status": "done"}
    assert not event.content.visible_to(uuid.UUID(other.id))  # the owner's only

    export = done["result"]
    assert export["profile"]["email"] == owner.email
    assert "hashed_password" not in export["profile"]
    assert [post["title"] for post in export["posts"]] == ["Mine"]
    assert [todo["title"] for todo in export["todos"]] == ["Do it"]
    assert done["attempts"] == 1

    hidden = await jobs.client.get(f"/api/v1/jobs/{job['id']}", headers=other.headers)
    assert hidden.status_code == 404
    missing = await jobs.client.get(f"/api/v1/jobs/{uuid.uuid4()}", headers=owner.headers)
    assert missing.status_code == 404


# --- reliability ------------------------------------------------------------------------------


async def test_a_transient_failure_is_retried_until_it_succeeds(jobs: Harness) -> None:
    jobs.sink.defer_next = 2  # 421 twice, then accepted
    account = await sign_up(jobs.client)
    await email_to(jobs.sink, account.email, "Welcome")
    assert len(jobs.retries) == 2
    assert len(set(jobs.retries)) == 1  # the same task, retried twice
    assert await dead_letters(jobs) == []
    assert len(jobs.sink.to(account.email)) == 1


async def test_exhausted_retries_land_in_dead_letters_and_can_be_redriven(jobs: Harness) -> None:
    admin = await make_superuser(jobs)
    jobs.sink.defer_all = True
    account = await sign_up(jobs.client)
    letters = await eventually(lambda: dead_letters(jobs))
    assert len(jobs.retries) == 3

    listed = await jobs.client.get("/api/v1/jobs/dead-letters", headers=admin.headers)
    assert listed.status_code == 200
    [letter] = listed.json()["items"]
    assert letter["id"] == str(letters[0].id)
    assert letter["task_name"] == SEND_WELCOME_EMAIL
    assert letter["task_args"] == [account.id]
    assert letter["attempts"] == 4  # the first run and 3 retries
    assert "421" in letter["error"]
    assert letter["redriven_at"] is None
    forbidden = await jobs.client.get("/api/v1/jobs/dead-letters", headers=account.headers)
    assert forbidden.status_code == 403

    jobs.sink.defer_all = False
    retry = f"/api/v1/jobs/dead-letters/{letter['id']}/retry"
    redriven = await jobs.client.post(retry, headers=admin.headers)
    assert redriven.status_code == 202, redriven.text
    assert redriven.json()["redriven_at"] is not None
    await email_to(jobs.sink, account.email, "Welcome")
    again = await jobs.client.post(retry, headers=admin.headers)
    assert again.status_code == 409
    unknown = await jobs.client.post(
        f"/api/v1/jobs/dead-letters/{uuid.uuid4()}/retry", headers=admin.headers
    )
    assert unknown.status_code == 404


async def test_a_permanent_failure_is_not_retried(jobs: Harness) -> None:
    jobs.sink.refuse_recipients = True
    await sign_up(jobs.client)
    [letter] = await eventually(lambda: dead_letters(jobs))
    assert letter.attempts == 1
    assert jobs.retries == []
    assert "550" in letter.error


async def test_a_failed_export_is_marked_failed(jobs: Harness) -> None:
    """A dead export tells its owner: the job reads ``failed``, with the error."""
    owner = await sign_up(jobs.client)
    async with await jobs.session_scope() as session:
        job = Job(kind="export", owner_id=uuid.UUID(owner.id))
        session.add(job)
        await session.commit()
    task = jobs.worker_app.tasks[EXPORT_USER_DATA]
    # Called directly (not through the worker) so that on_failure can be driven by hand.
    await asyncio.to_thread(
        task.on_failure, RuntimeError("boom"), str(job.id), [str(job.id)], {}, None
    )
    body = (await jobs.client.get(f"/api/v1/jobs/{job.id}", headers=owner.headers)).json()
    assert body["status"] == "failed"
    assert "boom" in body["error"]


async def test_a_duplicate_delivery_has_one_effect(jobs: Harness) -> None:
    account = await sign_up(jobs.client)
    await email_to(jobs.sink, account.email, "Welcome")
    started = await jobs.client.post("/api/v1/users/me/export", headers=account.headers)
    job_id = started.json()["id"]

    async def exported() -> dict[str, Any] | None:
        async with await jobs.session_scope() as session:
            job = await session.get(Job, uuid.UUID(job_id))
            return job.result if job is not None and job.status == "done" else None

    first = await eventually(exported)
    # Redelivery, as after a worker crash: the same messages again, same task ids.
    send = services_of(jobs.app).jobs.celery_app.send_task
    for _ in range(2):
        await asyncio.to_thread(send, SEND_WELCOME_EMAIL, args=[account.id], task_id="dup-1")
        await asyncio.to_thread(send, EXPORT_USER_DATA, args=[job_id], task_id=job_id)
    await jobs.client.post("/api/v1/auth/password-reset", json={"email": account.email})
    await email_to(jobs.sink, account.email, "Reset your password")  # the marker

    assert len(jobs.sink.to(account.email, "Welcome")) == 1
    assert await exported() == first  # not built again
    async with await jobs.session_scope() as session:
        keys = list(await session.scalars(select(col(SentEmail.key))))
    assert f"welcome:{account.id}" in keys


# --- the daily cleanup ------------------------------------------------------------------------


def test_beat_runs_the_cleanup_daily_at_the_configured_time(tmp_path: Any) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'beat.db'}"
    default = create_jobs_app(settings_for_tests(url)).conf.beat_schedule["daily-cleanup"]
    assert default["task"] == DAILY_CLEANUP
    assert default["schedule"] == crontab(minute="0", hour="2")
    custom = create_jobs_app(settings_for_tests(url, jobs_cleanup_schedule="30 3 * * 1-5"))
    assert custom.conf.beat_schedule["daily-cleanup"]["schedule"] == crontab(
        minute="30", hour="3", day_of_week="1-5"
    )
    assert custom.conf.timezone == "UTC"
    with pytest.raises(ValueError, match="5 fields"):
        create_jobs_app(settings_for_tests(url, jobs_cleanup_schedule="every day"))


async def test_the_cleanup_deletes_exactly_what_has_expired(jobs: Harness) -> None:
    account = await sign_up(jobs.client)
    await email_to(jobs.sink, account.email, "Welcome")
    user_id = uuid.UUID(account.id)
    now = utcnow()
    past, future = now - timedelta(minutes=1), now + timedelta(days=1)
    old = now - timedelta(days=31)

    def refresh(expires: Any) -> RefreshToken:
        return RefreshToken(
            id=uuid.uuid4(),
            family_id=uuid.uuid4(),
            user_id=user_id,
            issued_at=now,
            expires_at=expires,
        )

    def reset(expires: Any, used: Any = None) -> PasswordResetToken:
        return PasswordResetToken(
            user_id=user_id,
            token_hash=uuid.uuid4().hex,
            created_at=now,
            expires_at=expires,
            used_at=used,
        )

    def letter(failed: Any) -> DeadLetter:
        return DeadLetter(task_id="t", task_name="x", error="e", attempts=4, failed_at=failed)

    doomed = [
        refresh(past),
        RevokedAccessToken(id=uuid.uuid4(), expires_at=past),
        reset(past),
        reset(future, used=now),
        Job(kind="export", owner_id=user_id, status="done", expires_at=past),
        Job(kind="export", owner_id=user_id, created_at=old),  # never ran: a lost message
        SentEmail(key="old", expires_at=past),
        letter(old),
    ]
    kept = [
        refresh(future),
        RevokedAccessToken(id=uuid.uuid4(), expires_at=future),
        reset(future),
        Job(kind="export", owner_id=user_id, status="done", expires_at=future),
        Job(kind="export", owner_id=user_id),
        SentEmail(key="recent", expires_at=future),
        SentEmail(key="forever", expires_at=None),
        letter(now - timedelta(days=29)),
    ]
    async with await jobs.session_scope() as session:
        session.add_all(doomed + kept)
        await session.commit()
        kept_ids = {(type(row).__name__, str(_key(row))) for row in kept}

    tables = [RefreshToken, RevokedAccessToken, PasswordResetToken, Job, SentEmail, DeadLetter]

    async def remaining() -> set[tuple[str, str]]:
        rows: set[tuple[str, str]] = set()
        async with await jobs.session_scope() as session:
            for table in tables:
                for row in await session.scalars(select(table)):
                    rows.add((table.__name__, str(_key(row))))
        return rows

    before = await remaining()
    await asyncio.to_thread(services_of(jobs.app).jobs.celery_app.send_task, DAILY_CLEANUP)

    async def cleaned() -> bool:
        return len(await remaining()) == len(before) - len(doomed)

    await eventually(cleaned)
    after = await remaining()
    assert kept_ids <= after
    # What else survives is the account's own session and welcome key, which are current.
    assert {name for name, _ in after - kept_ids} == {"RefreshToken", "SentEmail"}
    async with await jobs.session_scope() as session:
        assert await session.scalar(select(func.count()).select_from(SentEmail)) == 3


def _key(row: Any) -> Any:
    return row.key if isinstance(row, SentEmail) else row.id


def test_queue_length_on_redis_counts_down_to_zero(worker_app: Any) -> None:
    """The job_queue_length gauge: an empty queue on Redis is 0, not an error (no key exists)."""
    queue = f"idle-{uuid.uuid4().hex[:8]}"  # a queue no worker consumes
    assert observability.queue_length(worker_app, queue) == 0
    worker_app.send_task("reference_app.never_run", queue=queue)
    assert observability.queue_length(worker_app, queue) == 1
    with worker_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)
    assert observability.queue_length(worker_app, queue) == 0


# --- hostile input in emails ------------------------------------------------------------------

HOSTILE = "Hi\r\nBcc: victim@example.com\n\tX-Spam: 1\x00"


async def test_every_email_survives_hostile_text_in_its_subject_and_body(jobs: Harness) -> None:
    """Line breaks in user text cannot add headers, nor fail a job: each email still arrives."""
    text = HOSTILE.replace("\x00", "")  # a NUL is refused with 422 before it gets this far
    hostile_name = {"email": "named@example.com", "password": DEFAULT_PASSWORD, "full_name": text}
    assert (await jobs.client.post("/api/v1/auth/signup", json=hostile_name)).status_code == 201
    await email_to(jobs.sink, "named@example.com", "Welcome")
    account = await sign_up(jobs.client)
    await email_to(jobs.sink, account.email, "Welcome")
    created = await jobs.client.post(
        "/api/v1/posts",
        headers=account.headers,
        json={"title": text, "content": text},
    )
    assert created.status_code == 201, created.text
    published = await jobs.client.patch(
        f"/api/v1/posts/{created.json()['id']}", headers=account.headers, json={"published": True}
    )
    assert published.status_code == 200
    await jobs.client.post("/api/v1/auth/password-reset", json={"email": account.email})

    notice = await email_to(jobs.sink, account.email, "is published")
    await email_to(jobs.sink, account.email, "Reset your password")
    assert notice["Subject"] == "Your post “Hi Bcc: victim@example.com X-Spam: 1” is published"
    assert notice["Bcc"] is None
    assert notice["X-Spam"] is None
    for message in jobs.sink.to(account.email):
        assert message["Subject"] == header_safe(message["Subject"])  # one printable line
    assert jobs.sink.to("victim@example.com") == []


def test_header_safe_keeps_one_printable_line() -> None:
    assert header_safe("a\r\nb\tc\x00d  e") == "a b c d e"
    assert header_safe("Résumé “quoted”") == "Résumé “quoted”"
