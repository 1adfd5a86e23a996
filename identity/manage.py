"""``stratus-manage identity …``: db sync, Fernet keys, bootstrap, service registration."""
from identity import bootstrap, registration
from identity import conf as identity_conf
from identity.database import IdentityDatabase
from identity.tokens import fernet
from stratus import config
from stratus.db import migration


def make_conf():
    return config.make_conf("identity", identity_conf.register)


def register(commands) -> None:
    db = commands.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True)
    db.add_parser("sync", help="create or upgrade the schema").set_defaults(func=db_sync)
    db.add_parser("version", help="print the schema revision").set_defaults(func=db_version)

    keys = commands.add_parser("fernet", help="token keys").add_subparsers(
        dest="fernet_command", required=True)
    keys.add_parser("setup", help="create the key repository (idempotent)").set_defaults(
        func=fernet_setup)
    keys.add_parser("rotate", help="promote the staged key, stage a new one").set_defaults(
        func=fernet_rotate)

    cred = commands.add_parser("credential", help="credential encryption keys")
    cred.add_subparsers(dest="credential_command", required=True).add_parser(
        "setup", help="create the key repository (idempotent)").set_defaults(
        func=credential_setup)

    boot = commands.add_parser("bootstrap", help="create the admin user, roles, catalog")
    bootstrap.add_arguments(boot)
    boot.set_defaults(func=bootstrap.run)

    reg = commands.add_parser("register-service",
                              help="catalog entry, endpoints and service user of a service")
    registration.add_arguments(reg)
    reg.set_defaults(func=registration.run)


def db_sync(conf, args) -> None:
    migration.upgrade(IdentityDatabase.from_conf(conf), "identity")


def db_version(conf, args) -> None:
    print(migration.current(IdentityDatabase.from_conf(conf)) or "none")


def fernet_setup(conf, args) -> None:
    repo = fernet.KeyRepository(conf.fernet_tokens.key_repository,
                                conf.fernet_tokens.max_active_keys)
    print("created" if repo.setup() else "already set up", repo.path)


def fernet_rotate(conf, args) -> None:
    repo = fernet.KeyRepository(conf.fernet_tokens.key_repository,
                                conf.fernet_tokens.max_active_keys)
    if not repo.exists():
        repo.setup()
    print("primary key is now", repo.rotate())


def credential_setup(conf, args) -> None:
    repo = fernet.KeyRepository(conf.credential.key_repository, 1)
    print("created" if repo.setup() else "already set up", repo.path)
