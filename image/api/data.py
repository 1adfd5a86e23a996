"""Image data: ``/v2/images/{id}/file`` (upload, download), ``/stage`` and
``/import``. Bodies are streamed in ``[image] chunk_size`` pieces both ways;
a download from a store of local files goes out with sendfile() when the WSGI
server offers ``wsgi.file_wrapper`` (gunicorn does)."""
import flask

from image import exception, models
from image.api import common, views
from image.manager.tasks import Origin
from stratus.wsgi import app as wsgi_app

blueprint = flask.Blueprint("data", __name__)

OCTET_STREAM = "application/octet-stream"
IMPORT = {
    "type": "object",
    "properties": {
        "method": {"type": "object", "properties": {"name": {"type": "string"},
                                                    "uri": {"type": "string"}},
                   "required": ["name"]},
        "stores": {"type": "array", "items": {"type": "string"}},
        "all_stores": {"type": "boolean"},
        "all_stores_must_succeed": {"type": "boolean"},
    },
    "required": ["method"],
}
# Views whose body is image data: no JSON body size cap (see image.api.create_app).


@blueprint.put("/v2/images/<image_id>/file")
@wsgi_app.streams_body
def upload(image_id):
    common.authorize("upload_image", common.target(common.image(image_id)))
    _require_octet_stream()
    common.service().data.upload(common.caller(), image_id, _request_chunks())
    return common.no_content()


@blueprint.put("/v2/images/<image_id>/stage")
@wsgi_app.streams_body
def stage(image_id):
    common.authorize("stage_image", common.target(common.image(image_id)))
    _require_octet_stream()
    common.service().data.stage(common.caller(), image_id, _request_chunks())
    return common.no_content()


@blueprint.post("/v2/images/<image_id>/import")
def import_image(image_id):
    body = common.body(IMPORT)
    method = body["method"]["name"]
    target = common.target(common.image(image_id))
    ctx = common.authorize("copy_image" if method == "copy-image" else "import_image",
                           target)
    common.service().data.import_image(common.caller(), image_id, method, body,
                                       Origin(ctx.user_id, ctx.request_id))
    return "", 202


@blueprint.get("/v2/images/<image_id>/tasks")
def image_tasks(image_id):
    common.authorize("get_image", common.target(common.image(image_id)))
    tasks = common.service().tasks.for_image(common.caller(), image_id)
    return {"tasks": [views.task(task) for task in tasks]}


@blueprint.get("/v2/images/<image_id>/file")
def download(image_id):
    image = common.image(image_id)
    ctx = common.authorize("download_image", common.target(image))
    if image.status == models.DEACTIVATED and not common.service().enforcer.check(
            "download_deactivated", ctx, common.target(image)):
        raise exception.Forbidden("The requested image has been deactivated. Image data "
                                  "download is prohibited.")
    if image.status != models.ACTIVE and image.status != models.DEACTIVATED \
            or not image.location:
        return common.no_content()
    status, start, length = 200, 0, image.size
    headers = {"Content-MD5": image.checksum} if image.checksum else {}
    requested = flask.request.range
    if requested is not None:
        span = requested.range_for_length(image.size)
        if span is None:
            raise RangeNotSatisfiable(image.size)
        start, stop = span
        status, length = 206, stop - start
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{image.size}"
    chunks = common.service().data.open(image, start, length)
    file_wrapper = flask.request.environ.get("wsgi.file_wrapper")
    if file_wrapper is not None and hasattr(chunks, "fileno"):
        chunks = file_wrapper(chunks, common.service().conf.image.chunk_size)
    response = flask.Response(chunks, status=status, mimetype=OCTET_STREAM,
                              direct_passthrough=True, headers=headers)
    response.content_length = length
    return response


class RangeNotSatisfiable(exception.StratusError):
    code = 416
    title = "Requested Range Not Satisfiable"

    def __init__(self, size: int):
        super().__init__("Requested range not satisfiable")
        self.headers = {"Content-Range": f"bytes */{size}"}


def _require_octet_stream() -> None:
    if flask.request.mimetype != OCTET_STREAM:
        raise exception.UnsupportedMediaType(
            f"Unsupported Content-Type {flask.request.mimetype or 'none'}; image data "
            f"must be sent as {OCTET_STREAM}.")


def _request_chunks():
    """The request body, read in chunks as the store consumes it.

    Straight from ``wsgi.input`` when the server ends that stream with the
    body itself (``wsgi.input_terminated``; gunicorn, which also decodes
    chunked transfer encoding), sparing a copy through werkzeug's
    LimitedStream; else from ``request.stream``, which stops at
    Content-Length. Size caps are the store's to enforce, either way.
    """
    environ = flask.request.environ
    terminated = environ.get("wsgi.input_terminated")
    stream = environ["wsgi.input"] if terminated else flask.request.stream
    size = common.service().conf.image.chunk_size
    while True:
        chunk = stream.read(size)
        if not chunk:
            return
        yield chunk
