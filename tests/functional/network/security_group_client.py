"""Requests the security group tests make through an ``AuthedClient``."""
GROUPS = "/v2.0/security-groups"
RULES = "/v2.0/security-group-rules"


def post_group(client, **body):
    return client.post(GROUPS, json={"security_group": body})


def make_group(client, **body) -> dict:
    response = post_group(client, **body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["security_group"]


def post_rule(client, **body):
    return client.post(RULES, json={"security_group_rule": body})


def make_rule(client, **body) -> dict:
    body.setdefault("direction", "ingress")
    response = post_rule(client, **body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["security_group_rule"]


def groups(client, query: str = "") -> list[dict]:
    response = client.get(f"{GROUPS}{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["security_groups"]


def rules(client, query: str = "") -> list[dict]:
    response = client.get(f"{RULES}{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["security_group_rules"]


def default_group(client) -> dict:
    [group] = [group for group in groups(client) if group["name"] == "default"
               and group["project_id"] == client.project]
    return group
