"""``stratus-network-agent``: keeps this host's dataplane equal to what the
network API says (see :mod:`network.agent.manager`).

It waits for the message broker (``broker_wait_timeout``; exits with an
error if it stays away), then runs until SIGTERM or SIGINT, which stop it
cleanly: what it made on the host stays (``stratus-manage network
agent-cleanup`` removes it).
"""
import signal
import sys

from oslo_log import log

from network import rpcapi
from network.agent import conf as agent_conf
from network.agent import driver as base
from network.agent.manager import AgentManager
from network.manage import make_conf
from stratus import config, rpc

LOG = log.getLogger(__name__)


def build_driver(conf) -> base.Driver:
    """The driver ``[agent] driver`` names, with this host's settings."""
    settings = agent_conf.settings(conf)
    if conf.agent.driver == "fake":
        from network.agent.fake import FakeDriver
        return FakeDriver(settings)
    from network.agent.linuxbridge.driver import LinuxBridgeDriver
    return LinuxBridgeDriver(settings)


def main(argv: list[str] | None = None) -> int:
    conf = config.load(make_conf(), sys.argv[1:] if argv is None else argv)
    config.setup_logging(conf)
    try:
        rpc.wait_for_broker(conf.transport_url, conf.broker_wait_timeout)
    except rpc.BrokerUnavailable as error:
        LOG.error("%s", error)
        return 1
    transport = rpcapi.get_transport(conf)
    manager = AgentManager(conf, build_driver(conf), rpcapi.PluginAPI(transport), transport)

    def stop(signum, _frame):
        LOG.info("Signal %d: stopping", signum)
        manager.stop()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    LOG.info("Network agent of host %s starting (%s driver, types: %s)", conf.host,
             conf.agent.driver, ", ".join(manager.agent_types))
    manager.start()
    manager.wait()
    transport.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
