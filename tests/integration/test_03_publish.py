"""03 publish: QoS 0, 1 and 2 in both directions, packet identifiers,
exactly-once receipt, in-flight windows, maximum packet size
(MQTT 3.1.1 / 5.0 sections 3.3-3.7, 4.3, 4.9)."""
import pytest

import wire
from clients import both_versions
from wire import RawClient, V311, V5


@both_versions
@pytest.mark.parametrize("qos", [0, 1, 2])
def test_publish_and_deliver_at_each_qos(connected, protocol, qos):
    subscriber = connected("sub", protocol)
    subscriber.subscribe("qos/t", qos)
    publisher = connected("pub", protocol)
    payloads = [f"message {i}".encode() for i in range(5)]
    for payload in payloads:
        publisher.publish("qos/t", payload, qos=qos)
    got = subscriber.expect(5)
    assert [m.payload for m in got] == payloads, "in order [MQTT-4.6.0-5]"
    assert {m.qos for m in got} == {qos}
    assert not any(m.retain for m in got)
    subscriber.expect_none(0.2)


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
def test_qos1_publish_is_acknowledged_with_puback_of_its_packet_identifier(broker, version):
    """[MQTT-4.3.2-4] (v5 [MQTT-4.3.2-5])."""
    with RawClient(broker, version) as raw:
        assert raw.connect("q1").reason == 0
        raw.publish("t", b"x", qos=1, packet_id=0x1234)
        pkt = raw.expect(wire.PUBACK)
        assert pkt.body[:2] == b"\x12\x34"
        # v5: 0x00 Success, or 0x10 No matching subscribers, which a server MAY send (3.4.2.1)
        assert pkt.body[2:] in ((b"",) if version == V311 else (b"", b"\x00", b"\x10", b"\x00\x00", b"\x10\x00"))


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
def test_qos2_publish_exchange_pubrec_pubrel_pubcomp(broker, version):
    """[MQTT-4.3.3-8], [MQTT-4.3.3-11]."""
    with RawClient(broker, version) as raw:
        assert raw.connect("q2").reason == 0
        raw.publish("t", b"x", qos=2, packet_id=77)
        assert raw.expect(wire.PUBREC).body[:2] == b"\x00\x4d"
        raw.send(wire.pubrel(77))
        pkt = raw.expect(wire.PUBCOMP)
        assert pkt.body[:2] == b"\x00\x4d"
        assert pkt.body[2:] in (b"", b"\x00")


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
def test_qos2_delivery_to_a_raw_subscriber_follows_the_exchange(broker, connected, version):
    """The broker as QoS 2 sender: PUBLISH, PUBREC from the client, PUBREL, PUBCOMP [MQTT-4.3.3-1..5]."""
    with RawClient(broker, version) as subscriber:
        assert subscriber.connect("raw-sub").reason == 0
        assert subscriber.subscribe([("d/t", 2)]) == [2]
        connected("pub", version).publish("d/t", b"two", qos=2)
        got = subscriber.read_publish()
        assert (got.topic, got.payload, got.qos, got.dup) == ("d/t", b"two", 2, False)
        assert got.packet_id != 0
        subscriber.send(wire.pubrec(got.packet_id))
        pubrel = subscriber.expect(wire.PUBREL)
        assert pubrel.flags == 0x02 and pubrel.body[:2] == got.packet_id.to_bytes(2, "big")
        subscriber.send(wire.pubcomp(got.packet_id))
        subscriber.assert_silent()


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
def test_qos1_deliveries_use_distinct_packet_identifiers(broker, connected, version):
    """[MQTT-2.3.1-2]: an identifier in use is not reused until acknowledged."""
    with RawClient(broker, version) as subscriber:
        assert subscriber.connect("ids").reason == 0
        subscriber.subscribe([("i/t", 1)])
        publisher = connected("pub", version)
        for index in range(5):
            publisher.publish("i/t", str(index).encode(), qos=1)
        got = [subscriber.read_publish() for _ in range(5)]
        assert [m.payload for m in got] == [b"0", b"1", b"2", b"3", b"4"]
        assert len({m.packet_id for m in got}) == 5 and 0 not in {m.packet_id for m in got}


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
def test_qos2_duplicate_publish_before_pubrel_is_delivered_once(broker, connected, version):
    """[MQTT-4.3.3-9] (v5 [MQTT-4.3.3-10]): the same packet identifier again, with DUP, before PUBREL
    is the same message: acknowledged again, not routed again."""
    subscriber = connected("sub", version)
    subscriber.subscribe("once/t", 2)
    with RawClient(broker, version) as publisher:
        assert publisher.connect("dup-pub").reason == 0
        publisher.publish("once/t", b"exactly once", qos=2, packet_id=9)
        assert publisher.expect(wire.PUBREC).body[:2] == b"\x00\x09"
        publisher.publish("once/t", b"exactly once", qos=2, packet_id=9, dup=True)
        assert publisher.expect(wire.PUBREC).body[:2] == b"\x00\x09"
        publisher.send(wire.pubrel(9))
        publisher.expect(wire.PUBCOMP)
        assert subscriber.expect_one().payload == b"exactly once"
        subscriber.expect_none()
        # once released, the identifier starts a new message
        publisher.publish("once/t", b"next", qos=2, packet_id=9)
        publisher.expect(wire.PUBREC)
        publisher.send(wire.pubrel(9))
        publisher.expect(wire.PUBCOMP)
        assert subscriber.expect_one().payload == b"next"


def test_v5_pubrel_for_an_unknown_packet_identifier_gets_pubcomp_0x92(broker):
    """v5 3.7.2.1: PUBCOMP 0x92 Packet Identifier not found."""
    with RawClient(broker, V5) as raw:
        assert raw.connect("unknown-rel").reason == 0
        raw.send(wire.pubrel(321))
        assert raw.expect(wire.PUBCOMP).body[:3] == b"\x01\x41\x92"


def test_v311_pubrel_for_an_unknown_packet_identifier_gets_pubcomp(broker):
    """3.1.1 4.3.3: the receiver answers every PUBREL with PUBCOMP of the same identifier."""
    with RawClient(broker, V311) as raw:
        assert raw.connect("unknown-rel").reason == 0
        raw.send(wire.pubrel(321))
        assert raw.expect(wire.PUBCOMP).body == b"\x01\x41"


def test_v5_client_exceeding_the_broker_receive_maximum_is_disconnected_with_0x93(start_broker):
    """[MQTT-3.3.4-9]: more unacknowledged QoS 2 PUBLISHes than the Receive Maximum → DISCONNECT 0x93."""
    broker = start_broker("[limits]\nmax_inflight_messages = 2\n")
    with RawClient(broker, V5) as raw:
        connack = raw.connect("greedy")
        assert wire.prop(connack.properties, wire.RECEIVE_MAXIMUM) == 2
        for packet_id in (1, 2):
            raw.publish("t", b"x", qos=2, packet_id=packet_id)
            raw.expect(wire.PUBREC)
        raw.publish("t", b"x", qos=2, packet_id=3)
        packets = raw.read_until_closed()
    assert [(p.type, wire.disconnect_reason(p)) for p in packets] == [(wire.DISCONNECT, 0x93)]


def test_v311_client_is_not_held_to_a_receive_maximum_it_was_never_told(start_broker):
    """3.1.1 has no Receive Maximum: many unreleased QoS 2 PUBLISHes are acknowledged, not punished."""
    broker = start_broker("[limits]\nmax_inflight_messages = 2\n")
    with RawClient(broker, V311) as raw:
        assert raw.connect("old-client").reason == 0
        for packet_id in range(1, 11):
            raw.publish("t", b"x", qos=2, packet_id=packet_id)
            raw.expect(wire.PUBREC)
        for packet_id in range(1, 11):
            raw.send(wire.pubrel(packet_id))
            assert raw.expect(wire.PUBCOMP).body == packet_id.to_bytes(2, "big")


def test_v5_released_qos2_messages_free_the_receive_window(start_broker):
    broker = start_broker("[limits]\nmax_inflight_messages = 2\n")
    with RawClient(broker, V5) as raw:
        assert raw.connect("polite").reason == 0
        for packet_id in range(1, 7):
            raw.publish("t", b"x", qos=2, packet_id=packet_id)
            raw.expect(wire.PUBREC)
            raw.send(wire.pubrel(packet_id))
            raw.expect(wire.PUBCOMP)


def test_v5_broker_respects_the_client_receive_maximum(broker, connected):
    """[MQTT-3.3.4-7]: no more unacknowledged QoS 1/2 PUBLISHes than the client's Receive Maximum;
    the rest follow as acknowledgements free the window, in order."""
    with RawClient(broker, V5) as subscriber:
        assert subscriber.connect("slow", properties=[(wire.RECEIVE_MAXIMUM, 2)]).reason == 0
        subscriber.subscribe([("w/t", 1)])
        publisher = connected("pub", V5)
        for index in range(5):
            publisher.publish("w/t", str(index).encode(), qos=1)
        first = [subscriber.read_publish() for _ in range(2)]
        subscriber.assert_silent()
        subscriber.send(wire.puback(first[0].packet_id))
        third = subscriber.read_publish()
        subscriber.assert_silent()
        subscriber.send(wire.puback(first[1].packet_id))
        subscriber.send(wire.puback(third.packet_id))
        rest = [subscriber.read_publish() for _ in range(2)]
        assert [m.payload for m in first + [third] + rest] == [b"0", b"1", b"2", b"3", b"4"]


def test_v5_publish_larger_than_max_packet_size_gets_disconnect_0x95(start_broker):
    """[MQTT-3.2.2-15] (the broker's Maximum Packet Size): DISCONNECT 0x95 Packet too large."""
    broker = start_broker("[limits]\nmax_packet_size = 1024\n")
    with RawClient(broker, V5) as raw:
        assert raw.connect("big").reason == 0
        raw.publish("t", b"x" * 900)  # fits
        raw.send(wire.pingreq())
        raw.expect(wire.PINGRESP)
        raw.publish("t", b"x" * 2000)
        packets = raw.read_until_closed()
    assert [(p.type, wire.disconnect_reason(p)) for p in packets] == [(wire.DISCONNECT, 0x95)]


def test_v311_publish_larger_than_max_packet_size_closes_the_connection(start_broker):
    broker = start_broker("[limits]\nmax_packet_size = 1024\n")
    with RawClient(broker, V311) as raw:
        assert raw.connect("big").reason == 0
        raw.publish("t", b"x" * 2000)
        assert raw.read_until_closed() == []


def test_v5_message_larger_than_the_client_maximum_packet_size_is_not_sent(broker, connected):
    """[MQTT-3.1.2-24] (v5 numbering [MQTT-3.1.2-25]): the broker does not send a packet larger than the
    client's Maximum Packet Size; it discards the message and the connection stays up."""
    with RawClient(broker, V5) as subscriber:
        assert subscriber.connect("small", properties=[(wire.MAXIMUM_PACKET_SIZE, 200)]).reason == 0
        subscriber.subscribe([("size/#", 1)])
        publisher = connected("pub", V5)
        publisher.publish("size/big", b"B" * 500, qos=1)
        publisher.publish("size/small", b"s" * 10, qos=1)
        got = subscriber.read_publish()
        assert (got.topic, got.payload) == ("size/small", b"s" * 10)
        subscriber.send(wire.puback(got.packet_id))
        subscriber.assert_silent()


@both_versions
def test_publish_to_a_topic_without_subscribers_is_acknowledged(connected, protocol):
    publisher = connected("lonely", protocol)
    for qos in (0, 1, 2):
        publisher.publish("nobody/listens", b"x", qos=qos)


@both_versions
def test_zero_length_payload_is_delivered(connected, protocol):
    subscriber = connected("sub", protocol)
    subscriber.subscribe("empty", 1)
    connected("pub", protocol).publish("empty", b"", qos=1)
    assert subscriber.expect_one().payload == b""


@both_versions
def test_large_payload_is_delivered_intact(connected, protocol):
    subscriber = connected("sub", protocol)
    subscriber.subscribe("large", 1)
    payload = bytes(range(256)) * 4096  # 1 MiB
    connected("pub", protocol).publish("large", payload, qos=1)
    assert subscriber.expect_one().payload == payload


def test_v311_messages_fan_out_to_many_subscribers(connected):
    subscribers = [connected(f"fan-{i}", V311) for i in range(5)]
    for subscriber in subscribers:
        subscriber.subscribe("fan/out", 1)
    connected("pub", V311).publish("fan/out", b"all", qos=1)
    for subscriber in subscribers:
        assert subscriber.expect_one().payload == b"all"


@pytest.mark.parametrize("qos", [1, 2])
def test_concurrent_publishers_every_message_arrives_once_in_per_publisher_order(connected, qos):
    """Publishers and subscribers spread over the broker's worker threads: each subscriber gets every
    message once, and each publisher's messages in the order sent [MQTT-4.6.0-5]."""
    subscribers = [connected(f"sub-{i}", V5) for i in range(3)]
    for subscriber in subscribers:
        subscriber.subscribe("load/#", qos)
    publishers = [connected(f"pub-{i}", V311 if i % 2 else V5) for i in range(4)]
    count = 150
    infos = []
    for index in range(count):
        for number, publisher in enumerate(publishers):
            infos.append(publisher.client.publish(f"load/{number}", f"{number}:{index}".encode(), qos))
    for info in infos:
        info.wait_for_publish(10)
        assert info.is_published()
    for subscriber in subscribers:
        got = [m.payload.decode() for m in subscriber.expect(count * len(publishers), timeout=20)]
        for number in range(len(publishers)):
            mine = [int(text.split(":")[1]) for text in got if text.startswith(f"{number}:")]
            assert mine == list(range(count))
        subscriber.expect_none(0.2)
