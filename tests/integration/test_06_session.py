"""06 session: persistent sessions (3.1.1 clean session 0; v5 clean start 0
with a session expiry interval), offline queueing and its limit, messages in
flight resent on reconnection (MQTT 3.1.1 3.1.2.4, 4.1, 4.4; 5.0 3.1.2.4-5,
4.1, 4.4), and the end of an offline session when its expiry interval passes
(v5 3.1.2.11.2). Sessions across broker restarts: test_12_persistence.py."""
import time

import pytest

import wire
from clients import both_versions
from wire import RawClient, V311, V5


def persistent(client_factory, client_id, protocol):
    """A Paho client with a session that outlives its connection; returns (client, connect arguments)."""
    client = client_factory(client_id, protocol, clean=False)
    return client, ({"session_expiry": 300} if protocol == V5 else {})


def raw_persistent_connect(raw, client_id, **kwargs):
    if raw.version == V5:
        kwargs.setdefault("properties", [(wire.SESSION_EXPIRY_INTERVAL, 300)])
    return raw.connect(client_id, clean=False, **kwargs)


def subscribe_and_go_offline(broker, client_id, version, topic_filter, qos=1):
    """A persistent session subscribed to `topic_filter` whose client has disconnected; returns once
    the broker has closed the connection, so the session is offline for what is published next."""
    with RawClient(broker, version) as raw:
        assert raw_persistent_connect(raw, client_id).reason == 0
        assert raw.subscribe([(topic_filter, qos)]) == [qos]
        raw.send(wire.disconnect(version=version))
        assert raw.read_until_closed() == []


@both_versions
def test_persistent_session_receives_qos1_messages_published_while_offline(client_factory, connected, protocol):
    """[MQTT-3.1.2-4]/[MQTT-3.1.2-5] (v5 [MQTT-3.1.2-5]): the session keeps the subscription and queues
    QoS 1/2 messages; the CONNACK says Session Present 1 [MQTT-3.2.2-2]."""
    subscriber, kwargs = persistent(client_factory, "persist", protocol)
    assert subscriber.connect(**kwargs) == 0
    assert subscriber.session_present is False
    subscriber.subscribe("offline/#", 1)
    subscriber.disconnect()

    publisher = connected("pub", protocol)
    for index in range(3):
        publisher.publish(f"offline/{index}", str(index).encode(), qos=1)
    publisher.publish("offline/qos0", b"dropped", qos=0)  # QoS 0 for an offline client may be discarded

    again, kwargs = persistent(client_factory, "persist", protocol)
    assert again.connect(**kwargs) == 0
    assert again.session_present is True
    got = again.expect(3)
    assert [(m.topic, m.payload, m.qos) for m in got] == [("offline/0", b"0", 1), ("offline/1", b"1", 1),
                                                          ("offline/2", b"2", 1)]


@both_versions
def test_persistent_session_keeps_its_subscriptions(client_factory, connected, protocol):
    subscriber, kwargs = persistent(client_factory, "keeps-subs", protocol)
    assert subscriber.connect(**kwargs) == 0
    subscriber.subscribe("kept/#", 1)
    subscriber.disconnect()
    again, kwargs = persistent(client_factory, "keeps-subs", protocol)
    assert again.connect(**kwargs) == 0
    connected("pub", protocol).publish("kept/x", b"still subscribed", qos=1)
    assert again.expect_one().payload == b"still subscribed"


@both_versions
def test_persistent_session_receives_qos2_messages_exactly_once(client_factory, connected, protocol):
    subscriber, kwargs = persistent(client_factory, "persist-q2", protocol)
    assert subscriber.connect(**kwargs) == 0
    subscriber.subscribe("q2/#", 2)
    subscriber.disconnect()
    publisher = connected("pub", protocol)
    for index in range(3):
        publisher.publish("q2/t", str(index).encode(), qos=2)
    again, kwargs = persistent(client_factory, "persist-q2", protocol)
    assert again.connect(**kwargs) == 0
    assert [(m.payload, m.qos) for m in again.expect(3)] == [(b"0", 2), (b"1", 2), (b"2", 2)]
    again.expect_none()


@both_versions
def test_clean_session_discards_the_previous_session(client_factory, connected, protocol):
    """[MQTT-3.1.2-6] (v5 [MQTT-3.1.2-4]): Clean Session/Start 1 starts a new session; Session Present 0."""
    subscriber, kwargs = persistent(client_factory, "cleaned", protocol)
    assert subscriber.connect(**kwargs) == 0
    subscriber.subscribe("cleaned/#", 1)
    subscriber.disconnect()
    connected("pub", protocol).publish("cleaned/x", b"for the old session", qos=1)
    fresh = client_factory("cleaned", protocol, clean=True)
    assert fresh.connect() == 0
    assert fresh.session_present is False
    fresh.expect_none()
    connected("pub2", protocol).publish("cleaned/x", b"no subscription any more", qos=1)
    fresh.expect_none(0.2)


def test_v311_clean_session_1_ends_the_session_with_the_connection(client_factory, connected):
    """[MQTT-3.1.2-6]: a clean session does not outlive its connection."""
    first = client_factory("short", V311, clean=True)
    assert first.connect() == 0
    first.subscribe("short/#", 1)
    first.disconnect()
    connected("pub", V311).publish("short/x", b"x", qos=1)
    again = client_factory("short", V311, clean=False)
    assert again.connect() == 0
    assert again.session_present is False
    again.expect_none()


def test_v5_session_expiry_0_ends_the_session_with_the_connection(client_factory, connected):
    """v5 3.1.2.11.2: no Session Expiry Interval (0) — the session ends when the connection closes,
    even with Clean Start 0."""
    first = client_factory("no-expiry", V5, clean=False)
    assert first.connect() == 0
    first.subscribe("ne/#", 1)
    first.disconnect()
    connected("pub", V5).publish("ne/x", b"x", qos=1)
    again = client_factory("no-expiry", V5, clean=False)
    assert again.connect() == 0
    assert again.session_present is False
    again.expect_none()


def test_v5_disconnect_may_set_the_session_expiry_interval(broker, connected):
    """v5 3.14.2.2.2: a DISCONNECT's Session Expiry Interval replaces the CONNECT's."""
    with RawClient(broker, V5) as raw:
        assert raw_persistent_connect(raw, "changes-expiry").reason == 0
        raw.subscribe([("de/#", 1)])
        raw.send(wire.packet(wire.DISCONNECT << 4, b"\x00" + wire.encode_properties(
            [(wire.SESSION_EXPIRY_INTERVAL, 0)])))
        assert raw.read_until_closed() == []
    connected("pub", V5).publish("de/x", b"x", qos=1)
    with RawClient(broker, V5) as raw:
        assert raw_persistent_connect(raw, "changes-expiry").session_present is False


def test_v5_disconnect_setting_an_expiry_after_connect_set_0_is_a_protocol_error(broker):
    """v5 3.14.2.2.2 [MQTT-3.14.2-2 area]: Session Expiry 0 at CONNECT may not become non-zero at
    DISCONNECT: the server answers DISCONNECT 0x82 Protocol Error."""
    with RawClient(broker, V5) as raw:
        assert raw.connect("zero-then-more").reason == 0
        raw.send(wire.packet(wire.DISCONNECT << 4, b"\x00" + wire.encode_properties(
            [(wire.SESSION_EXPIRY_INTERVAL, 60)])))
        packets = raw.read_until_closed()
    assert [(p.type, wire.disconnect_reason(p)) for p in packets] == [(wire.DISCONNECT, 0x82)]


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
def test_unacknowledged_qos1_message_is_resent_with_dup_on_reconnection(broker, connected, version):
    """[MQTT-4.4.0-1]: on reconnection with a session, unacknowledged PUBLISHes are resent with DUP 1
    [MQTT-3.3.1-1] and the same packet identifier."""
    with RawClient(broker, version) as raw:
        assert raw_persistent_connect(raw, "no-ack").reason == 0
        raw.subscribe([("redo/#", 1)])
        connected("pub", version).publish("redo/x", b"again", qos=1)
        first = raw.read_publish()
        assert first.dup is False
        # no PUBACK: the connection ends
    with RawClient(broker, version) as raw:
        connack = raw_persistent_connect(raw, "no-ack")
        assert connack.session_present is True
        again = raw.read_publish()
        assert (again.topic, again.payload, again.qos, again.dup, again.packet_id) == (
            "redo/x", b"again", 1, True, first.packet_id)
        raw.send(wire.puback(again.packet_id))
        raw.assert_silent()


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
def test_pubrel_is_resent_on_reconnection_after_pubrec(broker, connected, version):
    """[MQTT-4.4.0-1]: a QoS 2 delivery whose PUBREC arrived continues with PUBREL, not a new PUBLISH."""
    with RawClient(broker, version) as raw:
        assert raw_persistent_connect(raw, "half-way").reason == 0
        raw.subscribe([("half/#", 2)])
        connected("pub", version).publish("half/x", b"q2", qos=2)
        got = raw.read_publish()
        raw.send(wire.pubrec(got.packet_id))
        raw.expect(wire.PUBREL)
        # no PUBCOMP: the connection ends
    with RawClient(broker, version) as raw:
        assert raw_persistent_connect(raw, "half-way").session_present is True
        pubrel = raw.expect(wire.PUBREL)
        assert pubrel.body[:2] == got.packet_id.to_bytes(2, "big")
        raw.send(wire.pubcomp(got.packet_id))
        raw.assert_silent()


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
def test_offline_queue_limit_keeps_the_first_messages_and_drops_the_rest(start_broker, client_factory, version):
    """limits.max_queued_messages = 5: of 10 QoS 1 messages published while offline, 5 are delivered
    (the oldest: a full queue drops the new message)."""
    broker = start_broker("[limits]\nmax_queued_messages = 5\n")
    subscribe_and_go_offline(broker, "limited", version, "limit/#")
    publisher = client_factory("pub", version, on=broker)
    assert publisher.connect() == 0
    for index in range(10):
        publisher.publish("limit/t", str(index).encode(), qos=1)
    again, kwargs = persistent(lambda *a, **k: client_factory(*a, on=broker, **k), "limited", version)
    assert again.connect(**kwargs) == 0
    assert [m.payload for m in again.expect(5)] == [b"0", b"1", b"2", b"3", b"4"]
    again.expect_none()


def test_offline_queue_limit_in_bytes(start_broker, client_factory):
    """limits.max_queued_bytes bounds the queue by size as well."""
    broker = start_broker('[limits]\nmax_queued_bytes = "1 KiB"\n')
    subscribe_and_go_offline(broker, "bytes", V311, "bytes/t")
    publisher = client_factory("pub", V311, on=broker)
    assert publisher.connect() == 0
    for index in range(5):
        publisher.publish("bytes/t", bytes([0x30 + index]) * 300, qos=1)
    again = client_factory("bytes", V311, clean=False, on=broker)
    assert again.connect() == 0
    got = again.expect(3)
    assert [m.payload[:1] for m in got] == [b"0", b"1", b"2"]
    again.expect_none()


@both_versions
def test_messages_queued_for_a_slow_subscriber_arrive_in_order(connected, protocol):
    """[MQTT-4.6.0-5]/[MQTT-4.6.0-6]: the order of one publisher's messages per topic is kept,
    beyond the in-flight window (20)."""
    subscriber = connected("many", protocol)
    subscriber.subscribe("order/t", 1)
    publisher = connected("pub", protocol)
    infos = [publisher.client.publish("order/t", str(i).encode(), 1) for i in range(100)]
    for info in infos:
        info.wait_for_publish(5)
    assert [m.payload for m in subscriber.expect(100)] == [str(i).encode() for i in range(100)]


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
def test_take_over_resumes_the_session(broker, connected, version):
    """[MQTT-3.1.4-3] with Clean Session/Start 0: the new connection continues the existing session
    (Session Present 1) with its subscriptions."""
    with RawClient(broker, version) as first:
        assert raw_persistent_connect(first, "resumed").session_present is False
        first.subscribe([("resume/#", 1)])
        with RawClient(broker, version) as second:
            assert raw_persistent_connect(second, "resumed").session_present is True
            first.read_until_closed()
            connected("pub", version).publish("resume/x", b"to the new connection", qos=1)
            got = second.read_publish()
            assert got.payload == b"to the new connection"
            second.send(wire.puback(got.packet_id))


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
def test_take_over_with_clean_start_discards_the_session(broker, connected, version):
    """[MQTT-3.1.2-4] (v5) / [MQTT-3.1.2-6]: Clean Start 1 on take-over starts a new session."""
    with RawClient(broker, version) as first:
        assert raw_persistent_connect(first, "restarted").reason == 0
        first.subscribe([("restart/#", 1)])
        with RawClient(broker, version) as second:
            assert second.connect("restarted", clean=True).session_present is False
            first.read_until_closed()
            connected("pub", version).publish("restart/x", b"nobody", qos=1)
            second.assert_silent()


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
def test_qos2_receipt_survives_reconnection(broker, connected, version):
    """[MQTT-4.3.3-9] with [MQTT-4.4.0-1]: a QoS 2 PUBLISH received before the connection broke, resent
    with DUP after reconnection, is acknowledged but delivered only once; PUBREL completes it. (Whether the
    broker forwards at PUBLISH or at PUBREL — methods A and B of 4.3.3 — one copy arrives either way.)"""
    subscriber = connected("sub", version)
    subscriber.subscribe("resend/t", 2)
    with RawClient(broker, version) as raw:
        assert raw_persistent_connect(raw, "resender").reason == 0
        raw.publish("resend/t", b"once", qos=2, packet_id=4)
        raw.expect(wire.PUBREC)
    with RawClient(broker, version) as raw:
        assert raw_persistent_connect(raw, "resender").session_present is True
        raw.publish("resend/t", b"once", qos=2, packet_id=4, dup=True)
        raw.expect(wire.PUBREC)
        raw.send(wire.pubrel(4))
        pubcomp = raw.expect(wire.PUBCOMP)
        assert pubcomp.body[:2] == b"\x00\x04" and pubcomp.body[2:] in (b"", b"\x00")
    assert subscriber.expect_one().payload == b"once"
    subscriber.expect_none()


def test_v5_offline_session_ends_when_its_expiry_interval_passes(broker, connected):
    """[MQTT-3.1.2-23]: the session is kept for the Session Expiry Interval, then discarded
    with its subscriptions."""
    with RawClient(broker, V5) as raw:
        assert raw.connect("expires", clean=False, properties=[(wire.SESSION_EXPIRY_INTERVAL, 1)]).reason == 0
        raw.subscribe([("ex/#", 1)])
        raw.send(wire.disconnect())
        raw.read_until_closed()
    time.sleep(2.5)  # the 1 s interval, with a wide margin
    connected("pub", V5).publish("ex/x", b"x", qos=1)
    with RawClient(broker, V5) as raw:
        assert raw.connect("expires", clean=False).session_present is False
        raw.assert_silent()
