"""HTTP routes for users' profiles: translate requests to service calls, nothing more."""

import uuid
from functools import partial

from fastapi import APIRouter, status

from reference_app.api.deps import CacheDep, NotifierDep, SessionDep, SessionmakerDep
from reference_app.auth.dependencies import AccessClaims, CurrentUser
from reference_app.auth.sessions import end_sessions
from reference_app.core.errors import ERROR_RESPONSES
from reference_app.profiles import service as profiles_service
from reference_app.profiles.tasks import SEND_EMAIL_CHANGED_NOTICE
from reference_app.rate_limiting.limiter import AUTH_LIMITED
from reference_app.task_queue.models import Job
from reference_app.task_queue.queue import JobQueueDep
from reference_app.task_queue.schemas import JobRead
from reference_app.users import service
from reference_app.users.models import User
from reference_app.users.schemas import UserPublic, UserRead, UserUpdate

router = APIRouter(prefix="/users", tags=["users"], responses=ERROR_RESPONSES)


@router.get("/me", response_model=UserRead, summary="The signed-in user's profile")
async def read_me(user: CurrentUser) -> UserRead:
    return user


@router.get(
    "/{user_id}",
    response_model=UserRead | UserPublic,
    summary="A user's profile (the public part, unless it is yours)",
)
async def read_user(
    user_id: uuid.UUID, sessions: SessionmakerDep, cache: CacheDep, viewer: CurrentUser
) -> UserRead | UserPublic:
    """Your own profile, or any profile for a superuser, in full (`UserRead`); someone else's
    without email or account flags (`UserPublic`)."""
    return await service.read_user(sessions, cache, user_id, viewer=viewer)


@router.patch(
    "/{user_id}",
    response_model=UserRead,
    summary="Update a profile (your own)",
    # It checks the current password when it changes the email or the password.
    openapi_extra=AUTH_LIMITED,
)
async def update_user(
    user_id: uuid.UUID,
    data: UserUpdate,
    session: SessionDep,
    user: CurrentUser,
    claims: AccessClaims,
    notifier: NotifierDep,
    jobs: JobQueueDep,
) -> User:
    """Changing `email` or `password` takes `current_password` too: missing, it is a 422
    `VALIDATION_ERROR`; wrong, a 403 `INVALID_CREDENTIALS`. A new password signs out every other
    session of the account; a new email is announced to the old address."""
    update = await service.update_user(
        session,
        user_id,
        data,
        editor=user,
        end_other_sessions=partial(end_sessions, keep=claims.session_id),
        notifier=notifier,
    )
    if update.previous_email is not None:  # committed: safe to send
        await jobs.enqueue_best_effort(
            SEND_EMAIL_CHANGED_NOTICE, update.previous_email, update.user.email, str(uuid.uuid4())
        )
    return update.user


@router.post(
    "/me/export",
    response_model=JobRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Export all your data (runs in the background; follow GET /jobs/{id})",
)
async def export_my_data(session: SessionDep, user: CurrentUser, queue: JobQueueDep) -> Job:
    return await profiles_service.start_export(session, queue, user.id)
