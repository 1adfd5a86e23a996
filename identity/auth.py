"""Authentication: turning a ``POST /v3/auth/tokens`` body into a new token.

Methods: ``password`` (user by id, or by name with a domain by id or name),
``token`` (re-scope an existing token; the new token keeps its expiry and
audit chain) and ``application_credential`` (by id, or by name with its
user). Scope: a project (by id, or name + domain), a domain, the system, or
none — then the user's default project when they hold a role on it.
"""
from identity import exception, passwords

AUTH_SCHEMA = {
    "type": "object",
    "required": ["auth"],
    "properties": {"auth": {
        "type": "object",
        "required": ["identity"],
        "properties": {
            "identity": {
                "type": "object",
                "required": ["methods"],
                "properties": {
                    "methods": {"type": "array", "minItems": 1,
                                "items": {"type": "string"}},
                    "password": {"type": "object", "required": ["user"], "properties": {
                        "user": {"type": "object", "properties": {
                            "id": {"type": "string"}, "name": {"type": "string"},
                            "password": {"type": "string"},
                            "domain": {"type": "object"}}}}},
                    "token": {"type": "object", "required": ["id"],
                              "properties": {"id": {"type": "string"}}},
                    "application_credential": {"type": "object", "required": ["secret"],
                                               "properties": {
                                                   "id": {"type": "string"},
                                                   "name": {"type": "string"},
                                                   "secret": {"type": "string"},
                                                   "user": {"type": "object"}}},
                },
            },
            "scope": {"oneOf": [
                {"type": "string", "enum": ["unscoped"]},
                {"type": "object", "properties": {
                    "project": {"type": "object", "properties": {
                        "id": {"type": "string"}, "name": {"type": "string"},
                        "domain": {"type": "object"}}},
                    "domain": {"type": "object", "properties": {
                        "id": {"type": "string"}, "name": {"type": "string"}}},
                    "system": {"type": "object", "properties": {
                        "all": {"type": "boolean"}}},
                    "OS-TRUST:trust": {"type": "object"},
                }},
            ]},
        },
    }},
}

SUPPORTED_METHODS = ("password", "token", "application_credential")


class Authenticator:

    def __init__(self, conf, resources, users, assignments, tokens, app_creds=None):
        self.conf = conf
        self.resources = resources
        self.users = users
        self.assignments = assignments
        self.tokens = tokens
        self.app_creds = app_creds

    def authenticate(self, auth: dict) -> tuple[str, dict]:
        """A new token and its info for a validated ``auth`` object; 401 on failure."""
        methods = auth["identity"]["methods"]
        for method in methods:
            if method not in SUPPORTED_METHODS:
                raise exception.Unauthorized(f"Attempted to authenticate with an "
                                             f"unsupported method: {method}.")
            if method not in auth["identity"]:
                raise exception.ValidationError(
                    field=f"auth/identity/{method}", detail="is required by methods")
        if len(set(methods)) != len(methods) or len(methods) > 1 and "token" in methods:
            raise exception.Unauthorized("Unsupported combination of methods.")
        scope_body = auth.get("scope")
        if "OS-TRUST:trust" in (scope_body or {}) if isinstance(scope_body, dict) else False:
            raise exception.Forbidden("Trusts are not offered by this cloud.")
        if "token" in methods:
            return self._rescope(auth["identity"]["token"]["id"], scope_body)
        if "application_credential" in methods:
            return self._app_cred(auth["identity"]["application_credential"], scope_body)
        user = self._password_user(auth["identity"]["password"]["user"])
        scope = self._scope(scope_body, user.id, user.default_project_id)
        return self.tokens.issue(user.id, methods, scope)

    # -- methods -----------------------------------------------------------

    def _password_user(self, ref: dict):
        password = ref.get("password")
        if password is None:
            raise exception.ValidationError(field="auth/identity/password/user/password",
                                            detail="is required")
        if "id" in ref:
            try:
                user = self.users.get_user(ref["id"])
            except exception.NotFound:
                user = None
        elif "name" in ref:
            domain = self._domain(ref.get("domain"), "auth/identity/password/user/domain")
            user = self.users.find_user(ref["name"], domain.id) if domain.enabled else None
        else:
            raise exception.ValidationError(field="auth/identity/password/user",
                                            detail="an id or a name is required")
        user = self.users.authenticate(user, password)
        domain = self.resources.find_project(user.domain_id)
        if domain is None or not domain.enabled:
            raise exception.AuthFailed()
        return user

    def _rescope(self, token_id: str, scope_body) -> tuple[str, dict]:
        try:
            info = self.tokens.validate(token_id)
        except exception.NotFound:
            # Keystone answers 404 for a token that is expired, revoked or not ours.
            raise exception.TokenNotFound(f"Could not find token: {token_id[:12]}")
        if info["app_cred_id"]:
            raise exception.Forbidden("A token created from an application credential "
                                      "cannot be re-scoped.")
        scope = self._scope(scope_body, info["user_id"], None)
        current = _scope_of(info)
        if scope is None:
            scope = current
        elif current is not None and scope != current and \
                not self.conf.token.allow_rescope_scoped_token:
            raise exception.Forbidden("Re-scoping a scoped token is not allowed.")
        methods = list(dict.fromkeys(["token", *info["methods"]]))
        return self.tokens.issue(info["user_id"], methods, scope,
                                 parent_audit_ids=info["audit_ids"],
                                 expires_at=info["expires_at"])

    def _app_cred(self, ref: dict, scope_body) -> tuple[str, dict]:
        if self.app_creds is None:
            raise exception.Unauthorized("Application credentials are not available.")
        cred = self._find_app_cred(ref)
        if cred is None or not passwords.check_password(ref["secret"], cred.secret_hash):
            raise exception.AuthFailed()
        if scope_body:
            raise exception.ValidationError(
                field="auth/scope",
                detail="an application credential token is scoped by the credential itself")
        scope = ("system", "all") if cred.system else ("project", cred.project_id)
        return self.tokens.issue(cred.user_id, ["application_credential"], scope,
                                 app_cred_id=cred.id)

    def _find_app_cred(self, ref: dict):
        if "id" in ref:
            try:
                return self.app_creds.get(ref["id"])
            except exception.NotFound:
                return None
        if "name" not in ref or "user" not in ref:
            raise exception.ValidationError(
                field="auth/identity/application_credential",
                detail="an id, or a name and a user, is required")
        user_ref = ref["user"]
        if "id" in user_ref:
            user_id = user_ref["id"]
        else:
            domain = self._domain(user_ref.get("domain"),
                                  "auth/identity/application_credential/user/domain")
            user = self.users.find_user(user_ref.get("name", ""), domain.id)
            if user is None:
                return None
            user_id = user.id
        return self.app_creds.find(user_id, ref["name"])

    # -- scope -------------------------------------------------------------

    def _scope(self, body, user_id: str, default_project_id: str | None):
        """(kind, id) for the requested scope, None for unscoped; 401 if not allowed."""
        if body == "unscoped":
            return None
        if not body:
            return self._default_scope(user_id, default_project_id)
        present = [k for k in ("project", "domain", "system") if k in body]
        if len(present) != 1:
            raise exception.ValidationError(
                field="auth/scope", detail="name exactly one of project, domain or system")
        kind = present[0]
        if kind == "system":
            if body["system"].get("all") is not True:
                raise exception.ValidationError(field="auth/scope/system",
                                                detail="only {'all': true} is supported")
            return ("system", "all")
        if kind == "domain":
            domain = self._domain(body["domain"], "auth/scope/domain")
            return ("domain", domain.id)
        ref = body["project"]
        if "id" in ref:
            project = self.resources.find_project(ref["id"])
            if project is None or project.is_domain:
                raise exception.Unauthorized(f"Could not find project: {ref['id']}.")
        elif "name" in ref:
            domain = self._domain(ref.get("domain"), "auth/scope/project/domain")
            try:
                project = self.resources.get_project_by_name(ref["name"], domain.id)
            except exception.NotFound:
                raise exception.Unauthorized(f"Could not find project: {ref['name']}.")
        else:
            raise exception.ValidationError(field="auth/scope/project",
                                            detail="an id or a name is required")
        return ("project", project.id)

    def _default_scope(self, user_id: str, project_id: str | None):
        if not project_id:
            return None
        project = self.resources.find_project(project_id)
        if project is None or not project.enabled or project.is_domain:
            return None
        if not self.assignments.effective_roles(user_id, project_id=project_id):
            return None
        return ("project", project_id)

    def _domain(self, ref: dict | None, field: str):
        if not ref or not ("id" in ref or "name" in ref):
            raise exception.ValidationError(field=field, detail="an id or a name is required")
        try:
            if "id" in ref:
                return self.resources.get_domain(ref["id"])
            return self.resources.get_domain_by_name(ref["name"])
        except exception.NotFound:
            raise exception.AuthFailed()


def _scope_of(info: dict):
    if info["project_id"]:
        return ("project", info["project_id"])
    if info["domain_id"]:
        return ("domain", info["domain_id"])
    if info["system"]:
        return ("system", "all")
    return None
