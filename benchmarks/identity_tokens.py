"""Token throughput of a running Stratus identity service, next to its own ceiling.

Closed-loop clients hammer one scenario at a time: a warm-up (discarded), then
a measured period. Each scenario is measured with wrk when it is installed (a
generated Lua script: method, path, headers, body, expected status), else
with Python threads, which are client-bound above a few hundred req/s. The
measuring itself is ``loadgen.py``'s; this file holds the identity scenarios.

Scenarios (Keystone v3 API):
  password  POST /v3/auth/tokens, password method, project-scoped (bcrypt bound)
  rescope   POST /v3/auth/tokens, token method, the admin token -> same project
  validate  GET  /v3/auth/tokens, X-Auth-Token admin, X-Subject-Token demo user
  projects  GET  /v3/projects as admin
  ceiling   GET / of benchmarks/trivial_app.py: our app factory and gunicorn
            setup with one trivial route, started here on a free port with
            the same worker count; the most any scenario could reach

With ``--revocations N`` it then records N revocation events (rescoping the
admin token N times and revoking each new token) and measures again.

Prints figures and compares them with the targets; never asserts.

  python benchmarks/identity_tokens.py --url http://127.0.0.1:5000 --workers 2
  python benchmarks/identity_tokens.py --revocations 10000 --json
"""
import argparse
import dataclasses
import json
import os
import sys
import tempfile
import threading
import time
from concurrent import futures

import loadgen  # benchmarks/loadgen.py: a script's directory is on sys.path (README)
import requests

SCENARIOS = ("ceiling", "password", "rescope", "validate", "projects")
# Upstream Keystone 30.0.0, gunicorn sync w=2, c=8, same machine (shared/anchors/keystone).
KEYSTONE_30 = {"password": 5.2, "rescope": 31.7, "validate": 19.4, "projects": 26.2}
VALIDATE_TARGET = 1000.0
RESCOPE_TARGET = 300.0
PROJECTS_TARGET = 300.0


# -- setting up: tokens and the demo user ------------------------------------

class Api:
    """The few identity calls the set-up needs."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.session = requests.Session()

    def call(self, method: str, path: str, token: str | None = None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["X-Auth-Token"] = token
        return self.session.request(method, self.url + path, headers=headers,
                                    timeout=120, **kwargs)

    def password_token(self, user: str, password: str, project: str) -> tuple[str, dict]:
        r = self.call("POST", "/v3/auth/tokens", json=password_body(user, password, project))
        r.raise_for_status()
        return r.headers["X-Subject-Token"], r.json()["token"]


def password_body(user: str, password: str, project: str) -> dict:
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"id": "default"}}}}}


def rescope_body(token: str, project_id: str) -> dict:
    return {"auth": {"identity": {"methods": ["token"], "token": {"id": token}},
                     "scope": {"project": {"id": project_id}}}}


def find_or_create(api: Api, token: str, collection: str, key: str, body: dict) -> str:
    r = api.call("GET", f"/v3/{collection}", token, params={"name": body["name"]})
    r.raise_for_status()
    if r.json()[collection]:
        return r.json()[collection][0]["id"]
    r = api.call("POST", f"/v3/{collection}", token, json={key: body})
    r.raise_for_status()
    return r.json()[key]["id"]


def demo_user_token(api: Api, admin_token: str, password: str) -> str:
    """A token of user 'demo' (role member on project 'demo'), created if missing
    (devstack/stack.sh makes this user with $DEMO_PASSWORD)."""
    project_id = find_or_create(api, admin_token, "projects", "project",
                                {"name": "demo", "domain_id": "default"})
    user_id = find_or_create(api, admin_token, "users", "user", {
        "name": "demo", "domain_id": "default", "password": password,
        "default_project_id": project_id})
    role_id = find_or_create(api, admin_token, "roles", "role", {"name": "member"})
    r = api.call("PUT", f"/v3/projects/{project_id}/users/{user_id}/roles/{role_id}",
                 admin_token)
    r.raise_for_status()
    return api.password_token("demo", password, "demo")[0]


def build_requests(args, api: Api) -> tuple[dict[str, loadgen.Request], dict]:
    """The scenarios' requests, and the tokens they use."""
    admin_token, body = api.password_token(args.admin_user, args.admin_password,
                                           args.admin_project)
    project_id = body["project"]["id"]
    subject = demo_user_token(api, admin_token, args.demo_password)
    json_type = {"Content-Type": "application/json"}
    admin = {"X-Auth-Token": admin_token}
    password = password_body(args.admin_user, args.admin_password, args.admin_project)
    requests_ = {
        "password": loadgen.Request("POST", "/v3/auth/tokens", json_type,
                                    json.dumps(password), 201),
        "rescope": loadgen.Request("POST", "/v3/auth/tokens", json_type,
                                   json.dumps(rescope_body(admin_token, project_id)), 201),
        "validate": loadgen.Request("GET", "/v3/auth/tokens",
                                    {**admin, "X-Subject-Token": subject}, None, 200),
        "projects": loadgen.Request("GET", "/v3/projects", admin, None, 200),
        "ceiling": loadgen.Request("GET", "/", {}, None, 200),
    }
    return requests_, {"admin": admin_token, "project_id": project_id}


# -- revocations -----------------------------------------------------------------

def record_revocations(api: Api, admin_token: str, project_id: str, count: int,
                       concurrency: int) -> tuple[float, int]:
    """Rescope the admin token ``count`` times and revoke each new token.

    Each revocation is one event naming one audit id, as ``DELETE
    /v3/auth/tokens`` records. A token revokes itself (it is its own
    X-Auth-Token), which spares the service one token validation per event.
    Returns (seconds taken, failures).
    """
    local = threading.local()
    body = rescope_body(admin_token, project_id)

    def one(_: int) -> bool:
        if not hasattr(local, "api"):
            local.api = Api(api.url)
        r = local.api.call("POST", "/v3/auth/tokens", json=body)
        if r.status_code != 201:
            return False
        token = r.headers["X-Subject-Token"]
        r = local.api.call("DELETE", "/v3/auth/tokens", token,
                           headers={"X-Subject-Token": token})
        return r.status_code == 204

    t0 = time.perf_counter()
    failures = 0
    with futures.ThreadPoolExecutor(concurrency) as pool:
        for i, ok in enumerate(pool.map(one, range(count)), 1):
            failures += not ok
            if i % 1000 == 0:
                print(f"  {i} revocations recorded", file=sys.stderr, flush=True)
    return time.perf_counter() - t0, failures


# -- reporting -------------------------------------------------------------------

def targets(results: list[loadgen.Result], ceiling: loadgen.Result | None) -> list[dict]:
    """Each target of the issue next to the measured rate."""
    by_name = {r.scenario: r for r in results}
    rescope_goal = RESCOPE_TARGET
    rescope_rule = "≥ 300/s"
    if ceiling is not None:
        rescope_goal = min(RESCOPE_TARGET, 0.5 * ceiling.rps)
        rescope_rule = f"≥ min(300/s, 50% of ceiling {ceiling.rps:.0f}/s)"
    goals = [("validate", VALIDATE_TARGET, "≥ 1,000/s"), ("rescope", rescope_goal, rescope_rule),
             ("projects", PROJECTS_TARGET, "≥ 300/s"), ("password", None, "report only")]
    out = []
    for name, goal, rule in goals:
        if name not in by_name:
            continue
        rps = by_name[name].rps
        out.append({"scenario": name, "rule": rule, "goal": goal, "rps": rps,
                    "cpu_bound_rps": by_name[name].cpu_bound_rps,
                    "met": None if goal is None else rps >= goal,
                    "keystone_30_rps": KEYSTONE_30[name],
                    "vs_keystone": round(rps / KEYSTONE_30[name], 1)})
    return out


def print_targets(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    print(f"{'scenario':<10}{'rule':<38}{'req/s':>9}  {'verdict':<9}{'CPU-bound':>10}"
          f"{'Keystone 30':>13}")
    for row in rows:
        verdict = "report" if row["met"] is None else ("met" if row["met"] else "NOT MET")
        bound = "-" if row["cpu_bound_rps"] is None else f"{row['cpu_bound_rps']:.0f}"
        print(f"{row['scenario']:<10}{row['rule']:<38}{row['rps']:>9.1f}  {verdict:<9}"
              f"{bound:>10}{row['keystone_30_rps']:>8.1f} ({row['vs_keystone']}x)")


def report(args, report_data: dict) -> None:
    if args.json:
        print(json.dumps(report_data, indent=2, default=dataclasses.asdict))
        return
    print(f"Stratus identity at {args.url}: c={args.concurrency}, {args.warmup:g} s warm-up, "
          f"{args.duration:g} s measured; ceiling with {args.workers} sync workers")
    for note in report_data["notes"]:
        print(f"note: {note}")
    print("columns: CPU-bound req/s = cores / server CPU per request, the rate if the "
          "service had the machine to itself; srv/client/other % = shares of the machine's "
          "CPU during the run (other: processes that are neither).")
    loadgen.print_table("Measured", report_data["results"])
    print_targets("Targets (issue)", report_data["targets"])
    if report_data.get("revoked"):
        rev = report_data["revocations"]
        loadgen.print_table(f"After {rev['count']} revocation events "
                            f"(recorded in {rev['seconds']:.0f} s, {rev['failures']} failed)",
                            report_data["revoked"])
        print_targets(f"Targets with {rev['count']} revocation events",
                      report_data["revoked_targets"])
    print("\nUpstream Keystone 30.0.0 on this machine (gunicorn sync w=2, c=8, Python "
          "client): password 5.2, rescope 31.7, validate 19.4, projects 26.2 req/s; "
          "wrk: 5.0 / 34.4 / 22.8 / 34.1.")


# -- main --------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default="http://127.0.0.1:5000", help="identity endpoint")
    p.add_argument("--admin-user", default="admin")
    p.add_argument("--admin-password", default="secret")
    p.add_argument("--admin-project", default="admin")
    p.add_argument("--demo-password", default="secret",
                   help="password of user 'demo' (created with it if missing)")
    p.add_argument("--duration", type=float, default=20, help="measured seconds")
    p.add_argument("--warmup", type=float, default=5, help="discarded seconds first")
    p.add_argument("--concurrency", type=int, default=8, help="connections")
    p.add_argument("--workers", type=int, default=os.cpu_count(),
                   help="gunicorn workers of the service under test, given to the "
                        "ceiling server too (default: CPU count, the service's default)")
    p.add_argument("--server-pid", type=int,
                   help="gunicorn master pid of the service, for server CPU per request")
    p.add_argument("--revocations", type=int, default=0,
                   help="record this many revocation events, then measure again")
    p.add_argument("--scenarios", default=",".join(SCENARIOS),
                   help=f"comma-separated subset of {','.join(SCENARIOS)}")
    p.add_argument("--python-client", action="store_true",
                   help="use the Python thread client even when wrk is installed")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    args = p.parse_args(argv)
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        p.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    notes: list[str] = []
    if not loadgen.uses_wrk(args):
        notes.append("wrk is not used: the Python client is itself CPU-bound near "
                     "500-900 req/s on this kind of box, so fast scenarios read low.")
    api = Api(args.url)
    reqs, tokens = build_requests(args, api)
    server_pid = args.server_pid or loadgen.listening_pid(args.url)
    if server_pid is None:
        notes.append("the service's process was not found (pass --server-pid): no server "
                     "CPU figures.")
    meter = loadgen.CpuMeter(server_pid)
    data: dict = {"url": args.url, "concurrency": args.concurrency, "notes": notes,
                  "duration_s": args.duration, "warmup_s": args.warmup,
                  "workers": args.workers}
    with tempfile.TemporaryDirectory(prefix="identity-bench-") as directory:
        ceiling = None
        if "ceiling" in args.scenarios:
            ceiling = loadgen.measure_ceiling(args, reqs["ceiling"], directory)
        names = [n for n in args.scenarios if n != "ceiling"]
        results = loadgen.measure_all(args, names, reqs, meter, directory)
        data["results"] = ([ceiling] if ceiling else []) + results
        data["targets"] = targets(results, ceiling)
        if args.revocations > 0:
            print(f"  recording {args.revocations} revocation events", file=sys.stderr)
            seconds, failures = record_revocations(api, tokens["admin"], tokens["project_id"],
                                                   args.revocations, args.concurrency)
            data["revocations"] = {"count": args.revocations, "seconds": round(seconds, 1),
                                   "failures": failures}
            again = [n for n in names if n != "password"]
            data["revoked"] = loadgen.measure_all(args, again, reqs, meter, directory)
            data["revoked_targets"] = targets(data["revoked"], ceiling)
    report(args, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
