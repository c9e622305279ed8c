"""HTTP routes for users: translate requests to service calls, nothing more."""

import uuid

from fastapi import APIRouter

from reference_app.api.deps import CachedReadsDep, CurrentUser, NotifierDep, SessionDep
from reference_app.core.errors import ERROR_RESPONSES
from reference_app.users import service
from reference_app.users.models import User
from reference_app.users.schemas import UserRead, UserUpdate

router = APIRouter(prefix="/users", tags=["users"], responses=ERROR_RESPONSES)


@router.get("/me", response_model=UserRead, summary="The signed-in user's profile")
async def read_me(user: CurrentUser) -> UserRead:
    return user


@router.get("/{user_id}", response_model=UserRead, summary="A user's profile")
async def read_user(user_id: uuid.UUID, reads: CachedReadsDep, _: CurrentUser) -> UserRead:
    return await service.read_user(reads.sessions, reads.cache, user_id)


@router.patch("/{user_id}", response_model=UserRead, summary="Update a profile (your own)")
async def update_user(
    user_id: uuid.UUID,
    data: UserUpdate,
    session: SessionDep,
    user: CurrentUser,
    notifier: NotifierDep,
) -> User:
    return await service.update_user(session, user_id, data, editor=user, notifier=notifier)
