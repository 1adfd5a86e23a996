"""``stratus-manage network …``: db sync and version."""
from network import conf as network_conf
from stratus import config, db
from stratus.db import migration


def make_conf():
    return config.make_conf("network", network_conf.register)


def register(commands) -> None:
    db_cmd = commands.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True)
    db_cmd.add_parser("sync", help="create or upgrade the schema").set_defaults(func=db_sync)
    db_cmd.add_parser("version", help="print the schema revision").set_defaults(
        func=db_version)


def db_sync(conf, args) -> None:
    database = db.Database.from_conf(conf)
    try:
        migration.upgrade(database, "network")
    finally:
        database.dispose()


def db_version(conf, args) -> None:
    database = db.Database.from_conf(conf)
    try:
        print(migration.current(database) or "none")
    finally:
        database.dispose()
