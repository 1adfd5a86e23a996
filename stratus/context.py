"""The per-request context: who is calling, in which scope, under which request id.

It is oslo.context's RequestContext, so oslo.log picks the request id up for
every log line and oslo.messaging carries it across the bus.
"""
from oslo_context import context


class RequestContext(context.RequestContext):
    """Caller identity and scope for one API request or RPC call."""

    def __init__(self, *, user_name=None, project_name=None, audit_ids=None,
                 token_data=None, **kwargs):
        super().__init__(**kwargs)
        self.user_name = user_name
        self.project_name = project_name
        self.audit_ids = audit_ids or []
        self.token_data = token_data

    def to_dict(self):
        values = super().to_dict()
        values.update(user_name=self.user_name, project_name=self.project_name)
        return values

    @classmethod
    def from_dict(cls, values, **kwargs):
        kwargs.setdefault("user_name", values.get("user_name"))
        kwargs.setdefault("project_name", values.get("project_name"))
        return super().from_dict(values, **kwargs)


def anonymous(request_id: str | None = None) -> RequestContext:
    return RequestContext(request_id=request_id, overwrite=True)


def admin(request_id: str | None = None) -> RequestContext:
    """A context for the service's own internal work (bootstrap, periodic tasks)."""
    return RequestContext(request_id=request_id, is_admin=True, roles=["admin"],
                          overwrite=False)
