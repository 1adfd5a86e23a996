"""The list machinery every collection shares: filters, fields, sorting, pages."""
import urllib.parse

import pytest

from tests.functional.network.conftest import fault


@pytest.fixture
def five(demo):
    names = ["e", "b", "d", "a", "c"]
    return [demo.network(name=name, admin_state_up=name != "c") for name in names]


def _names(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [n["name"] for n in response.get_json()["networks"]]


def test_filters_any_of_repeated_values(demo, five):
    assert sorted(_names(demo.get("/v2.0/networks?name=a&name=c"))) == ["a", "c"]
    assert _names(demo.get("/v2.0/networks?admin_state_up=false")) == ["c"]
    assert _names(demo.get("/v2.0/networks?admin_state_up=False&name=a")) == []
    assert len(_names(demo.get(f"/v2.0/networks?tenant_id={demo.project}"))) == 5
    assert _names(demo.get("/v2.0/networks?project_id=nobody")) == []
    assert _names(demo.get(f"/v2.0/networks?id={five[0]['id']}")) == ["e"]
    assert _names(demo.get("/v2.0/networks?description=")) != []


def test_invalid_filter_and_sort(demo, five):
    assert fault(demo.get("/v2.0/networks?color=red")) == (400, "HTTPBadRequest")
    assert fault(demo.get("/v2.0/networks?sort_key=name")) == (400, "HTTPBadRequest")
    assert fault(demo.get("/v2.0/networks?sort_key=subnets&sort_dir=asc")) == \
        (400, "HTTPBadRequest")
    assert fault(demo.get("/v2.0/networks?sort_key=name&sort_dir=up")) == \
        (400, "HTTPBadRequest")
    assert fault(demo.get("/v2.0/networks?limit=-1")) == (400, "BadRequest")
    assert fault(demo.get("/v2.0/networks?limit=abc")) == (400, "BadRequest")
    assert fault(demo.get("/v2.0/networks?admin_state_up=perhaps")) == (400, "HTTPBadRequest")


def test_fields(demo, five):
    body = demo.get("/v2.0/networks?fields=id&fields=name").get_json()
    assert all(set(n) == {"id", "name"} for n in body["networks"])
    body = demo.get("/v2.0/networks?fields=mtu,name").get_json()
    assert all(set(n) == {"mtu", "name"} for n in body["networks"])
    shown = demo.get(f"/v2.0/networks/{five[0]['id']}?fields=id&fields=mtu").get_json()
    assert shown == {"network": {"id": five[0]["id"], "mtu": 1450}}


def test_sorting(demo, five):
    assert _names(demo.get("/v2.0/networks?sort_key=name&sort_dir=asc")) == \
        ["a", "b", "c", "d", "e"]
    assert _names(demo.get("/v2.0/networks?sort_key=name&sort_dir=desc")) == \
        ["e", "d", "c", "b", "a"]
    names = _names(demo.get("/v2.0/networks?sort_key=admin_state_up&sort_dir=asc"
                            "&sort_key=name&sort_dir=desc"))
    assert names == ["c", "e", "d", "b", "a"]


def test_pagination_with_links(demo, five):
    response = demo.get("/v2.0/networks?sort_key=name&sort_dir=asc&limit=2")
    body = response.get_json()
    assert [n["name"] for n in body["networks"]] == ["a", "b"]
    links = {link["rel"]: link["href"] for link in body["networks_links"]}
    assert set(links) == {"next", "previous"}
    seen = ["a", "b"]
    href = links["next"]
    while True:
        url = urllib.parse.urlsplit(href)
        page = demo.get(f"{url.path}?{url.query}").get_json()
        seen.extend(n["name"] for n in page["networks"])
        rels = {link["rel"]: link["href"] for link in page.get("networks_links", [])}
        if "next" not in rels:
            break
        href = rels["next"]
    assert seen == ["a", "b", "c", "d", "e"]
    assert len(page["networks"]) < 2
    previous = urllib.parse.urlsplit(rels["previous"])
    back = demo.get(f"{previous.path}?{previous.query}").get_json()
    assert [n["name"] for n in back["networks"]] == ["c", "d"]
    assert "page_reverse=True" in rels["previous"]


def test_page_reverse_and_marker(demo, five):
    by_name = {n["name"]: n["id"] for n in five}
    body = demo.get(f"/v2.0/networks?sort_key=name&sort_dir=asc&limit=2"
                    f"&marker={by_name['d']}&page_reverse=True").get_json()
    assert [n["name"] for n in body["networks"]] == ["b", "c"]
    body = demo.get(f"/v2.0/networks?sort_key=name&sort_dir=asc&limit=10"
                    f"&marker={by_name['b']}").get_json()
    assert [n["name"] for n in body["networks"]] == ["c", "d", "e"]
    assert [link["rel"] for link in body["networks_links"]] == ["previous"]
    missing = demo.get("/v2.0/networks?limit=2&marker=00000000-0000-0000-0000-000000000000")
    assert fault(missing) == (404, "NetworkNotFound")


def test_no_links_without_limit(demo, five):
    body = demo.get("/v2.0/networks").get_json()
    assert set(body) == {"networks"}


def test_pagination_max_limit_caps_pages(cloud, tmp_path):
    from tests.functional.network.conftest import build_network, client_for
    app = build_network(cloud, tmp_path, pagination_max_limit=2)
    demo = client_for(cloud, app, "demo")
    for name in "abc":
        demo.network(name=name)
    body = demo.get("/v2.0/networks").get_json()
    assert len(body["networks"]) == 2 and "networks_links" in body
    app.extensions["network"].db.dispose()


def test_changed_since_and_revision_filters(demo, five):
    demo.put(f"/v2.0/networks/{five[0]['id']}", json={"network": {"name": "e2"}})
    assert _names(demo.get("/v2.0/networks?revision_number=1")) == ["e2"]
    assert len(_names(demo.get("/v2.0/networks?changed_since=2000-01-01T00:00:00Z"))) == 5
    assert _names(demo.get("/v2.0/networks?changed_since=2999-01-01T00:00:00Z")) == []
