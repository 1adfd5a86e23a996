"""/v2/images/{id}/members: the owner shares, the member project answers."""


def test_accept_flow(demo, alt):
    image_id = demo.create(name="shared", visibility="shared")["id"]
    assert alt.get(f"/v2/images/{image_id}").status_code == 404
    response = demo.post(f"/v2/images/{image_id}/members", json={"member": alt.project})
    assert response.status_code == 200
    member = response.get_json()
    assert member["status"] == "pending"
    assert member["image_id"] == image_id and member["member_id"] == alt.project
    assert member["schema"] == "/v2/schemas/member"
    assert demo.post(f"/v2/images/{image_id}/members",
                     json={"member": alt.project}).status_code == 409
    # A pending member sees the image but not in its default list.
    assert alt.get(f"/v2/images/{image_id}").status_code == 200
    url = f"/v2/images/{image_id}/members/{alt.project}"
    assert demo.put(url, json={"status": "accepted"}).status_code == 403
    assert alt.put(url, json={"status": "maybe"}).status_code == 400
    assert alt.put(url, json={"status": "accepted"}).get_json()["status"] == "accepted"
    listed = demo.get(f"/v2/images/{image_id}/members").get_json()
    assert [m["member_id"] for m in listed["members"]] == [alt.project]
    assert listed["schema"] == "/v2/schemas/members"
    assert alt.get(url).get_json()["status"] == "accepted"
    assert alt.delete(url).status_code == 403
    assert demo.delete(url).status_code == 204
    assert alt.get(f"/v2/images/{image_id}").status_code == 404
    assert demo.get(url).status_code == 404


def test_only_shared_images_have_members(demo, alt):
    image_id = demo.create(visibility="private")["id"]
    response = demo.post(f"/v2/images/{image_id}/members", json={"member": alt.project})
    assert response.status_code == 403
    assert demo.get(f"/v2/images/{image_id}/members").status_code == 403


def test_non_owner_cannot_add_members(admin, demo, alt):
    image_id = demo.create()["id"]
    demo.post(f"/v2/images/{image_id}/members", json={"member": alt.project})
    response = alt.post(f"/v2/images/{image_id}/members", json={"member": "someone"})
    assert response.status_code == 403
    # A member sees only its own membership.
    demo.post(f"/v2/images/{image_id}/members", json={"member": admin.project})
    listed = alt.get(f"/v2/images/{image_id}/members").get_json()["members"]
    assert [m["member_id"] for m in listed] == [alt.project]
