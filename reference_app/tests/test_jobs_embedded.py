"""Jobs without any service: the embedded queue and worker; and the parts that need no worker.

The embedded default (no broker, no Redis) must still run jobs for real and asynchronously:
the API enqueues into a directory and its own worker thread runs them. The rest checks email
backends, settings, enqueue failures and the command line without a worker.
"""

import asyncio
import smtplib
import uuid
from collections.abc import AsyncIterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
import structlog
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from kombu.connection import Connection
from kombu.transport import filesystem as kombu_filesystem
from typer.testing import CliRunner

from reference_app import cli
from reference_app.auth.tasks import SEND_WELCOME_EMAIL
from reference_app.core.config import Settings
from reference_app.core.database import create_engine, create_sessionmaker, upgrade_database
from reference_app.jobs.registry import create_jobs_app
from reference_app.main import create_app
from reference_app.services import services_of
from reference_app.task_queue import file_queue, observability
from reference_app.task_queue.base import backoff_seconds, task_context
from reference_app.task_queue.email import (
    ConsoleEmailBackend,
    FileEmailBackend,
    SmtpEmailBackend,
    TransientEmailError,
    build_message,
    create_email_backend,
)
from reference_app.task_queue.errors import PermanentJobError
from reference_app.task_queue.factory import create_celery_app, embedded_queue_options
from reference_app.task_queue.models import DeadLetter
from reference_app.task_queue.queue import JobQueue
from reference_app.task_queue.runtime import JobRuntime, runtime_of
from reference_app.testing import settings_for_tests
from tests.support import error_code, eventually, sign_up

TIMEOUT = 15.0


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'embedded.db'}"
    engine = create_engine(settings_for_tests(url))
    await upgrade_database(engine)
    await engine.dispose()
    return url


@pytest.fixture
async def embedded(sqlite_url: str, tmp_path: Path) -> AsyncIterator[tuple[FastAPI, AsyncClient]]:
    settings = settings_for_tests(
        sqlite_url,
        email_backend="file",
        email_file_dir=str(tmp_path / "mail"),
        jobs_worker_in_process=True,
        jobs_retry_backoff_seconds=0.05,
        rate_limit_enabled=False,
    )
    assert settings.uses_embedded_queue
    assert settings.embedded_queue_dir == tmp_path / "embedded.jobs"
    application = create_app(settings)
    async with LifespanManager(application, shutdown_timeout=30):
        transport = ASGITransport(app=application)
        async with AsyncClient(transport=transport, base_url="http://test") as client:
            yield application, client


async def test_the_embedded_default_runs_jobs_asynchronously(
    embedded: tuple[FastAPI, AsyncClient], tmp_path: Path
) -> None:
    app, client = embedded
    account = await sign_up(client)
    mail = tmp_path / "mail"

    async def delivered() -> list[Path]:
        return sorted(mail.glob("*.eml")) if mail.exists() else []

    [eml] = await eventually(delivered)
    message = message_from_bytes(eml.read_bytes(), policy=default_policy)
    assert message["To"] == account.email
    assert "Welcome" in str(message["Subject"])

    async with services_of(app).event_broker.subscribe(uuid.UUID(account.id)) as subscription:
        started = await client.post("/api/v1/users/me/export", headers=account.headers)
        assert started.status_code == 202
        job_id = started.json()["id"]
        # Announced to the app's own listeners, on the app's loop, by the worker thread.
        event = await asyncio.wait_for(anext(subscription), TIMEOUT)
    assert event.content.type == "job.updated"
    assert event.content.data["status"] == "done"
    body = (await client.get(f"/api/v1/jobs/{job_id}", headers=account.headers)).json()
    assert body["status"] == "done"
    assert body["result"]["profile"]["id"] == account.id


async def test_the_embedded_worker_runs_retries(
    embedded: tuple[FastAPI, AsyncClient], tmp_path: Path
) -> None:
    """A retry waits for its countdown in the worker's timer thread, which must run it too."""
    app, client = embedded
    runtime = runtime_of(services_of(app).jobs.celery_app)
    backend = runtime.email
    failures = [TransientEmailError("SMTP 421: try again later")]

    class FailsOnce:
        def send(self, message: EmailMessage) -> None:
            if failures:
                raise failures.pop()
            backend.send(message)

    runtime.email = FailsOnce()
    await sign_up(client)
    mail = tmp_path / "mail"

    async def delivered() -> list[Path]:
        return sorted(mail.glob("*.eml")) if mail.exists() else []

    assert len(await eventually(delivered)) == 1
    assert failures == []


async def test_enqueue_failures(sqlite_url: str) -> None:
    """An unreachable broker: a welcome email is skipped; an export is refused with 503."""
    settings = settings_for_tests(sqlite_url, celery_broker_url="redis://127.0.0.1:1/0")
    app = create_app(settings)
    services_of(app).jobs.celery_app.conf.broker_transport_options = {"max_retries": 1}
    services_of(app).jobs.celery_app.conf.task_publish_retry = False  # fail fast
    async with LifespanManager(app):
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://test") as client:
            account = await sign_up(client)  # the account exists; its email is lost (logged)
            refused = await client.post("/api/v1/users/me/export", headers=account.headers)
            assert refused.status_code == 503
            async with create_sessionmaker(services_of(app).engine)() as session:
                letter = DeadLetter(
                    task_id="t",
                    task_name=SEND_WELCOME_EMAIL,
                    task_args=[account.id],
                    error="e",
                    attempts=4,
                )
                session.add(letter)
                await session.commit()
                queue: JobQueue = services_of(app).jobs
                from reference_app.jobs import service

                with pytest.raises(Exception, match="unavailable"):
                    await service.redrive(session, queue, letter.id)
                await session.refresh(letter)
                assert letter.redriven_at is None  # the claim is undone: it can be retried


# --- email backends -------------------------------------------------------------------------


def test_email_backends(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    settings = settings_for_tests(url)
    message = build_message(settings, to="ada@example.com", subject="Hi", body="Hello")
    assert isinstance(create_email_backend(settings), ConsoleEmailBackend)
    with structlog.testing.capture_logs() as logs:
        ConsoleEmailBackend().send(message)
    assert logs[0]["event"] == "email_sent"
    assert logs[0]["to"] == "ada@example.com"

    directory = tmp_path / "out"
    backend = create_email_backend(
        settings_for_tests(url, email_backend="file", email_file_dir=str(directory))
    )
    assert isinstance(backend, FileEmailBackend)
    backend.send(message)
    [written] = directory.glob("*.eml")
    assert b"Subject: Hi" in written.read_bytes()

    production = Settings.model_validate(
        {
            "environment": "production",
            "database_url": "postgresql+asyncpg://u@h/db",
            "secret_key": "x" * 40,
            "metrics_bearer_token": "m" * 32,
        }
    )
    assert production.effective_email_backend == "smtp"
    assert isinstance(create_email_backend(production), SmtpEmailBackend)


def _smtp(tmp_path: Path, **overrides: Any) -> SmtpEmailBackend:
    settings = settings_for_tests(
        f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", smtp_host="127.0.0.1", **overrides
    )
    return SmtpEmailBackend(settings)


def test_smtp_errors_are_sorted_into_transient_and_permanent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for_tests(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    message = build_message(settings, to="ada@example.com", subject="Hi", body="Hello")
    closed_port = _smtp(tmp_path, smtp_port=1, smtp_timeout_seconds=1)
    with pytest.raises(TransientEmailError, match="unavailable"):
        closed_port.send(message)

    sent: list[str] = []

    class FakeSMTP:
        error: Exception | None = None

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass

        def __enter__(self) -> "FakeSMTP":
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def starttls(self, **kwargs: Any) -> None:
            sent.append("starttls")

        def login(self, user: str, password: str) -> None:
            sent.append(f"login {user} {password}")

        def send_message(self, message: Any) -> None:
            if self.error is not None:
                raise self.error
            sent.append("sent")

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(smtplib, "SMTP_SSL", FakeSMTP)
    secure = _smtp(tmp_path, smtp_starttls=True, smtp_username="u", smtp_password="p")
    secure.send(message)
    assert sent == ["starttls", "login u p", "sent"]
    _smtp(tmp_path, smtp_ssl=True).send(message)

    cases: list[tuple[Exception, type[Exception]]] = [
        (smtplib.SMTPRecipientsRefused({"a": (550, b"no")}), PermanentJobError),
        (smtplib.SMTPRecipientsRefused({"a": (450, b"later")}), TransientEmailError),
        (smtplib.SMTPDataError(554, b"rejected"), PermanentJobError),
        (smtplib.SMTPDataError(451, b"later"), TransientEmailError),
        (smtplib.SMTPServerDisconnected("gone"), TransientEmailError),
    ]
    for error, expected in cases:
        FakeSMTP.error = error
        with pytest.raises(expected):
            _smtp(tmp_path).send(message)


# --- settings, back-off, observability --------------------------------------------------------


def test_job_settings_defaults(tmp_path: Path) -> None:
    sqlite = settings_for_tests(f"sqlite+aiosqlite:///{tmp_path / 'app.db'}")
    assert sqlite.jobs_broker_url == "filesystem://"
    assert sqlite.embedded_queue_dir == tmp_path / "app.jobs"
    # The URL is parsed, not split: its query string is not part of the file name.
    uri = settings_for_tests(f"sqlite+aiosqlite:///{tmp_path / 'app.v2.db'}?timeout=2.5")
    assert uri.embedded_queue_dir == tmp_path / "app.v2.jobs"
    assert not sqlite.should_run_worker_in_process  # tests start their own workers
    development = Settings.model_validate(
        {"environment": "development", "database_url": sqlite.database_url}
    )
    assert development.should_run_worker_in_process
    postgres = settings_for_tests("postgresql+asyncpg://u@h/db")
    assert postgres.embedded_queue_dir.name.startswith("reference_app-jobs-")
    explicit = settings_for_tests(sqlite.database_url, jobs_queue_dir=str(tmp_path / "q"))
    assert explicit.embedded_queue_dir == tmp_path / "q"
    redis = settings_for_tests(sqlite.database_url, redis_url="redis://r:6379/0")
    assert redis.jobs_broker_url == "redis://r:6379/0"
    assert not redis.should_run_worker_in_process
    broker = settings_for_tests(
        sqlite.database_url, redis_url="redis://r/0", celery_broker_url="redis://b/1"
    )
    assert broker.jobs_broker_url == "redis://b/1"


def test_backoff_is_exponential_with_jitter_and_capped(tmp_path: Path) -> None:
    settings = settings_for_tests(
        f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        jobs_retry_backoff_seconds=60,
        jobs_retry_backoff_max_seconds=600,
    )
    for retry, ceiling in [(0, 60), (1, 120), (2, 240), (5, 600)]:
        delays = [backoff_seconds(settings, retry) for _ in range(50)]
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert len(set(delays)) > 1  # jittered


def test_observability_counts_only_this_apps_tasks(tmp_path: Path) -> None:
    from reference_app.observability import metrics

    class FakeTask:
        name = "reference_app.jobs.example"

    def value(state: str) -> float:
        counted: float = metrics.JOBS.labels(task=FakeTask.name, state=state)._value.get()
        return counted

    before = {state: value(state) for state in ("succeeded", "failed", "retried")}
    observability._on_prerun(task_id="1", task=FakeTask())
    observability._on_postrun(task_id="1", task=FakeTask(), state="SUCCESS")
    observability._on_prerun(task_id="2", task=FakeTask())
    observability._on_postrun(task_id="2", task=FakeTask(), state="FAILURE")
    observability._on_retry(sender=FakeTask())
    observability._on_postrun(task_id="3", task=object(), state="SUCCESS")  # not ours
    assert {state: value(state) - before[state] for state in before} == {
        "succeeded": 1,
        "failed": 1,
        "retried": 1,
    }
    observability._on_worker_init(sender=object())  # not `celery worker`: no metrics server
    observability._start_tracing()  # nor tracing: only `celery worker` processes set it up
    app = create_celery_app(settings_for_tests(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"))
    assert observability.queue_length(app, "celery") == 0  # the embedded queue, empty


async def test_task_context_publishes_through_redis_when_configured(
    redis_settings: Settings,
) -> None:
    """The app's jobs runtime announces on the live event stream; a runtime built without a
    publisher (as a lab's is) announces nothing."""
    jobs_app = create_jobs_app(redis_settings)
    async with task_context(runtime_of(jobs_app)) as context:
        assert len(context.notifier._listeners) == 1
    jobs_app.close()
    bare = JobRuntime(settings=redis_settings, email=ConsoleEmailBackend())
    async with task_context(bare) as context:
        assert context.notifier._listeners == []


# --- the command line -------------------------------------------------------------------------

runner = CliRunner()


def test_cli_lists_and_redrives_dead_letters(
    clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    clean_environment.setenv("APP_DATABASE_URL", url)
    clean_environment.chdir(tmp_path)
    assert runner.invoke(cli.app, ["migrate"]).exit_code == 0
    empty = runner.invoke(cli.app, ["jobs", "dead-letters"])
    assert empty.exit_code == 0
    assert "No dead letters" in empty.output

    async def add_letter() -> uuid.UUID:
        engine = create_engine(settings_for_tests(url))
        async with create_sessionmaker(engine)() as session:
            letter = DeadLetter(
                task_id="t",
                task_name=SEND_WELCOME_EMAIL,
                task_args=["u1"],
                error="boom",
                attempts=4,
            )
            session.add(letter)
            await session.commit()
        await engine.dispose()
        return letter.id

    letter_id = asyncio.run(add_letter())
    listed = runner.invoke(cli.app, ["jobs", "dead-letters"])
    assert str(letter_id) in listed.output
    assert "boom" in listed.output

    redriven = runner.invoke(cli.app, ["jobs", "redrive", str(letter_id)])
    assert redriven.exit_code == 0, redriven.output
    # Into the embedded queue, where the server's worker thread will pick it up.
    assert list((tmp_path / "cli.jobs" / "queue").glob("*.msg"))
    again = runner.invoke(cli.app, ["jobs", "redrive", str(letter_id)])
    assert again.exit_code == 1
    assert "already re-driven" in again.output


async def test_routes_without_a_worker(client: AsyncClient) -> None:
    """Exports are accepted (and wait in the queue); dead letters need a superuser."""
    account = await sign_up(client)
    started = await client.post("/api/v1/users/me/export", headers=account.headers)
    assert started.status_code == 202
    assert started.json()["status"] == "pending"
    forbidden = await client.get("/api/v1/jobs/dead-letters", headers=account.headers)
    assert error_code(forbidden) == "FORBIDDEN"


@pytest.mark.parametrize("port", [9123, 0])
def test_a_command_line_worker_serves_metrics_on_the_configured_port(
    port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`celery worker` reads the port from the settings (APP_WORKER_METRICS_PORT); 0: none."""
    import prometheus_client
    from celery.apps.worker import Worker as CommandLineWorker

    served: list[int] = []
    monkeypatch.setattr(prometheus_client, "start_http_server", lambda p, **_: served.append(p))
    monkeypatch.setattr(observability, "_sample_queues", lambda *_: None)  # no broker here
    monkeypatch.setattr(observability, "_in_command_line_worker", False)  # restored afterwards
    settings = settings_for_tests(
        f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", worker_metrics_port=port
    )
    worker = object.__new__(CommandLineWorker)  # the signal's sender; no real worker started
    worker.app = create_celery_app(settings)
    observability._on_worker_init(sender=worker)
    assert served == ([port] if port else [])


@pytest.mark.parametrize(
    ("transport", "serializer_module", "visible_while_writing"),
    [
        (file_queue.TRANSPORT, file_queue, []),
        # kombu's own: the file exists, empty, while its content is still being produced. A
        # consumer listing the folder then reads "" and the worker dies (seen in CI). If this
        # case ever fails, kombu has fixed it and file_queue.py can go.
        ("kombu.transport.filesystem:Transport", kombu_filesystem, ["one empty file"]),
    ],
)
def test_a_message_file_appears_only_once_complete(
    transport: str,
    serializer_module: Any,
    visible_while_writing: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    options = embedded_queue_options(tmp_path)
    queue = Path(options["data_folder_out"])
    seen: list[str] = []
    real_dumps = serializer_module.dumps

    def dumps_and_look(payload: Any) -> str:
        """Runs while the message is being written: what could a consumer see right now?"""
        messages = list(queue.glob("*.msg"))
        if messages:
            seen.append("one empty file" if messages[0].stat().st_size == 0 else "a file")
        return str(real_dumps(payload))

    monkeypatch.setattr(serializer_module, "dumps", dumps_and_look)
    with Connection(transport=transport, transport_options=options) as connection:  # type: ignore[no-untyped-call]
        connection.default_channel._put("jobs", {"task": "example"})
        assert connection.default_channel._get("jobs") == {"task": "example"}
    assert seen == visible_while_writing


def test_the_embedded_queue_uses_the_atomic_transport(tmp_path: Path) -> None:
    app = create_celery_app(settings_for_tests(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"))
    with app.connection_for_write() as connection:
        assert isinstance(connection.transport, file_queue.Transport)
