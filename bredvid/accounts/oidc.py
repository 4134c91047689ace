"""OpenID Connect: municipal single sign-on for staff (enabled when OIDC_* variables are set), and the
public e-service's sign-in with e-legitimation (a second client, PUBLIC_OIDC_*)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings


class MunicipalOIDCBackend(OIDCAuthenticationBackend):
    """Matches the identity provider's e-mail claim to a provisioned, active staff account."""

    def filter_users_by_claims(self, claims: dict[str, Any]):  # type: ignore[no-untyped-def]
        email = claims.get("email")
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)


def public_setting(attr: str) -> str:
    """The public client's name for one of the library's settings: OIDC_X → PUBLIC_OIDC_X."""
    return f"PUBLIC_{attr}" if attr.startswith("OIDC_") else attr


class PublicOIDCBackend(OIDCAuthenticationBackend):
    """The public e-service's second client (`PUBLIC_OIDC_*`), at the municipality's eID broker.

    Never in AUTHENTICATION_BACKENDS and never signs anyone in: the library's code flow (token
    exchange, PKCE, the ID token's signature and nonce) runs unchanged, and where it would find a user
    it hands back the verified ID token's claims (`identity_claims`)."""

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return import_from_settings(public_setting(attr), *args)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The library's checks (signature, algorithm, nonce) plus the audience: a token the broker
        issued to another client is refused."""
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was not issued to the public client.")
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        return dict(payload)  # the ID token's verified claims; no user is looked up or made

    def identity_claims(
        self, request: HttpRequest, *, nonce: str, code_verifier: str | None
    ) -> dict[str, Any]:
        """The verified ID token's claims for the callback's code; SuspiciousOperation (a forged token,
        a wrong nonce or audience), jwt.PyJWTError or requests.RequestException when it fails."""
        claims = self.authenticate(request, nonce=nonce, code_verifier=code_verifier)
        if not isinstance(claims, dict):
            raise SuspiciousOperation("The callback carried no code.")
        return claims
