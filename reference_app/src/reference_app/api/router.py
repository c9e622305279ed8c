"""Assembles the feature routers into the versioned API. Nothing else lives here."""

from fastapi import APIRouter

from reference_app.auth.routes import router as auth_router
from reference_app.events.routes import router as events_router
from reference_app.health.routes import router as health_router
from reference_app.jobs.routes import exports_router
from reference_app.jobs.routes import router as jobs_router
from reference_app.posts.routes import router as posts_router
from reference_app.todos.routes import router as todos_router
from reference_app.users.routes import router as users_router

api_router = APIRouter()
api_router.include_router(auth_router)
api_router.include_router(users_router)
api_router.include_router(posts_router)
api_router.include_router(todos_router)
api_router.include_router(events_router)
api_router.include_router(exports_router)
api_router.include_router(jobs_router)
api_router.include_router(health_router)
