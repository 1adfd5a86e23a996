"""image.formats without any binary: headers built by hand with struct
(the same images made by qemu-img are in tests/functional/image/
test_formats_qemu.py)."""
import struct

import pytest

from image import formats
from image.store import fake

GiB = 1024 ** 3
KiB = 1024
CHUNK = 64 * KiB

SPARSE_DESCRIPTOR = """# Disk DescriptorFile
version=1
CID=ad6aca2f
parentCID=ffffffff
createType="monolithicSparse"
# Extent description
RW 204800 SPARSE "disk.vmdk"
# The Disk Data Base
#DDB
ddb.virtualHWVersion = "4"
ddb.adapterType = "ide"
"""


def qcow2(version: int = 3, size: int = GiB, backing_offset: int = 0,
          incompatible: int = 0) -> bytes:
    header = struct.pack(">4sIQIIQ", b"QFI\xfb", version, backing_offset,
                         10 if backing_offset else 0, 16, size)
    header += struct.pack(">IIQQIIQ", 0, 2, 0x30000, 0x10000, 1, 0, 0)
    if version == 3:
        header += struct.pack(">QQQII", incompatible, 0, 0, 4, 104)
    return header.ljust(512, b"\x00")


def vmdk(descriptor: str = SPARSE_DESCRIPTOR, sectors: int = 204800, version: int = 1,
         descriptor_sector: int = 1, descriptor_sectors: int = 20) -> bytes:
    """A sparse VMDK's header and embedded descriptor (at most 64 KiB of it)."""
    header = struct.pack("<4sIIQQQQIQQ", b"KDMV", version, 3, sectors, 128,
                         descriptor_sector, descriptor_sectors, 512, 0, 0)
    return header.ljust(512, b"\x00") + descriptor.encode().ljust(
        min(descriptor_sectors * 512, 64 * KiB), b"\x00")


def vhd(size: int) -> bytes:
    return (b"conectix" + bytes(32) + struct.pack(">QQ", size, size)).ljust(512, b"\x00")


def iso(blocks: int, block_size: int = 2048) -> bytes:
    descriptor = bytearray(b"\x01CD001\x01".ljust(2048, b"\x00"))
    struct.pack_into("<I", descriptor, 80, blocks)
    struct.pack_into("<H", descriptor, 128, block_size)
    return bytes(0x8000) + bytes(descriptor)


def vdi(size: int) -> bytes:
    header = bytearray(512)
    struct.pack_into("<I", header, 64, 0xBEDA107F)
    struct.pack_into("<Q", header, 368, size)
    return bytes(header)


def mbr_disk() -> bytes:
    return (b"\xeb\x63\x90" + bytes(507) + b"\x55\xaa").ljust(4 * 512, b"\x00")


class Upload:
    """An upload's chunks: ``header`` then zeros, ``total`` bytes, counting
    how many chunks were read."""

    def __init__(self, header: bytes, total: int, chunk_size: int = CHUNK):
        data = header.ljust(total, b"\x00")
        self.chunks = [data[i:i + chunk_size] for i in range(0, total, chunk_size)]
        self.pulled = 0

    def __iter__(self):
        for chunk in self.chunks:
            self.pulled += 1
            yield chunk


class TestSniff:

    def test_qcow2(self):
        assert formats.sniff(qcow2(size=5 * GiB)) == formats.Sniffed("qcow2", 5 * GiB)

    def test_qcow2_version_2(self):
        assert formats.sniff(qcow2(version=2)) == formats.Sniffed("qcow2", GiB)

    def test_qcow2_with_backing_file(self):
        sniffed = formats.sniff(qcow2(backing_offset=0x1F0))
        assert sniffed.backing_file and "backing file" in sniffed.problem

    def test_qcow2_with_external_data_file(self):
        sniffed = formats.sniff(qcow2(incompatible=1 << 2))
        assert sniffed.data_file and not sniffed.backing_file
        assert "data file" in sniffed.problem

    def test_qcow2_dirty_and_compression_bits_are_fine(self):
        assert formats.sniff(qcow2(incompatible=0b11001)).problem is None

    def test_qcow2_unknown_incompatible_feature_is_unsafe(self):
        assert "unknown" in formats.sniff(qcow2(incompatible=1 << 7)).problem

    @pytest.mark.parametrize("version", [1, 4])
    def test_qcow2_unknown_version_is_unsafe(self, version):
        assert "version" in formats.sniff(qcow2(version=version)).problem

    def test_truncated_qcow2_is_unsafe(self):
        assert "truncated" in formats.sniff(qcow2()[:50]).problem
        assert "truncated" in formats.sniff(qcow2()[:90]).problem

    def test_vmdk_monolithic_sparse(self):
        assert formats.sniff(vmdk(sectors=2048)) == formats.Sniffed("vmdk", 2048 * 512)

    def test_vmdk_stream_optimized(self):
        descriptor = SPARSE_DESCRIPTOR.replace("monolithicSparse", "streamOptimized")
        assert formats.sniff(vmdk(descriptor)).problem is None

    @pytest.mark.parametrize("descriptor, reason", [
        (SPARSE_DESCRIPTOR.replace("monolithicSparse", "monolithicFlat"), "subformat"),
        (SPARSE_DESCRIPTOR.replace('"disk.vmdk"', '"/etc/shadow"'), "path"),
        (SPARSE_DESCRIPTOR.replace("# Extent description", "include /etc/passwd"),
         "not understood"),
        (SPARSE_DESCRIPTOR.replace('RW 204800 SPARSE "disk.vmdk"', ""), "no extent"),
    ])
    def test_vmdk_with_unsafe_descriptor(self, descriptor, reason):
        assert reason in formats.sniff(vmdk(descriptor)).problem

    def test_vmdk_with_oversized_descriptor_region(self):
        assert formats.sniff(vmdk(descriptor_sectors=2**62)).problem is None

    def test_vmdk_without_embedded_descriptor_is_unsafe(self):
        assert "descriptor" in formats.sniff(vmdk(descriptor_sector=0)).problem

    def test_vmdk_descriptor_file_is_unsafe(self):
        text = (b'# Disk DescriptorFile\nversion=1\ncreateType="monolithicFlat"\n'
                b'RW 20480 FLAT "disk-flat.vmdk" 0\n')
        sniffed = formats.sniff(text)
        assert sniffed.format == "vmdk" and "descriptor file" in sniffed.problem

    def test_vmdk_descriptor_found_as_qemu_probes_it(self):
        assert formats.sniff(b"\n  # comment\n\nversion=2\r\nCID=1\n").format == "vmdk"
        assert formats.sniff(b"hello\nversion=1\n").format == "raw"

    def test_vhd(self):
        assert formats.sniff(vhd(100 * 1024 * 1024)) == formats.Sniffed("vhd", 100 * 1024 * 1024)

    def test_vhdx(self):
        assert formats.sniff(b"vhdxfile" + bytes(1000)) == formats.Sniffed("vhdx", None)

    def test_iso(self):
        assert formats.sniff(iso(blocks=300)) == formats.Sniffed("iso", 300 * 2048)

    def test_vdi(self):
        assert formats.sniff(vdi(GiB)) == formats.Sniffed("vdi", GiB)

    def test_qed_with_backing_file(self):
        header = struct.pack("<4sIIIQQQQQII", b"QED\x00", 65536, 4, 1, 1, 0, 0, 0, GiB, 64, 8)
        sniffed = formats.sniff(header)
        assert sniffed.format == "qed" and sniffed.virtual_size == GiB and sniffed.backing_file

    @pytest.mark.parametrize("data", [b"", b"\x00" * 4096, mbr_disk(), b"QFI"])
    def test_raw(self, data):
        assert formats.sniff(data) == formats.Sniffed("raw", None)

    def test_bytes_needed(self):
        limit = formats.SNIFF_LIMIT
        assert formats.bytes_needed(qcow2()[:4]) == 104
        assert formats.bytes_needed(vmdk()[:64]) == 21 * 512
        assert formats.bytes_needed(vmdk(descriptor_sectors=10**9)[:64]) == limit
        assert formats.bytes_needed(vhd(1)[:8]) == 56
        assert formats.bytes_needed(b"") == limit
        assert formats.bytes_needed(mbr_disk()) == limit
        assert formats.bytes_needed(mbr_disk(), limit=4096) == 4096


class TestCheckFormat:

    @pytest.mark.parametrize("content, declared", [
        ("qcow2", "qcow2"), ("vmdk", "vmdk"), ("vhd", "vhd"), ("raw", "vhd"),
        ("vhdx", "vhdx"), ("vdi", "vdi"), ("iso", "iso"), ("raw", "raw"), ("iso", "raw"),
        ("raw", "ami"), ("raw", "aki"), ("raw", "ari"), ("raw", "ploop"), ("qcow2", None),
    ])
    def test_accepted(self, content, declared):
        formats.check_format(formats.Sniffed(content, None), declared)

    @pytest.mark.parametrize("content, declared", [
        ("raw", "qcow2"), ("qcow2", "raw"), ("qcow2", "vmdk"), ("raw", "vmdk"),
        ("vmdk", "raw"), ("vhd", "raw"), ("vhdx", "vhd"), ("qcow2", "iso"), ("raw", "iso"),
        ("qed", "raw"), ("vdi", "raw"), ("qcow2", "ami"),
    ])
    def test_mismatch(self, content, declared):
        with pytest.raises(formats.FormatMismatch) as raised:
            formats.check_format(formats.Sniffed(content, None), declared)
        assert (raised.value.declared, raised.value.detected) == (declared, content)

    def test_unsafe_whatever_the_declaration(self):
        for declared in ("qcow2", "raw", None):
            with pytest.raises(formats.UnsafeImage):
                formats.check_format(formats.sniff(qcow2(backing_offset=512)), declared)


class TestUploadInspector:

    def test_passes_chunks_unchanged(self):
        upload = Upload(qcow2(size=3 * GiB), 2 * 1024 * KiB + 5)
        inspector = formats.UploadInspector("qcow2")
        passed = list(inspector.wrap(upload))
        assert len(passed) == len(upload.chunks)
        assert all(a is b for a, b in zip(passed, upload.chunks, strict=True))
        assert inspector.sniffed == formats.Sniffed("qcow2", 3 * GiB)
        assert inspector.virtual_size == 3 * GiB

    def test_qcow2_is_judged_on_its_first_chunk(self):
        upload = Upload(qcow2(), 4 * 1024 * KiB)
        chunks = formats.UploadInspector("qcow2").wrap(upload)
        next(chunks)
        assert upload.pulled == 1

    def test_header_split_in_small_chunks(self):
        upload = Upload(qcow2(backing_offset=512), 4096, chunk_size=10)
        with pytest.raises(formats.UnsafeImage):
            next(formats.UploadInspector("qcow2").wrap(upload))
        assert upload.pulled == 11  # 104 header bytes

    def test_backing_file_refused_before_the_rest_is_read(self):
        upload = Upload(qcow2(backing_offset=512), 100 * CHUNK)
        inspector = formats.UploadInspector("qcow2")
        with pytest.raises(formats.UnsafeImage):
            next(inspector.wrap(upload))
        assert upload.pulled == 1
        assert inspector.sniffed.backing_file

    def test_data_file_refused_before_the_rest_is_read(self):
        upload = Upload(qcow2(incompatible=4), 100 * CHUNK)
        with pytest.raises(formats.UnsafeImage):
            next(formats.UploadInspector("qcow2").wrap(upload))
        assert upload.pulled == 1

    def test_qcow2_declared_raw_is_refused_at_once(self):
        upload = Upload(qcow2(), 100 * CHUNK)
        with pytest.raises(formats.FormatMismatch):
            next(formats.UploadInspector("raw").wrap(upload))
        assert upload.pulled == 1

    def test_raw_declared_qcow2_is_refused_after_the_sniffing_window(self):
        upload = Upload(mbr_disk(), 100 * CHUNK)
        with pytest.raises(formats.FormatMismatch):
            next(formats.UploadInspector("qcow2").wrap(upload))
        assert upload.pulled == formats.SNIFF_LIMIT // CHUNK

    def test_vmdk_declared_raw_is_refused(self):
        upload = Upload(vmdk(), 100 * CHUNK)
        with pytest.raises(formats.FormatMismatch):
            next(formats.UploadInspector("raw").wrap(upload))
        assert upload.pulled == 1

    def test_vmdk_descriptor_file_is_refused(self):
        upload = Upload(b'# Disk DescriptorFile\nversion=1\nRW 8 FLAT "/etc/shadow" 0\n', 500)
        with pytest.raises(formats.UnsafeImage):
            next(formats.UploadInspector("vmdk").wrap(upload))

    def test_raw_chunks_are_held_only_for_the_sniffing_window(self):
        upload = Upload(mbr_disk(), 100 * CHUNK)
        chunks = formats.UploadInspector("raw").wrap(upload)
        first = next(chunks)
        assert first is upload.chunks[0]
        assert upload.pulled == formats.SNIFF_LIMIT // CHUNK
        assert len(list(chunks)) == 99 and upload.pulled == 100

    def test_small_upload_is_judged_at_its_end(self):
        upload = Upload(mbr_disk(), 3000, chunk_size=1000)
        inspector = formats.UploadInspector("raw")
        assert b"".join(inspector.wrap(upload)) == b"".join(upload.chunks)
        assert inspector.sniffed == formats.Sniffed("raw", None)

    def test_empty_upload(self):
        inspector = formats.UploadInspector("raw")
        assert list(inspector.wrap(iter([]))) == []
        assert inspector.virtual_size is None and inspector.sniffed.format == "raw"

    def test_store_keeps_nothing_of_a_refused_upload(self):
        store = fake.MemoryStore()
        upload = Upload(qcow2(backing_offset=512), 100 * CHUNK)
        with pytest.raises(formats.UnsafeImage):
            store.add("img", formats.UploadInspector("qcow2").wrap(upload))
        assert store.orphans(set(), min_age=0) == []
        assert upload.pulled == 1


def test_qemu_img_missing_is_a_clear_inspection_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    image = tmp_path / "disk.raw"
    image.write_bytes(bytes(512))
    with pytest.raises(formats.InspectionFailed, match="install qemu-utils"):
        formats.qemu_img_info(str(image), "raw")


def test_qemu_format_names():
    assert [formats.qemu_format(f) for f in ("qcow2", "vhd", "iso", "raw", "ploop", "aki")] \
        == ["qcow2", "vpc", "raw", "raw", "parallels", "raw"]
