"""The token clients and fixtures of tests/api, for the contract tests."""

from tests.api.conftest import api, case, token_for  # noqa: F401
