"""Assembles the feature routers into the versioned API. Nothing else lives here.

``create_app`` includes each of these directly under ``/api/v1``, in this order, rather than
nesting them in one ``/api/v1`` router. Both choices are about speed, measured with
``bench/inprocess.py``: since FastAPI includes routers lazily (0.137), a request's path is
matched against the routes one by one, each level of nesting matches them again, and every
route tried costs a few microseconds. So the routers come one level deep, and the busiest first:
public post reads are most of the traffic. (With the health probes last, trying the ~45 routes
before them was a third of ``GET /health/live``.) Order changes nothing else here: no two paths
overlap.
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
    posts_router,
    users_router,
    todos_router,
    auth_router,
    health_router,
    events_router,
    exports_router,
    jobs_router,
)
