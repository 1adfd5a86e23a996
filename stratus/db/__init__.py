"""Database access shared by every service: engines, transactions, migrations."""
from stratus.db.engine import Database
from stratus.db.retry import is_lock_conflict

__all__ = ["Database", "is_lock_conflict"]
