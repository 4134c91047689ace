"""The API fixtures (token clients) for the agreement and expense API tests."""

from tests.api.conftest import api, token_for  # noqa: F401  (fixtures)
