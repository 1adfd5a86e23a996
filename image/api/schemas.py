"""Glance's JSON schema documents (``/v2/schemas/…``), also used to validate
request bodies: one definition serves clients and the server."""
import copy

import flask

from image import models
from image.manager import images as image_rules

blueprint = flask.Blueprint("schemas", __name__)

UUID = ("^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-"
        "([0-9a-fA-F]){12}$")


def _string(description: str, **extra) -> dict:
    return {"type": ["null", "string"], "description": description, "maxLength": 255,
            **extra}


def _read_only(kind, description: str, **extra) -> dict:
    return {"type": kind, "readOnly": True, "description": description, **extra}


IMAGE_PROPERTIES = {
    "id": {"type": "string", "description": "An identifier for the image",
           "pattern": UUID},
    "name": _string("Descriptive name for the image"),
    "status": _read_only("string", "Status of the image", enum=list(models.STATUSES)),
    "visibility": {"type": "string", "description": "Scope of image accessibility",
                   "enum": list(models.VISIBILITIES)},
    "protected": {"type": "boolean",
                  "description": "If true, image will not be deletable."},
    "os_hidden": {"type": "boolean",
                  "description": "If true, image will not appear in default image "
                                 "list response."},
    "checksum": _read_only(["null", "string"], "md5 hash of image contents.",
                           maxLength=32),
    "os_hash_algo": _read_only(["null", "string"], "Algorithm to calculate the "
                               "os_hash_value", maxLength=64),
    "os_hash_value": _read_only(["null", "string"], "Hexdigest of the image contents "
                                "using the algorithm specified by os_hash_algo",
                                maxLength=128),
    "owner": _string("Owner of the image"),
    "size": _read_only(["null", "integer"], "Size of image file in bytes"),
    "virtual_size": _read_only(["null", "integer"], "Virtual size of image in bytes"),
    "container_format": {"type": ["null", "string"],
                         "description": "Format of the container",
                         "enum": [None, *image_rules.CONTAINER_FORMATS]},
    "disk_format": {"type": ["null", "string"], "description": "Format of the disk",
                    "enum": [None, *image_rules.DISK_FORMATS]},
    "created_at": _read_only("string", "Date and time of image registration"),
    "updated_at": _read_only("string", "Date and time of the last image modification"),
    "tags": {"type": "array", "description": "List of strings related to the image",
             "items": {"type": "string", "maxLength": 255}},
    "direct_url": _read_only("string", "URL to access the image file kept in external "
                             "store"),
    "min_ram": {"type": "integer", "minimum": 0, "maximum": 2 ** 31 - 1,
                "description": "Amount of ram (in MB) required to boot image."},
    "min_disk": {"type": "integer", "minimum": 0, "maximum": 2 ** 31 - 1,
                 "description": "Amount of disk space (in GB) required to boot image."},
    "self": _read_only("string", "An image self url"),
    "file": _read_only("string", "An image file url"),
    "stores": _read_only("string", "Store in which image data resides."),
    "schema": _read_only("string", "An image schema url"),
    "kernel_id": {"type": ["null", "string"], "pattern": UUID, "is_base": False,
                  "description": "ID of image stored in Glance that should be used as "
                                 "the kernel when booting an AMI-style image."},
    "ramdisk_id": {"type": ["null", "string"], "pattern": UUID, "is_base": False,
                   "description": "ID of image stored in Glance that should be used as "
                                  "the ramdisk when booting an AMI-style image."},
    "instance_uuid": {"type": "string", "is_base": False, "description":
                      "Metadata which can be used to record which instance this image "
                      "is associated with. (Informational only, does not create an "
                      "instance snapshot.)"},
    "architecture": {"type": "string", "is_base": False, "description":
                     "Operating system architecture as specified in "
                     "https://docs.openstack.org/python-glanceclient/latest/cli"
                     "/property-keys.html"},
    "os_distro": {"type": "string", "is_base": False,
                  "description": "Common name of operating system distribution"},
    "os_version": {"type": "string", "is_base": False,
                   "description": "Operating system version as specified by the "
                                  "distributor."},
    "description": {"type": "string", "is_base": False,
                    "description": "A human-readable string describing this image."},
}

IMAGE = {
    "name": "image",
    "properties": IMAGE_PROPERTIES,
    "additionalProperties": {"type": "string"},
    "links": [{"rel": "self", "href": "{self}"}, {"rel": "enclosure", "href": "{file}"},
              {"rel": "describedby", "href": "{schema}"}],
}

IMAGES = {
    "name": "images",
    "properties": {
        "images": {"type": "array", "items": IMAGE},
        "schema": {"type": "string"}, "first": {"type": "string"},
        "next": {"type": "string"},
    },
    "links": [{"rel": "first", "href": "{first}"}, {"rel": "next", "href": "{next}"},
              {"rel": "describedby", "href": "{schema}"}],
}

MEMBER = {
    "name": "member",
    "properties": {
        "created_at": {"type": "string", "description": "Date and time of image member "
                       "creation"},
        "image_id": {"type": "string", "description": "An identifier for the image",
                     "pattern": UUID},
        "member_id": {"type": "string", "description": "An identifier for the image "
                      "member (tenantId)"},
        "status": {"type": "string", "description": "The status of this image member",
                   "enum": list(models.MEMBER_STATUSES)},
        "updated_at": {"type": "string", "description": "Date and time of last "
                       "modification of image member"},
        "schema": {"type": "string", "readOnly": True},
    },
}

MEMBERS = {
    "name": "members",
    "properties": {"members": {"type": "array", "items": MEMBER},
                   "schema": {"type": "string"}},
    "links": [{"rel": "describedby", "href": "{schema}"}],
}

# What a client may write: the image schema without its read-only attributes,
# custom properties as strings of at most 255 characters.
WRITABLE_IMAGE = {
    "type": "object",
    "properties": {name: {k: v for k, v in prop.items() if k != "is_base"}
                   for name, prop in IMAGE_PROPERTIES.items() if not prop.get("readOnly")},
    "additionalProperties": {"type": "string", "maxLength": 255},
}


@blueprint.get("/v2/schemas/image")
def image():
    return copy.deepcopy(IMAGE)


@blueprint.get("/v2/schemas/images")
def images():
    return copy.deepcopy(IMAGES)


@blueprint.get("/v2/schemas/member")
def member():
    return copy.deepcopy(MEMBER)


@blueprint.get("/v2/schemas/members")
def members():
    return copy.deepcopy(MEMBERS)
