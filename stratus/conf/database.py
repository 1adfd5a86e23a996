"""[database]: where a service keeps its tables and how it reaches them."""
from oslo_config import cfg

GROUP = "database"

OPTS = [
    cfg.StrOpt("connection", secret=True,
               help="SQLAlchemy URL of this service's database. Unset means the "
                    "embedded SQLite file $state_path/<service>.sqlite. Use "
                    "mysql+pymysql://user:pass@host/db or "
                    "postgresql+psycopg2://user:pass@host/db for multi-process, "
                    "multi-node deployments."),
    cfg.FloatOpt("sqlite_busy_timeout", default=30.0, min=0,
                 help="Seconds a SQLite connection waits for another process's "
                      "write lock before giving up (then the transaction is "
                      "retried, see max_retries)."),
    cfg.IntOpt("max_retries", default=20, min=0,
               help="How many times a transaction that lost a lock race "
                    "(SQLite 'database is locked', MySQL deadlock, PostgreSQL "
                    "serialization failure) is re-run before the error is raised."),
    cfg.IntOpt("pool_size", default=5, min=1,
               help="Connections kept open per process (MariaDB/PostgreSQL only)."),
    cfg.IntOpt("connection_recycle_time", default=3600, min=1,
               help="Seconds after which a pooled connection is replaced, so "
                    "server-side idle timeouts never hand us a dead connection."),
]


def register(conf, service):
    conf.register_opts(OPTS, group=GROUP)
    conf.set_default("connection", None, group=GROUP)
