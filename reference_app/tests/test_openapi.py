"""The OpenAPI document: docs pages, security scheme, error shape and examples."""

from httpx import AsyncClient


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
    """``CurrentUser`` and ``OptionalUser`` are one dependency each (``BearerUser``), not the
    textbook token -> claims -> user chain; OpenAPI must still show the plain bearer scheme."""
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
