"""GET /v2/images: visibility, filters, sorting, pagination."""
import time


def _names(client, query=""):
    response = client.get(f"/v2/images{query}")
    assert response.status_code == 200, response.get_json()
    return [image["name"] for image in response.get_json()["images"]]


def test_default_visibility(admin, demo, alt):
    admin.create(name="public", visibility="public")
    demo.create(name="mine")
    alt.create(name="alt-private", visibility="private")
    alt.create(name="alt-community", visibility="community")
    shared = alt.create(name="alt-shared")["id"]
    alt.create(name="hidden", os_hidden=True)
    assert sorted(_names(demo)) == ["mine", "public"]
    alt.post(f"/v2/images/{shared}/members", json={"member": demo.project})
    assert sorted(_names(demo)) == ["mine", "public"]  # still pending
    assert sorted(_names(demo, "?member_status=pending")) == ["alt-shared", "mine", "public"]
    demo.put(f"/v2/images/{shared}/members/{demo.project}", json={"status": "accepted"})
    assert sorted(_names(demo)) == ["alt-shared", "mine", "public"]
    assert _names(demo, "?visibility=community") == ["alt-community"]
    assert _names(demo, "?visibility=private") == []
    assert _names(alt, "?os_hidden=true") == ["hidden"]


def test_filters(demo):
    demo.create(name="a", disk_format="raw", container_format="bare", tags=["x", "y"],
                os_distro="debian")
    demo.create(name="b", disk_format="qcow2", container_format="bare", tags=["x"])
    demo.create(name="c", disk_format="qcow2", container_format="ovf", protected=True)
    assert _names(demo, "?name=a") == ["a"]
    assert sorted(_names(demo, "?name=in:a,c")) == ["a", "c"]
    assert sorted(_names(demo, "?disk_format=qcow2")) == ["b", "c"]
    assert _names(demo, "?container_format=ovf") == ["c"]
    assert sorted(_names(demo, "?tag=x")) == ["a", "b"]
    assert _names(demo, "?tag=x&tag=y") == ["a"]
    assert _names(demo, "?os_distro=debian") == ["a"]
    assert _names(demo, "?protected=true") == ["c"]
    assert _names(demo, "?status=active") == []
    assert len(_names(demo, "?status=queued")) == 3
    assert demo.get("/v2/images?visibility=everyone").status_code == 400
    assert demo.get("/v2/images?limit=x").status_code == 400
    assert demo.get("/v2/images?sort_key=color").status_code == 400
    assert demo.get("/v2/images?sort_dir=up").status_code == 400
    assert demo.get("/v2/images?sort=name:asc&sort_key=name").status_code == 400


def test_size_and_time_filters(demo):
    small = demo.create(name="small", disk_format="raw", container_format="bare")["id"]
    big = demo.create(name="big", disk_format="raw", container_format="bare")["id"]
    demo.upload(small, b"x" * 10)
    demo.upload(big, b"x" * 1000)
    assert _names(demo, "?size_min=100") == ["big"]
    assert _names(demo, "?size_max=100") == ["small"]
    assert _names(demo, "?size=1000") == ["big"]
    assert _names(demo, "?virtual_size=10") == ["small"]
    assert sorted(_names(demo, "?min_ram=0")) == ["big", "small"]
    checksum = demo.get(f"/v2/images/{small}").get_json()["checksum"]
    assert _names(demo, f"?checksum={checksum}") == ["small"]
    assert demo.get("/v2/images?size=big").status_code == 400
    created = demo.get(f"/v2/images/{big}").get_json()["created_at"]
    assert sorted(_names(demo, f"?created_at=lte:{created}")) == ["big", "small"]
    assert _names(demo, f"?created_at=gt:{created}") == []
    assert sorted(_names(demo, "?updated_at=gte:2000-01-01T00:00:00Z")) == ["big", "small"]
    assert demo.get("/v2/images?created_at=gt:yesterday").status_code == 400


def test_sorting(demo):
    for name, size in (("b", 1), ("a", 3), ("c", 2)):
        image_id = demo.create(name=name, disk_format="raw", container_format="bare")["id"]
        demo.upload(image_id, b"x" * size)
    assert _names(demo, "?sort_key=name&sort_dir=asc") == ["a", "b", "c"]
    assert _names(demo, "?sort_key=name&sort_dir=desc") == ["c", "b", "a"]
    assert _names(demo, "?sort=size:asc") == ["b", "c", "a"]
    assert _names(demo, "?sort_key=size&sort_key=name&sort_dir=desc&sort_dir=asc") == [
        "a", "c", "b"]


def test_default_order_is_newest_first(demo):
    for name in ("first", "second"):
        demo.create(name=name)
        time.sleep(1.01)
    assert _names(demo) == ["second", "first"]


def test_pagination_follows_next_links(demo):
    for i in range(7):
        demo.create(name=f"img{i}")
    seen = []
    url = "/v2/images?limit=3&sort_key=name&sort_dir=asc"
    pages = 0
    while url:
        body = demo.get(url).get_json()
        assert body["first"] == "/v2/images?limit=3&sort_key=name&sort_dir=asc"
        assert body["schema"] == "/v2/schemas/images"
        seen += [image["name"] for image in body["images"]]
        url = body.get("next")
        pages += 1
    assert seen == [f"img{i}" for i in range(7)]
    assert pages == 3
    assert demo.get("/v2/images?marker=nonexistent").status_code == 400


def test_pagination_over_null_names(demo):
    for name in (None, "b", None, "a"):
        demo.create(name=name)
    seen, url = [], "/v2/images?limit=1&sort_key=name&sort_dir=asc"
    while url:
        body = demo.get(url).get_json()
        seen += [image["id"] for image in body["images"]]
        url = body.get("next")
    assert len(seen) == len(set(seen)) == 4
