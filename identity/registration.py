"""``stratus-manage identity register-service``: put a service in the cloud.

Idempotent: ensures the catalog service of that type (with the name given),
its public/internal/admin endpoints in the region (URLs updated when they
differ), and optionally a service user in the ``service`` project holding
the ``service`` and ``admin`` roles there (its password reset to the one
given), which the service uses to validate tokens and call other services.
"""
import uuid

import sqlalchemy as sa

from identity import exception, models, passwords
from identity.service import IdentityService


def add_arguments(parser) -> None:
    parser.add_argument("--type", required=True, help="service type, e.g. image")
    parser.add_argument("--name", required=True, help="service name, e.g. glance")
    parser.add_argument("--description", default="")
    parser.add_argument("--region-id", default="RegionOne")
    parser.add_argument("--url", required=True,
                        help="endpoint URL for all three interfaces (may hold "
                             "$(project_id)s)")
    parser.add_argument("--user", help="service user to create or update")
    parser.add_argument("--password", help="the service user's password")


def run(conf, args) -> None:
    svc = IdentityService(conf)
    service = ensure_service(svc, args.type, args.name, args.description)
    ensure_endpoints(svc, service.id, args.region_id,
                     {i: args.url for i in ("public", "internal", "admin")})
    print(f"registered {args.type} service {args.name} at {args.url}")
    if args.user:
        if not args.password:
            raise SystemExit("--user needs --password")
        user_id = _service_user(svc, args.user, args.password)
        print(f"service user {args.user} ({user_id}) holds service and admin on project "
              "service")


def ensure_role(svc, name: str) -> models.Role:
    def ensure(session):
        role = session.execute(sa.select(models.Role).where(
            models.Role.name == name, models.Role.domain_id == models.GLOBAL_ROLE)
        ).scalar_one_or_none()
        if role is None:
            role = models.Role(id=uuid.uuid4().hex, name=name, domain_id=models.GLOBAL_ROLE,
                               options={}, extra={})
            session.add(role)
            session.flush()
        return role
    return svc.db.write(ensure)


def ensure_service(svc, service_type: str, name: str, description: str = ""):
    """The catalog service of ``service_type``, created or renamed as needed."""
    for service in svc.catalog.list_services({"type": service_type}):
        if service.extra.get("name") != name or service.extra.get("description") != \
                description:
            service = svc.catalog.update_service(
                service.id, {"name": name, "description": description})
        return service
    return svc.catalog.create_service({"type": service_type, "name": name,
                                       "description": description, "enabled": True})


def _service_user(svc, name: str, password: str) -> str:
    project = svc.resources.get_project_by_name("service", "default")
    user = svc.users.find_user(name, "default")
    if user is None:
        user = svc.users.create_user({"name": name, "domain_id": "default",
                                      "password": password,
                                      "default_project_id": project.id})
    elif not passwords.check_password(password, user.password_hash) or not user.enabled:
        user = svc.users.update_user(user.id, {"password": password, "enabled": True})
    for role_name in ("service", "admin"):
        svc.assignments.create_grant(ensure_role(svc, role_name).id, "user", user.id,
                                     "project", project.id)
    return user.id


def ensure_endpoints(svc, service_id: str, region_id: str, urls: dict[str, str]) -> None:
    """One endpoint per interface in ``urls`` (None: leave alone), in ``region_id``."""
    try:
        svc.catalog.get_region(region_id)
    except exception.NotFound:
        svc.catalog.create_region({"id": region_id})
    existing = {e.interface: e for e in svc.catalog.list_endpoints({"service_id": service_id})}
    for interface, url in urls.items():
        if not url:
            continue
        endpoint = existing.get(interface)
        if endpoint is None:
            svc.catalog.create_endpoint({"interface": interface, "url": url,
                                         "region_id": region_id, "service_id": service_id})
        elif endpoint.url != url or endpoint.region_id != region_id:
            svc.catalog.update_endpoint(endpoint.id, {"url": url, "region_id": region_id})
