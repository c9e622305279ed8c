"""HTTP routes for authentication."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from reference_app.api.deps import AccessClaims, CacheDep, NotifierDep, SessionDep, SettingsDep
from reference_app.auth import password_reset, service
from reference_app.auth.revocation import forget_token_checks
from reference_app.auth.schemas import (
    Accepted,
    LoginRequest,
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    SignupResponse,
    TokenPair,
)
from reference_app.core.errors import ERROR_RESPONSES
from reference_app.core.rate_limit import limit_login_per_account
from reference_app.jobs.queue import JobQueueDep
from reference_app.jobs.tasks import SEND_PASSWORD_RESET_EMAIL, SEND_WELCOME_EMAIL
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
        except ValueError:
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


@router.post(
    "/signup",
    response_model=SignupResponse,
    status_code=status.HTTP_201_CREATED,
    summary="Create an account and sign in",
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
    openapi_extra={"requestBody": _LOGIN_REQUEST_BODY},
    dependencies=[Depends(login_attempt_limit)],
)
async def login(
    credentials: Annotated[LoginRequest, Depends(login_credentials)],
    session: SessionDep,
    settings: SettingsDep,
) -> TokenPair:
    return await service.login(session, settings, credentials)


@router.post("/refresh", response_model=TokenPair, summary="Exchange a refresh token for new ones")
async def refresh(data: RefreshRequest, session: SessionDep, settings: SettingsDep) -> TokenPair:
    return await service.refresh(session, settings, data.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="End the current session")
async def logout(claims: AccessClaims, session: SessionDep, cache: CacheDep) -> None:
    await service.logout(session, claims)
    await forget_token_checks(cache)


@router.post(
    "/password-reset",
    response_model=Accepted,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Email a password-reset link (if the account exists)",
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
)
async def confirm_password_reset(
    data: PasswordResetConfirm, session: SessionDep, notifier: NotifierDep
) -> None:
    await password_reset.confirm_reset(session, data.token, data.new_password, notifier=notifier)
