"""``stratus-manage image …``: db sync, recovery after a stop."""
from image import conf as image_conf
from image import recovery
from image.service import ImageService
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
    commands.add_parser("recover", help="requeue uploads a stop interrupted, remove orphan "
                                        "data (run while no image API serves)").set_defaults(
        func=recover)


def db_sync(conf, args) -> None:
    migration.upgrade(db.Database.from_conf(conf), "image")


def db_version(conf, args) -> None:
    print(migration.current(db.Database.from_conf(conf)) or "none")


def recover(conf, args) -> None:
    done = recovery.recover(ImageService(conf))
    print(f"{done['saving_requeued']} upload(s) requeued, {done['importing_restaged']} "
          f"import(s) back to uploading, {len(done['orphans_removed'])} orphan(s) removed")
