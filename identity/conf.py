"""Identity service options, one group per concern."""
from oslo_config import cfg

TOKEN_OPTS = [
    cfg.IntOpt("expiration", default=3600, min=60,
               help="Seconds a token stays valid after it is issued."),
    cfg.BoolOpt("allow_rescope_scoped_token", default=True,
                help="Whether a scoped token may be exchanged for a token of "
                     "another scope. Unscoped tokens may always be scoped."),
    cfg.IntOpt("cache_size", default=10000, min=0,
               help="Validated tokens remembered per API process. Entries are "
                    "dropped as soon as any identity data changes, so the cache "
                    "never serves a revoked or outdated token. 0 disables it."),
]

FERNET_OPTS = [
    cfg.StrOpt("key_repository", default="/etc/stratus/fernet-keys",
               help="Directory of Fernet keys used to encrypt tokens. Created by "
                    "'stratus-manage identity fernet setup'; rotated by "
                    "'stratus-manage identity fernet rotate'. Every API node must "
                    "hold the same keys."),
    cfg.IntOpt("max_active_keys", default=3, min=1,
               help="Keys kept in the repository: one primary (encrypts), one "
                    "staged (the next primary) and the rest secondary (decrypt "
                    "only). Must exceed expiration / rotation interval + 2 for "
                    "rotation never to invalidate a live token."),
]

CREDENTIAL_OPTS = [
    cfg.StrOpt("key_repository", default="/etc/stratus/credential-keys",
               help="Directory of Fernet keys used to encrypt credential blobs "
                    "at rest. Created by 'stratus-manage identity credential setup'."),
]

IDENTITY_OPTS = [
    cfg.IntOpt("password_hash_rounds", default=12, min=4, max=31,
               help="bcrypt cost factor for stored passwords (Keystone's default "
                    "is 12, ~0.3 s of CPU per check). Lower values weaken "
                    "passwords against offline attack."),
    cfg.IntOpt("max_password_length", default=4096, min=1,
               help="Longest password accepted."),
    cfg.StrOpt("default_domain_id", default="default",
               help="Domain used for v2-style requests that name no domain."),
    cfg.IntOpt("list_limit", min=1,
               help="Cap on entities returned by one list call; lists cut short "
                    "say 'truncated': true. Unset means no cap."),
]

SECURITY_OPTS = [
    cfg.IntOpt("lockout_failure_attempts", min=1,
               help="Failed password logins in a row after which a user is "
                    "locked out. Unset disables lockout."),
    cfg.IntOpt("lockout_duration", default=1800, min=1,
               help="Seconds a locked-out user must wait before trying again."),
]


def register(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(TOKEN_OPTS, group="token")
    conf.register_opts(FERNET_OPTS, group="fernet_tokens")
    conf.register_opts(CREDENTIAL_OPTS, group="credential")
    conf.register_opts(IDENTITY_OPTS, group="identity")
    conf.register_opts(SECURITY_OPTS, group="security_compliance")
    conf.set_default("bind_port", 5000, group="api")


def list_opts():
    return [
        ("token", TOKEN_OPTS),
        ("fernet_tokens", FERNET_OPTS),
        ("credential", CREDENTIAL_OPTS),
        ("identity", IDENTITY_OPTS),
        ("security_compliance", SECURITY_OPTS),
    ]
