"""08 malformed packets and protocol errors after a good CONNECT: the broker
closes the connection — 3.1.1 without a reply [MQTT-4.8.0-1], v5 after a
DISCONNECT with the reason code the violation calls for [MQTT-4.13.1-1]:
0x81 Malformed Packet, 0x82 Protocol Error, 0x90 Topic Name invalid.
Each case runs for both versions where it exists in both."""
import struct

import pytest

import wire
from wire import RawClient, V311, V5


def connected_raw(broker, version, client_id="bad"):
    raw = RawClient(broker, version)
    assert raw.connect(client_id).reason == 0
    return raw


def assert_closed_with(raw, reason):
    """v5: one DISCONNECT with `reason`, then the close; 3.1.1: the close, nothing sent."""
    packets = raw.read_until_closed()
    raw.close()
    if raw.version == V5:
        assert [(p.type, wire.disconnect_reason(p)) for p in packets] == [(wire.DISCONNECT, reason)], packets
    else:
        assert packets == [], packets


versions = pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])


def publish_bytes(first_byte, topic, version, packet_id=None, payload=b"x"):
    body = wire.string(topic)
    if packet_id is not None:
        body += struct.pack("!H", packet_id)
    if version == V5:
        body += b"\x00"
    return wire.packet(first_byte, body + payload)


@versions
def test_publish_with_qos_3_is_malformed(broker, version):
    """[MQTT-3.3.1-4]: a PUBLISH with both QoS bits set."""
    raw = connected_raw(broker, version)
    raw.send(publish_bytes(0x36, "t", version, packet_id=1))
    assert_closed_with(raw, 0x81)


@versions
def test_publish_qos_0_with_dup_is_malformed(broker, version):
    """[MQTT-3.3.1-2]: DUP must be 0 for QoS 0."""
    raw = connected_raw(broker, version)
    raw.send(publish_bytes(0x38, "t", version))
    assert_closed_with(raw, 0x81)


@versions
def test_subscribe_with_wrong_fixed_header_flags_is_malformed(broker, version):
    """[MQTT-3.8.1-1]: SUBSCRIBE's flags must be 0010."""
    raw = connected_raw(broker, version)
    good = wire.subscribe(1, [("a", 0)], version=version)
    raw.send(bytes([0x80]) + good[1:])
    assert_closed_with(raw, 0x81)


@versions
def test_pubrel_with_wrong_fixed_header_flags_is_malformed(broker, version):
    """[MQTT-3.6.1-1]: PUBREL's flags must be 0010."""
    raw = connected_raw(broker, version)
    raw.send(bytes([0x60, 0x02, 0x00, 0x01]))
    assert_closed_with(raw, 0x81)


@versions
def test_remaining_length_of_more_than_four_bytes_is_malformed(broker, version):
    """[MQTT-1.5.5] / 3.1.1 2.2.3: at most four bytes of Remaining Length."""
    raw = connected_raw(broker, version)
    raw.send(bytes([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]))
    assert_closed_with(raw, 0x81)


@versions
def test_reserved_packet_type_0_is_malformed(broker, version):
    """3.1.1 2.2.1 / v5 2.1.2: packet type 0 is reserved."""
    raw = connected_raw(broker, version)
    raw.send(bytes([0x00, 0x00]))
    assert_closed_with(raw, 0x81)


def test_v311_auth_packet_is_malformed(broker):
    """Packet type 15 is reserved in 3.1.1."""
    raw = connected_raw(broker, V311)
    raw.send(bytes([0xF0, 0x00]))
    assert_closed_with(raw, 0x81)


@versions
def test_topic_with_invalid_utf8_is_malformed(broker, version):
    """[MQTT-1.5.3-1] (v5 [MQTT-1.5.4-1]): ill-formed UTF-8 closes the connection."""
    raw = connected_raw(broker, version)
    raw.send(publish_bytes(0x30, b"a/\xff\xfe", version))
    assert_closed_with(raw, 0x81)


@versions
def test_topic_with_a_null_character_is_malformed(broker, version):
    """[MQTT-1.5.3-2] (v5 [MQTT-1.5.4-2]): U+0000 must not appear in a UTF-8 string."""
    raw = connected_raw(broker, version)
    raw.send(publish_bytes(0x30, b"a\x00b", version))
    assert_closed_with(raw, 0x81)


@versions
def test_publish_topic_with_a_wildcard_is_refused(broker, version):
    """[MQTT-3.3.2-2]: no wildcards in a Topic Name; v5 says 0x90 Topic Name invalid."""
    raw = connected_raw(broker, version)
    raw.send(publish_bytes(0x30, "a/+/c", version))
    assert_closed_with(raw, 0x90)


def test_v311_publish_with_an_empty_topic_is_malformed(broker):
    """[MQTT-4.7.3-1]: topic names are at least one character long."""
    raw = connected_raw(broker, V311)
    raw.send(publish_bytes(0x30, "", V311))
    assert_closed_with(raw, 0x81)


def test_v5_publish_with_an_empty_topic_and_no_topic_alias_is_a_protocol_error(broker):
    """v5 3.3.2.1: a zero-length Topic Name without a Topic Alias is a Protocol Error."""
    raw = connected_raw(broker, V5)
    raw.send(publish_bytes(0x30, "", V5))
    assert_closed_with(raw, 0x82)


@versions
def test_string_longer_than_the_packet_is_malformed(broker, version):
    raw = connected_raw(broker, version)
    raw.send(wire.packet(0x30, struct.pack("!H", 200) + b"short"))
    assert_closed_with(raw, 0x81)


@versions
def test_subscribe_without_topic_filters_is_a_protocol_violation(broker, version):
    """3.1.1 [MQTT-3.8.3-3]; v5 [MQTT-3.8.3-2]: "A SUBSCRIBE packet with no Payload is a Protocol Error"."""
    raw = connected_raw(broker, version)
    body = b"\x00\x01" + (b"\x00" if version == V5 else b"")
    raw.send(wire.packet(0x82, body))
    assert_closed_with(raw, 0x82)


@versions
def test_unsubscribe_without_topic_filters_is_a_protocol_violation(broker, version):
    """3.1.1 [MQTT-3.10.3-2]; v5 [MQTT-3.10.3-2]: "An UNSUBSCRIBE packet with no Payload is a Protocol Error"."""
    raw = connected_raw(broker, version)
    body = b"\x00\x01" + (b"\x00" if version == V5 else b"")
    raw.send(wire.packet(0xA2, body))
    assert_closed_with(raw, 0x82)


@versions
def test_subscribe_with_requested_qos_3_is_refused(broker, version):
    """3.1.1 [MQTT-3.8.3-4]: malformed; v5 3.8.3.1: "It is a Protocol Error if the Maximum QoS field has
    the value 3"."""
    raw = connected_raw(broker, version)
    raw.send(wire.subscribe(1, [("a", 3)], version=version))
    assert_closed_with(raw, 0x82)


def test_v5_subscribe_with_reserved_option_bits_is_malformed(broker):
    """[MQTT-3.8.3-5]."""
    raw = connected_raw(broker, V5)
    raw.send(wire.subscribe(1, [("a", 0xC0)]))
    assert_closed_with(raw, 0x81)


def test_v5_no_local_on_a_shared_subscription_is_a_protocol_error(broker):
    """[MQTT-3.8.3-4]."""
    raw = connected_raw(broker, V5)
    raw.send(wire.subscribe(1, [("$share/g/a", 0x04)]))
    assert_closed_with(raw, 0x82)


def test_v5_unknown_property_is_malformed(broker):
    """v5 2.2.2.2: an identifier that is not a property is a Malformed Packet."""
    raw = connected_raw(broker, V5)
    raw.send(wire.packet(0x30, wire.string("t") + b"\x02\x7f\x00" + b"x"))
    assert_closed_with(raw, 0x81)


def test_v5_property_not_valid_in_publish_is_malformed(broker):
    """v5 2.2.2.2: a property not valid for the packet type (Session Expiry Interval in PUBLISH)."""
    raw = connected_raw(broker, V5)
    raw.send(wire.publish("t", b"x", properties=[(wire.SESSION_EXPIRY_INTERVAL, 10)]))
    assert_closed_with(raw, 0x81)


def test_v5_publish_with_a_subscription_identifier_is_a_protocol_error(broker):
    """[MQTT-3.3.4-6]: a client's PUBLISH must not carry a Subscription Identifier."""
    raw = connected_raw(broker, V5)
    raw.send(wire.publish("t", b"x", properties=[(wire.SUBSCRIPTION_IDENTIFIER, 3)]))
    assert_closed_with(raw, 0x82)


@versions
def test_server_to_client_packet_from_a_client_is_a_protocol_error(broker, version):
    """A client never sends CONNACK (or SUBACK, PINGRESP): a protocol violation."""
    raw = connected_raw(broker, version)
    raw.send(bytes([0x20, 0x02, 0x00, 0x00]) if version == V311 else bytes([0x20, 0x03, 0x00, 0x00, 0x00]))
    assert_closed_with(raw, 0x82)


@versions
def test_pingresp_from_a_client_is_a_protocol_error(broker, version):
    raw = connected_raw(broker, version)
    raw.send(bytes([0xD0, 0x00]))
    assert_closed_with(raw, 0x82)


@versions
def test_connect_with_the_reserved_flag_set_is_closed_without_connack(broker, version):
    """[MQTT-3.1.2-3]: the reserved CONNECT flag must be 0, otherwise the server disconnects.
    v5 [MQTT-4.13.1]: a CONNACK 0x81 before the close is allowed."""
    good = bytearray(wire.connect("reserved", version=version))
    good[9] |= 0x01  # connect flags: after fixed header (2), name (6), level (1)
    with RawClient(broker, version) as raw:
        raw.send(bytes(good))
        packets = raw.read_until_closed()
    if version == V5 and packets:
        assert [(p.type, wire.parse_connack(p, V5).reason) for p in packets] == [(wire.CONNACK, 0x81)]
    else:
        assert packets == []


@versions
def test_connect_with_will_qos_3_is_closed(broker, version):
    """[MQTT-3.1.2-14]: Will QoS must not be 3."""
    good = bytearray(wire.connect("will-qos3", version=version, will={"topic": "w", "payload": b"x"}))
    good[9] |= 0x18
    with RawClient(broker, version) as raw:
        raw.send(bytes(good))
        packets = raw.read_until_closed()
    if version == V5 and packets:
        assert [(p.type, wire.parse_connack(p, V5).reason) for p in packets] == [(wire.CONNACK, 0x81)]
    else:
        assert packets == []


def test_v311_password_without_username_is_closed_without_connack(broker):
    """[MQTT-3.1.2-22]: in 3.1.1 the Password Flag needs the User Name Flag."""
    with RawClient(broker, V311) as raw:
        raw.send(wire.connect("password-only", version=V311, password="secret"))
        assert raw.read_until_closed() == []


@versions
def test_will_topic_with_a_wildcard_is_refused(broker, version):
    """The Will Topic is a Topic Name: no wildcards [MQTT-3.3.2-2]; v5 may send CONNACK 0x90 first."""
    with RawClient(broker, version) as raw:
        raw.send(wire.connect("wild-will", version=version, will={"topic": "a/#", "payload": b"x"}))
        packets = raw.read_until_closed()
    if version == V5 and packets:
        assert [(p.type, wire.parse_connack(p, V5).reason) for p in packets] == [(wire.CONNACK, 0x90)]
    else:
        assert packets == []


@pytest.mark.parametrize("prop", [wire.RECEIVE_MAXIMUM, wire.MAXIMUM_PACKET_SIZE],
                         ids=["receive-maximum", "maximum-packet-size"])
def test_v5_connect_with_a_zero_limit_property_is_refused(broker, prop):
    """v5 3.1.2.11.3 / 3.1.2.11.4: a Receive Maximum or Maximum Packet Size of 0 is a Protocol Error;
    the connection is closed, after a CONNACK 0x82 if the broker sends one [MQTT-4.13.1]."""
    with RawClient(broker, V5) as raw:
        raw.send(wire.connect("zero", properties=[(prop, 0)]))
        packets = raw.read_until_closed()
    if packets:
        assert [(p.type, wire.parse_connack(p, V5).reason) for p in packets] == [(wire.CONNACK, 0x82)]


@versions
def test_bytes_after_a_malformed_packet_are_not_processed(broker, connected, version):
    """Nothing after the malformed packet is acted on: here a PUBLISH behind it is not routed."""
    watcher = connected("watcher", V5)
    watcher.subscribe("after/#", 0)
    raw = connected_raw(broker, version)
    raw.send(publish_bytes(0x36, "after/bad", version, packet_id=1) + wire.publish("after/x", b"late",
                                                                                    version=version))
    assert_closed_with(raw, 0x81)
    watcher.expect_none()


@versions
def test_broker_keeps_serving_others_after_a_malformed_packet(broker, connected, version):
    raw = connected_raw(broker, version)
    raw.send(bytes([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]))
    assert_closed_with(raw, 0x81)
    client = connected("survivor", version)
    client.subscribe("alive", 0)
    client.publish("alive", b"yes")
    assert client.expect_one().payload == b"yes"
