"""Lab 8, hidden tests: the instructor grades with these as well as the public ones."""

import asyncio
import threading
import uuid
from typing import Any


async def test_a_new_worker_process_does_not_send_again(
    start_worker: Any, mailbox: Any, readers: list[str], post: Any
) -> None:
    """After a crash the broker gives the message to another worker process, which starts with
    empty memory: what was sent must be remembered in the database, not in a set or a dict of
    the module."""
    await start_worker().deliver(post.id, "message-1")
    await start_worker().deliver(post.id, "message-1")
    received = mailbox.count_to(readers)
    assert received == dict.fromkeys(readers, 1), f"emails per reader, 2 workers: {received}"


async def test_two_workers_holding_the_same_message_at_once_send_each_email_once(
    start_worker: Any, mailbox: Any, readers: list[str], post: Any
) -> None:
    """Two workers can run the same message at the same time (a broker's visibility timeout
    ran out while the first was still sending). Checking for a key, then sending, lets both
    through; inserting the key (a primary key) before sending, in the same transaction, makes
    the second wait for the first and then find the key taken."""
    first, second = start_worker(), start_worker()
    finished = threading.Event()
    # The first email, whoever sends it, stays in flight until the other delivery is over.
    mailbox.hold_next_send(release=finished, at_most=1.0)

    async def deliver(worker: Any) -> str:
        try:
            return str(await worker.deliver(post.id, "message-1"))
        finally:
            finished.set()

    states = await asyncio.gather(deliver(first), deliver(second))
    received = mailbox.count_to(readers)
    assert received == dict.fromkeys(readers, 1), f"emails per reader, 2 at once: {received}"
    assert states == ["SUCCESS", "SUCCESS"], f"the two deliveries ended as {states}"


async def test_a_worker_killed_halfway_leaves_the_rest_to_the_redelivery(
    start_worker: Any, mailbox: Any, readers: list[str], post: Any
) -> None:
    """A worker can die while sending the second of three emails. Its open transaction is
    rolled back, and the message comes again. One key per email, committed with that email:
    the first is not sent again, the second and third are. A key claimed before the send, in
    a transaction of its own, would never let the second reader hear about the post."""
    first, second = readers[:2]
    mailbox.killed_at.add(second)
    died = await start_worker().deliver(post.id, "message-1")
    assert died == "WORKER_LOST", f"the worker was to die while sending to {second}: {died}"
    assert mailbox.count_to([first]) == {first: 1}, "the first reader was not emailed first"

    await start_worker().deliver(post.id, "message-1")
    received = mailbox.count_to(readers)
    assert received == dict.fromkeys(readers, 1), f"emails per reader after the crash: {received}"


async def test_a_transient_failure_is_retried_and_each_reader_gets_one_email(
    worker: Any, mailbox: Any, site: Any, readers: list[str], post: Any
) -> None:
    """A transient error (TransientEmailError: the mail server said "try later") must leave
    the task, so that JobTask retries it. The retry runs the whole task again: the readers
    emailed before the failure are skipped by their keys, the others get theirs."""
    second = readers[1]
    mailbox.deferred_once.add(second)
    state = await worker.deliver(post.id)
    assert mailbox.attempts[second] == 2, (
        f"{mailbox.attempts[second]} attempt(s) to send to {second}, not 2: was it retried?"
    )
    received = mailbox.count_to(readers)
    assert received == dict.fromkeys(readers, 1), f"emails per reader after a retry: {received}"
    assert state == "SUCCESS", f"the delivery ended as {state}"
    assert await site.dead_letters() == [], "a task that succeeded on retry left a dead letter"


async def test_a_refused_address_is_not_retried_and_the_others_get_theirs(
    worker: Any, mailbox: Any, readers: list[str], post: Any
) -> None:
    """An address the mail server refuses for good (PermanentJobError) will be refused again:
    catch it for that reader (log it), go on with the others, and do not make the task retry."""
    refused, *others = readers
    mailbox.refused.add(refused)
    await worker.deliver(post.id)
    assert mailbox.attempts[refused] == 1, (
        f"{mailbox.attempts[refused]} attempts to send to a refused address, not 1"
    )
    received = mailbox.count_to(others)
    assert received == dict.fromkeys(others, 1), f"emails to the other readers: {received}"


async def test_a_new_message_for_the_same_post_sends_nothing_more(
    worker: Any, mailbox: Any, readers: list[str], post: Any
) -> None:
    """The same post can come in a new message, with a new task id: published again after an
    edit, or a dead letter re-driven. The key names the email (this post, this reader), never
    the message (self.request.id)."""
    await worker.deliver(post.id, "message-1")
    await worker.deliver(post.id, "message-2")
    received = mailbox.count_to(readers)
    assert received == dict.fromkeys(readers, 1), f"emails per reader, 2 messages: {received}"


async def test_each_post_is_announced_on_its_own(
    worker: Any, mailbox: Any, site: Any, readers: list[str], post: Any
) -> None:
    """Keys of different emails must differ: a reader hears about every post, once each. A
    key that names only the reader would announce their first post and no other."""
    other_title = "Retries with back-off"
    other_post = await site.add_post(other_title)
    await worker.deliver(post.id)
    await worker.deliver(other_post)
    titles = sorted([post.title, other_title])
    for reader in readers:
        got = mailbox.subjects_to(reader)
        about = sorted(title for subject in got for title in titles if title in subject)
        assert about == titles, f"{reader} received {got}, not one email about each post"


async def test_a_draft_or_a_deleted_post_is_announced_to_nobody(
    worker: Any, mailbox: Any, site: Any, readers: list[str]
) -> None:
    """A post unpublished or deleted before the task ran leaves nothing to do. That is not an
    error: the task ends normally (no retry, no dead letter) and sends nothing."""
    draft = await site.add_post("Not yet", published=False)
    states = [await worker.deliver(draft), await worker.deliver(str(uuid.uuid4()))]
    assert mailbox.sent == [], f"sent {[m['Subject'] for m in mailbox.sent]}"
    assert states == ["SUCCESS", "SUCCESS"], f"a draft and a deleted post ended as {states}"
    assert await site.dead_letters() == []
