"""What a token says about its user and its scope.

These facts — the user and their domain, the project or domain or system,
the effective roles, the catalog — are the same for every token of one
(user, scope, application credential), and they change only when identity
data changes, so the provider caches them per data counter.
"""
import datetime

from identity import exception, models


class FactsBuilder:
    """Computes the facts, raising TokenNotFound when they no longer allow a token."""

    def __init__(self, resources, users, assignments, catalog, app_creds):
        self.resources = resources
        self.users = users
        self.assignments = assignments
        self.catalog = catalog
        self.app_creds = app_creds

    def build(self, user_id: str, scope: tuple[str, str] | None,
              app_cred_id: str | None) -> dict:
        """``{"info": {...}, "body": {...}}``: the policy-relevant facts and the
        token-body fields that do not depend on the individual token.

        ``info["facts_expire_at"]`` (epoch seconds or None) is when the facts
        stop holding without any data change (an application credential's
        expiry)."""
        user, domain = self._live_user(user_id)
        info = {
            "user_id": user.id, "user_domain_id": user.domain_id,
            "project_id": None, "project_domain_id": None, "domain_id": None,
            "system": None, "role_ids": [], "roles": [], "project_name": None,
            "facts_expire_at": None,
        }
        body = {"user": {"domain": {"id": domain.id, "name": domain.name}, "id": user.id,
                         "name": user.name,
                         "password_expires_at": _iso_or_none(user.password_expires_at)}}
        if scope is not None:
            roles = self._scope(scope, user, info, body)
            roles = self._restrict_to_app_cred(app_cred_id, roles, info, body)
            if not roles:
                raise exception.TokenNotFound(
                    "The user has no role on the token's scope any more.")
            info["role_ids"] = [r.id for r in roles]
            info["roles"] = [r.name for r in roles]
            body["roles"] = [{"id": r.id, "name": r.name} for r in roles]
            body["catalog"] = self.catalog.catalog_for(user.id, info["project_id"])
        return {"info": info, "body": body}

    def _live_user(self, user_id: str):
        try:
            user = self.users.get_user(user_id)
        except exception.NotFound:
            raise exception.TokenNotFound("The token's user no longer exists.")
        domain = self.resources.find_project(user.domain_id)
        if not user.enabled or domain is None or not domain.enabled:
            raise exception.TokenNotFound("The token's user is disabled.")
        return user, domain

    def _scope(self, scope, user, info: dict, body: dict) -> list[models.Role]:
        kind, target_id = scope
        if kind == "system":
            info["system"] = "all"
            body["system"] = {"all": True}
            return self.assignments.effective_roles(user.id, system=True)
        target = self.resources.find_project(target_id)
        if target is None or not target.enabled:
            raise exception.TokenNotFound(f"The token's {kind} is gone or disabled.")
        if kind == "domain":
            info["domain_id"] = target.id
            body["domain"] = {"id": target.id, "name": target.name}
            return self.assignments.effective_roles(user.id, domain_id=target.id)
        domain = self.resources.find_project(target.domain_id)
        if domain is None or not domain.enabled:
            raise exception.TokenNotFound("The token's project's domain is disabled.")
        info.update(project_id=target.id, project_domain_id=domain.id,
                    project_name=target.name)
        body["project"] = {"domain": {"id": domain.id, "name": domain.name},
                           "id": target.id, "name": target.name}
        body["is_domain"] = False
        return self.assignments.effective_roles(user.id, project_id=target.id)

    def _restrict_to_app_cred(self, app_cred_id, roles, info: dict, body: dict):
        if app_cred_id is None:
            return roles
        try:
            cred = self.app_creds.get(app_cred_id)
        except exception.NotFound:
            raise exception.TokenNotFound("The application credential is gone.")
        if cred.expires_at is not None and cred.expires_at <= models.utcnow():
            raise exception.TokenNotFound("The application credential has expired.")
        if cred.expires_at is not None:
            info["facts_expire_at"] = cred.expires_at.replace(
                tzinfo=datetime.UTC).timestamp()
        allowed = set(cred.roles)
        body["application_credential"] = {"id": cred.id, "name": cred.name,
                                          "restricted": not cred.unrestricted}
        return [r for r in roles if r.id in allowed]


def _iso_or_none(when) -> str | None:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if when else None
