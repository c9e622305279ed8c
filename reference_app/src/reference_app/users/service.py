"""User accounts: creating, finding and updating them. Services own the transaction."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from reference_app.core.cache import Cache
from reference_app.core.database import utcnow
from reference_app.core.errors import ConflictError, ErrorCode, NotFoundError, PermissionDeniedError
from reference_app.core.events import ChangeAction, ChangeEvent, ChangeNotifier
from reference_app.core.security import hash_password
from reference_app.users.cache import get_user_profile
from reference_app.users.models import User
from reference_app.users.schemas import UserCreate, UserRead, UserUpdate


def _email_taken() -> ConflictError:
    return ConflictError(
        "An account with this email already exists", code=ErrorCode.EMAIL_ALREADY_REGISTERED
    )


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(col(User.email) == email.lower()))


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFoundError("user", user_id)
    return user


async def read_user(
    sessions: async_sessionmaker[AsyncSession], cache: Cache, user_id: uuid.UUID
) -> UserRead:
    """A user's profile, through the cache."""
    profile = await get_user_profile(sessions, cache, user_id)
    if profile is None:
        raise NotFoundError("user", user_id)
    return profile


async def add_user(session: AsyncSession, data: UserCreate, *, is_superuser: bool = False) -> User:
    """Stage a new user in the session without committing: the caller's transaction decides.

    Raises ``EMAIL_ALREADY_REGISTERED`` if the email is taken.
    """
    # Hashed before the query: the connection the query takes is then not held through
    # Argon2's ~100 ms (see ``release_connection`` in core/database.py).
    hashed_password = await hash_password(data.password)
    if await get_user_by_email(session, data.email) is not None:
        raise _email_taken()
    user = User(
        email=data.email,
        hashed_password=hashed_password,
        full_name=data.full_name,
        is_superuser=is_superuser,
    )
    session.add(user)
    return user


async def create_superuser(session: AsyncSession, data: UserCreate) -> User:
    """Create a superuser account (used by the ``create-superuser`` command)."""
    user = await add_user(session, data, is_superuser=True)
    await session.commit()
    return user


async def update_user(
    session: AsyncSession,
    user_id: uuid.UUID,
    data: UserUpdate,
    *,
    editor: UserRead,
    notifier: ChangeNotifier,
) -> User:
    """Apply a partial update. Users may edit only themselves; superusers may edit anyone."""
    if editor.id != user_id and not editor.is_superuser:
        raise PermissionDeniedError("You can only update your own profile")
    changes = data.model_dump(exclude_unset=True)
    # Hashed before the user is loaded, so no connection is held through Argon2 (as in add_user).
    new_password_hash = (
        await hash_password(changes["password"]) if changes.get("password") is not None else None
    )
    user = await get_user(session, user_id)
    if changes.get("email") is not None and changes["email"] != user.email:
        if await get_user_by_email(session, changes["email"]) is not None:
            raise _email_taken()
        user.email = changes["email"]
    if new_password_hash is not None:
        user.hashed_password = new_password_hash
    if "full_name" in changes:
        user.full_name = changes["full_name"]
    user.updated_at = utcnow()
    await session.commit()
    await notifier.notify(user_changed(user))
    return user


def user_changed(user: User) -> ChangeEvent:
    """The change event for an updated account (it invalidates the cached profile)."""
    return ChangeEvent(
        entity="user",
        action=ChangeAction.UPDATED,
        entity_id=user.id,
        owner_id=user.id,
        public=False,
        data=UserRead.model_validate(user).model_dump(mode="json"),
    )
