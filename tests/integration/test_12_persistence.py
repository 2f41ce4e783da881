"""12 persistence: with `--persistence DIR` the broker keeps persistent sessions, their subscriptions, the
QoS 1/2 messages queued and in flight to them, the QoS 2 identifiers awaiting PUBREL and the retained
messages in SQLite, and acknowledges a QoS 1/2 PUBLISH only once it is stored: so a broker killed with
SIGKILL and started again loses no acknowledged message and no session (issue: Broker core, Persistence)."""
import sqlite3
import subprocess
import time

import paho.mqtt.client as mqtt
import pytest

import wire
from broker import free_port
from clients import Client, both_versions
from wire import RawClient, V311, V5

QUEUE_CONFIG = "[limits]\nmax_queued_messages = 5000\n"


@pytest.fixture
def persistent_broker(start_broker, tmp_path):
    """`persistent_broker(config=None, sync=True)`: a broker storing its state in tmp_path/data; call it again
    after a stop or kill for the same broker restarted on the same data."""
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)

    def start(config=QUEUE_CONFIG, sync=True):
        if not sync:
            config = (config or "") + '[persistence]\nsync = "off"\n'
        return start_broker(config=config, extra_args=("--persistence", str(data)))

    return start


def persistent_connect(raw, client_id):
    properties = [(wire.SESSION_EXPIRY_INTERVAL, 3600)] if raw.version == V5 else []
    return raw.connect(client_id, clean=False, properties=properties)


def go_offline_subscribed(broker, client_id, version, topic_filter, qos=2):
    with RawClient(broker, version) as raw:
        assert persistent_connect(raw, client_id).reason == 0
        assert raw.subscribe([(topic_filter, qos)]) == [qos]
        raw.send(wire.disconnect(version=version))
        assert raw.read_until_closed() == []


def publish_all(broker, messages, protocol=mqtt.MQTTv311):
    """Publishes (topic, payload, qos) messages with Paho and waits until every one is acknowledged."""
    client = Client(broker, "publisher", protocol)
    try:
        assert client.connect() == 0
        infos = [client.client.publish(topic, payload, qos) for topic, payload, qos in messages]
        for info in infos:
            info.wait_for_publish(30)
            assert info.is_published()
        client.disconnect()
    finally:
        client.stop()


def receive_all(raw, count, timeout=30.0):
    """Reads `count` PUBLISHes, acknowledging each as a client would; returns them in order of arrival."""
    received = []
    while len(received) < count:
        pkt = raw.read(timeout)
        if pkt.type == wire.PUBREL:
            raw.send(wire.pubcomp(int.from_bytes(pkt.body[:2], "big")))
            continue
        assert pkt.type == wire.PUBLISH, f"unexpected {pkt}"
        publish = wire.parse_publish(pkt, raw.version)
        received.append(publish)
        if publish.qos == 1:
            raw.send(wire.puback(publish.packet_id))
        elif publish.qos == 2:
            raw.send(wire.pubrec(publish.packet_id))  # the PUBREL comes later, among other PUBLISHes
    return received


def assert_no_more_messages(raw, quiet=0.5):
    """Completes the QoS 2 exchanges still open (PUBREL → PUBCOMP) and checks that no PUBLISH follows."""
    while True:
        try:
            pkt = raw.read(quiet)
        except TimeoutError:
            return
        assert pkt.type == wire.PUBREL, f"unexpected {pkt}"
        raw.send(wire.pubcomp(int.from_bytes(pkt.body[:2], "big")))


@both_versions
def test_acknowledged_messages_survive_sigkill(persistent_broker, protocol):
    """The durability test of the issue: a persistent subscriber is offline; 1,000 QoS 1 and 1,000 QoS 2
    messages are published and acknowledged; the broker is killed with SIGKILL and restarted; the subscriber
    reconnects and receives every message, in order, the QoS 2 ones exactly once."""
    broker = persistent_broker()
    go_offline_subscribed(broker, "durable-sub", protocol, "durable/#")
    messages = [(f"durable/{i % 7}", f"m{i}".encode(), 1 + i % 2) for i in range(2000)]
    publish_all(broker, messages, protocol)
    broker.kill()

    broker = persistent_broker()
    with RawClient(broker, protocol) as raw:
        connack = persistent_connect(raw, "durable-sub")
        assert (connack.reason, connack.session_present) == (0, True)
        received = receive_all(raw, 2000)
        assert_no_more_messages(raw)
    assert [p.payload for p in received] == [payload for _, payload, _ in messages]
    assert [p.qos for p in received] == [qos for _, _, qos in messages]


def test_acknowledged_subscription_survives_sigkill(persistent_broker):
    """A SUBACK of a stored session is sent once the subscription is on disk: a client that resumes its
    session after a crash does not subscribe again, and must not lose the subscription it was granted."""
    broker = persistent_broker()
    with RawClient(broker, V311) as raw:
        persistent_connect(raw, "crash-sub")
        assert raw.subscribe([("after/crash", 1)]) == [1]
    broker.kill()
    broker = persistent_broker()
    with RawClient(broker, V311) as raw:
        assert persistent_connect(raw, "crash-sub").session_present
        publish_all(broker, [("after/crash", b"still here", 1)])
        assert raw.read_publish().payload == b"still here"


def test_subscriptions_survive_a_restart(persistent_broker):
    """The session comes back with its subscriptions: no new SUBSCRIBE is needed after the restart."""
    broker = persistent_broker()
    go_offline_subscribed(broker, "keeps-subs", V5, "plant/+/temp", qos=1)
    assert broker.stop() == 0

    broker = persistent_broker()
    with RawClient(broker, V5) as raw:
        assert persistent_connect(raw, "keeps-subs").session_present
        publish_all(broker, [("plant/3/temp", b"21.5", 1)])
        got = raw.read_publish()
        assert (got.topic, got.payload, got.qos) == ("plant/3/temp", b"21.5", 1)


def test_retained_message_survives_sigkill(persistent_broker):
    broker = persistent_broker()
    with RawClient(broker, V5) as raw:  # set, cleared, set again: the last one counts
        raw.connect("setter")
        for packet_id, payload in enumerate([b"open", b"", b"closed"], start=1):
            raw.publish("status/door", payload, qos=1, retain=True, packet_id=packet_id)
            raw.expect(wire.PUBACK)
        raw.publish("status/window", b"open", qos=1, retain=True, packet_id=9)
        raw.expect(wire.PUBACK)
        raw.publish("status/window", b"", qos=1, retain=True, packet_id=10)
        raw.expect(wire.PUBACK)
    broker.kill()

    broker = persistent_broker()
    with RawClient(broker, V5) as raw:
        raw.connect("reader")
        raw.subscribe([("status/#", 0)])
        got = raw.read_publish()
        assert (got.topic, got.payload, got.retain) == ("status/door", b"closed", True)
        raw.assert_silent()


def test_message_in_flight_is_resent_with_its_packet_identifier(persistent_broker):
    """A QoS 1 message sent but not acknowledged before the kill is sent again after the restart, with DUP
    set and its original packet identifier [MQTT-4.4.0-1]."""
    broker = persistent_broker()
    with RawClient(broker, V5) as raw:
        persistent_connect(raw, "slow-acker")
        raw.subscribe([("work/#", 1)])
        publish_all(broker, [("work/1", b"job", 1)])
        first = raw.read_publish()
        assert not first.dup
        # Gives the store a moment to record the send (it is not waited for: see docs/configuration.md).
        raw.assert_silent(0.3)
    broker.kill()

    broker = persistent_broker()
    with RawClient(broker, V5) as raw:
        assert persistent_connect(raw, "slow-acker").session_present
        again = raw.read_publish()
        assert (again.payload, again.dup, again.packet_id) == (b"job", True, first.packet_id)
        raw.send(wire.puback(again.packet_id))
        raw.assert_silent()


def test_qos2_exchange_completes_across_sigkill(persistent_broker):
    """A QoS 2 PUBLISH acknowledged with PUBREC before the kill: the client resends it with DUP after the
    restart, and it is not routed a second time [MQTT-4.3.3-9]; the PUBREL gets a successful PUBCOMP."""
    broker = persistent_broker()
    go_offline_subscribed(broker, "qos2-sub", V5, "once/#")
    with RawClient(broker, V5) as raw:
        persistent_connect(raw, "qos2-pub")
        raw.publish("once/x", b"exactly", qos=2, packet_id=42)
        raw.expect(wire.PUBREC)
    broker.kill()

    broker = persistent_broker()
    with RawClient(broker, V5) as raw:
        assert persistent_connect(raw, "qos2-pub").session_present
        raw.publish("once/x", b"exactly", qos=2, packet_id=42, dup=True)
        raw.expect(wire.PUBREC)
        raw.send(wire.pubrel(42))
        pubcomp = raw.expect(wire.PUBCOMP)
        assert pubcomp.body[:2] == (42).to_bytes(2, "big") and pubcomp.body[2:3] in (b"", b"\x00")
    with RawClient(broker, V5) as raw:
        persistent_connect(raw, "qos2-sub")
        assert [p.payload for p in receive_all(raw, 1)] == [b"exactly"]
        assert_no_more_messages(raw)


def test_session_expiry_counts_the_time_the_broker_was_down(persistent_broker):
    """A v5 session expiring 1 s after its client left is gone when the broker comes back 1.5 s later."""
    broker = persistent_broker()
    with RawClient(broker, V5) as raw:
        raw.connect("short-lived", clean=False, properties=[(wire.SESSION_EXPIRY_INTERVAL, 1)])
        raw.subscribe([("a/b", 1)])
        raw.send(wire.disconnect())
        raw.read_until_closed()
    assert broker.stop() == 0
    time.sleep(1.5)
    broker = persistent_broker()
    with RawClient(broker, V5) as raw:
        assert not raw.connect("short-lived", clean=False).session_present


def test_clean_sessions_are_not_kept(persistent_broker):
    broker = persistent_broker()
    with RawClient(broker, V311) as raw:
        raw.connect("clean-one", clean=True)
        raw.subscribe([("x/#", 1)])
    broker.kill()
    broker = persistent_broker()
    with RawClient(broker, V311) as raw:
        assert not raw.connect("clean-one", clean=False).session_present


def test_sync_off_still_keeps_state_across_a_clean_stop(persistent_broker):
    """With sync = "off" acknowledgements do not wait for the disk; a clean stop still commits everything."""
    broker = persistent_broker(sync=False)
    go_offline_subscribed(broker, "fast-sub", V311, "fast/#", qos=1)
    publish_all(broker, [(f"fast/{i}", b"x", 1) for i in range(100)])
    assert broker.stop() == 0
    broker = persistent_broker(sync=False)
    with RawClient(broker, V311) as raw:
        assert persistent_connect(raw, "fast-sub").session_present
        assert len(receive_all(raw, 100)) == 100


def failed_start(binary, data):
    """Runs the broker on the database in `data`, which must make it stop at once; returns its stderr."""
    result = subprocess.run([str(binary), "--allow-anonymous", "-p", str(free_port()), "--persistence", str(data)],
                            capture_output=True, text=True, timeout=10)
    assert result.returncode != 0
    return result.stderr


def test_unusable_database_stops_the_broker_with_a_clear_error(tmp_path, mqwarden_binary):
    (tmp_path / "mqwarden.db").write_bytes(b"this is not SQLite" * 100)
    error = failed_start(mqwarden_binary, tmp_path)
    assert "persistence:" in error and "mqwarden.db" in error


def test_database_from_a_newer_version_is_refused(tmp_path, mqwarden_binary):
    with sqlite3.connect(tmp_path / "mqwarden.db") as db:
        db.execute("PRAGMA application_id = 1836152676")  # "mqwd": an mqwarden database
        db.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY)")
        db.execute("PRAGMA user_version = 99")
    assert "newer mqwarden" in failed_start(mqwarden_binary, tmp_path)


def test_sqlite_database_of_another_program_is_refused(tmp_path, mqwarden_binary):
    with sqlite3.connect(tmp_path / "mqwarden.db") as db:
        db.execute("CREATE TABLE contacts (name TEXT)")
    assert "not an mqwarden database" in failed_start(mqwarden_binary, tmp_path)
    with sqlite3.connect(tmp_path / "mqwarden.db") as db:  # and left as it was
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("contacts",)]


def test_second_broker_on_the_same_database_is_refused(persistent_broker, tmp_path, mqwarden_binary):
    persistent_broker()
    assert "in use by another mqwarden process" in failed_start(mqwarden_binary, tmp_path / "data")
