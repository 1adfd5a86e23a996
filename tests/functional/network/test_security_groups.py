"""``/v2.0/security-groups``: the default group, CRUD, names, use by ports,
visibility, lists, quotas, notifications."""
import pytest

from network.manager import default_security_groups
from tests.functional.network.conftest import fault
from tests.functional.network.security_group_client import (
    GROUPS,
    default_group,
    groups,
    make_group,
    make_rule,
    post_group,
)

GROUP_KEYS = {"id", "name", "tenant_id", "project_id", "description", "tags", "created_at",
              "updated_at", "revision_number", "stateful", "security_group_rules"}
RULE_KEYS = {"id", "tenant_id", "project_id", "security_group_id", "ethertype", "direction",
             "protocol", "port_range_min", "port_range_max", "remote_ip_prefix",
             "remote_address_group_id", "normalized_cidr", "remote_group_id",
             "belongs_to_default_sg", "description", "created_at", "updated_at",
             "revision_number"}


def _summary(group: dict) -> list[tuple]:
    own = group["id"]
    return sorted((rule["direction"], rule["ethertype"], rule["protocol"],
                   "self" if rule["remote_group_id"] == own else rule["remote_group_id"])
                  for rule in group["security_group_rules"])


def _default_id(app, project: str) -> str | None:
    with app.extensions["network"].db.reader() as session:
        return default_security_groups.default_group_id(session, project)


def test_default_group_is_made_once_on_first_list(demo, network_app, notifier):
    assert _default_id(network_app, demo.project) is None
    [group] = groups(demo)
    assert set(group) == GROUP_KEYS
    assert (group["name"], group["description"], group["stateful"], group["project_id"]) == \
        ("default", "Default security group", True, demo.project)
    assert _summary(group) == [("egress", "IPv4", None, None), ("egress", "IPv6", None, None),
                               ("ingress", "IPv4", None, "self"),
                               ("ingress", "IPv6", None, "self")]
    for rule in group["security_group_rules"]:
        assert set(rule) == RULE_KEYS
        assert rule["belongs_to_default_sg"] is True
        assert rule["project_id"] == demo.project
    assert [g["id"] for g in groups(demo)] == [group["id"]]
    assert demo.get(f"{GROUPS}/{group['id']}").get_json()["security_group"] == group
    assert _default_id(network_app, demo.project) == group["id"]
    assert notifier.types() == []  # made on the side, as Neutron does


def test_show_makes_the_default_group_too(demo, network_app):
    missing = demo.get(f"{GROUPS}/no-such-group")
    assert fault(missing) == (404, "SecurityGroupNotFound")
    assert missing.get_json()["NeutronError"]["message"] == \
        "Security group no-such-group does not exist"
    assert _default_id(network_app, demo.project) is not None


def test_create_show_update_delete(demo, notifier):
    group = make_group(demo, name="web", description="web servers")
    assert set(group) == GROUP_KEYS
    assert (group["name"], group["description"], group["stateful"], group["tags"]) == \
        ("web", "web servers", True, [])
    assert _summary(group) == [("egress", "IPv4", None, None), ("egress", "IPv6", None, None)]
    assert all(not rule["belongs_to_default_sg"] for rule in group["security_group_rules"])
    path = f"{GROUPS}/{group['id']}"
    assert demo.get(path).get_json()["security_group"] == group

    response = demo.put(path, json={"security_group": {"name": "www", "description": "new"}})
    assert response.status_code == 200
    updated = response.get_json()["security_group"]
    assert (updated["name"], updated["description"]) == ("www", "new")
    assert updated["revision_number"] == group["revision_number"] + 1
    stale = demo.put(path, json={"security_group": {"name": "x"}},
                     headers={"If-Match": "revision_number=0"})
    assert fault(stale) == (412, "RevisionNumberConstraintFailed")
    read_only = demo.put(path, json={"security_group": {"security_group_rules": []}})
    assert fault(read_only) == (400, "HTTPBadRequest")

    assert demo.delete(path).status_code == 204
    assert fault(demo.get(path)) == (404, "SecurityGroupNotFound")
    assert fault(demo.delete(path)) == (404, "SecurityGroupNotFound")
    assert group["id"] not in [g["id"] for g in groups(demo)]
    assert notifier.types() == ["security_group.create.end", "security_group.update.end",
                                "security_group.delete.end"]
    created = notifier.events[0][1]["security_group"]
    assert created == group
    deleted = notifier.events[2][1]
    assert deleted["security_group_id"] == group["id"]
    assert deleted["security_group"]["name"] == "www"


def test_bulk_create_and_rules_deleted_with_their_group(demo):
    response = demo.post(GROUPS, json={"security_groups": [{"name": "a"}, {"name": "b"}]})
    assert response.status_code == 201
    first, second = response.get_json()["security_groups"]
    rule = make_rule(demo, security_group_id=first["id"], protocol="tcp",
                     remote_group_id=second["id"])
    own = make_rule(demo, security_group_id=second["id"], protocol="udp")
    assert demo.delete(f"{GROUPS}/{second['id']}").status_code == 204
    # Rules of other groups naming it as remote group go too (Neutron's cascade).
    for gone in (rule, own):
        shown = demo.get(f"/v2.0/security-group-rules/{gone['id']}")
        assert fault(shown) == (404, "SecurityGroupRuleNotFound")


@pytest.mark.parametrize("name", ["default", "Default", "DEFAULT"])
def test_no_second_group_named_default(demo, name):
    assert fault(post_group(demo, name=name)) == (409, "SecurityGroupDefaultAlreadyExists")
    group = make_group(demo, name="other")
    renamed = demo.put(f"{GROUPS}/{group['id']}", json={"security_group": {"name": name}})
    assert fault(renamed) == (409, "SecurityGroupDefaultAlreadyExists")


def test_name_default_still_filters(demo):
    """Regression: the refusal of the name applied to list filters too (the
    sdk's find_security_group('default') got 409)."""
    assert [g["name"] for g in groups(demo, "?name=default")] == ["default"]


def test_default_group_cannot_be_renamed_or_removed_by_its_project(demo, admin):
    group = default_group(demo)
    path = f"{GROUPS}/{group['id']}"
    renamed = demo.put(path, json={"security_group": {"name": "mine"}})
    assert fault(renamed) == (409, "SecurityGroupCannotUpdateDefault")
    assert renamed.get_json()["NeutronError"]["message"] == \
        "Updating default security group not allowed."
    described = demo.put(path, json={"security_group": {"description": "ours"}})
    assert described.get_json()["security_group"]["description"] == "ours"
    removed = demo.delete(path)
    assert fault(removed) == (409, "SecurityGroupCannotRemoveDefault")
    assert admin.delete(path).status_code == 204
    again = default_group(demo)
    assert again["id"] != group["id"]
    assert len(again["security_group_rules"]) == 4


def test_group_in_use_by_a_port(demo):
    network = demo.network()
    demo.subnet(network["id"])
    group = make_group(demo, name="app")
    port = demo.port(network["id"], security_groups=[group["id"]])
    path = f"{GROUPS}/{group['id']}"
    busy = demo.delete(path)
    assert fault(busy) == (409, "SecurityGroupInUse")
    assert busy.get_json()["NeutronError"]["message"] == \
        f"Security Group {group['id']} in use."
    stateless = demo.put(path, json={"security_group": {"stateful": False}})
    assert fault(stateless) == (409, "SecurityGroupInUse")
    same = demo.put(path, json={"security_group": {"stateful": True, "name": "app2"}})
    assert same.status_code == 200
    assert demo.delete(f"/v2.0/ports/{port['id']}").status_code == 204
    assert demo.put(path, json={"security_group": {"stateful": False}}).get_json()[
        "security_group"]["stateful"] is False
    assert demo.delete(path).status_code == 204


def test_stateless_groups(demo):
    stateless = make_group(demo, name="fast", stateful=False)
    stateful = make_group(demo, name="slow")
    assert stateless["stateful"] is False
    assert [g["id"] for g in groups(demo, "?stateful=false")] == [stateless["id"]]
    assert fault(post_group(demo, stateful="maybe")) == (400, "HTTPBadRequest")
    network = demo.network()
    demo.subnet(network["id"])
    mixed = demo.post("/v2.0/ports", json={"port": {
        "network_id": network["id"], "security_groups": [stateless["id"], stateful["id"]]}})
    assert fault(mixed) == (409, "SecurityGroupConflict")


def test_projects_see_only_their_groups(demo, alt, admin):
    group = make_group(demo, name="private")
    path = f"{GROUPS}/{group['id']}"
    assert fault(alt.get(path)) == (404, "SecurityGroupNotFound")
    assert fault(alt.put(path, json={"security_group": {"name": "x"}})) == \
        (404, "SecurityGroupNotFound")
    assert fault(alt.delete(path)) == (404, "SecurityGroupNotFound")
    assert {g["project_id"] for g in groups(alt)} == {alt.project}
    assert group["id"] in [g["id"] for g in groups(admin)]
    assert admin.get(path).status_code == 200
    assert admin.put(path, json={"security_group": {"name": "by-admin"}}).status_code == 200
    other = post_group(demo, name="x", project_id=alt.project)
    assert fault(other) == (400, "HTTPBadRequest")


def test_admin_makes_groups_and_defaults_for_other_projects(demo, alt, admin, network_app):
    made = make_group(admin, name="given", project_id=demo.project)
    assert made["project_id"] == demo.project
    # an admin call naming the project made its default group as well
    assert _default_id(network_app, demo.project) is not None
    assert {g["name"] for g in groups(demo)} == {"default", "given"}
    # a project cannot make another project's default group by naming it
    groups(demo, f"?project_id={alt.project}")
    assert _default_id(network_app, alt.project) is None
    listed = groups(admin, f"?project_id={alt.project}")
    assert [(g["name"], g["project_id"]) for g in listed] == [("default", alt.project)]
    assert _default_id(network_app, alt.project) == listed[0]["id"]


def test_list_filters_fields_sorting_pages(demo):
    names = ["c", "a", "b", "d"]
    made = {name: make_group(demo, name=name, description=f"group {name}",
                             tags=["red"] if name in "ab" else ["blue"]) for name in names}
    assert [g["name"] for g in groups(demo, "?name=b")] == ["b"]
    assert [g["name"] for g in groups(demo, "?description=group%20c")] == ["c"]
    assert sorted(g["name"] for g in groups(demo, "?tags=red")) == ["a", "b"]
    assert sorted(g["name"] for g in groups(demo, "?not-tags=red")) == ["c", "d", "default"]
    assert [g["id"] for g in groups(demo, f"?id={made['d']['id']}")] == [made["d"]["id"]]
    shown = groups(demo, "?name=a&fields=id&fields=name")
    assert shown == [{"id": made["a"]["id"], "name": "a"}]
    ordered = groups(demo, "?sort_key=name&sort_dir=desc")
    assert [g["name"] for g in ordered] == ["default", "d", "c", "b", "a"]
    page = demo.get(f"{GROUPS}?sort_key=name&sort_dir=asc&limit=2").get_json()
    assert [g["name"] for g in page["security_groups"]] == ["a", "b"]
    assert [link["rel"] for link in page["security_groups_links"]] == ["next", "previous"]
    after = demo.get(f"{GROUPS}?sort_key=name&sort_dir=asc&limit=2"
                     f"&marker={made['b']['id']}").get_json()
    assert [g["name"] for g in after["security_groups"]] == ["c", "d"]
    assert fault(demo.get(f"{GROUPS}?colour=red")) == (400, "HTTPBadRequest")
    assert fault(demo.get(f"{GROUPS}?sort_key=stateful&sort_dir=asc")) == \
        (400, "HTTPBadRequest")


def test_tags_given_at_creation(demo):
    group = make_group(demo, name="tagged", tags=["x", "y"])
    assert group["tags"] == ["x", "y"]
    assert demo.get(f"{GROUPS}/{group['id']}").get_json()["security_group"]["tags"] == \
        ["x", "y"]


def test_quotas_count_the_default_group_and_its_rules(admin, demo):
    admin.put(f"/v2.0/quotas/{demo.project}",
              json={"quota": {"security_group": 2, "security_group_rule": 7}})
    groups(demo)  # the default group: 1 group, 4 rules
    details = demo.get(f"/v2.0/quotas/{demo.project}/details").get_json()["quota"]
    assert details["security_group"] == {"limit": 2, "used": 1, "reserved": 0}
    assert details["security_group_rule"] == {"limit": 7, "used": 4, "reserved": 0}
    group = make_group(demo, name="second")  # 2 groups, 6 rules
    assert fault(post_group(demo, name="third")) == (409, "OverQuota")
    admin.put(f"/v2.0/quotas/{demo.project}", json={"quota": {"security_group": 5}})
    assert fault(post_group(demo, name="third")) == (409, "OverQuota")  # needs 2 rules
    make_rule(demo, security_group_id=group["id"], protocol="tcp")  # 7 rules
    over = demo.post("/v2.0/security-group-rules", json={"security_group_rule": {
        "security_group_id": group["id"], "direction": "ingress", "protocol": "udp"}})
    assert fault(over) == (409, "OverQuota")
    assert "security_group_rule" in over.get_json()["NeutronError"]["message"]


def test_bad_bodies(demo):
    assert fault(demo.post(GROUPS, json={"group": {}})) == (400, "HTTPBadRequest")
    assert fault(post_group(demo, name="x" * 256)) == (400, "HTTPBadRequest")
    assert fault(post_group(demo, colour="red")) == (400, "HTTPBadRequest")
    assert fault(post_group(demo, id="mine")) == (400, "HTTPBadRequest")
    assert fault(post_group(demo, security_group_rules=[])) == (400, "HTTPBadRequest")


def test_security_group_tags_through_the_hyphenated_url(demo):
    group = demo.post("/v2.0/security-groups", json={"security_group": {"name": "tagged"}}
                      ).get_json()["security_group"]
    url = f"/v2.0/security-groups/{group['id']}/tags"
    assert demo.put(url, json={"tags": ["a", "b"]}).status_code == 200
    assert demo.put(f"{url}/c").status_code == 201
    found = demo.get("/v2.0/security-groups?tags=c").get_json()["security_groups"]
    assert [g["id"] for g in found] == [group["id"]]
    assert demo.delete(f"{url}/a").status_code == 204
    shown = demo.get(f"/v2.0/security-groups/{group['id']}").get_json()["security_group"]
    assert sorted(shown["tags"]) == ["b", "c"]
