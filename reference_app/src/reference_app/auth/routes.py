"""HTTP routes for authentication."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from reference_app.api.deps import NotifierDep, SessionDep, SettingsDep
from reference_app.auth import password_reset, service
from reference_app.auth.dependencies import AccessClaims, AccessDenylistDep
from reference_app.auth.schemas import (
    Accepted,
    LoginRequest,
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    SignupResponse,
    TokenPair,
)
from reference_app.auth.tasks import SEND_PASSWORD_RESET_EMAIL, SEND_WELCOME_EMAIL
from reference_app.core.errors import ERROR_RESPONSES
from reference_app.rate_limiting.limiter import AUTH_LIMITED, limit_login_per_account
from reference_app.task_queue.queue import JobQueueDep
from reference_app.users.schemas import UserCreate, UserRead

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

_LOGIN_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        # Inline: a $ref would point at a component FastAPI never adds (no route takes the model
        # as its body), and ReDoc refuses to render a document with a dangling reference.
        "application/json": {"schema": LoginRequest.model_json_schema()},
        FORM_CONTENT_TYPE: {
            "schema": {
                "type": "object",
                "required": ["username", "password"],
                "properties": {
                    "username": {"type": "string", "description": "Your email address."},
                    "password": {"type": "string", "format": "password"},
                },
            }
        },
    },
}


async def login_credentials(request: Request) -> LoginRequest:
    """Read credentials from a JSON body, or from the OAuth2 password form.

    The form is what Swagger UI's *Authorize* button (and any OAuth2 client) sends; JSON is what
    applications send. FastAPI declares one body type per route, so the body is parsed here.
    """
    raw: dict[str, Any]
    if request.headers.get("content-type", "").startswith(FORM_CONTENT_TYPE):
        form = await request.form()
        raw = {"email": form.get("username"), "password": form.get("password")}
    else:
        try:
            raw = await request.json()
        except (ValueError, RecursionError):
            # ValueError: not JSON (or not UTF-8). RecursionError: arrays or objects nested
            # deeper than Python's recursion limit ("[" * 1000, 2 KB), which json.loads cannot
            # parse either; it was a 500. Caught around this one call only: a RecursionError
            # anywhere else is a bug of ours and must stay a 500. Either way, a 422 follows.
            raw = {}
    try:
        return LoginRequest.model_validate(raw)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        ) from exc


async def login_attempt_limit(
    request: Request, credentials: Annotated[LoginRequest, Depends(login_credentials)]
) -> None:
    """Limit logins per account as well as per IP (the per-IP limit is the middleware's).

    FastAPI runs ``login_credentials`` once per request, so the route still gets the body.
    """
    await limit_login_per_account(request, credentials.email)


async def no_store(response: Response) -> None:
    """Responses that carry tokens must not be stored by a browser or a proxy (RFC 6749 §5.1)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"  # the same, for HTTP/1.0 caches


@router.post(
    "/signup",
    response_model=SignupResponse,
    status_code=status.HTTP_201_CREATED,
    summary="Create an account and sign in",
    dependencies=[Depends(no_store)],
    openapi_extra=AUTH_LIMITED,
)
async def signup(
    data: UserCreate, session: SessionDep, settings: SettingsDep, jobs: JobQueueDep
) -> SignupResponse:
    user, tokens = await service.signup(session, settings, data)
    await jobs.enqueue_best_effort(SEND_WELCOME_EMAIL, str(user.id))  # committed: safe to send
    return SignupResponse(user=UserRead.model_validate(user), tokens=tokens)


@router.post(
    "/login",
    response_model=TokenPair,
    summary="Sign in with email and password",
    openapi_extra={"requestBody": _LOGIN_REQUEST_BODY, **AUTH_LIMITED},
    dependencies=[Depends(login_attempt_limit), Depends(no_store)],
)
async def login(
    credentials: Annotated[LoginRequest, Depends(login_credentials)],
    session: SessionDep,
    settings: SettingsDep,
) -> TokenPair:
    return await service.login(session, settings, credentials)


@router.post(
    "/refresh",
    response_model=TokenPair,
    summary="Exchange a refresh token for new ones",
    dependencies=[Depends(no_store)],
)
async def refresh(data: RefreshRequest, session: SessionDep, settings: SettingsDep) -> TokenPair:
    """The presented token is used up. Presented again within a few seconds (two tabs
    refreshing at once), it gets the same new refresh token; later, it ends the session."""
    return await service.refresh(session, settings, data.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="End the current session")
async def logout(claims: AccessClaims, session: SessionDep, denylist: AccessDenylistDep) -> None:
    await service.logout(session, claims, denylist.revoke)


@router.post(
    "/password-reset",
    response_model=Accepted,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Email a password-reset link (if the account exists)",
    openapi_extra=AUTH_LIMITED,
)
async def request_password_reset(data: PasswordResetRequest, jobs: JobQueueDep) -> Accepted:
    """Always 202, and the same work whether the account exists or not: the worker looks the
    email up, so neither the answer nor its timing tells who has an account."""
    await jobs.enqueue_best_effort(SEND_PASSWORD_RESET_EMAIL, data.email, str(uuid.uuid4()))
    return Accepted(message="If an account exists for this email, a reset link is on its way.")


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Set a new password with a reset token (ends every session)",
    openapi_extra=AUTH_LIMITED,
)
async def confirm_password_reset(
    data: PasswordResetConfirm, session: SessionDep, notifier: NotifierDep
) -> None:
    await password_reset.confirm_reset(session, data.token, data.new_password, notifier=notifier)
