"""Lab 8 fixtures: workers that run the student's task, the mailbox they send to, and a site.

A *worker* is what one Celery worker process holds: the app's Celery app, built by
``create_celery_app`` with the app's configuration (``acks_late``, JSON messages, …), the
student's ``announce_post`` registered on the app's ``JobTask`` base as the app registers its
own tasks, and a ``JobRuntime`` whose email backend is the test's :class:`Mailbox`. Each worker
imports ``lab_announce`` afresh, so two workers share no memory, like two processes.

``await worker.deliver(post_id, message_id)`` is one delivery of a message: Celery runs the task
with ``task.apply``, through the tracer a worker uses, with the JobTask's retries (run again at
once; the back-off is only logged) and its dead letters. The queue is left out on purpose: a
test must decide exactly when a message comes again, to which worker, and when a worker dies,
which a queue polled by a worker thread would leave to timing. The same ``message_id`` again is
what a broker redelivers (same message, same task id); another id for the same post is another
message (the post published again, a dead letter re-driven).
"""

import asyncio
import sys
import threading
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from labsupport.app import make_settings
from labsupport.student import import_student
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import select

from reference_app.core.config import Settings
from reference_app.core.database import create_engine, create_sessionmaker
from reference_app.posts.models import Post
from reference_app.task_queue.base import JobTask
from reference_app.task_queue.email import TransientEmailError
from reference_app.task_queue.errors import PermanentJobError
from reference_app.task_queue.factory import create_celery_app
from reference_app.task_queue.models import DeadLetter
from reference_app.task_queue.runtime import JobRuntime
from reference_app.users.models import User

pytest_plugins = ["labsupport.plugin"]

STUDENT_MODULE = "lab_announce"
DELIVERY_TIMEOUT_SECONDS = 20.0
AUTHOR = "author@example.com"
READERS = ["ada@example.com", "bob@example.com", "cyd@example.com"]  # the order readers_of uses
POST_TITLE = "Idempotency keys"
WORKER_LOST = "WORKER_LOST"


class WorkerKilled(BaseException):
    """The worker process died during a send (killed, out of memory).

    A ``BaseException``, so nothing in the task catches it, as nothing catches a real death: no
    retry, no dead letter. The email did not leave, the open transaction is rolled back, and the
    message, never acknowledged, is delivered again later.
    """


@dataclass
class Mailbox:
    """The email backend of every worker of a test: keeps what is sent, fails on request.

    Failures are per address, raised as the app's SMTP backend raises them: refused for good
    (``PermanentJobError``), deferred once (``TransientEmailError``), or the worker killed.
    ``hold_next_send`` keeps one email in flight, so that another worker can run meanwhile.
    """

    sent: list[EmailMessage] = field(default_factory=list)
    attempts: Counter[str] = field(default_factory=Counter)
    refused: set[str] = field(default_factory=set)
    deferred_once: set[str] = field(default_factory=set)
    killed_at: set[str] = field(default_factory=set)
    _held: tuple[threading.Event, float] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, message: EmailMessage) -> None:
        address = str(message["To"])
        with self._lock:
            self.attempts[address] += 1
            held, self._held = self._held, None
            if address in self.killed_at:
                self.killed_at.discard(address)
                raise WorkerKilled(f"while sending to {address}")
            if address in self.refused:
                raise PermanentJobError(f"SMTP 550: no such mailbox {address}")
            if address in self.deferred_once:
                self.deferred_once.discard(address)
                raise TransientEmailError("SMTP 421: try again later")
        if held is not None:
            release, at_most = held
            release.wait(at_most)
        with self._lock:
            self.sent.append(message)

    def hold_next_send(self, release: threading.Event, at_most: float) -> None:
        """Keep the next email, whichever worker sends it, in flight until ``release`` is set
        (at most ``at_most`` seconds)."""
        self._held = (release, at_most)

    def subjects_to(self, address: str) -> list[str]:
        with self._lock:
            return [str(m["Subject"]) for m in self.sent if m["To"] == address]

    def count_to(self, addresses: Iterable[str]) -> dict[str, int]:
        """How many emails each address received."""
        return {address: len(self.subjects_to(address)) for address in addresses}


@dataclass
class Worker:
    task: Any  # the student's task, on this worker's Celery app

    async def deliver(self, post_id: str, message_id: str | None = None) -> str:
        """One delivery of the message ``message_id`` (a new message by default).

        Returns how it ended, in Celery's words: ``SUCCESS``, ``FAILURE`` (dead-lettered), or
        ``WORKER_LOST`` when the worker died on the way.
        """
        message_id = message_id or str(uuid.uuid4())
        try:
            async with asyncio.timeout(DELIVERY_TIMEOUT_SECONDS):
                result = await asyncio.to_thread(self.task.apply, [post_id], task_id=message_id)
        except WorkerKilled:
            return WORKER_LOST
        except TimeoutError:
            pytest.fail(f"the task ran for more than {DELIVERY_TIMEOUT_SECONDS:.0f} s", False)
        return str(result.state)


async def add_user(sessionmaker: async_sessionmaker[AsyncSession], email: str) -> uuid.UUID:
    # Nobody signs in here, so no password is hashed (hashing is slow on purpose).
    user = User(email=email, hashed_password="unused")
    async with sessionmaker() as session:
        session.add(user)
        await session.commit()
    return user.id


@dataclass
class Site:
    """The test's database, as the API sees it: users, posts, dead letters."""

    sessionmaker: async_sessionmaker[AsyncSession]
    author_id: uuid.UUID

    async def add_user(self, email: str) -> uuid.UUID:
        return await add_user(self.sessionmaker, email)

    async def add_post(self, title: str, *, published: bool = True) -> str:
        post = Post(title=title, content="Body.", published=published, author_id=self.author_id)
        async with self.sessionmaker() as session:
            session.add(post)
            await session.commit()
        return str(post.id)

    async def dead_letters(self) -> list[DeadLetter]:
        async with self.sessionmaker() as session:
            return list(await session.scalars(select(DeadLetter)))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def start_worker(settings: Settings, mailbox: Mailbox) -> Iterator[Callable[[], Worker]]:
    """Start another worker process: its own Celery app and its own import of the lab."""
    celery_apps: list[Any] = []

    def start() -> Worker:
        sys.modules.pop(STUDENT_MODULE, None)  # a new process imports the module anew
        lab = import_student(STUDENT_MODULE)
        celery_app = create_celery_app(
            settings, runtime=JobRuntime(settings=settings, email=mailbox)
        )
        celery_apps.append(celery_app)
        register = celery_app.task(name=lab.ANNOUNCE_POST, base=JobTask, bind=True, shared=False)
        return Worker(register(lab.announce_post))

    yield start
    for celery_app in celery_apps:
        celery_app.close()


@pytest.fixture
def worker(start_worker: Callable[[], Worker]) -> Worker:
    return start_worker()


@pytest.fixture
async def site(settings: Settings) -> AsyncIterator[Site]:
    engine = create_engine(settings)
    sessionmaker = create_sessionmaker(engine)
    yield Site(sessionmaker, author_id=await add_user(sessionmaker, AUTHOR))
    await engine.dispose()


@pytest.fixture
def author() -> str:
    """The author's address: every post of the site is theirs."""
    return AUTHOR


@pytest.fixture
async def readers(site: Site) -> list[str]:
    """The readers' addresses: every user but the author."""
    for email in READERS:
        await site.add_user(email)
    return READERS


@dataclass(frozen=True)
class PublishedPost:
    id: str
    title: str


@pytest.fixture
async def post(site: Site, readers: list[str]) -> PublishedPost:
    """A published post, which all ``readers`` are to hear about."""
    return PublishedPost(await site.add_post(POST_TITLE), POST_TITLE)
