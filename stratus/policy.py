"""oslo.policy enforcement with in-code defaults, overridable from a policy file.

Each service declares its rules in ``<service>/policies.py`` (a list of
``policy.RuleDefault``/``DocumentedRuleDefault``) and builds one
:class:`Enforcer`. Operators override any rule in
``/etc/stratus/<service>-policy.yaml`` (``[oslo_policy] policy_file``, registered
by :func:`stratus.config.make_conf`).
"""
import os
from collections.abc import Sequence

from oslo_policy import policy

from stratus import exception
from stratus.context import RequestContext


class Enforcer:
    """Authorizes one action for one caller against a target."""

    def __init__(self, conf, rules: Sequence[policy.RuleDefault],
                 forbidden: type[exception.StratusError] = exception.Forbidden):
        policy_file = conf.oslo_policy.policy_file
        if not os.path.isabs(policy_file):
            candidate = os.path.join("/etc/stratus", policy_file)
            if os.path.exists(candidate):
                conf.set_override("policy_file", candidate, group="oslo_policy")
        self._enforcer = policy.Enforcer(conf)
        self._enforcer.register_defaults(rules)
        self._forbidden = forbidden

    def authorize(self, action: str, context: RequestContext, target: dict | None = None
                  ) -> None:
        """Raise the service's Forbidden (403) unless ``context`` may do ``action``."""
        creds = context.to_policy_values()
        try:
            allowed = self._enforcer.enforce(action, target or {}, creds)
        except policy.InvalidScope:
            allowed = False
        if not allowed:
            raise self._forbidden(action=action)

    def check(self, action: str, context: RequestContext, target: dict | None = None
              ) -> bool:
        """Whether ``context`` may do ``action``, without raising."""
        try:
            return bool(self._enforcer.enforce(action, target or {},
                                               context.to_policy_values()))
        except policy.InvalidScope:
            return False
