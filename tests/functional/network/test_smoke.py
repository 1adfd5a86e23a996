def test_smoke(demo, admin):
    net = demo.network(name="n1")
    assert net["status"] == "ACTIVE"
    sub = demo.subnet(net["id"])
    port = demo.port(net["id"])
    print(net, sub, port)
    r = demo.get("/v2.0/ports")
    print(r.get_json())
    assert r.status_code == 200
