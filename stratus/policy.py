"""oslo.policy enforcement with in-code defaults, overridable from a policy file.

Each service declares its rules in ``<service>/policies.py`` (a list of
``policy.RuleDefault``/``DocumentedRuleDefault``) and builds one
:class:`Enforcer`. Operators override any rule in
``/etc/stratus/<service>-policy.yaml`` (``[oslo_policy] policy_file``, registered
by :func:`stratus.config.make_conf`); the file is re-read within
:data:`RELOAD_INTERVAL` seconds of a change.

Decisions are memoized: a rule's verdict is a pure function of the rules, the
caller's credentials and the target, and oslo.policy spends most of a
request's CPU re-deriving it (it re-checks the policy file and introspects
every check's signature on each call).
"""
import collections
import os
import threading
import time
from collections.abc import Sequence

from oslo_policy import policy

from stratus import exception
from stratus.context import RequestContext

RELOAD_INTERVAL = 5.0
_MEMO_SIZE = 4096


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
        self._memo: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.Lock()
        self._rules = None
        self._checked_at = 0.0

    def authorize(self, action: str, context: RequestContext, target: dict | None = None
                  ) -> None:
        """Raise the service's Forbidden (403) unless ``context`` may do ``action``."""
        if not self.check(action, context, target):
            raise self._forbidden(action=action)

    def check(self, action: str, context: RequestContext, target: dict | None = None
              ) -> bool:
        """Whether ``context`` may do ``action``, without raising."""
        creds = context.to_policy_values()
        target = target or {}
        self._reload_if_due()
        key = _memo_key(action, creds, target)
        if key is not None:
            with self._lock:
                verdict = self._memo.get(key)
            if verdict is not None:
                return verdict
        try:
            verdict = bool(self._enforcer.enforce(action, target, creds))
        except policy.InvalidScope:
            verdict = False
        if key is not None:
            with self._lock:
                self._memo[key] = verdict
                while len(self._memo) > _MEMO_SIZE:
                    self._memo.popitem(last=False)
        return verdict

    def _reload_if_due(self) -> None:
        now = time.monotonic()
        if now - self._checked_at < RELOAD_INTERVAL:
            return
        self._checked_at = now
        self._enforcer.load_rules()
        if self._enforcer.rules is not self._rules:
            self._rules = self._enforcer.rules
            with self._lock:
                self._memo.clear()


def _memo_key(action: str, creds: dict, target: dict):
    """A hashable form of the inputs, or None when one is not plain data."""
    try:
        return (action, _freeze(creds), _freeze(target))
    except TypeError:
        return None


def _freeze(values: dict) -> tuple:
    items = []
    for key, value in values.items():
        if isinstance(value, list | tuple | set):
            value = tuple(value)
        hash(value)
        items.append((key, value))
    return tuple(sorted(items, key=lambda item: item[0]))
