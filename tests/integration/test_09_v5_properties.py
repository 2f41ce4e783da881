"""09 MQTT 5 properties: the application message properties passed through
unchanged, message expiry, topic aliases in both directions (v5 3.3.2.3)."""
import time

import pytest
from paho.mqtt.packettypes import PacketTypes

import wire
from clients import properties
from wire import RawClient, V5


def test_application_properties_pass_through_unchanged(connected):
    """[MQTT-3.3.2-4] Payload Format Indicator, [MQTT-3.3.2-20] Content Type, [MQTT-3.3.2-15] Response
    Topic, [MQTT-3.3.2-16] Correlation Data, [MQTT-3.3.2-17] User Properties: forwarded unaltered."""
    subscriber = connected("sub", V5)
    subscriber.subscribe("props/t", 1)
    sent = properties(PacketTypes.PUBLISH, PayloadFormatIndicator=1, ContentType="application/json; charset=utf-8",
                      ResponseTopic="props/reply/42", CorrelationData=b"\x00\xffcorrelation",
                      UserProperty=[("site", "lab"), ("unit", "°C")])
    connected("pub", V5).publish("props/t", b'{"t": 21.5}', qos=1, props=sent)
    got = subscriber.expect_one()
    assert got.payload == b'{"t": 21.5}'
    assert got.properties.PayloadFormatIndicator == 1
    assert got.properties.ContentType == "application/json; charset=utf-8"
    assert got.properties.ResponseTopic == "props/reply/42"
    assert got.properties.CorrelationData == b"\x00\xffcorrelation"
    assert got.properties.UserProperty == [("site", "lab"), ("unit", "°C")]


def test_user_properties_keep_their_order_and_repetitions(broker):
    """[MQTT-3.3.2-18]: the order of User Properties is kept; a name may appear more than once."""
    user = [(wire.USER_PROPERTY, pair) for pair in (("b", "1"), ("a", "2"), ("b", "3"), ("", ""), ("b", "1"))]
    with RawClient(broker, V5) as subscriber, RawClient(broker, V5) as publisher:
        assert subscriber.connect("sub").reason == 0
        subscriber.subscribe([("order", 0)])
        assert publisher.connect("pub").reason == 0
        publisher.publish("order", b"x", properties=user)
        got = subscriber.read_publish()
        assert wire.props(got.properties, wire.USER_PROPERTY) == [value for _, value in user]


def test_message_without_properties_gets_none_added(broker):
    with RawClient(broker, V5) as subscriber, RawClient(broker, V5) as publisher:
        assert subscriber.connect("sub").reason == 0
        subscriber.subscribe([("bare", 0)])
        assert publisher.connect("pub").reason == 0
        publisher.publish("bare", b"x")
        assert subscriber.read_publish().properties == []


def test_request_response_with_response_topic_and_correlation_data(connected):
    """v5 4.10: a responder answers on the Response Topic with the request's Correlation Data."""
    responder = connected("responder", V5)
    responder.subscribe("service/request", 1)
    requester = connected("requester", V5)
    requester.subscribe("client/requester/reply", 1)
    requester.publish("service/request", b"ping", qos=1,
                      props=properties(PacketTypes.PUBLISH, ResponseTopic="client/requester/reply",
                                       CorrelationData=b"req-1"))
    request = responder.expect_one()
    responder.publish(request.properties.ResponseTopic, b"pong", qos=1,
                      props=properties(PacketTypes.PUBLISH, CorrelationData=request.properties.CorrelationData))
    reply = requester.expect_one()
    assert (reply.payload, reply.properties.CorrelationData) == (b"pong", b"req-1")


def test_message_expiry_interval_is_forwarded_as_the_time_remaining(broker):
    """[MQTT-3.3.2-6]: the Message Expiry Interval sent on is the received value minus the time waited."""
    with RawClient(broker, V5) as subscriber, RawClient(broker, V5) as publisher:
        assert subscriber.connect("sub").reason == 0
        subscriber.subscribe([("expiry/live", 1)])
        assert publisher.connect("pub").reason == 0
        publisher.publish("expiry/live", b"x", qos=1, properties=[(wire.MESSAGE_EXPIRY_INTERVAL, 60)])
        got = subscriber.read_publish()
        assert 55 <= wire.prop(got.properties, wire.MESSAGE_EXPIRY_INTERVAL) <= 60


def persistent_subscriber(broker, client_id, topic_filter):
    with RawClient(broker, V5) as raw:
        assert raw.connect(client_id, clean=False, properties=[(wire.SESSION_EXPIRY_INTERVAL, 300)]).reason == 0
        raw.subscribe([(topic_filter, 1)])


def test_message_expiry_interval_counts_down_while_queued(broker, connected):
    """[MQTT-3.3.2-6] for a message held in an offline session."""
    persistent_subscriber(broker, "countdown", "expiry/queued")
    connected("pub", V5).publish("expiry/queued", b"x", qos=1,
                                 props=properties(PacketTypes.PUBLISH, MessageExpiryInterval=10))
    time.sleep(1.2)
    with RawClient(broker, V5) as raw:
        assert raw.connect("countdown", clean=False, properties=[(wire.SESSION_EXPIRY_INTERVAL, 300)]).session_present
        got = raw.read_publish()
        assert 1 <= wire.prop(got.properties, wire.MESSAGE_EXPIRY_INTERVAL) <= 9


def test_expired_message_is_not_delivered_to_a_reconnecting_client(broker, connected):
    """[MQTT-3.3.2-5]: a message whose expiry interval has passed is not sent on."""
    persistent_subscriber(broker, "late", "expiry/drop")
    publisher = connected("pub", V5)
    publisher.publish("expiry/drop", b"stale", qos=1, props=properties(PacketTypes.PUBLISH, MessageExpiryInterval=1))
    publisher.publish("expiry/drop", b"fresh", qos=1,
                      props=properties(PacketTypes.PUBLISH, MessageExpiryInterval=300))
    time.sleep(1.5)
    with RawClient(broker, V5) as raw:
        assert raw.connect("late", clean=False, properties=[(wire.SESSION_EXPIRY_INTERVAL, 300)]).session_present
        got = raw.read_publish()
        assert got.payload == b"fresh"
        raw.send(wire.puback(got.packet_id))
        raw.assert_silent()


def test_expired_retained_message_is_not_sent_on_subscribe(connected):
    """[MQTT-3.3.2-5] applies to retained messages too."""
    publisher = connected("pub", V5)
    publisher.publish("expiry/retained", b"old", qos=1, retain=True,
                      props=properties(PacketTypes.PUBLISH, MessageExpiryInterval=1))
    time.sleep(1.5)
    subscriber = connected("sub", V5)
    subscriber.subscribe("expiry/retained", 1)
    subscriber.expect_none()


def test_topic_alias_from_the_client_resolves_to_its_topic(broker):
    """v5 3.3.2.3.4: a PUBLISH with topic and alias sets the mapping; one with an empty topic uses it;
    a later PUBLISH may map the alias to another topic. Subscribers see full topic names."""
    with RawClient(broker, V5) as subscriber, RawClient(broker, V5) as publisher:
        assert subscriber.connect("sub").reason == 0
        subscriber.subscribe([("alias/#", 0)])
        assert publisher.connect("aliaser").reason == 0
        publisher.publish("alias/long/topic/name", b"1", properties=[(wire.TOPIC_ALIAS, 1)])
        publisher.publish("", b"2", properties=[(wire.TOPIC_ALIAS, 1)])
        publisher.publish("alias/other", b"3", properties=[(wire.TOPIC_ALIAS, 1)])
        publisher.publish("", b"4", properties=[(wire.TOPIC_ALIAS, 1)])
        got = [subscriber.read_publish() for _ in range(4)]
        assert [(m.topic, m.payload) for m in got] == [("alias/long/topic/name", b"1"), ("alias/long/topic/name", b"2"),
                                                      ("alias/other", b"3"), ("alias/other", b"4")]
        assert all(wire.prop(m.properties, wire.TOPIC_ALIAS) is None for m in got)


def test_broker_sends_topic_aliases_up_to_the_clients_maximum(broker):
    """[MQTT-3.3.2-9]: no alias above the client's Topic Alias Maximum (2 here, below the broker's 10); the
    first PUBLISH of a topic carries topic and alias, later ones the alias and an empty topic [MQTT-3.3.2-13];
    topics beyond the maximum go out in full."""
    with RawClient(broker, V5) as subscriber, RawClient(broker, V5) as publisher:
        assert subscriber.connect("aliased-sub", properties=[(wire.TOPIC_ALIAS_MAXIMUM, 2)]).reason == 0
        subscriber.subscribe([("out/#", 0)])
        assert publisher.connect("plain-pub").reason == 0
        topics = ["out/a", "out/b", "out/c", "out/a", "out/b", "out/c"]
        for index, topic in enumerate(topics):
            publisher.publish(topic, str(index).encode())
        got = [subscriber.read_publish() for _ in topics]
    assert [(m.topic, wire.prop(m.properties, wire.TOPIC_ALIAS), m.payload) for m in got] == [
        ("out/a", 1, b"0"), ("out/b", 2, b"1"), ("out/c", None, b"2"),
        ("", 1, b"3"), ("", 2, b"4"), ("out/c", None, b"5")]


def test_no_topic_aliases_toward_a_client_that_allows_none(broker):
    """[MQTT-3.3.2-8]: without a Topic Alias Maximum in its CONNECT, a client gets full topics only."""
    with RawClient(broker, V5) as subscriber, RawClient(broker, V5) as publisher:
        assert subscriber.connect("no-alias-sub").reason == 0
        subscriber.subscribe([("full/#", 0)])
        assert publisher.connect("plain-pub").reason == 0
        for _ in range(3):
            publisher.publish("full/topic", b"x")
        got = [subscriber.read_publish() for _ in range(3)]
    assert all(m.topic == "full/topic" and wire.prop(m.properties, wire.TOPIC_ALIAS) is None for m in got)


def test_retained_message_published_with_a_topic_alias_is_kept_under_its_topic(broker, connected):
    with RawClient(broker, V5) as publisher:
        assert publisher.connect("aliaser").reason == 0
        publisher.publish("alias/retained", b"first", properties=[(wire.TOPIC_ALIAS, 2)])
        publisher.publish("", b"kept", qos=1, retain=True, packet_id=1, properties=[(wire.TOPIC_ALIAS, 2)])
        publisher.expect(wire.PUBACK)
    subscriber = connected("sub", V5)
    subscriber.subscribe("alias/#", 1)
    message = subscriber.expect_one()
    assert (message.topic, message.payload, message.retain) == ("alias/retained", b"kept", True)


def test_retained_message_is_sent_with_its_remaining_expiry_interval(connected):
    """[MQTT-3.3.2-6] for a retained message sent on subscribe."""
    connected("pub", V5).publish("expiry/kept", b"r", qos=1, retain=True,
                                 props=properties(PacketTypes.PUBLISH, MessageExpiryInterval=120))
    subscriber = connected("sub", V5)
    subscriber.subscribe("expiry/kept", 1)
    assert 110 <= subscriber.expect_one().properties.MessageExpiryInterval <= 120


def test_topic_alias_through_paho(connected):
    subscriber = connected("sub", V5)
    subscriber.subscribe("paho/alias", 1)
    publisher = connected("pub", V5)
    publisher.publish("paho/alias", b"a", qos=1, props=properties(PacketTypes.PUBLISH, TopicAlias=3))
    publisher.publish("", b"b", qos=1, props=properties(PacketTypes.PUBLISH, TopicAlias=3))
    assert [(m.topic, m.payload) for m in subscriber.expect(2)] == [("paho/alias", b"a"), ("paho/alias", b"b")]


def test_topic_aliases_are_per_connection(broker):
    """v5 3.3.2.3.4: mappings do not carry over to another connection: an unknown alias is a Protocol Error."""
    with RawClient(broker, V5) as first:
        assert first.connect("one").reason == 0
        first.publish("alias/a", b"x", properties=[(wire.TOPIC_ALIAS, 1)])
        with RawClient(broker, V5) as second:
            assert second.connect("two").reason == 0
            second.publish("", b"x", properties=[(wire.TOPIC_ALIAS, 1)])
            packets = second.read_until_closed()
    assert [(p.type, wire.disconnect_reason(p)) for p in packets] == [(wire.DISCONNECT, 0x82)]


@pytest.mark.parametrize("alias", [11, 0xFFFF])
def test_topic_alias_above_the_maximum_gets_disconnect_0x94(broker, alias):
    """[MQTT-3.3.2-9] / 3.3.2.3.4: a Topic Alias above the CONNACK's Topic Alias Maximum (10 by default):
    DISCONNECT 0x94 Topic Alias invalid."""
    with RawClient(broker, V5) as raw:
        connack = raw.connect("too-high")
        assert wire.prop(connack.properties, wire.TOPIC_ALIAS_MAXIMUM) == 10
        raw.publish("t", b"x", properties=[(wire.TOPIC_ALIAS, alias)])
        packets = raw.read_until_closed()
    assert [(p.type, wire.disconnect_reason(p)) for p in packets] == [(wire.DISCONNECT, 0x94)]


def test_topic_alias_0_gets_disconnect_0x94(broker):
    """[MQTT-3.3.2-8]: a Topic Alias of 0 is not permitted. The spec names no reason code for it;
    mqwarden answers as for an alias above the maximum, 0x94 Topic Alias invalid."""
    with RawClient(broker, V5) as raw:
        assert raw.connect("zero-alias").reason == 0
        raw.publish("t", b"x", properties=[(wire.TOPIC_ALIAS, 0)])
        packets = raw.read_until_closed()
    assert [(p.type, wire.disconnect_reason(p)) for p in packets] == [(wire.DISCONNECT, 0x94)]


def test_no_topic_aliases_when_the_maximum_is_0(start_broker):
    """limits.max_topic_alias = 0: the CONNACK has no Topic Alias Maximum (so 0 [MQTT-3.2.2-17 area]) and any
    alias is invalid."""
    broker = start_broker("[limits]\nmax_topic_alias = 0\n")
    with RawClient(broker, V5) as raw:
        connack = raw.connect("no-aliases")
        assert wire.prop(connack.properties, wire.TOPIC_ALIAS_MAXIMUM, 0) == 0
        raw.publish("t", b"x", properties=[(wire.TOPIC_ALIAS, 1)])
        packets = raw.read_until_closed()
    assert [(p.type, wire.disconnect_reason(p)) for p in packets] == [(wire.DISCONNECT, 0x94)]
