"""Stratus shared core: what every service reuses instead of re-writing."""
import warnings

# oslo.messaging imports oslo.service's eventlet backend, which warns on import
# although nothing of ours runs on eventlet; operators should not see it.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
