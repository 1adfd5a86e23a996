"""``stratus-manage image …``: db sync."""
from image import conf as image_conf
from stratus import config, db
from stratus.db import migration


def make_conf():
    return config.make_conf("image", image_conf.register)


def register(commands) -> None:
    db_cmd = commands.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True)
    db_cmd.add_parser("sync", help="create or upgrade the schema").set_defaults(func=db_sync)
    db_cmd.add_parser("version", help="print the schema revision").set_defaults(
        func=db_version)


def db_sync(conf, args) -> None:
    migration.upgrade(db.Database.from_conf(conf), "image")


def db_version(conf, args) -> None:
    print(migration.current(db.Database.from_conf(conf)) or "none")
