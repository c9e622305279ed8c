"""Assembles the feature routers into the versioned API. Nothing else lives here.

It sits on top, beside ``main.py``: it imports every feature, and no feature imports it.

``create_app`` includes each of these directly under ``/api/v1``, in this order, rather than
nesting them in one ``/api/v1`` router: a request's path is tried against the routes one by one,
and each level of nesting is one more round of matching. So the routers come one level deep,
busiest first: public post reads are most of the traffic. Order changes nothing else here: no
two paths overlap (lesson 01 checks it).
"""

from fastapi import APIRouter

from reference_app.auth.routes import router as auth_router
from reference_app.events.routes import router as events_router
from reference_app.health.routes import router as health_router
from reference_app.jobs.routes import router as jobs_router
from reference_app.posts.routes import router as posts_router
from reference_app.profiles.routes import router as users_router
from reference_app.todos.routes import router as todos_router

API_ROUTERS: tuple[APIRouter, ...] = (
    posts_router,
    users_router,
    todos_router,
    auth_router,
    health_router,
    events_router,
    jobs_router,
)
