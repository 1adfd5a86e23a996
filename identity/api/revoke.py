"""``/v3/OS-REVOKE/events``: the revocation events, for services that cache tokens."""
import datetime

import flask

from identity import exception, models
from identity.api import common

blueprint = flask.Blueprint("revoke", __name__, url_prefix="/v3/OS-REVOKE")

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_FIELDS = ("user_id", "role_id", "domain_id", "project_id", "audit_id", "audit_chain_id")


def event_view(event: models.RevocationEvent) -> dict:
    """Keystone's event: the fields it names, then its times."""
    view = {k: getattr(event, k) for k in _FIELDS if getattr(event, k) is not None}
    if event.expires_at is not None:
        view["expires_at"] = event.expires_at.strftime(_TIME_FORMAT)
    view["issued_before"] = event.issued_before.strftime(_TIME_FORMAT)
    view["revoked_at"] = event.revoked_at.strftime(_TIME_FORMAT)
    return view


@blueprint.get("/events")
def list_revoke_events():
    common.authorize("list_revoke_events")
    since = _since(common.query(["since"]).get("since"))
    events = common.service().tokens.revocation_events(since)
    return common.collection("events", [event_view(e) for e in events])


def _since(value: str | None) -> datetime.datetime | None:
    """``since`` as naive UTC; 400 unless ISO 8601."""
    if value is None:
        return None
    try:
        when = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise exception.ValidationError(field="since", detail=f"invalid date format {value}")
    if when.tzinfo is not None:
        when = when.astimezone(datetime.UTC).replace(tzinfo=None)
    return when
