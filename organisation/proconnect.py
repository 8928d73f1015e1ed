"""Signing in through ProConnect (the State's identity federation for its agents), optional.

Off unless ``PROCONNECT_CLIENT_ID`` is set. An agent authenticated by ProConnect is signed in to the
existing, active account that has the same e-mail address, and to no other: no account is ever
created or changed from the provider's claims (the administration makes accounts, the roles come
from memberships), and an address shared by two accounts signs in none. The second factor is
asked all the same. mozilla-django-oidc runs the OpenID Connect flow.
"""

from typing import Any

import requests
from django.contrib.auth.models import User
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from organisation.policy import PolicyBackend


class ProConnectBackend(OIDCAuthenticationBackend, PolicyBackend):
    """Matches an existing account by e-mail; grants no Django permission (``PolicyBackend``)."""

    def filter_users_by_claims(self, claims):
        users = super().filter_users_by_claims(claims).filter(is_active=True)
        return users if users.count() == 1 else self.UserModel.objects.none()

    def create_user(self, claims):
        return None  # never an account made from the provider's claims

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        return user  # nor changed: the account stays as the administration made it

    def get_userinfo(self, access_token, id_token, payload):
        """ProConnect answers the user's claims as a JWT signed with its keys: verified here."""
        response = requests.get(self.OIDC_OP_USER_ENDPOINT, headers={"Authorization": f"Bearer {access_token}"},
                                timeout=self.get_settings("OIDC_TIMEOUT", 10))
        response.raise_for_status()
        if response.headers.get("Content-Type", "").startswith("application/jwt"):
            return self.verify_token(response.text)
        return response.json()
