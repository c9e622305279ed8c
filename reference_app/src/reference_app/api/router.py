"""Assembles the feature routers into the versioned API. Nothing else lives here.

``create_app`` includes each of these directly under ``/api/v1``, rather than nesting them in
one ``/api/v1`` router: since FastAPI includes routers lazily (0.137), every level of nesting
matches a request's path against the routes again, and one level less took about a sixth off a
cached read (``bench/inprocess.py``). Order matters only where paths could overlap; here none do.
"""

from fastapi import APIRouter

from reference_app.auth.routes import router as auth_router
from reference_app.events.routes import router as events_router
from reference_app.health.routes import router as health_router
from reference_app.jobs.routes import exports_router
from reference_app.jobs.routes import router as jobs_router
from reference_app.posts.routes import router as posts_router
from reference_app.todos.routes import router as todos_router
from reference_app.users.routes import router as users_router

API_ROUTERS: tuple[APIRouter, ...] = (
    auth_router,
    users_router,
    posts_router,
    todos_router,
    events_router,
    exports_router,
    jobs_router,
    health_router,
)
