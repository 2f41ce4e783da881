"""16 enforcement: the policy decides every activity of real clients — connect,
subscribe, unsubscribe, publish, deliver (per subscriber, also retained
messages and wills), ping — and its verdicts reach the clients as the MQTT
version allows (docs/enforcement.md). Reactions: notify, webhook, ban, revoke,
disconnect. Reload on SIGHUP and on a file change; a bad policy keeps the old."""
import http.server
import json
import pathlib
import signal
import socket
import threading
import time

import paho.mqtt.client as mqtt
import pytest

import wire
from broker import free_port
from clients import TIMEOUT, MosquittoSub, both_versions, mosquitto_pub, needs_mosquitto_clients
from wire import RawClient, V311, V5

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "policies"
NOT_AUTHORIZED = 0x87


def wait_for_log(broker, text, count=1, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if broker.log().count(text) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{text!r} not logged {count} time(s):\n{broker.log()}")


# --- connect ---------------------------------------------------------------

@both_versions
def test_a_denied_connect_is_refused_with_not_authorized(policy_broker, client_factory, protocol):
    broker = policy_broker('rule no_mallory { on tentative connect where client.id == "mallory" then deny }')
    refused = client_factory("mallory", protocol, on=broker)
    assert refused.connect() == (NOT_AUTHORIZED if protocol == mqtt.MQTTv5 else 5)
    assert client_factory("alice", protocol, on=broker).connect() == 0


def test_a_deny_may_name_the_connack_reason_code(policy_broker):
    broker = policy_broker('rule busy { on tentative connect then deny reason "busy" code 0x89 }')
    with RawClient(broker, V5) as raw:
        assert raw.connect("anyone").reason == 0x89


def test_a_will_the_policy_refuses_refuses_the_connect(policy_broker, client_factory):
    broker = policy_broker('rule no_alarm { on tentative publish where topic matches "alarm/#" then deny }')
    client = client_factory("w", mqtt.MQTTv5, on=broker)
    assert client.connect(will={"topic": "alarm/fire", "payload": b"x"}) == NOT_AUTHORIZED


# --- subscribe and unsubscribe -----------------------------------------------

@both_versions
def test_a_denied_filter_gets_its_failure_code_and_the_others_are_granted(policy_broker, client_factory, protocol):
    broker = policy_broker('rule secret { on tentative subscribe where topic matches "secret/#" then deny }')
    client = client_factory("s", protocol, on=broker)
    assert client.connect() == 0
    codes = client.subscribe([("secret/a", 1), ("public/a", 1)])
    assert codes == [NOT_AUTHORIZED if protocol == mqtt.MQTTv5 else 0x80, 1]


def test_subscribing_inside_a_denied_tree_is_denied_and_around_it_is_not(policy_broker, connected):
    broker = policy_broker('rule secret { on tentative subscribe where topic matches "secret/#" then deny }')
    with RawClient(broker, V5) as raw:
        assert raw.connect("sub").reason == 0
        raw.send(wire.subscribe(1, [("secret/+/x", 0), ("#", 0), ("secretive", 0)]))
        assert wire.parse_ack_codes(raw.expect(wire.SUBACK), V5)[1] == [NOT_AUTHORIZED, 0, 0]


def test_a_denied_unsubscribe_keeps_the_subscription(policy_broker, client_factory):
    broker = policy_broker('rule sticky { on tentative unsubscribe where topic == "alerts" then deny }')
    client = client_factory("u", mqtt.MQTTv5, on=broker)
    assert client.connect() == 0
    client.subscribe("alerts", 0)
    assert client.unsubscribe("alerts") == [NOT_AUTHORIZED]
    publisher = client_factory("p", mqtt.MQTTv5, on=broker)
    assert publisher.connect() == 0
    publisher.publish("alerts", b"still here")
    assert client.expect_one().payload == b"still here"


# --- publish -------------------------------------------------------------------

@pytest.mark.parametrize("qos", [1, 2])
def test_a_denied_v5_publish_is_acknowledged_with_not_authorized_and_not_routed(policy_broker, client_factory, qos):
    broker = policy_broker('rule read_only { on tentative publish where topic matches "ro/#" then deny }')
    listener = client_factory("listener", mqtt.MQTTv5, on=broker)
    assert listener.connect() == 0
    listener.subscribe("#", 2)
    with RawClient(broker, V5) as raw:
        assert raw.connect("writer").reason == 0
        raw.publish("ro/x", b"no", qos=qos, packet_id=7)
        ack = raw.expect(wire.PUBACK if qos == 1 else wire.PUBREC)
        assert ack.body[:3] == b"\x00\x07" + bytes([NOT_AUTHORIZED])
    listener.expect_none()


def test_a_deny_may_name_the_puback_reason_code(policy_broker):
    broker = policy_broker('rule quota { on tentative publish then deny reason "quota" code 0x97 }')
    with RawClient(broker, V5) as raw:
        assert raw.connect("writer").reason == 0
        raw.publish("t", b"x", qos=1, packet_id=3)
        assert raw.expect(wire.PUBACK).body[:3] == b"\x00\x03\x97"


@pytest.mark.parametrize("qos", [0, 1])
def test_a_denied_v311_publish_is_dropped_silently_and_the_session_goes_on(policy_broker, client_factory, qos):
    broker = policy_broker('rule read_only { on tentative publish where topic matches "ro/#" then deny }')
    listener = client_factory("listener", mqtt.MQTTv311, on=broker)
    assert listener.connect() == 0
    listener.subscribe("#", 1)
    writer = client_factory("writer", mqtt.MQTTv311, on=broker)
    assert writer.connect() == 0
    writer.publish("ro/x", b"dropped", qos=qos)
    writer.publish("rw/x", b"routed", qos=qos)
    assert listener.expect_one().payload == b"routed"
    listener.expect_none()


def test_a_denied_retained_publish_is_not_retained(policy_broker, client_factory):
    broker = policy_broker('rule no_retain { on tentative publish where retain then deny }')
    writer = client_factory("writer", mqtt.MQTTv5, on=broker)
    assert writer.connect() == 0
    writer.publish("r/x", b"kept?", qos=1, retain=True)
    late = client_factory("late", mqtt.MQTTv5, on=broker)
    assert late.connect() == 0
    late.subscribe("r/#", 1)
    late.expect_none()


def test_a_publish_modification_reaches_every_subscriber(policy_broker, client_factory):
    broker = policy_broker('rule strip { on tentative publish where topic == "t" then modify { remove payload.secret } }')
    listener = client_factory("listener", mqtt.MQTTv5, on=broker)
    assert listener.connect() == 0
    listener.subscribe("t", 0)
    writer = client_factory("writer", mqtt.MQTTv5, on=broker)
    assert writer.connect() == 0
    writer.publish("t", json.dumps({"a": 1, "secret": "x"}).encode())
    assert json.loads(listener.expect_one().payload) == {"a": 1}


# --- deliver -------------------------------------------------------------------

PER_SUBSCRIBER = 'rule not_to_bob { on tentative deliver where topic matches "news/#" and subscriber.id == "bob" then deny }'


@both_versions
def test_a_denied_delivery_skips_that_subscriber_only(policy_broker, client_factory, protocol):
    broker = policy_broker(PER_SUBSCRIBER)
    alice = client_factory("alice", protocol, on=broker)
    bob = client_factory("bob", protocol, on=broker)
    for client in (alice, bob):
        assert client.connect() == 0
        client.subscribe("news/#", 1)
    writer = client_factory("writer", protocol, on=broker)
    assert writer.connect() == 0
    writer.publish("news/today", b"headline", qos=1)
    assert alice.expect_one().payload == b"headline"
    bob.expect_none()


def test_retained_messages_are_decided_per_subscriber(policy_broker, client_factory):
    broker = policy_broker(PER_SUBSCRIBER)
    writer = client_factory("writer", mqtt.MQTTv5, on=broker)
    assert writer.connect() == 0
    writer.publish("news/kept", b"retained", qos=1, retain=True)
    alice = client_factory("alice", mqtt.MQTTv5, on=broker)
    bob = client_factory("bob", mqtt.MQTTv5, on=broker)
    for client in (alice, bob):
        assert client.connect() == 0
        client.subscribe("news/#", 1)
    assert alice.expect_one().payload == b"retained"
    bob.expect_none()


def test_messages_queued_for_an_offline_session_are_decided_per_subscriber(policy_broker, client_factory):
    broker = policy_broker(PER_SUBSCRIBER)
    sessions = {}
    for name in ("alice", "bob"):
        client = client_factory(name, mqtt.MQTTv311, clean=False, on=broker)
        assert client.connect() == 0
        client.subscribe("news/#", 1)
        client.disconnect()
    writer = client_factory("writer", mqtt.MQTTv5, on=broker)
    assert writer.connect() == 0
    writer.publish("news/offline", b"queued", qos=1)
    for name in ("alice", "bob"):
        sessions[name] = client_factory(name, mqtt.MQTTv311, clean=False, on=broker)
        assert sessions[name].connect() == 0
    assert sessions["alice"].expect_one().payload == b"queued"
    sessions["bob"].expect_none()


def test_a_will_never_reaches_a_subscriber_the_policy_denies(policy_broker, client_factory):
    broker = policy_broker(PER_SUBSCRIBER)
    alice = client_factory("alice", mqtt.MQTTv5, on=broker)
    bob = client_factory("bob", mqtt.MQTTv5, on=broker)
    for client in (alice, bob):
        assert client.connect() == 0
        client.subscribe("news/#", 1)
    dying = client_factory("dying", mqtt.MQTTv5, on=broker)
    assert dying.connect(will={"topic": "news/will", "payload": b"gone", "qos": 1}) == 0
    dying.drop()
    assert alice.expect_one().payload == b"gone"
    bob.expect_none()


def test_a_will_is_decided_again_when_it_is_published(policy_broker, client_factory):
    broker = policy_broker('rule no_wills_after_reload { on tentative publish where topic == "never" then deny }')
    watcher = client_factory("watcher", mqtt.MQTTv5, on=broker)
    assert watcher.connect() == 0
    watcher.subscribe("#", 1)
    dying = client_factory("dying", mqtt.MQTTv5, on=broker)
    assert dying.connect(will={"topic": "status/dying", "payload": b"gone", "qos": 1}) == 0
    broker.policy_path.write_text('rule now_denied { on tentative publish where topic matches "status/#" then deny }')
    wait_for_log(broker, "rule instance(s) in force", count=2)
    dying.drop()
    watcher.expect_none(timeout=1.0)


def test_modify_changes_one_subscribers_copy_only(policy_broker, client_factory, tmp_path):
    key = tmp_path / "pseudonym.key"
    key.write_bytes(bytes(range(32)))
    broker = policy_broker((EXAMPLES / "anonymise_identity.policy").read_text(),
                           identities={"clients": {"admin": {"roles": ["admin"]}}},
                           config=f'pseudonym_key_file = "{key}"\n')
    admin = client_factory("admin", mqtt.MQTTv5, on=broker)
    guest = client_factory("guest", mqtt.MQTTv5, on=broker)
    for client in (admin, guest):
        assert client.connect() == 0
        client.subscribe("identity/#", 0)
    original = {"fullName": "Ada Lovelace", "email": "ada@example.org", "lat": 46.06789, "lon": 11.12345}
    writer = client_factory("writer", mqtt.MQTTv5, on=broker)
    assert writer.connect() == 0
    writer.publish("identity/ada", json.dumps(original).encode())
    assert json.loads(admin.expect_one().payload) == original
    seen = json.loads(guest.expect_one().payload)
    assert seen["fullName"] == "anonymous"
    assert seen["email"] != "ada@example.org" and len(seen["email"]) == 32
    assert (seen["lat"], seen["lon"]) == (46.07, 11.12)


def test_delay_holds_a_delivery_for_at_least_its_duration(policy_broker, client_factory):
    broker = policy_broker('rule late { on tentative deliver where subscriber.id == "late" then delay 1 s }')
    late = client_factory("late", mqtt.MQTTv5, on=broker)
    prompt = client_factory("prompt", mqtt.MQTTv5, on=broker)
    for client in (late, prompt):
        assert client.connect() == 0
        client.subscribe("gps/+", 1)
    writer = client_factory("writer", mqtt.MQTTv5, on=broker)
    assert writer.connect() == 0
    sent = time.monotonic()
    writer.publish("gps/a", b"here", qos=1)
    assert prompt.expect_one().payload == b"here"
    assert late.expect_one(timeout=5).payload == b"here"
    assert time.monotonic() - sent >= 1.0


# --- ping ----------------------------------------------------------------------

def test_a_denied_ping_ends_the_connection_with_not_authorized(policy_broker):
    broker = policy_broker('rule no_ping { on tentative ping then deny }')
    with RawClient(broker, V5) as raw:
        assert raw.connect("pinger").reason == 0
        raw.send(wire.pingreq())
        packets = raw.read_until_closed()
        assert [wire.disconnect_reason(p) for p in packets if p.type == wire.DISCONNECT] == [NOT_AUTHORIZED]


# --- defaults, roles, reload ----------------------------------------------------

def test_default_deny_with_a_role_that_allows(policy_broker, client_factory):
    broker = policy_broker('rule operators { on tentative subscribe where client.roles contains "operator" then allow }',
                           config='default_deny = ["subscribe"]\n',
                           identities={"users": {}, "clients": {"op": {"roles": ["operator"]}}})
    operator = client_factory("op", mqtt.MQTTv5, on=broker)
    other = client_factory("other", mqtt.MQTTv5, on=broker)
    for client in (operator, other):
        assert client.connect() == 0
    assert operator.subscribe("a", 0) == [0]
    assert other.subscribe("a", 0) == [NOT_AUTHORIZED]


def test_a_policy_with_errors_is_refused_at_start(start_broker, tmp_path, mqwarden_binary):
    import subprocess
    policy = tmp_path / "bad.policy"
    policy.write_text("rule r {\n  on tentative publish\n  where topic matchez \"a\"\n  then deny\n}\n")
    config = tmp_path / "bad.toml"
    config.write_text(f'[policy]\nfiles = ["{policy}"]\n')
    result = subprocess.run([str(mqwarden_binary), "-c", str(config), "--allow-anonymous", "-p", str(free_port())],
                            capture_output=True, text=True, timeout=10)
    assert result.returncode == 1
    assert f"{policy}:3:" in result.stderr


def test_reload_on_sighup_and_a_bad_policy_keeps_the_old(policy_broker, client_factory):
    broker = policy_broker('rule r { on tentative subscribe where topic == "a" then deny }', watch_interval="0 s")
    client = client_factory("c", mqtt.MQTTv5, on=broker)
    assert client.connect() == 0
    assert client.subscribe("a", 0) == [NOT_AUTHORIZED]
    broker.policy_path.write_text('rule r { on tentative subscribe where topic == "b" then deny }')
    broker.process.send_signal(signal.SIGHUP)
    wait_for_log(broker, "rule instance(s) in force", count=2)
    assert client.subscribe("a", 0) == [0]
    assert client.subscribe("b", 0) == [NOT_AUTHORIZED]
    broker.policy_path.write_text('rule r {\n  on tentative subscribe where topic == "c" then deny frobnicate\n}\n')
    broker.process.send_signal(signal.SIGHUP)
    wait_for_log(broker, "the previous policy stays in force")
    assert f"{broker.policy_path}:2:" in broker.log()
    assert client.subscribe("b", 0) == [NOT_AUTHORIZED]
    assert client.subscribe("c", 0) == [0]


def test_a_changed_policy_file_is_reloaded(policy_broker, client_factory):
    broker = policy_broker('rule r { on tentative subscribe where topic == "a" then deny }')
    client = client_factory("c", mqtt.MQTTv5, on=broker)
    assert client.connect() == 0
    assert client.subscribe("a", 0) == [NOT_AUTHORIZED]
    broker.policy_path.write_text('rule r { on tentative subscribe where topic == "zzz" then deny }')
    wait_for_log(broker, "rule instance(s) in force", count=2)
    assert client.subscribe("a", 0) == [0]


# --- reactions -------------------------------------------------------------------

def test_notify_publishes_a_json_message_through_the_broker(policy_broker, client_factory):
    broker = policy_broker((EXAMPLES / "firmware_once_a_month.policy").read_text())
    owner = client_factory("owner", mqtt.MQTTv5, on=broker)
    assert owner.connect() == 0
    owner.subscribe("owner/alerts", 1)
    tv = client_factory("smart-tv", mqtt.MQTTv5, on=broker)
    assert tv.connect() == 0
    tv.publish("firmware/request", b"v1", qos=1)
    owner.expect_none()
    tv.publish("firmware/request", b"v1", qos=1)
    alert = owner.expect_one()
    assert json.loads(alert.payload) == {"device": "smart-tv", "event": "firmware fetched twice this month"}


def test_webhook_posts_the_json_body(policy_broker, client_factory):
    received = []
    arrived = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            received.append((self.path, self.headers.get("Content-Type"),
                             self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()
            arrived.set()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        broker = policy_broker('rule hook { on actual publish where topic == "door" '
                               f'then execute webhook("{url}", {{"client": client.id, "topic": topic}}) }}')
        client = client_factory("door-sensor", mqtt.MQTTv5, on=broker)
        assert client.connect() == 0
        client.publish("door", b"open", qos=1)
        assert arrived.wait(TIMEOUT)
        path, content_type, body = received[0]
        assert (path, content_type) == ("/hook", "application/json")
        assert json.loads(body) == {"client": "door-sensor", "topic": "door"}
    finally:
        server.shutdown()


@both_versions
def test_ban_disconnects_the_client_and_refuses_it_at_connect(policy_broker, client_factory, protocol):
    broker = policy_broker('rule trap { on actual publish where topic == "trap" then execute ban(client.id, 1 min) }')
    intruder = client_factory("intruder", protocol, on=broker)
    assert intruder.connect() == 0
    intruder.publish("trap", b"x", qos=0)  # the ban may close the connection before a PUBACK would go out
    intruder.wait_disconnected()
    again = client_factory("intruder", protocol, on=broker)
    assert again.connect() == (0x8A if protocol == mqtt.MQTTv5 else 5)
    assert client_factory("bystander", protocol, on=broker).connect() == 0


def test_revoke_removes_the_subscription(policy_broker, client_factory):
    broker = policy_broker('rule cut { on actual publish where topic == "cut" then execute revoke("reader", "news/#") }')
    reader = client_factory("reader", mqtt.MQTTv311, on=broker)
    assert reader.connect() == 0
    reader.subscribe("news/#", 1)
    writer = client_factory("writer", mqtt.MQTTv5, on=broker)
    assert writer.connect() == 0
    writer.publish("news/1", b"before", qos=1)
    assert reader.expect_one().payload == b"before"
    writer.publish("cut", b"", qos=1)
    wait_for_log(broker, "revoked the subscription news/# of client reader")
    writer.publish("news/2", b"after", qos=1)
    reader.expect_none()


def test_revoke_tells_a_v5_client_with_disconnect(policy_broker):
    broker = policy_broker('rule cut { on actual subscribe where topic == "news/#" then execute revoke(client.id, topic) }')
    with RawClient(broker, V5) as raw:
        assert raw.connect("reader").reason == 0
        raw.send(wire.subscribe(1, [("news/#", 0)]))
        packets = raw.read_until_closed()
        assert [wire.disconnect_reason(p) for p in packets if p.type == wire.DISCONNECT] == [NOT_AUTHORIZED]


def test_disconnect_reaction_ends_the_connection_with_administrative_action(policy_broker):
    broker = policy_broker('rule kick { on actual publish where topic == "kick" then execute disconnect(client.id) }')
    with RawClient(broker, V5) as raw:
        assert raw.connect("kicked").reason == 0
        raw.publish("kick", b"", qos=0)
        packets = raw.read_until_closed()
        assert [wire.disconnect_reason(p) for p in packets if p.type == wire.DISCONNECT] == [0x98]


def test_connect_flood_from_one_address_is_banned(policy_broker, client_factory):
    broker = policy_broker((EXAMPLES / "connect_flood.policy").read_text())
    codes = []
    for attempt in range(25):
        client = client_factory(f"flood-{attempt}", mqtt.MQTTv5, on=broker)
        codes.append(client.connect())
        client.stop()
    # The 21st connect within 10 s is the one over the limit (the count includes it).
    assert codes[:20] == [0] * 20
    assert codes[20] == 0x9F
    assert set(codes[21:]) <= {0x9F, 0x8A}
    wait_for_log(broker, "banned 127.0.0.1")
    assert client_factory("after-ban", mqtt.MQTTv5, on=broker).connect() == 0x8A
    # Another address still connects.
    with socket.create_connection((broker.host, broker.port), timeout=TIMEOUT, source_address=("127.0.0.2", 0)) as other:
        other.sendall(wire.connect("elsewhere", version=V311))
        assert other.recv(4) == bytes([0x20, 0x02, 0x00, 0x00])


def test_hot_reload_under_load_drops_nothing_and_never_mixes_policies(policy_broker, client_factory):
    """Ten reloads while a publisher and a subscriber run: no connection drops, every message both policies
    allow arrives, none that both deny does."""
    policy_a = ('rule a { on tentative deliver where topic == "x/a" or topic == "x/never" then deny }')
    policy_b = ('rule b { on tentative deliver where topic == "x/b" or topic == "x/never" then deny }')
    broker = policy_broker(policy_a, watch_interval="0 s")
    subscriber = client_factory("subscriber", mqtt.MQTTv5, on=broker)
    assert subscriber.connect() == 0
    subscriber.subscribe("x/#", 1)
    publisher = client_factory("publisher", mqtt.MQTTv5, on=broker)
    assert publisher.connect() == 0
    stop = threading.Event()
    sent_always = []

    def publish_continuously():
        sequence = 0
        while not stop.is_set():
            for topic in ("x/a", "x/b", "x/never"):
                publisher.publish(topic, b"%d" % sequence, qos=1)
            publisher.publish("x/always", b"%d" % sequence, qos=1)
            sent_always.append(sequence)
            sequence += 1

    thread = threading.Thread(target=publish_continuously)
    thread.start()
    try:
        for reload in range(10):
            broker.policy_path.write_text(policy_b if reload % 2 == 0 else policy_a)
            broker.process.send_signal(signal.SIGHUP)
            wait_for_log(broker, "rule instance(s) in force", count=reload + 2)
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=TIMEOUT)
    received = []
    deadline = time.monotonic() + TIMEOUT
    while sum(1 for m in received if m.topic == "x/always") < len(sent_always) and time.monotonic() < deadline:
        try:
            received.append(subscriber.messages.get(timeout=0.2))
        except Exception:  # noqa: BLE001 - queue.Empty: keep waiting until the deadline
            pass
    topics = [m.topic for m in received]
    assert "x/never" not in topics
    assert [int(m.payload) for m in received if m.topic == "x/always"] == sent_always
    assert not subscriber.disconnected.is_set() and not publisher.disconnected.is_set()
    assert "policy not reloaded" not in broker.log()


def test_a_ban_survives_a_restart_with_persistence(start_broker, client_factory, tmp_path):
    policy = tmp_path / "ban.policy"
    policy.write_text('rule trap { on actual publish where topic == "trap" then execute ban(client.id, 10 min) }')
    config = f'[policy]\nfiles = ["{policy}"]\n[persistence]\nenabled = true\npath = "{tmp_path / "db"}"\n'
    broker = start_broker(config)
    intruder = client_factory("intruder", mqtt.MQTTv5, on=broker)
    assert intruder.connect() == 0
    intruder.publish("trap", b"x", qos=0)
    intruder.wait_disconnected()
    assert broker.stop() == 0
    restarted = start_broker(config)
    assert client_factory("intruder", mqtt.MQTTv5, on=restarted).connect() == 0x8A
    assert client_factory("someone-else", mqtt.MQTTv5, on=restarted).connect() == 0


def test_a_mosquitto_acl_file_is_enforced(start_broker, client_factory, tmp_path):
    acl = tmp_path / "acl"
    acl.write_text("user alice\ntopic readwrite room/#\n\nuser bob\ntopic read room/#\n"
                   "\npattern readwrite devices/%c/#\n")
    broker = start_broker(f'[policy]\nacl_file = "{acl}"\n')
    clients = {}
    for name in ("alice", "bob", "carol"):
        clients[name] = client_factory(name, mqtt.MQTTv5, on=broker)
        assert clients[name].connect(username=name) == 0
        clients[name].subscribe([("room/#", 1), ("devices/#", 1)])
    clients["alice"].publish("room/1", b"from alice", qos=1)
    assert clients["bob"].expect_one().payload == b"from alice"
    assert clients["alice"].expect_one().payload == b"from alice"
    clients["carol"].expect_none()
    clients["bob"].publish("room/2", b"bob may not write", qos=1)
    clients["carol"].publish("devices/carol/state", b"own device", qos=1)
    assert clients["carol"].expect_one().payload == b"own device"  # %c grants carol her own tree
    for name in ("alice", "bob"):
        clients[name].expect_none()


def test_policy_counters_are_published_in_sys(policy_broker, client_factory):
    broker = policy_broker(PER_SUBSCRIBER, config='[broker]\nsys_interval = "1 s"\n')
    bob = client_factory("bob", mqtt.MQTTv5, on=broker)
    assert bob.connect() == 0
    bob.subscribe("news/#", 1)
    writer = client_factory("writer", mqtt.MQTTv5, on=broker)
    assert writer.connect() == 0
    writer.publish("news/x", b"not for bob", qos=1)
    watcher = client_factory("watcher", mqtt.MQTTv5, on=broker)
    assert watcher.connect() == 0
    watcher.subscribe("$SYS/broker/policy/deliveries/denied", 0)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if watcher.expect_one().payload == b"1":
            return
    raise AssertionError("$SYS/broker/policy/deliveries/denied never said 1")


def test_the_engines_caps_are_counted_in_sys(policy_broker, client_factory):
    """One lifecycle instance per connected client, at most one: the second client's is refused."""
    policy = ('template watch(device) { rule { on tentative publish where client.id == device then allow } }\n'
              'configure watch(device = client.id) for each actual connect\n'
              '  until actual disconnect where client.id == device\n')
    broker = policy_broker(policy, config='max_lifecycle_instances = 1\n[broker]\nsys_interval = "1 s"\n')
    watcher = client_factory("watcher", mqtt.MQTTv5, on=broker)  # its connect starts the only instance
    assert watcher.connect() == 0
    second = client_factory("second", mqtt.MQTTv5, on=broker)
    assert second.connect() == 0  # refused an instance, not the connection
    watcher.subscribe("$SYS/broker/policy/instances/#", 0)
    seen = {}
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and seen != {"live": b"1", "refused": b"1"}:
        message = watcher.expect_one()
        seen[message.topic.rsplit("/", 1)[1]] = message.payload
    assert seen == {"live": b"1", "refused": b"1"}


@needs_mosquitto_clients
@pytest.mark.parametrize("version", ["mqttv311", "mqttv5"])
def test_mosquitto_clients_see_per_subscriber_verdicts(policy_broker, version):
    broker = policy_broker(PER_SUBSCRIBER + '\nrule ro { on tentative publish where topic == "news/ro" then deny }')
    alice = MosquittoSub(broker, ["-V", version, "-i", "alice", "-t", "news/#", "-q", "1", "-C", "1"])
    bob = MosquittoSub(broker, ["-V", version, "-i", "bob", "-t", "news/#", "-q", "1", "-W", "2"])
    assert mosquitto_pub(broker, "-V", version, "-t", "news/ro", "-m", "refused", "-q", "0").returncode == 0
    assert mosquitto_pub(broker, "-V", version, "-t", "news/1", "-m", "for alice", "-q", "1").returncode == 0
    assert alice.messages() == ["news/1|1|0|for alice"]
    assert bob.messages(timeout=5) == []


def test_guests_get_gps_positions_late_and_blurred(policy_broker, client_factory):
    """examples/policies/delay_gps.policy, with its 5 min delay cut to policy.max_delay."""
    broker = policy_broker((EXAMPLES / "delay_gps.policy").read_text(), config='max_delay = "1 s"\n',
                           identities={"clients": {"guest": {"roles": ["guest"]}}})
    guest = client_factory("guest", mqtt.MQTTv5, on=broker)
    owner = client_factory("owner", mqtt.MQTTv5, on=broker)
    for client in (guest, owner):
        assert client.connect() == 0
        client.subscribe("gps/+", 1)
    position = {"lat": 46.0679, "lon": 11.1211}
    board = client_factory("board1", mqtt.MQTTv5, on=broker)
    assert board.connect() == 0
    sent = time.monotonic()
    board.publish("gps/board1", json.dumps(position).encode(), qos=1)
    assert json.loads(owner.expect_one().payload) == position
    late = json.loads(guest.expect_one(timeout=5).payload)
    assert time.monotonic() - sent >= 1.0
    assert late != position and abs(late["lat"] - position["lat"]) < 0.01 and abs(late["lon"] - position["lon"]) < 0.01
