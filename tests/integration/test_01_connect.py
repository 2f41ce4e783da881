"""01 connect: version negotiation, client identifiers, the first and second
CONNECT, session take-over, keep-alive (MQTT 3.1.1 / 5.0 sections 3.1, 3.2, 4.8)."""
import time

import pytest

import wire
from clients import both_versions
from wire import RawClient, V311, V5


@both_versions
def test_connect_is_accepted(client_factory, protocol):
    client = client_factory("accepted", protocol)
    assert client.connect() == 0
    assert client.session_present is False


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
def test_connack_of_an_accepted_connect_has_the_exact_bytes(broker, version):
    with RawClient(broker, version) as raw:
        raw.send(wire.connect("exact", version=version))
        pkt = raw.expect(wire.CONNACK)
        if version == V311:
            assert pkt.body == b"\x00\x00"
        else:
            connack = wire.parse_connack(pkt, V5)
            assert (connack.session_present, connack.reason) == (False, 0)


def test_v5_connack_advertises_the_broker_limits(start_broker):
    broker = start_broker("[limits]\nmax_inflight_messages = 7\nmax_packet_size = 5000\nmax_topic_alias = 3\n")
    with RawClient(broker, V5) as raw:
        connack = raw.connect("limits")
        assert connack.reason == 0
        assert wire.prop(connack.properties, wire.RECEIVE_MAXIMUM) == 7
        assert wire.prop(connack.properties, wire.MAXIMUM_PACKET_SIZE) == 5000
        assert wire.prop(connack.properties, wire.TOPIC_ALIAS_MAXIMUM) == 3
        assert wire.prop(connack.properties, wire.ASSIGNED_CLIENT_IDENTIFIER) is None


@pytest.mark.parametrize("name, level", [("MQIsdp", 3), ("MQTT", 6), ("MQTT", 2)],
                         ids=["mqtt31-MQIsdp", "level6", "level2"])
def test_unsupported_protocol_version_gets_return_code_1_then_close(broker, name, level):
    """[MQTT-3.1.2-2]: CONNACK 0x01 (unacceptable protocol level), then the connection is closed."""
    with RawClient(broker) as raw:
        raw.send(wire.connect("old", version=level, protocol_name=name))
        packets = raw.read_until_closed()
    assert packets == [wire.Packet(wire.CONNACK, 0, b"\x00\x01")]


@pytest.mark.parametrize("first", [wire.pingreq(), wire.publish("a/b", b"x", version=V311),
                                   wire.subscribe(1, [("a/#", 0)], version=V311)],
                         ids=["pingreq", "publish", "subscribe"])
def test_first_packet_not_connect_is_closed_without_reply(broker, first):
    """[MQTT-3.1.0-1]."""
    with RawClient(broker) as raw:
        raw.send(first)
        assert raw.read_until_closed() == []


def test_second_connect_v311_closes_the_connection(broker):
    """[MQTT-3.1.0-2]: a second CONNECT is a protocol violation; 3.1.1 closes without a reply."""
    with RawClient(broker, V311) as raw:
        assert raw.connect("twice").reason == 0
        raw.send(wire.connect("twice", version=V311))
        assert raw.read_until_closed() == []


def test_second_connect_v5_gets_disconnect_protocol_error(broker):
    """[MQTT-3.1.0-2], [MQTT-4.13.1-1]: DISCONNECT 0x82 Protocol Error, then close."""
    with RawClient(broker, V5) as raw:
        assert raw.connect("twice").reason == 0
        raw.send(wire.connect("twice", version=V5))
        packets = raw.read_until_closed()
    assert [p.type for p in packets] == [wire.DISCONNECT]
    assert wire.disconnect_reason(packets[0]) == 0x82


def test_empty_client_id_v5_gets_an_assigned_client_identifier(broker):
    """[MQTT-3.1.3-6], [MQTT-3.1.3-7], [MQTT-3.2.2-16]."""
    identifiers = set()
    for _ in range(2):
        with RawClient(broker, V5) as raw:
            connack = raw.connect("")
            assert connack.reason == 0
            assigned = wire.prop(connack.properties, wire.ASSIGNED_CLIENT_IDENTIFIER)
            assert assigned
            identifiers.add(assigned)
    assert len(identifiers) == 2, "each client gets its own identifier"


def test_empty_client_id_v5_through_paho(connected):
    client = connected("", V5)
    assert client.connack_properties.AssignedClientIdentifier


def test_empty_client_id_v311_with_clean_session_is_accepted(broker):
    """[MQTT-3.1.3-6]."""
    with RawClient(broker, V311) as raw:
        raw.send(wire.connect("", version=V311, clean=True))
        assert raw.expect(wire.CONNACK).body == b"\x00\x00"


def test_empty_client_id_v311_without_clean_session_is_refused_with_return_code_2(broker):
    """[MQTT-3.1.3-8]: CONNACK 0x02 (identifier rejected), then close."""
    with RawClient(broker, V311) as raw:
        raw.send(wire.connect("", version=V311, clean=False))
        assert raw.read_until_closed() == [wire.Packet(wire.CONNACK, 0, b"\x00\x02")]


def test_long_client_identifier_is_accepted(broker):
    """[MQTT-3.1.3-5] requires 1..23 characters to be accepted; longer ones may be, and mqwarden does."""
    with RawClient(broker, V311) as raw:
        assert raw.connect("x" * 200).reason == 0


def test_v5_password_without_username_is_accepted_as_anonymous(broker):
    """v5 3.1.2.9 allows a Password without a User Name; with anonymous access on it is accepted."""
    with RawClient(broker, V5) as raw:
        assert raw.connect("password-only", password="secret").reason == 0


def test_session_take_over_v5_disconnects_the_first_connection_with_0x8e(broker):
    """[MQTT-3.1.4-3]: the existing connection is ended, in v5 with DISCONNECT 0x8E Session taken over."""
    with RawClient(broker, V5) as first, RawClient(broker, V5) as second:
        assert first.connect("same-id").reason == 0
        assert second.connect("same-id").reason == 0
        packets = first.read_until_closed()
        assert [(p.type, wire.disconnect_reason(p)) for p in packets] == [(wire.DISCONNECT, 0x8E)]
        # the new connection works
        second.send(wire.pingreq())
        second.expect(wire.PINGRESP)


def test_session_take_over_v311_closes_the_first_connection(broker):
    """[MQTT-3.1.4-3]."""
    with RawClient(broker, V311) as first, RawClient(broker, V311) as second:
        assert first.connect("same-id").reason == 0
        assert second.connect("same-id").reason == 0
        assert first.read_until_closed() == []
        second.send(wire.pingreq())
        second.expect(wire.PINGRESP)


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
def test_keep_alive_expiry_closes_the_connection_and_publishes_the_will(broker, connected, version):
    """[MQTT-3.1.2-24]: nothing for 1.5 x the keep-alive ends the connection; the will is published
    [MQTT-3.1.2-8]. v5 may say why with DISCONNECT 0x8D Keep Alive timeout."""
    watcher = connected("watcher", V5)
    watcher.subscribe("will/keepalive", 1)
    with RawClient(broker, version) as silent:
        assert silent.connect("silent", keep_alive=1, will={"topic": "will/keepalive", "payload": b"gone"}).reason == 0
        packets = silent.read_until_closed(timeout=5)
    if version == V5:
        assert [(p.type, wire.disconnect_reason(p)) for p in packets] == [(wire.DISCONNECT, 0x8D)]
    else:
        assert packets == []
    message = watcher.expect_one()
    assert (message.topic, message.payload) == ("will/keepalive", b"gone")


def test_keep_alive_allows_one_and_a_half_times_the_interval(broker):
    """[MQTT-3.1.2-24]: the broker waits one and a half keep-alives (1.5 s for 1 s) before it closes.
    A lower bound only: a correct broker cannot close earlier, however loaded the machine is, since it
    counts from when it read the CONNECT, after it was sent."""
    with RawClient(broker, V311) as raw:
        sent = time.monotonic()
        assert raw.connect("one-and-a-half", keep_alive=1).reason == 0
        assert raw.read_until_closed(timeout=5) == []
        assert time.monotonic() - sent >= 1.45


def test_keep_alive_is_kept_by_pingreq(broker):
    """[MQTT-3.1.2-23]: a client that sends a packet within the keep-alive stays connected."""
    with RawClient(broker, V311) as raw:
        assert raw.connect("pinger", keep_alive=1).reason == 0
        for _ in range(4):  # 2 s: longer than 1.5 x the keep-alive
            time.sleep(0.5)
            raw.send(wire.pingreq())
            raw.expect(wire.PINGRESP)


def test_v5_keep_alive_above_the_maximum_is_lowered_with_server_keep_alive(start_broker):
    """[MQTT-3.2.2-21]: the CONNACK's Server Keep Alive is the keep-alive the client must use."""
    broker = start_broker('[limits]\nmax_keep_alive = "10 s"\n')
    with RawClient(broker, V5) as raw:
        connack = raw.connect("lowered", keep_alive=60)
        assert connack.reason == 0
        assert wire.prop(connack.properties, wire.SERVER_KEEP_ALIVE) == 10


def test_v5_keep_alive_0_is_replaced_by_the_maximum(start_broker):
    """With limits.max_keep_alive set, "no keep-alive" (0) is too long too: Server Keep Alive is the maximum."""
    broker = start_broker('[limits]\nmax_keep_alive = "10 s"\n')
    with RawClient(broker, V5) as raw:
        connack = raw.connect("no-keep-alive", keep_alive=0)
        assert connack.reason == 0
        assert wire.prop(connack.properties, wire.SERVER_KEEP_ALIVE) == 10


def test_v5_server_keep_alive_is_enforced(start_broker):
    """[MQTT-3.2.2-22]: the client must use the Server Keep Alive, and the broker enforces it (1.5 x 1 s)."""
    broker = start_broker('[limits]\nmax_keep_alive = "1 s"\n')
    with RawClient(broker, V5) as raw:
        connack = raw.connect("lowered", keep_alive=60)
        assert wire.prop(connack.properties, wire.SERVER_KEEP_ALIVE) == 1
        packets = raw.read_until_closed(timeout=5)
    assert [(p.type, wire.disconnect_reason(p)) for p in packets] == [(wire.DISCONNECT, 0x8D)]


def test_v311_keep_alive_above_the_maximum_is_refused(start_broker):
    """3.1.1 cannot lower a keep-alive: refused with return code 2, as Mosquitto does."""
    broker = start_broker('[limits]\nmax_keep_alive = "10 s"\n')
    with RawClient(broker, V311) as raw:
        raw.send(wire.connect("too-long", version=V311, keep_alive=60))
        assert raw.read_until_closed() == [wire.Packet(wire.CONNACK, 0, b"\x00\x02")]
        with RawClient(broker, V311) as ok:
            assert ok.connect("short-enough", keep_alive=10).reason == 0


def test_v5_connect_with_an_authentication_method_is_refused_with_0x8c(broker):
    """Enhanced authentication is not offered: CONNACK 0x8C Bad authentication method [MQTT-4.12.0-1]."""
    with RawClient(broker, V5) as raw:
        raw.send(wire.connect("enhanced", properties=[(wire.AUTHENTICATION_METHOD, "SCRAM-SHA-1")]))
        packets = raw.read_until_closed()
    assert [p.type for p in packets] == [wire.CONNACK]
    assert wire.parse_connack(packets[0], V5).reason == 0x8C


def admitted(broker, client_id, timeout=5.0):
    """A connected RawClient, retrying while the broker is still at its connection limit (it notices
    closed connections, such as the fixture's readiness probe, asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        raw = RawClient(broker, V311)
        try:
            assert raw.connect(client_id).reason == 0
            return raw
        except (wire.Closed, OSError):
            raw.close()
        assert time.monotonic() < deadline, f"{client_id} not admitted within {timeout} s"
        time.sleep(0.05)


def test_connections_beyond_max_connections_are_closed(start_broker):
    """limits.max_connections: a connection over the limit is closed before any packet; one that
    ends frees its place."""
    broker = start_broker("[limits]\nmax_connections = 2\n")
    with admitted(broker, "one"), admitted(broker, "two") as second:
        with RawClient(broker, V311) as third:
            try:
                third.send(wire.connect("three", version=V311))
            except OSError:
                pass  # already closed
            assert third.read_until_closed() == []
        second.send(wire.disconnect(version=V311))
        second.read_until_closed()
        admitted(broker, "again").close()
