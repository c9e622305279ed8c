"""The OpenAPI document: docs pages, security scheme, error shape and examples."""

from typing import Any

from httpx import AsyncClient

from reference_app.api.pagination import MAX_PAGE
from reference_app.api.stored_text import NO_NUL_PATTERN


async def test_docs_pages_are_served(client: AsyncClient) -> None:
    assert (await client.get("/docs")).status_code == 200
    assert (await client.get("/redoc")).status_code == 200


async def test_schema_documents_auth_errors_and_tags(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"] == "/api/v1/auth/login"
    assert "ErrorResponse" in schema["components"]["schemas"]
    tags = {tag["name"] for tag in schema["tags"]}
    assert tags == {"auth", "users", "posts", "todos", "health", "events", "jobs"}

    create_post = schema["paths"]["/api/v1/posts"]["post"]
    assert create_post["security"] == [{"OAuth2PasswordBearer": []}]
    assert "422" in create_post["responses"]
    login_body = schema["paths"]["/api/v1/auth/login"]["post"]["requestBody"]["content"]
    assert set(login_body) == {"application/json", "application/x-www-form-urlencoded"}
    signup_schema = schema["components"]["schemas"]["UserCreate"]
    assert signup_schema["examples"][0]["email"] == "ada@example.com"


async def test_one_bearer_scheme_documents_required_and_optional_sign_in(
    client: AsyncClient,
) -> None:
    """``CurrentUser`` and ``OptionalUser`` both rest on the one bearer scheme: OpenAPI shows it
    once, on every route that reads a token, and nowhere else."""
    schema = (await client.get("/openapi.json")).json()
    assert list(schema["components"]["securitySchemes"]) == ["OAuth2PasswordBearer"]
    paths = schema["paths"]
    assert paths["/api/v1/users/me"]["get"]["security"] == [{"OAuth2PasswordBearer": []}]
    # Open to everyone, but a signed-in author also sees their drafts: documented as optional.
    assert paths["/api/v1/posts/{post_id}"]["get"]["security"] == [{"OAuth2PasswordBearer": []}]
    assert "security" not in paths["/api/v1/health/live"]["get"]


def _references(node: object) -> list[str]:
    """Every ``$ref`` anywhere in a JSON document."""
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _references(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _references(item)]
    return []


async def test_every_reference_in_the_schema_resolves(client: AsyncClient) -> None:
    """A dangling $ref (login's body once named a missing LoginRequest) breaks ReDoc."""
    schema = (await client.get("/openapi.json")).json()
    references = _references(schema)
    assert references
    for reference in references:
        node = schema
        for part in reference.removeprefix("#/").split("/"):
            assert part in node, f"{reference} does not resolve"
            node = node[part]


def string_schema(property_schema: dict[str, Any]) -> dict[str, Any]:
    """A property's string schema: itself, or the string choice of an optional one (anyOf)."""
    choices: list[dict[str, Any]] = property_schema.get("anyOf", [property_schema])
    return next(choice for choice in choices if choice.get("type") == "string")


async def test_input_limits_are_published(client: AsyncClient) -> None:
    """Clients and the contract test (Schemathesis) learn the limits from the schema itself."""
    schema = (await client.get("/openapi.json")).json()
    paths, models = schema["paths"], schema["components"]["schemas"]
    for path in ("/api/v1/posts", "/api/v1/todos", "/api/v1/jobs/dead-letters"):
        parameters = paths[path]["get"]["parameters"]
        page = next(parameter for parameter in parameters if parameter["name"] == "page")
        assert page["schema"]["maximum"] == MAX_PAGE, path

    stored_texts = {
        "PostCreate": ["title", "content"],
        "TodoCreate": ["title", "description"],
        "UserCreate": ["full_name"],
    }
    for model, fields in stored_texts.items():
        for field in fields:
            text = string_schema(models[model]["properties"][field])
            assert text["pattern"] == NO_NUL_PATTERN, (model, field)

    # 400: FastAPI's answer to a body it cannot parse at all, the app's to an unknown reset token.
    assert "400" in paths["/api/v1/posts"]["post"]["responses"]
    assert "400" in paths["/api/v1/auth/password-reset/confirm"]["post"]["responses"]
