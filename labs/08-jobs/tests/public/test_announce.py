"""Lab 8, public tests: run them with ``workbook lab check 08``."""

from typing import Any


async def test_each_reader_is_told_about_a_new_post(
    worker: Any, mailbox: Any, author: str, readers: list[str], post: Any
) -> None:
    """Each active user but the author gets one email about the published post, its title in
    the subject. The first version already does this: keep it working."""
    await worker.deliver(post.id)
    subjects = {reader: mailbox.subjects_to(reader) for reader in readers}
    assert all(len(got) == 1 and post.title in got[0] for got in subjects.values()), (
        f"what each reader received: {subjects}"
    )
    assert mailbox.subjects_to(author) == [], "the author was told about their own post"


async def test_a_message_delivered_twice_sends_each_email_once(
    worker: Any, mailbox: Any, readers: list[str], post: Any
) -> None:
    """A worker that dies after its last email, before acknowledging the message (acks_late),
    gets the message delivered again: same message, same task id. Give each email a key and
    claim it in the database in the transaction that sends it (send_once in
    reference_app/task_queue/sending.py does this for one email); an email whose key is taken is not
    sent again."""
    for _ in range(2):
        await worker.deliver(post.id, "message-1")
    received = mailbox.count_to(readers)
    assert received == dict.fromkeys(readers, 1), f"emails per reader, 2 deliveries: {received}"
