"""Every table model, imported in one place so ``SQLModel.metadata`` knows them all.

Alembic's autogenerate and the schema tests compare the database against this metadata.
"""

from reference_app.auth.models import PasswordResetToken, RefreshToken, RevokedAccessToken
from reference_app.posts.models import Post
from reference_app.task_queue.models import DeadLetter, Job, SentEmail
from reference_app.todos.models import Todo
from reference_app.users.models import User

__all__ = [
    "DeadLetter",
    "Job",
    "PasswordResetToken",
    "Post",
    "RefreshToken",
    "RevokedAccessToken",
    "SentEmail",
    "Todo",
    "User",
]
