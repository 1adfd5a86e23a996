from network import models
from stratus.db import migration

migration.run_env(models.Base.metadata)
