"""Image service options, one group per concern."""
from oslo_config import cfg

from stratus.wsgi import auth

TiB = 1024 ** 4

IMAGE_OPTS = [
    cfg.IntOpt("image_size_cap", default=TiB, min=1,
               help="Largest image, in bytes, one upload may store (1 TiB by "
                    "default). A larger upload is refused with 413 and the "
                    "image stays 'queued'."),
    cfg.IntOpt("user_storage_quota", default=0, min=0,
               help="Total bytes of image data one project may store, across "
                    "all its images. 0 means unlimited. An upload that would "
                    "exceed it is refused with 413."),
    cfg.IntOpt("image_count_quota", default=0, min=0,
               help="Images (in any status but deleted) one project may own. "
                    "0 means unlimited. Creating one more is refused with 413."),
    cfg.IntOpt("image_member_quota", default=128, min=-1,
               help="Members one image may have; -1 means unlimited."),
    cfg.IntOpt("image_tag_quota", default=128, min=-1,
               help="Tags one image may carry; -1 means unlimited."),
    cfg.IntOpt("image_property_quota", default=128, min=-1,
               help="Custom properties one image may carry; -1 means unlimited."),
    cfg.IntOpt("limit_param_default", default=25, min=1,
               help="Images returned by one list call when the caller gives no "
                    "'limit'."),
    cfg.IntOpt("api_limit_max", default=1000, min=1,
               help="Most images one list call returns, whatever 'limit' says."),
    cfg.IntOpt("chunk_size", default=1048576, min=4096,
               help="Bytes read from or written to the network per step while "
                    "streaming image data; memory use per transfer stays near "
                    "ten times this (chunks queued for hashing), whatever the "
                    "image size. Smaller steps cost CPU per byte."),
]

STORE_OPTS = [
    cfg.StrOpt("filesystem_store_datadir", default="$state_path/images",
               help="Directory holding the data of active images (the 'file' "
                    "store). Every API node must see the same directory."),
    cfg.StrOpt("staging_dir", default="$state_path/staging",
               help="Directory holding data staged with PUT /v2/images/{id}/stage "
                    "until an import (glance-direct) moves it into the store."),
]


def register(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(IMAGE_OPTS, group="image")
    conf.register_opts(STORE_OPTS, group="store")
    auth.register(conf)
    conf.set_default("bind_port", 9292, group="api")
    # Image data transfers run for minutes: gthread workers stay alive through them.
    conf.set_default("threads", 8, group="api")


def list_opts():
    return [
        ("image", IMAGE_OPTS),
        ("store", STORE_OPTS),
    ]
