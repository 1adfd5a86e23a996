"""The image service with the stock openstack CLI, as an operator uses it."""
import hashlib
import os
import subprocess

import pytest

from tests.integration import conftest

MiB = 1024 * 1024


class CLI(conftest.CLI):
    """The shared CLI helper with a terminal for stdin: `openstack image create`
    without --file uploads whatever its stdin holds when that is not a
    terminal (as under CI), and a closed stdin breaks the CLI elsewhere."""

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        terminal, stdin = os.openpty()
        try:
            result = subprocess.run([conftest._openstack_binary(), *args], env=self.env,
                                    stdin=stdin, capture_output=True, text=True,
                                    timeout=120)
        finally:
            os.close(stdin)
            os.close(terminal)
        if check and result.returncode != 0:
            raise AssertionError(f"openstack {' '.join(args)} failed "
                                 f"({result.returncode}):\n{result.stderr}")
        return result


@pytest.fixture(scope="module")
def admin_cli(admin_cli) -> CLI:
    return CLI(env=admin_cli.env)


@pytest.fixture(scope="module")
def demo_cli(demo_cli) -> CLI:
    return CLI(env=demo_cli.env)


def _auth_env(user, password, project):
    return {"OS_AUTH_URL": "http://127.0.0.1:5000/v3", "OS_IDENTITY_API_VERSION": "3",
            "OS_USERNAME": user, "OS_PASSWORD": password, "OS_PROJECT_NAME": project,
            "OS_USER_DOMAIN_ID": "default", "OS_PROJECT_DOMAIN_ID": "default",
            "OS_INTERFACE": "public"}


def _sha512(path) -> str:
    digest = hashlib.sha512()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(MiB), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _hash_value(image: dict) -> str:
    # The CLI shows os_hash_value at the top level or under properties,
    # depending on its version.
    return image.get("os_hash_value") or image["properties"]["os_hash_value"]


@pytest.fixture(scope="module")
def qcow2(tmp_path_factory) -> str:
    """A qcow2 of a few MiB holding random data (the service checks that
    content declared qcow2 really is qcow2)."""
    workdir = tmp_path_factory.mktemp("image-cli")
    raw, path = workdir / "data.raw", workdir / "data.qcow2"
    raw.write_bytes(os.urandom(3 * MiB))
    subprocess.run(["qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", str(raw),
                    str(path)], check=True)
    return str(path)


@pytest.fixture
def image(demo_cli, qcow2, unique):
    """An active qcow2 image of project demo; deleted afterwards."""
    shown = demo_cli.json("image", "create", "--file", qcow2, "--disk-format", "qcow2",
                          "--container-format", "bare", unique)
    yield shown
    demo_cli.run("image", "set", "--unprotected", shown["id"], check=False)
    demo_cli.run("image", "delete", shown["id"], check=False)


def test_default_image_is_there(demo_cli):
    shown = demo_cli.json("image", "show", "stratus-tiny")
    assert (shown["status"], shown["visibility"], shown["disk_format"]) == (
        "active", "public", "qcow2")


def test_create_show_save_round_trip(demo_cli, image, qcow2, tmp_path):
    assert image["status"] == "active"
    shown = demo_cli.json("image", "show", image["id"])
    assert shown["size"] == os.path.getsize(qcow2)
    assert shown["virtual_size"] == 3 * MiB
    assert shown["disk_format"] == "qcow2" and shown["container_format"] == "bare"
    assert shown["checksum"] == hashlib.md5(open(qcow2, "rb").read()).hexdigest()
    saved = tmp_path / "saved.qcow2"
    demo_cli.run("image", "save", "--file", str(saved), image["id"])
    assert saved.read_bytes() == open(qcow2, "rb").read()
    assert _sha512(saved) == _hash_value(shown) == _sha512(qcow2)


@pytest.fixture
def cleanup(admin_cli):
    """Collects image ids; deletes them (as admin) after the test."""
    ids = []
    yield ids
    for image_id in ids:
        admin_cli.run("image", "set", "--unprotected", image_id, check=False)
        admin_cli.run("image", "delete", image_id, check=False)


def test_visibility_on_create(admin_cli, demo_cli, qcow2, unique, cleanup):
    public = admin_cli.json("image", "create", "--file", qcow2, "--disk-format", "qcow2",
                            "--container-format", "bare", "--public", f"{unique}-pub")
    cleanup.append(public["id"])
    shared = demo_cli.json("image", "create", "--disk-format", "qcow2",
                           "--container-format", "bare", "--shared", f"{unique}-shr")
    cleanup.append(shared["id"])
    assert public["visibility"] == "public"
    assert shared["visibility"] == "shared" and shared["status"] == "queued"
    # Anyone sees a public image; a member may not publish one.
    assert demo_cli.json("image", "show", public["id"])["visibility"] == "public"
    demo_cli.fails("image", "create", "--disk-format", "raw", "--container-format",
                   "bare", "--public", f"{unique}-nope")
    assert demo_cli.json("image", "list", "--name", f"{unique}-nope") == []


def test_list_with_filters(demo_cli, image, unique):
    demo_cli.run("image", "set", "--property", f"stratus_test={unique}", "--tag",
                 f"{unique}-tag", image["id"])
    rows = demo_cli.json("image", "list", "--long")
    row = next(r for r in rows if r["ID"] == image["id"])
    assert (row["Status"], row["Disk Format"], row["Container Format"]) == (
        "active", "qcow2", "bare")
    by_property = demo_cli.json("image", "list", "--property", f"stratus_test={unique}")
    assert [r["ID"] for r in by_property] == [image["id"]]
    by_tag = demo_cli.json("image", "list", "--tag", f"{unique}-tag")
    assert [r["ID"] for r in by_tag] == [image["id"]]
    assert demo_cli.json("image", "list", "--tag", f"{unique}-none") == []


def test_set_properties_tags_protected(demo_cli, image):
    demo_cli.run("image", "set", "--property", "os_distro=debian", "--tag", "t1",
                 "--protected", image["id"])
    shown = demo_cli.json("image", "show", image["id"])
    properties = shown.get("properties") or shown
    assert properties["os_distro"] == "debian"
    assert shown["tags"] == ["t1"] and shown["protected"] is True
    demo_cli.fails("image", "delete", image["id"])
    assert demo_cli.json("image", "show", image["id"])["status"] == "active"
    demo_cli.run("image", "set", "--unprotected", image["id"])
    demo_cli.run("image", "delete", image["id"])
    demo_cli.fails("image", "show", image["id"])


def test_deactivate_and_activate(admin_cli, demo_cli, image, tmp_path):
    admin_cli.run("image", "set", "--deactivate", image["id"])
    assert demo_cli.json("image", "show", image["id"])["status"] == "deactivated"
    demo_cli.fails("image", "save", "--file", str(tmp_path / "x"), image["id"])
    admin_cli.run("image", "set", "--activate", image["id"])
    assert demo_cli.json("image", "show", image["id"])["status"] == "active"
    demo_cli.run("image", "save", "--file", str(tmp_path / "y"), image["id"])


@pytest.fixture
def other_project(admin_cli, unique):
    """A second project with a member user; yields (project id, its CLI)."""
    project = admin_cli.json("project", "create", f"{unique}-p")["id"]
    admin_cli.run("user", "create", "--password", "pw-1", f"{unique}-u")
    admin_cli.run("role", "add", "--project", f"{unique}-p", "--user", f"{unique}-u",
                  "member")
    yield project, CLI(env=_auth_env(f"{unique}-u", "pw-1", f"{unique}-p"))
    admin_cli.run("user", "delete", f"{unique}-u", check=False)
    admin_cli.run("project", "delete", f"{unique}-p", check=False)


def test_share_with_another_project(demo_cli, image, other_project):
    project, other = other_project
    other.fails("image", "show", image["id"])
    demo_cli.run("image", "set", "--shared", image["id"])
    member = demo_cli.json("image", "add", "project", image["id"], project)
    assert member["status"] == "pending"
    # Pending: the member can reach it by id, but it is not in its list.
    assert other.json("image", "show", image["id"])["id"] == image["id"]
    assert image["id"] not in [r["ID"] for r in other.json("image", "list")]
    other.run("image", "set", "--accept", image["id"])
    members = demo_cli.json("image", "member", "list", image["id"])
    assert [(m["Member ID"], m["Status"]) for m in members] == [(project, "accepted")]
    assert image["id"] in [r["ID"] for r in other.json("image", "list")]
    # A member may read but not change or delete the image.
    other.fails("image", "set", "--name", "taken", image["id"])
    other.fails("image", "delete", image["id"])
    demo_cli.run("image", "remove", "project", image["id"], project)
    other.fails("image", "show", image["id"])


def test_stage_and_glance_direct_import(demo_cli, qcow2, unique, cleanup):
    methods = demo_cli.json("image", "import", "info")
    assert "glance-direct" in str(methods)
    created = demo_cli.json("image", "create", "--disk-format", "qcow2",
                            "--container-format", "bare", unique)
    cleanup.append(created["id"])
    demo_cli.run("image", "stage", "--file", qcow2, created["id"])
    assert demo_cli.json("image", "show", created["id"])["status"] == "uploading"
    demo_cli.run("image", "import", "--method", "glance-direct", created["id"])
    shown = demo_cli.json("image", "show", created["id"])
    assert shown["status"] == "active"
    assert _hash_value(shown) == _sha512(qcow2)


def test_content_must_match_disk_format(demo_cli, unique, tmp_path, cleanup):
    bogus = tmp_path / "bogus.qcow2"
    bogus.write_bytes(os.urandom(64 * 1024))
    demo_cli.fails("image", "create", "--file", str(bogus), "--disk-format", "qcow2",
                   "--container-format", "bare", unique)
    # The CLI creates the record, then uploads (and deletes the record when the
    # upload is refused): no active image either way.
    rows = demo_cli.json("image", "list", "--name", unique)
    cleanup.extend(row["ID"] for row in rows)
    assert [row["Status"] for row in rows if row["Status"] != "queued"] == []
