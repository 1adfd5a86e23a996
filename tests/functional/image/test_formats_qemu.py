"""image.formats on real images made by ``qemu-img create``, and the upload
flow the image service runs: UploadInspector -> store -> verify_local_image.

Needs qemu-img (Debian package qemu-utils, which devstack/stack.sh installs):
without it these tests fail, saying so.
"""
import json
import os
import shutil
import subprocess

import pytest
from oslo_concurrency import processutils

from image import formats
from image.store import base, filesystem

MiB = 1024 * 1024
CHUNK = 64 * 1024


@pytest.fixture(scope="module")
def qemu_img() -> str:
    binary = shutil.which("qemu-img")
    if binary is None:
        pytest.fail("qemu-img is not installed: apt-get install -y qemu-utils "
                    "(devstack/stack.sh installs it)")
    return binary


@pytest.fixture(scope="module")
def images(qemu_img, tmp_path_factory) -> dict[str, str]:
    """name -> path of images made by qemu-img, all in one directory."""
    folder = tmp_path_factory.mktemp("images")
    specs = {  # name -> (file, qemu-img create options and size)
        "qcow2": ("plain.qcow2", ["-f", "qcow2"], "1G"),
        "qcow2-v2": ("old.qcow2", ["-f", "qcow2", "-o", "compat=0.10"], "64M"),
        "qcow2-backing": ("overlay.qcow2", ["-f", "qcow2", "-b", "plain.qcow2",
                                            "-F", "qcow2"], None),
        "qcow2-data-file": ("datafile.qcow2", ["-f", "qcow2", "-o",
                                               "data_file=external.raw"], "64M"),
        "vmdk": ("sparse.vmdk", ["-f", "vmdk"], "100M"),
        "vmdk-stream": ("stream.vmdk", ["-f", "vmdk", "-o", "subformat=streamOptimized"],
                        "100M"),
        "vmdk-flat": ("flat.vmdk", ["-f", "vmdk", "-o", "subformat=monolithicFlat"], "10M"),
        "vhd": ("dynamic.vhd", ["-f", "vpc"], "100M"),
        "vhdx": ("disk.vhdx", ["-f", "vhdx"], "100M"),
        "raw": ("disk.raw", ["-f", "raw"], "3M"),
    }
    paths = {}
    for name, (file, options, size) in specs.items():
        subprocess.run([qemu_img, "create", "-q", *options, file, *([size] if size else [])],
                       cwd=folder, check=True)
        paths[name] = str(folder / file)
    with open(paths["raw"], "r+b") as raw:  # an MBR, so it is not all zeros
        raw.seek(510)
        raw.write(b"\x55\xaa")
    return paths


def qemu_virtual_size(qemu_img: str, path: str) -> int:
    out = subprocess.run([qemu_img, "info", "--output=json", path], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)["virtual-size"]


def file_chunks(path: str, counter: list[int]):
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            counter[0] += 1
            yield chunk


@pytest.mark.parametrize("name, fmt, problem", [
    ("qcow2", "qcow2", None),
    ("qcow2-v2", "qcow2", None),
    ("qcow2-backing", "qcow2", "backing file"),
    ("qcow2-data-file", "qcow2", "data file"),
    ("vmdk", "vmdk", None),
    ("vmdk-stream", "vmdk", None),
    ("vmdk-flat", "vmdk", "descriptor file"),
    ("vhd", "vhd", None),
    ("vhdx", "vhdx", None),
    ("raw", "raw", None),
])
def test_sniff_real_images(qemu_img, images, name, fmt, problem):
    sniffed = formats.sniff_file(images[name])
    assert sniffed.format == fmt
    if problem is None:
        assert sniffed.problem is None
    else:
        assert problem in sniffed.problem
    if sniffed.virtual_size is not None:
        assert sniffed.virtual_size == qemu_virtual_size(qemu_img, images[name])


@pytest.mark.parametrize("name, declared, error", [
    ("qcow2-backing", "qcow2", formats.UnsafeImage),
    ("qcow2-data-file", "qcow2", formats.UnsafeImage),
    ("qcow2", "raw", formats.FormatMismatch),
    ("vmdk", "raw", formats.FormatMismatch),
    ("vhdx", "vhd", formats.FormatMismatch),
])
def test_inspector_refuses_real_images_on_their_first_chunk(images, name, declared, error):
    counter = [0]
    with pytest.raises(error):
        next(formats.UploadInspector(declared).wrap(file_chunks(images[name], counter)))
    assert counter[0] == 1


def test_inspector_refuses_raw_declared_qcow2_within_the_sniffing_window(images):
    counter = [0]
    with pytest.raises(formats.FormatMismatch):
        next(formats.UploadInspector("qcow2").wrap(file_chunks(images["raw"], counter)))
    assert counter[0] == formats.SNIFF_LIMIT // CHUNK  # of 48 chunks


def test_qemu_img_info_reports_backing_and_data_files(images):
    backing = formats.qemu_img_info(images["qcow2-backing"], "qcow2")
    assert backing["format"] == "qcow2" and backing["backing-filename"] == "plain.qcow2"
    data_file = formats.qemu_img_info(images["qcow2-data-file"], "qcow2")
    assert data_file["format-specific"]["data"]["data-file"] == "external.raw"
    plain = formats.qemu_img_info(images["qcow2"], "qcow2")
    assert plain["virtual-size"] == 1024 ** 3 and "backing-filename" not in plain


def test_qemu_img_info_never_probes(images):
    info = formats.qemu_img_info(images["qcow2"], "raw")
    sectors = -(-os.path.getsize(images["qcow2"]) // 512)  # raw rounds up to a sector
    assert info["format"] == "raw" and info["virtual-size"] == sectors * 512


def test_qemu_img_failure_is_an_inspection_failure(images):
    with pytest.raises(formats.InspectionFailed, match="failed"):
        formats.qemu_img_info(images["raw"], "qcow2")


def test_qemu_img_is_killed_after_its_timeout(images):
    with pytest.raises(formats.InspectionFailed, match="took over"):
        formats.qemu_img_info(images["qcow2"], "qcow2", timeout=0.001)


def test_qemu_img_runs_under_resource_limits(images):
    starved = processutils.ProcessLimits(address_space=16 * MiB)
    with pytest.raises(formats.InspectionFailed):
        formats.qemu_img_info(images["qcow2"], "qcow2", limits=starved)


@pytest.mark.parametrize("name, declared", [
    ("qcow2", "qcow2"), ("qcow2-v2", "qcow2"), ("vmdk", "vmdk"), ("vmdk-stream", "vmdk"),
    ("vhd", "vhd"), ("vhdx", "vhdx"), ("raw", "raw"), ("raw", "ami"),
])
def test_verify_local_image_gives_the_virtual_size(qemu_img, images, name, declared):
    assert formats.verify_local_image(images[name], declared) == \
        qemu_virtual_size(qemu_img, images[name])


@pytest.mark.parametrize("name, declared, error", [
    ("qcow2-backing", "qcow2", formats.UnsafeImage),
    ("qcow2-data-file", "qcow2", formats.UnsafeImage),
    ("vmdk-flat", "vmdk", formats.UnsafeImage),
    ("qcow2", "raw", formats.FormatMismatch),
    ("raw", "qcow2", formats.FormatMismatch),
    ("vmdk", "qcow2", formats.FormatMismatch),
])
def test_verify_local_image_refuses(images, name, declared, error):
    with pytest.raises(error):
        formats.verify_local_image(images[name], declared)


class TestUploadFlow:
    """What the image service does with an upload: inspect while storing,
    then ask qemu-img about the stored file; nothing stays of a refusal."""

    def upload(self, store: base.Store, image_id: str, path: str, disk_format: str) -> int:
        inspector = formats.UploadInspector(disk_format)
        stored = store.add(image_id, inspector.wrap(file_chunks(path, [0])))
        try:
            return formats.verify_local_image(store.local_path(stored.location), disk_format)
        except formats.FormatError:
            store.delete(stored.location)
            raise

    def test_good_qcow2(self, qemu_img, images, tmp_path):
        store = filesystem.FilesystemStore(str(tmp_path / "store"))
        assert self.upload(store, "img", images["qcow2"], "qcow2") == 1024 ** 3

    @pytest.mark.parametrize("name, declared", [("qcow2-backing", "qcow2"),
                                                ("qcow2", "raw"), ("vmdk-flat", "vmdk")])
    def test_refused_upload_leaves_nothing(self, images, tmp_path, name, declared):
        store = filesystem.FilesystemStore(str(tmp_path / "store"))
        with pytest.raises(formats.FormatError):
            self.upload(store, "img", images[name], declared)
        assert os.listdir(store.directory) == []
