"""The ``route`` label of a request: its route's template, never its path.

``route`` is ``/api/v1/posts/{post_id}``, never ``/api/v1/posts/42``: each label value is a time
series held in memory, and one per post id would grow without bound. Requests that match no
route share the label ``<unmatched>``. FastAPI puts the matched route in ``scope["route"]``, but
since routers are included lazily (0.137) that is the route as declared in its own router,
without the prefixes it was included under (``/posts/{post_id}``). :class:`RouteTemplates` maps
it to its full template with FastAPI's public ``iter_route_contexts``; requests answered before
routing (a 429 from the rate limiter) or by the app's own routes (``/docs``) are matched against
the same templates.
"""

from collections.abc import Iterable, Sequence

from fastapi.routing import RouteContext, iter_route_contexts
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

UNMATCHED = "<unmatched>"
"""The ``route`` label of requests that matched no route (scanners probing ``/wp-admin``)."""
OTHER_METHOD = "_OTHER"
"""The ``method`` label of non-standard methods: clients must not be able to add series."""
HTTP_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)


class RouteTemplates:
    """The full template (``/api/v1/posts/{post_id}``) of the route a request matched."""

    def __init__(self) -> None:
        self._routes: Sequence[BaseRoute] | None = None
        self._route_count = -1
        self._contexts: list[tuple[RouteContext, str]] = []
        self._by_route: dict[int, list[tuple[RouteContext, str]]] = {}

    def template(self, scope: Scope, request_scope: Scope) -> str:
        """Call after the app ran: ``scope`` is what routing left, ``request_scope`` the
        request as it arrived (``type``, ``path``, ``root_path``, ``method``)."""
        app = scope.get("app")
        routes: Sequence[BaseRoute] = getattr(app, "routes", ())
        if routes is not self._routes or len(routes) != self._route_count:
            self._index(routes)
        candidates = self._contexts
        route = scope.get("route")
        if route is not None:
            found = self._by_route.get(id(route))
            if found is not None and len(found) == 1:
                return found[0][1]
            candidates = found or candidates  # included twice, under two prefixes: match
        return _match(candidates, request_scope)

    def _index(self, routes: Sequence[BaseRoute]) -> None:
        self._routes = routes
        self._route_count = len(routes)
        self._contexts = [
            (context, context.path_format)
            for context in iter_route_contexts(routes)
            if context.path_format is not None
        ]
        self._by_route = {}
        for context, template in self._contexts:
            self._by_route.setdefault(id(context.original_route), []).append((context, template))


def _match(candidates: Iterable[tuple[RouteContext, str]], scope: Scope) -> str:
    """Starlette's own rule: the first full match, else the first partial one (a 405)."""
    partial = None
    for context, template in candidates:
        match, _ = context.matches(scope)
        if match is Match.FULL:
            return template
        if match is Match.PARTIAL and partial is None:
            partial = template
    return partial or UNMATCHED


def method_label(method: str) -> str:
    return method if method in HTTP_METHODS else OTHER_METHOD
