"""Integration tests run against the cloud that devstack/stack.sh brought up.

They drive it with the stock ``openstack`` CLI from the Stratus venv, using
the clouds written to /etc/openstack/clouds.yaml (``stratus``,
``stratus-admin``). A cloud that is not up is a failure, not a skip.
"""
import json
import os
import shutil
import subprocess
import uuid

import pytest

VENV_BIN = "/opt/stratus/venv/bin"


def _openstack_binary() -> str:
    candidate = os.path.join(VENV_BIN, "openstack")
    return candidate if os.path.exists(candidate) else shutil.which("openstack")


class CLI:
    """Runs ``openstack`` commands as one cloud (or explicit auth settings)."""

    def __init__(self, cloud: str | None = None, env: dict | None = None):
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        if cloud:
            self.env["OS_CLOUD"] = cloud
        self.env.update(env or {})

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([_openstack_binary(), *args], env=self.env,
                                stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(f"openstack {' '.join(args)} failed "
                                 f"({result.returncode}):\n{result.stderr}")
        return result

    def json(self, *args: str):
        return json.loads(self.run(*args, "-f", "json").stdout)

    def fails(self, *args: str) -> str:
        result = self.run(*args, check=False)
        assert result.returncode != 0, f"openstack {' '.join(args)} unexpectedly worked"
        return result.stderr


@pytest.fixture(scope="session")
def admin_cli() -> CLI:
    cli = CLI("stratus-admin")
    cli.run("token", "issue")
    return cli


@pytest.fixture(scope="session")
def demo_cli() -> CLI:
    return CLI("stratus")


@pytest.fixture
def unique() -> str:
    return f"it-{uuid.uuid4().hex[:8]}"
