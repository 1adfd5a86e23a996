"""The image service's rules, one module per concern: images (create, read,
change, delete, visibility), listing (filters, sorting, pages), members,
and data (upload, download, stage, import)."""
import dataclasses


@dataclasses.dataclass(frozen=True)
class Caller:
    """Who is asking, as far as image visibility goes."""

    project_id: str | None
    is_admin: bool = False
