"""``stratus-manage network …``: db sync and version; agent-cleanup."""
from network import conf as network_conf
from network.agent import conf as agent_conf
from stratus import config, db
from stratus.db import migration


def make_conf():
    """The network service's options, the API's and the agent's (one
    network.conf serves both)."""
    return config.make_conf("network", _register)


def _register(conf) -> None:
    network_conf.register(conf)
    agent_conf.register(conf)


def register(commands) -> None:
    db_cmd = commands.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True)
    db_cmd.add_parser("sync", help="create or upgrade the schema").set_defaults(func=db_sync)
    db_cmd.add_parser("version", help="print the schema revision").set_defaults(
        func=db_version)
    commands.add_parser(
        "agent-cleanup", help="remove every namespace, bridge, process and firewall rule "
                              "the network agent made on this host (stop the agent "
                              "first)").set_defaults(func=agent_cleanup)


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


def agent_cleanup(conf, args) -> None:
    from network.agent.linuxbridge.driver import LinuxBridgeDriver
    LinuxBridgeDriver(agent_conf.settings(conf)).cleanup_all()
    scope = f" (scope {conf.agent.scope})" if conf.agent.scope else ""
    print(f"Removed what the network agent{scope} made on host {conf.host}")
