"""Text the app stores: any Unicode string without the NUL character.

PostgreSQL's ``text`` and ``varchar`` cannot hold NUL (U+0000): asyncpg refuses the whole
statement ("invalid byte sequence for encoding UTF8: 0x00"), which reached clients as a 500,
while SQLite stored the same string without complaint. Every request schema builds the strings
it stores on :data:`StoredText`, so both databases answer the same 422 VALIDATION_ERROR.

The rule is a ``pattern`` rather than a custom validator so that it is also *published*: it
appears in the OpenAPI schema, where client generators and contract tests (Schemathesis, in
``tests/test_contract.py``) read it.
"""

from typing import Annotated

from pydantic import Field

NO_NUL_PATTERN = r"^[^\x00]*$"
"""Any characters but NUL. ``\\x00`` reads the same in Python, in Rust (pydantic-core, which
enforces it) and in JavaScript (the regex dialect of OpenAPI's ``pattern``)."""

StoredText = Annotated[str, Field(pattern=NO_NUL_PATTERN)]
"""A string the app may write to the database; length limits are added by each field."""
