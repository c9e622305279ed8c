"""Email backends: console and file in development, SMTP in production.

``APP_EMAIL_BACKEND`` picks one (default: ``smtp`` in production, ``console`` elsewhere). Every
backend is synchronous: emails are sent by Celery tasks, never during a request. SMTP uses the
standard library's ``smtplib``, which is all a worker needs.

SMTP errors are sorted into two kinds, which decide whether a task retries:

- *transient* (a refused connection, a timeout, a ``4xx`` reply): :class:`TransientEmailError`,
  retried with back-off;
- *permanent* (a ``5xx`` reply, every recipient refused):
  :class:`~reference_app.task_queue.errors.PermanentJobError`, never retried.
"""

import smtplib
import ssl
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import structlog

from reference_app.core.config import Settings
from reference_app.task_queue.errors import PermanentJobError, TransientJobError

logger = structlog.get_logger(__name__)


class TransientEmailError(TransientJobError):
    """The mail server could not take the message now; try again later."""


class EmailBackend(Protocol):
    def send(self, message: EmailMessage) -> None: ...


def header_safe(text: str) -> str:
    """``text`` on one line: line breaks and other control characters become single spaces.

    Subjects carry what users typed (a post's title). A line break in a header is how mail
    headers are injected (``"Hi\r\nBcc: ..."``); the standard library refuses it with a
    ``ValueError``, which failed the job for good and lost the email.
    """
    printable = "".join(character if character.isprintable() else " " for character in text)
    return " ".join(printable.split())


def build_message(settings: Settings, *, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.email_from
    message["To"] = to
    message["Subject"] = header_safe(subject)
    message["Message-ID"] = f"<{uuid.uuid4().hex}@reference-app>"
    message.set_content(body)
    return message


class ConsoleEmailBackend:
    """Logs each message (development: read your emails in the server's output)."""

    def send(self, message: EmailMessage) -> None:
        logger.info(
            "email_sent",
            backend="console",
            to=message["To"],
            subject=message["Subject"],
            body=message.get_content(),
        )


class FileEmailBackend:
    """Writes each message to ``<directory>/<id>.eml`` (open it with any mail client)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = uuid.uuid4().hex
        partial = self.directory / f".{name}.tmp"
        partial.write_bytes(message.as_bytes())
        partial.rename(self.directory / f"{name}.eml")  # readers never see half a file


class SmtpEmailBackend:
    """Sends through an SMTP server (``APP_SMTP_*``), one connection per message."""

    def __init__(self, settings: Settings) -> None:
        self.host = settings.smtp_host
        self.port = settings.smtp_port
        self.username = settings.smtp_username
        self.password = settings.smtp_password
        self.starttls = settings.smtp_starttls
        self.use_ssl = settings.smtp_ssl
        self.timeout = settings.smtp_timeout_seconds

    def _connect(self) -> smtplib.SMTP:
        if self.use_ssl:
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def send(self, message: EmailMessage) -> None:
        try:
            with self._connect() as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username and self.password:
                    smtp.login(self.username, self.password.get_secret_value())
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if all(code >= 500 for code in codes):
                raise PermanentJobError(f"recipient refused: {codes}") from exc
            raise TransientEmailError(f"recipient deferred: {codes}") from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code >= 500:
                raise PermanentJobError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
            raise TransientEmailError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
        except (OSError, smtplib.SMTPException) as exc:  # refused, reset, timed out, dropped
            raise TransientEmailError(f"SMTP unavailable: {exc!r}") from exc


def create_email_backend(settings: Settings) -> EmailBackend:
    backend = settings.effective_email_backend
    if backend == "smtp":
        return SmtpEmailBackend(settings)
    if backend == "file":
        return FileEmailBackend(Path(settings.email_file_dir))
    return ConsoleEmailBackend()
