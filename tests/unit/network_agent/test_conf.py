"""The agent's options and the driver settings they make."""
from oslo_config import cfg

from network.agent import conf


def test_settings_from_parsed_options():
    options = cfg.ConfigOpts()
    options.register_opt(cfg.StrOpt("state_path", default="/var/lib/stratus"))
    conf.register(options)
    options([], default_config_files=[])
    options.set_override("bridge_mappings", {"public": "br-ex"}, group="agent")
    options.set_override("dhcp_dns_servers", ["192.0.2.53"], group="dhcp")
    settings = conf.settings(options)
    assert settings.state_path == "/var/lib/stratus/network"
    assert settings.bridge_mappings == {"public": "br-ex"}
    assert settings.dns_servers == ("192.0.2.53",)
    assert settings.metadata_url == "http://127.0.0.1:8775"
    assert settings.lease_duration == 86400 and settings.scope == ""


def test_every_option_is_listed_with_help():
    groups = dict(conf.list_opts())
    assert set(groups) == {"agent", "dhcp", "metadata"}
    assert all(option.help for options in groups.values() for option in options)
