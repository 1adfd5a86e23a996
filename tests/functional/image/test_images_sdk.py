"""openstacksdk's image proxy against the in-process image service, found
through the identity catalog."""
import hashlib

import openstack

from tests.functional.image.conftest import PASSWORD


def _connect(cloud, user):
    return openstack.connect(
        auth_url=f"{cloud.url}/v3", username=user, password=PASSWORD, project_name=user,
        user_domain_id="default", project_domain_id="default", region_name="RegionOne",
        image_api_version="2")


def test_sdk_create_download_list(cloud, image_url):
    conn = _connect(cloud, "demo")
    data = b"stratus" * 10000
    image = conn.image.create_image(name="sdk", data=data, disk_format="raw",
                                    container_format="bare", validate_checksum=True)
    assert image.status == "active"
    assert image.checksum == hashlib.md5(data).hexdigest()
    assert image.hash_value == hashlib.sha512(data).hexdigest()
    downloaded = conn.image.download_image(image)
    assert bytes(downloaded.content if hasattr(downloaded, "content") else downloaded) == data
    assert [i.name for i in conn.image.images()] == ["sdk"]
    conn.image.update_image(image, name="renamed", os_distro="debian")
    fetched = conn.image.get_image(image.id)
    assert fetched.name == "renamed"
    assert fetched.properties.get("os_distro") == "debian" or fetched.os_distro == "debian"
    conn.image.add_tag(image, "blue")
    assert conn.image.get_image(image.id).tags == ["blue"]
    conn.image.delete_image(image)
    assert list(conn.image.images()) == []


def test_sdk_member_accept(cloud, image_url):
    """`openstack image set --accept` goes through update_member, which sends
    {"member": ..., "status": ...}: the extra member must not be refused."""
    owner, member = _connect(cloud, "demo"), _connect(cloud, "alt")
    image = owner.image.create_image(name="shared", disk_format="raw",
                                     container_format="bare", visibility="shared")
    project = member.current_project_id
    owner.image.add_member(image, member_id=project)
    member.image.update_member(project, image, status="accepted")
    assert owner.image.get_member(project, image).status == "accepted"
