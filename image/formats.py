"""Disk image formats: what an upload really is, and whether it is safe.

A disk image can point outside itself — a qcow2 backing file or external
data file, a VMDK descriptor naming other files — and whoever later opens it
with QEMU would read those files (CVE-2022-47951, CVE-2024-32498). An image
is also dangerous when its content is one format and its declared
``disk_format`` another, since tools trust the declaration. Two layers of
defence, as Glance and Nova have:

* ``UploadInspector.wrap`` sniffs the first bytes of an upload as they stream in
  and refuses a mismatch or an unsafe image before the rest is stored;
* ``verify_local_image`` sniffs a stored file again and asks ``qemu-img info``
  (under a timeout and resource limits, always with an explicit format) for
  the virtual size, refusing what QEMU itself says points elsewhere.
"""
import json
import os
import shutil
import struct
import subprocess
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from oslo_concurrency import processutils

SNIFF_LIMIT = 1024 * 1024
QCOW2_MAGIC = b"QFI\xfb"
QCOW2_DATA_FILE = 1 << 2  # incompatible feature bit 2: external data file
QCOW2_KNOWN_INCOMPATIBLE = 0x1F  # dirty, corrupt, data file, compression, extended L2
QED_MAGIC = b"QED\x00"
VMDK_MAGIC = b"KDMV"
VMDK3_MAGIC = b"COWD"
VMDK_SAFE_TYPES = ("monolithicsparse", "streamoptimized")
VHD_MAGIC = b"conectix"
VHDX_MAGIC = b"vhdxfile"
VDI_MAGIC = 0xBEDA107F
ISO_PVD = 0x8000  # primary volume descriptor: type byte, then "CD001"
SECTOR = 512
MAGIC_BYTES = 64  # what bytes_needed looks at

# Content in these formats must be declared as itself.
SELF_DESCRIBING = frozenset({"qcow2", "qed", "vmdk", "vhd", "vhdx", "vdi"})
# A declared disk_format -> the sniffed formats it accepts. Declarations not
# listed (raw, ami, ari, aki, ploop) accept whatever is not SELF_DESCRIBING.
DECLARED_ACCEPTS = {
    "qcow2": {"qcow2"}, "vmdk": {"vmdk"}, "vhdx": {"vhdx"}, "vdi": {"vdi"},
    "vhd": {"vhd", "raw"},  # a fixed VHD has its footer only at the end
    "iso": {"iso"},
}
# Glance disk_format -> the qemu-img driver that reads it.
QEMU_FORMATS = {"vhd": "vpc", "ploop": "parallels", "iso": "raw",
                "ami": "raw", "ari": "raw", "aki": "raw"}
QEMU_IMG_TIMEOUT = 60
# Nova's limits for qemu-img on untrusted images: a crafted header must not
# make it eat the host's memory or CPU.
QEMU_IMG_LIMITS = processutils.ProcessLimits(cpu_time=30, address_space=1024 ** 3)


class FormatError(Exception):
    """The root of the errors of this module."""


class FormatMismatch(FormatError):
    """The content is not in the declared disk format."""

    def __init__(self, declared: str | None, detected: str):
        self.declared = declared
        self.detected = detected
        super().__init__(f"image content is {detected}, not the declared "
                         f"disk_format {declared}")


class UnsafeImage(FormatError):
    """The image refers to data outside itself, or is built in a way we refuse."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"unsafe image: {reason}")


class InspectionFailed(FormatError):
    """qemu-img could not inspect the image (missing, failed, timed out)."""


class Sniffed(NamedTuple):
    """What the first bytes of an image say it is.

    ``virtual_size`` is None when the header does not tell it (raw, vhdx, a
    VMDK descriptor); for raw it is the data size. ``unsafe`` names any other
    reason to refuse the image (unknown qcow2 features, a VMDK whose
    descriptor names other files …).
    """

    format: str
    virtual_size: int | None
    backing_file: bool = False
    data_file: bool = False
    unsafe: str | None = None

    @property
    def problem(self) -> str | None:
        """Why the image must be refused, or None when it is self-contained."""
        if self.backing_file:
            return f"{self.format} image with a backing file"
        if self.data_file:
            return f"{self.format} image with an external data file"
        return self.unsafe


def bytes_needed(header: bytes, limit: int = SNIFF_LIMIT) -> int:
    """How many leading bytes ``sniff`` needs for a final answer about an
    image that begins with ``header`` (at most ``limit``); only the first
    MAGIC_BYTES of ``header`` matter."""
    if header.startswith(QCOW2_MAGIC):
        needed = 104  # a version 3 header, feature bits included
    elif header.startswith(QED_MAGIC):
        needed = 64
    elif header.startswith(VMDK_MAGIC):
        needed = 44
        if len(header) >= 44:
            offset, size = struct.unpack_from("<QQ", header, 28)
            needed = max(needed, (offset + size) * SECTOR)
    elif header.startswith(VMDK3_MAGIC) or header.startswith(VHDX_MAGIC):
        needed = 8
    elif header.startswith(VHD_MAGIC):
        needed = 56
    else:  # raw, ISO, VDI and VMDK descriptors: look at everything we may
        needed = limit
    return min(needed, limit)


def sniff(header: bytes) -> Sniffed:
    """The format of an image beginning with ``header`` (see ``bytes_needed``;
    SNIFF_LIMIT bytes always suffice). Never raises on malformed input:
    a header too short or inconsistent for its magic is reported ``unsafe``."""
    for magic, reader in MAGIC_READERS:
        if header.startswith(magic):
            return reader(header)
    if len(header) >= 68 and struct.unpack_from("<I", header, 64)[0] == VDI_MAGIC:
        size = struct.unpack_from("<Q", header, 368)[0] if len(header) >= 376 else None
        return Sniffed("vdi", size)
    if header[ISO_PVD + 1:ISO_PVD + 6] == b"CD001":
        return _iso(header)
    if _looks_like_vmdk_descriptor(header):
        return Sniffed("vmdk", None, unsafe="VMDK descriptor file: its data is in other files")
    return Sniffed("raw", None)


def _qcow2(header: bytes) -> Sniffed:
    if len(header) < 72:
        return Sniffed("qcow2", None, unsafe="truncated qcow2 header")
    version, backing_offset = struct.unpack_from(">IQ", header, 4)
    (size,) = struct.unpack_from(">Q", header, 24)
    backing = backing_offset != 0
    if version == 2:
        return Sniffed("qcow2", size, backing)
    if version != 3:
        return Sniffed("qcow2", size, backing, unsafe=f"unsupported qcow2 version {version}")
    if len(header) < 104:
        return Sniffed("qcow2", size, backing, unsafe="truncated qcow2 header")
    (incompatible,) = struct.unpack_from(">Q", header, 72)
    unknown = incompatible & ~QCOW2_KNOWN_INCOMPATIBLE
    return Sniffed("qcow2", size, backing, bool(incompatible & QCOW2_DATA_FILE),
                   f"unknown qcow2 incompatible features {unknown:#x}" if unknown else None)


def _qed(header: bytes) -> Sniffed:
    if len(header) < 64:
        return Sniffed("qed", None, unsafe="truncated qed header")
    (features,) = struct.unpack_from("<Q", header, 16)
    (size,) = struct.unpack_from("<Q", header, 48)
    return Sniffed("qed", size, backing_file=bool(features & 1))


def _vmdk(header: bytes) -> Sniffed:
    if len(header) < 44:
        return Sniffed("vmdk", None, unsafe="truncated VMDK header")
    version, _flags, capacity, _grain, offset, size = struct.unpack_from("<IIQQQQ", header, 4)
    virtual_size = capacity * SECTOR
    if version not in (1, 2, 3):
        return Sniffed("vmdk", virtual_size, unsafe=f"unsupported VMDK version {version}")
    if offset != 1 or size == 0:
        return Sniffed("vmdk", virtual_size, unsafe="VMDK extent without an embedded descriptor")
    descriptor = header[offset * SECTOR:(offset + size) * SECTOR].split(b"\x00", 1)[0]
    return Sniffed("vmdk", virtual_size, unsafe=_vmdk_descriptor_problem(descriptor))


def _vmdk_descriptor_problem(descriptor: bytes) -> str | None:
    """Why an embedded VMDK descriptor is refused: Nova's rules — only the
    single-file subformats, only lines we understand, no paths in extents."""
    try:
        text = descriptor.decode("ascii").lower()
    except UnicodeDecodeError:
        return "VMDK descriptor is not ASCII text"
    create_type, extents = None, 0
    for line in (raw.strip() for raw in text.splitlines()):
        if not line or line.startswith("#") or line.startswith("ddb"):
            continue
        if line.split(" ")[0] in ("rw", "rdonly", "noaccess"):
            extents += 1
            if "/" in line:
                return "VMDK extent names a path"
        elif "=" in line and " " not in line.split("=")[0]:
            key, value = line.split("=", 1)
            if key == "createtype":
                create_type = value.strip().strip('"')
        else:
            return "VMDK descriptor line not understood"
    if create_type not in VMDK_SAFE_TYPES:
        return f"VMDK subformat {create_type} (only monolithicSparse, streamOptimized)"
    if not extents:
        return "VMDK descriptor names no extent"
    return None


def _looks_like_vmdk_descriptor(header: bytes) -> bool:
    """QEMU's probe: after comment and blank lines, a ``version=N`` line."""
    for line in header.split(b"\n"):
        stripped = line.lstrip(b" ")
        if not stripped or stripped.startswith(b"#"):
            continue
        return stripped.rstrip(b"\r") in (b"version=1", b"version=2", b"version=3")
    return False


def _vhd(header: bytes) -> Sniffed:
    if len(header) < 56:
        return Sniffed("vhd", None, unsafe="truncated VHD footer")
    return Sniffed("vhd", struct.unpack_from(">Q", header, 48)[0])


def _iso(header: bytes) -> Sniffed:
    if header[ISO_PVD] != 1 or len(header) < ISO_PVD + 132:
        return Sniffed("iso", None)
    (blocks,) = struct.unpack_from("<I", header, ISO_PVD + 80)
    (block_size,) = struct.unpack_from("<H", header, ISO_PVD + 128)
    return Sniffed("iso", blocks * block_size)


MAGIC_READERS = (
    (QCOW2_MAGIC, _qcow2),
    (QED_MAGIC, _qed),
    (VMDK_MAGIC, _vmdk),
    (VMDK3_MAGIC, lambda header: Sniffed("vmdk", None, unsafe="VMDK3 (COWD) image")),
    (VHD_MAGIC, _vhd),
    (VHDX_MAGIC, lambda header: Sniffed("vhdx", None)),
)


def check_format(sniffed: Sniffed, declared: str | None) -> None:
    """UnsafeImage if ``sniffed`` has a problem; FormatMismatch if its format
    does not fit the declared disk_format (None: no declaration to check)."""
    if sniffed.problem:
        raise UnsafeImage(sniffed.problem)
    if declared is None:
        return
    accepted = DECLARED_ACCEPTS.get(declared)
    if accepted is not None and sniffed.format not in accepted:
        raise FormatMismatch(declared, sniffed.format)
    if sniffed.format in SELF_DESCRIBING and sniffed.format != declared:
        raise FormatMismatch(declared, sniffed.format)


class UploadInspector:
    """Checks an upload's first bytes against its declared disk_format while
    the chunks stream through ``wrap`` to the store.

    ``wrap`` holds chunks back (the first ``limit`` bytes, plus at most one
    chunk) until ``sniff`` has enough to decide — a qcow2 header within its
    first chunk, anything else within ``limit`` bytes or the end of the data.
    Then ``check_format``'s UnsafeImage or FormatMismatch is raised to
    whoever iterates (the store, which keeps nothing) before any chunk is
    passed on or the rest is read. ``sniffed`` holds what was found from
    then on (also when refused). One inspector per upload.
    """

    def __init__(self, disk_format: str | None, limit: int = SNIFF_LIMIT):
        self.disk_format = disk_format
        self.limit = limit
        self.sniffed: Sniffed | None = None

    @property
    def virtual_size(self) -> int | None:
        """The virtual size the header gave (None for raw: use the data size)."""
        return self.sniffed.virtual_size if self.sniffed else None

    def wrap(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """``chunks``, unchanged, once their first bytes passed the check."""
        chunks = iter(chunks)
        held: list[bytes] = []
        header = bytearray()
        for chunk in chunks:
            held.append(chunk)
            header += chunk[:self.limit - len(header)]
            if len(header) >= bytes_needed(bytes(header[:MAGIC_BYTES]), self.limit):
                break
        self.sniffed = sniff(bytes(header))
        del header
        check_format(self.sniffed, self.disk_format)
        while held:
            yield held.pop(0)
        yield from chunks


def sniff_file(path: str, limit: int = SNIFF_LIMIT) -> Sniffed:
    """``sniff`` on the first ``limit`` bytes of a file."""
    with open(path, "rb") as file:
        return sniff(file.read(limit))


def qemu_format(disk_format: str) -> str:
    """The qemu-img driver name for a Glance disk_format ("vhd" -> "vpc")."""
    return QEMU_FORMATS.get(disk_format, disk_format)


def qemu_img_info(path: str, fmt: str, *, timeout: float = QEMU_IMG_TIMEOUT,
                  limits: processutils.ProcessLimits = QEMU_IMG_LIMITS) -> dict:
    """``qemu-img info --output=json -f <fmt>`` of a local file, as a dict
    (keys as qemu-img spells them: "format", "virtual-size",
    "backing-filename", "format-specific" → "data" → "data-file" …).

    Never lets qemu-img probe the format; runs it under ``limits`` (address
    space, CPU seconds) and kills it after ``timeout`` seconds. Only run it on
    a file ``sniff`` found safe: opening an image opens its data file.
    Raises InspectionFailed when qemu-img is missing, fails, or times out.
    """
    binary = shutil.which("qemu-img")
    if binary is None:
        raise InspectionFailed("qemu-img not found: install qemu-utils")
    command = (binary, "info", "--output=json", "--force-share", "-f", fmt,
               os.path.abspath(path))  # absolute: never read as "proto:" or "json:"
    environment = {"LC_ALL": "C", "LANG": "C", "PATH": os.environ.get("PATH", os.defpath)}
    try:
        out, _ = processutils.execute(*command, prlimit=limits, timeout=timeout,
                                      env_variables=environment,
                                      on_completion=_kill_if_running)
    except subprocess.TimeoutExpired:
        raise InspectionFailed(f"qemu-img info on {path} took over {timeout} s")
    except processutils.ProcessExecutionError as error:
        raise InspectionFailed(f"qemu-img info on {path} failed: {error.stderr.strip()}")
    try:
        return json.loads(out)
    except ValueError:
        raise InspectionFailed(f"qemu-img info on {path} printed no JSON")


def _kill_if_running(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


def verify_local_image(path: str, declared_format: str, *,
                       timeout: float = QEMU_IMG_TIMEOUT,
                       limits: processutils.ProcessLimits = QEMU_IMG_LIMITS) -> int:
    """The virtual size of a stored image file, after checking it is a safe
    image in ``declared_format``: its header (``sniff``), then what qemu-img
    reports (format, backing file, data file, VMDK subformat).

    Raises UnsafeImage, FormatMismatch or InspectionFailed.
    """
    check_format(sniff_file(path), declared_format)
    fmt = qemu_format(declared_format)
    info = qemu_img_info(path, fmt, timeout=timeout, limits=limits)
    if info.get("format") != fmt:
        raise FormatMismatch(declared_format, str(info.get("format")))
    specific = (info.get("format-specific") or {}).get("data") or {}
    if info.get("backing-filename") or info.get("full-backing-filename"):
        raise UnsafeImage(f"{fmt} image with a backing file")
    if specific.get("data-file"):
        raise UnsafeImage(f"{fmt} image with an external data file")
    if fmt == "vmdk" and str(specific.get("create-type")).lower() not in VMDK_SAFE_TYPES:
        raise UnsafeImage(f"VMDK subformat {specific.get('create-type')}")
    return int(info["virtual-size"])
