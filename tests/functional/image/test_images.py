"""/v2/images: create, show, PATCH, delete, tags, actions, schemas, info."""
import uuid

PATCH = "application/openstack-images-v2.1-json-patch"


def test_version_documents_need_no_token(image_app):
    client = image_app.test_client()
    response = client.get("/")
    assert response.status_code == 300
    versions = response.get_json()["versions"]
    assert versions[0] == {"id": "v2.17", "status": "CURRENT",
                           "links": [{"rel": "self", "href": "http://localhost/v2/"}]}
    assert {v["status"] for v in versions[1:]} == {"SUPPORTED"}
    assert versions[-1]["id"] == "v2.0"
    assert client.get("/versions").status_code == 200


def test_api_needs_a_token(image_app):
    response = image_app.test_client().get("/v2/images")
    assert response.status_code == 401
    assert response.get_json()["code"] == "401 Unauthorized"


def test_create_has_glance_shape(demo):
    response = demo.post("/v2/images", json={
        "name": "cirros", "disk_format": "qcow2", "container_format": "bare",
        "tags": ["a", "b"], "hw_disk_bus": "scsi"})
    assert response.status_code == 201
    image = response.get_json()
    assert response.headers["Location"].endswith(f"/v2/images/{image['id']}")
    assert image["status"] == "queued"
    assert image["visibility"] == "shared"
    assert image["owner"] == demo.project
    assert image["tags"] == ["a", "b"]
    assert image["hw_disk_bus"] == "scsi"
    for key in ("size", "virtual_size", "checksum", "os_hash_algo", "os_hash_value"):
        assert image[key] is None
    assert image["self"] == f"/v2/images/{image['id']}"
    assert image["file"] == f"/v2/images/{image['id']}/file"
    assert image["schema"] == "/v2/schemas/image"
    assert image["created_at"].endswith("Z") and len(image["created_at"]) == 20
    assert image["protected"] is False and image["os_hidden"] is False
    assert image["min_disk"] == 0 and image["min_ram"] == 0


def test_create_with_id_and_duplicate_is_409(demo):
    image_id = str(uuid.uuid4())
    assert demo.create(id=image_id)["id"] == image_id
    assert demo.post("/v2/images", json={"id": image_id}).status_code == 409


def test_create_bad_input(demo):
    for body, code in (({"status": "active"}, 403), ({"checksum": "x"}, 403),
                       ({"size": 3}, 403), ({"location": "file:///etc"}, 403),
                       ({"disk_format": "exe"}, 400), ({"container_format": "zip"}, 400),
                       ({"min_ram": -1}, 400), ({"id": "not-a-uuid"}, 400),
                       ({"visibility": "everyone"}, 400), ({"custom": 5}, 400)):
        response = demo.post("/v2/images", json=body)
        assert response.status_code == code, (body, response.get_json())
        fault = response.get_json()
        assert set(fault) == {"message", "code", "title"}


def test_only_admin_publicizes(demo, admin):
    assert demo.post("/v2/images", json={"visibility": "public"}).status_code == 403
    assert admin.create(visibility="public")["visibility"] == "public"
    assert demo.create(visibility="community")["visibility"] == "community"


def test_patch_core_and_custom_properties(demo):
    image = demo.create(name="old", disk_format="raw")
    response = demo.patch_image(image["id"], [
        {"op": "replace", "path": "/name", "value": "new"},
        {"op": "add", "path": "/os_distro", "value": "debian"},
        {"op": "add", "path": "/min_ram", "value": 512},
        {"op": "replace", "path": "/tags", "value": ["t1"]},
        {"op": "replace", "path": "/visibility", "value": "private"}])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["name"], body["os_distro"], body["min_ram"], body["tags"],
            body["visibility"]) == ("new", "debian", 512, ["t1"], "private")
    body = demo.patch_image(image["id"], [
        {"op": "add", "path": "/os_distro", "value": "ubuntu"}]).get_json()
    assert body["os_distro"] == "ubuntu"
    body = demo.patch_image(image["id"], [
        {"op": "remove", "path": "/os_distro"}]).get_json()
    assert "os_distro" not in body


def test_patch_errors(demo):
    image_id = demo.create(name="x")["id"]
    cases = [
        ([{"op": "replace", "path": "/status", "value": "active"}], 403),
        ([{"op": "replace", "path": "/id", "value": str(uuid.uuid4())}], 403),
        ([{"op": "add", "path": "/checksum", "value": "x"}], 403),
        ([{"op": "remove", "path": "/name"}], 403),
        ([{"op": "remove", "path": "/nothing"}], 409),
        ([{"op": "replace", "path": "/nothing", "value": "x"}], 409),
        ([{"op": "replace", "path": "/disk_format", "value": "exe"}], 400),
        ([{"op": "move", "path": "/name", "value": "x"}], 400),
        ([{"op": "add", "path": "/name"}], 400),
        ({"op": "add"}, 400),
    ]
    for ops, code in cases:
        response = demo.patch_image(image_id, ops)
        assert response.status_code == code, (ops, response.get_json())
    response = demo.patch(f"/v2/images/{image_id}", json=[])
    assert response.status_code == 415


def test_delete_and_protected(demo):
    image_id = demo.create(protected=True)["id"]
    assert demo.delete(f"/v2/images/{image_id}").status_code == 403
    demo.patch_image(image_id, [{"op": "replace", "path": "/protected", "value": False}])
    assert demo.delete(f"/v2/images/{image_id}").status_code == 204
    assert demo.get(f"/v2/images/{image_id}").status_code == 404
    assert demo.delete(f"/v2/images/{image_id}").status_code == 404


def test_private_image_of_another_project_is_404(demo, alt, admin):
    image_id = demo.create(visibility="private")["id"]
    assert alt.get(f"/v2/images/{image_id}").status_code == 404
    assert alt.delete(f"/v2/images/{image_id}").status_code == 404
    assert alt.patch_image(image_id, [{"op": "replace", "path": "/name", "value": "x"}]
                           ).status_code == 404
    assert admin.get(f"/v2/images/{image_id}").status_code == 200


def test_others_may_read_but_not_change_public_images(admin, demo):
    image_id = admin.create(visibility="public")["id"]
    assert demo.get(f"/v2/images/{image_id}").status_code == 200
    assert demo.patch_image(image_id, [{"op": "replace", "path": "/name", "value": "x"}]
                            ).status_code == 403
    assert demo.delete(f"/v2/images/{image_id}").status_code == 403


def test_tags(demo):
    image_id = demo.create()["id"]
    assert demo.put(f"/v2/images/{image_id}/tags/blue").status_code == 204
    assert demo.put(f"/v2/images/{image_id}/tags/blue").status_code == 204
    assert demo.get(f"/v2/images/{image_id}").get_json()["tags"] == ["blue"]
    assert demo.delete(f"/v2/images/{image_id}/tags/blue").status_code == 204
    assert demo.delete(f"/v2/images/{image_id}/tags/blue").status_code == 404


def test_tag_quota(cloud, tmp_path):
    from tests.functional.image.conftest import _client, build_image
    app = build_image(cloud, tmp_path, image_tag_quota=1)
    demo = _client(cloud, app, "demo")
    image_id = demo.create(tags=["a"])["id"]
    assert demo.put(f"/v2/images/{image_id}/tags/b").status_code == 413
    assert demo.post("/v2/images", json={"tags": ["a", "b"]}).status_code == 413


def test_deactivate_reactivate(demo, alt, admin):
    image = demo.create(disk_format="raw", container_format="bare", visibility="shared")
    image_id = image["id"]
    deactivate = f"/v2/images/{image_id}/actions/deactivate"
    assert demo.post(deactivate).status_code == 403  # still queued
    assert demo.upload(image_id, b"data").status_code == 204
    assert demo.post(deactivate).status_code == 204
    assert demo.get(f"/v2/images/{image_id}").get_json()["status"] == "deactivated"
    assert demo.get(f"/v2/images/{image_id}/file").status_code == 403
    assert admin.get(f"/v2/images/{image_id}/file").data == b"data"
    assert demo.post(f"/v2/images/{image_id}/actions/reactivate").status_code == 204
    assert demo.get(f"/v2/images/{image_id}/file").data == b"data"
    assert demo.post(f"/v2/images/{image_id}/actions/explode").status_code == 404


def test_schemas(demo):
    image = demo.get("/v2/schemas/image").get_json()
    assert image["name"] == "image"
    assert image["additionalProperties"] == {"type": "string"}
    assert image["properties"]["status"]["readOnly"] is True
    assert demo.get("/v2/schemas/images").get_json()["name"] == "images"
    assert demo.get("/v2/schemas/member").get_json()["name"] == "member"
    assert demo.get("/v2/schemas/members").get_json()["name"] == "members"


def test_info(demo):
    body = demo.get("/v2/info/import").get_json()
    assert body["import-methods"]["value"] == ["glance-direct"]
    stores = demo.get("/v2/info/stores").get_json()["stores"]
    assert stores == [{"id": "file", "description": "Local filesystem store",
                       "default": True}]


def test_image_count_quota(cloud, tmp_path):
    from tests.functional.image.conftest import _client, build_image
    app = build_image(cloud, tmp_path, image_count_quota=1)
    demo = _client(cloud, app, "demo")
    demo.create()
    response = demo.post("/v2/images", json={})
    assert response.status_code == 413
    assert "Maximum number of images" in response.get_json()["message"]


def test_patch_in_the_v2_0_media_type(demo):
    """Tempest's client sends {"replace": "/name", "value": ...} (JSON-patch
    draft 4) as application/openstack-images-v2.0-json-patch."""
    image_id = demo.create(name="old")["id"]
    response = demo.patch(f"/v2/images/{image_id}", json=[
        {"replace": "/name", "value": "new"}, {"add": "/os_distro", "value": "debian"}],
        headers={"Content-Type": "application/openstack-images-v2.0-json-patch"})
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["name"], response.get_json()["os_distro"]) == ("new", "debian")
    response = demo.patch(f"/v2/images/{image_id}", json=[{"remove": "/os_distro"}],
                          headers={"Content-Type": "application/openstack-images-v2.0-json-patch"})
    assert "os_distro" not in response.get_json()
    response = demo.patch(f"/v2/images/{image_id}", json=[{"add": "/a", "remove": "/b"}],
                          headers={"Content-Type": "application/openstack-images-v2.0-json-patch"})
    assert response.status_code == 400


def test_os_glance_namespace_is_reserved(demo):
    assert demo.post("/v2/images", json={"os_glance_foo": "bar"}).status_code == 403
    image_id = demo.create(name="x")["id"]
    response = demo.patch_image(image_id, [{"op": "add", "path": "/os_glance_foo",
                                            "value": "bar"}])
    assert response.status_code == 403


def test_empty_image_id_is_404(demo):
    demo.create(name="x")
    assert demo.get("/v2/images/").status_code == 404
    assert demo.delete("/v2/images/").status_code == 404
    assert demo.get("/v2/images").status_code == 200
