"""``stratus-manage identity bootstrap``: the minimum for a usable cloud.

Creates, when missing: the ``Default`` domain (id ``default``); the
``admin``, ``member``, ``reader`` and ``service`` roles with admin ⇒ member
⇒ reader; the ``admin`` project and user with the admin role on it and on
the system; the ``service`` project; the region and the identity service
with its endpoints. Running it again changes nothing but the admin password
(set to the one given) and endpoint URLs (set to the ones given).
"""


from identity import exception, models, passwords, registration
from identity.registration import ensure_role
from identity.service import IdentityService


def add_arguments(parser) -> None:
    parser.add_argument("--bootstrap-password", required=True)
    parser.add_argument("--bootstrap-username", default="admin")
    parser.add_argument("--bootstrap-project-name", default="admin")
    parser.add_argument("--bootstrap-role-name", default="admin")
    parser.add_argument("--bootstrap-service-project-name", default="service")
    parser.add_argument("--region-id", default="RegionOne")
    parser.add_argument("--public-url")
    parser.add_argument("--internal-url")
    parser.add_argument("--admin-url")


def run(conf, args) -> None:
    svc = IdentityService(conf)
    domain = _domain(svc)
    admin_role = ensure_role(svc, args.bootstrap_role_name)
    member = ensure_role(svc, "member")
    reader = ensure_role(svc, "reader")
    ensure_role(svc, "service")
    _imply(svc, admin_role.id, member.id)
    _imply(svc, member.id, reader.id)
    project = _project(svc, args.bootstrap_project_name, domain)
    _project(svc, args.bootstrap_service_project_name, domain)
    user = _user(svc, args.bootstrap_username, args.bootstrap_password, domain, project)
    svc.assignments.create_grant(admin_role.id, "user", user.id, "project", project.id)
    svc.assignments.create_grant(admin_role.id, "user", user.id, "system", "system")
    _catalog(svc, args)
    print(f"bootstrapped: user {user.name} ({user.id}) is {admin_role.name} of project "
          f"{project.name} ({project.id}) and of the system")


def _domain(svc):
    try:
        return svc.resources.get_domain("default")
    except exception.NotFound:
        return svc.resources.create_domain(
            {"name": "Default", "description": "The default domain"}, "default")


def _imply(svc, prior_id: str, implied_id: str) -> None:
    def ensure(session):
        if session.get(models.ImpliedRole, (prior_id, implied_id)) is None:
            session.add(models.ImpliedRole(prior_role_id=prior_id, implied_role_id=implied_id))
    svc.db.write(ensure)


def _project(svc, name: str, domain):
    try:
        return svc.resources.get_project_by_name(name, domain.id)
    except exception.NotFound:
        return svc.resources.create_project({"name": name, "domain_id": domain.id})


def _user(svc, name: str, password: str, domain, project):
    user = svc.users.find_user(name, domain.id)
    if user is None:
        return svc.users.create_user({"name": name, "domain_id": domain.id,
                                      "password": password,
                                      "default_project_id": project.id})
    if not passwords.check_password(password, user.password_hash) or not user.enabled:
        user = svc.users.update_user(user.id, {"password": password, "enabled": True})
    return user


def _catalog(svc, args) -> None:
    urls = {"public": args.public_url, "internal": args.internal_url,
            "admin": args.admin_url}
    if not any(urls.values()):
        return
    service = registration.ensure_service(svc, "identity", "keystone")
    registration.ensure_endpoints(svc, service.id, args.region_id, urls)
