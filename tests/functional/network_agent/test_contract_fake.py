"""The driver contract, run against the in-memory driver."""
import pytest

from network.agent import driver as base
from network.agent import fake, model
from tests.functional.network_agent import contract


class FakeHost(contract.Host):
    mapped_bridge = "br-fake"

    def __init__(self, driver: fake.FakeDriver):
        self.driver = driver

    def add_tap(self, port: model.Port) -> None:
        self.driver.add_tap(port.id)

    def remove_tap(self, port: model.Port) -> None:
        self.driver.remove_tap(port.id)

    def kill_dhcp(self, network_id: str) -> None:
        self.driver.kill_dhcp(network_id)

    def kill_metadata_proxy(self, router_id: str) -> None:
        self.driver.kill_metadata_proxy(router_id)

    def lose_network(self, network: model.Network) -> None:
        self.driver.lose_network(network.id)


@pytest.fixture
def driver() -> fake.FakeDriver:
    return fake.FakeDriver(base.Settings(
        bridge_mappings={contract.PHYSNET: FakeHost.mapped_bridge}))


@pytest.fixture
def host(driver) -> FakeHost:
    return FakeHost(driver)


class TestFakeDriver(contract.DriverContract):
    pass
