"""The token clients of tests/api, for the contract tests."""

from tests.api.conftest import api, token_for  # noqa: F401
