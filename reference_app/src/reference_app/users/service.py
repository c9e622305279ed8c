"""User accounts: creating, finding and updating them. Services own the transaction."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from reference_app.caching.cache import Cache
from reference_app.changes import ChangeAction, ChangeEvent, ChangeNotifier
from reference_app.core.database import release_connection, utcnow
from reference_app.core.errors import (
    AppError,
    ConflictError,
    ErrorCode,
    NotFoundError,
    PermissionDeniedError,
)
from reference_app.core.security import hash_password, verify_password
from reference_app.users.cache import get_user_profile
from reference_app.users.models import User
from reference_app.users.schemas import UserCreate, UserPublic, UserRead, UserUpdate


class WrongCurrentPasswordError(AppError):
    """403, not 401: the access token is fine, and a client that answers every 401 by
    refreshing or signing out must not do so because of a mistyped password."""

    status_code = 403
    code = ErrorCode.INVALID_CREDENTIALS
    message = "The current password is incorrect"


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
    sessions: async_sessionmaker[AsyncSession],
    cache: Cache,
    user_id: uuid.UUID,
    *,
    viewer: UserRead,
) -> UserRead | UserPublic:
    """A user's profile, through the cache: all of it for that user and for superusers, the
    public part for everyone else (an email address is not for every signed-in user to see).

    The cache holds the whole profile; the public part is cut from it on each read.
    """
    profile = await get_user_profile(sessions, cache, user_id)
    if profile is None:
        raise NotFoundError("user", user_id)
    if viewer.id == user_id or viewer.is_superuser:
        return profile
    return UserPublic.model_validate(profile)


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


EndSessions = Callable[[AsyncSession, uuid.UUID], Awaitable[None]]
"""Revokes a user's sessions (but the caller's own) in the given transaction."""


@dataclass(frozen=True)
class ProfileUpdate:
    """What :func:`update_user` did: the updated user, and the email it had if that changed
    (the route then tells the old address)."""

    user: User
    previous_email: str | None


async def update_user(
    session: AsyncSession,
    user_id: uuid.UUID,
    data: UserUpdate,
    *,
    editor: UserRead,
    end_other_sessions: EndSessions,
    notifier: ChangeNotifier,
) -> ProfileUpdate:
    """Apply a partial update. Users may edit only themselves; superusers may edit anyone.

    A new email or password needs the editor's current password (see ``UserUpdate``). A new
    password ends the account's sessions, all but the editor's own: whoever else was signed in,
    perhaps the reason for the change, must sign in again with it. (A superuser's session is
    not one of the account's, so for a superuser's change they all end.)

    ``end_other_sessions`` does that (the route passes ``auth.sessions.end_sessions``, keeping
    the editor's session): sessions are the auth feature's, and auth stands on this one, so it
    is handed in rather than imported. It runs in this transaction: the new password and the
    ended sessions commit together.
    """
    if editor.id != user_id and not editor.is_superuser:
        raise PermissionDeniedError("You can only update your own profile")
    if data.current_password is not None:
        await _check_password(session, editor.id, data.current_password)
    changes = data.model_dump(exclude_unset=True, exclude={"current_password"})
    # Hashed before the user is loaded, so no connection is held through Argon2 (as in add_user).
    new_password_hash = (
        await hash_password(changes["password"]) if changes.get("password") is not None else None
    )
    user = await get_user(session, user_id)
    previous_email = user.email
    if changes.get("email") is not None and changes["email"] != user.email:
        if await get_user_by_email(session, changes["email"]) is not None:
            raise _email_taken()
        user.email = changes["email"]
    if new_password_hash is not None:
        user.hashed_password = new_password_hash
        await end_other_sessions(session, user.id)
    if "full_name" in changes:
        user.full_name = changes["full_name"]
    user.updated_at = utcnow()
    await session.commit()
    await notifier.notify(user_changed(user))
    email_changed = user.email != previous_email
    return ProfileUpdate(user=user, previous_email=previous_email if email_changed else None)


async def _check_password(session: AsyncSession, user_id: uuid.UUID, password: str) -> None:
    user = await get_user(session, user_id)
    await release_connection(session)  # not held through Argon2: see its docstring
    is_valid, _ = await verify_password(password, user.hashed_password)
    if not is_valid:
        raise WrongCurrentPasswordError()


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
