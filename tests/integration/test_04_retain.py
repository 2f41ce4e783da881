"""04 retain: retained messages set, replaced and cleared; the RETAIN flag on
delivery; retain handling and retain as published (v5)
(MQTT 3.1.1 3.3.1.3; 5.0 3.3.1.3, 3.8.3.1)."""
import pytest
from paho.mqtt.subscribeoptions import SubscribeOptions

import wire
from clients import both_versions
from wire import RawClient, V311, V5


@both_versions
def test_retained_message_is_sent_on_subscribe_with_retain_set(connected, protocol):
    """[MQTT-3.3.1-5], [MQTT-3.3.1-6]; RETAIN 1 on messages sent for a new subscription [MQTT-3.3.1-8]."""
    connected("pub", protocol).publish("status/door", b"open", qos=1, retain=True)
    subscriber = connected("sub", protocol)
    subscriber.subscribe("status/#", 1)
    message = subscriber.expect_one()
    assert (message.topic, message.payload, message.retain, message.qos) == ("status/door", b"open", True, 1)
    subscriber.expect_none(0.2)


@both_versions
def test_live_message_has_retain_cleared_for_an_established_subscription(connected, protocol):
    """[MQTT-3.3.1-9] (v5: with Retain As Published 0 [MQTT-3.3.1-12])."""
    subscriber = connected("sub", protocol)
    subscriber.subscribe("live/t", 0)
    connected("pub", protocol).publish("live/t", b"now", retain=True)
    message = subscriber.expect_one()
    assert (message.payload, message.retain) == (b"now", False)


@both_versions
def test_retained_message_is_replaced_by_a_newer_one(connected, protocol):
    """[MQTT-3.3.1-5]: the new retained message replaces the old one on that topic."""
    publisher = connected("pub", protocol)
    publisher.publish("temp", b"20", qos=1, retain=True)
    publisher.publish("temp", b"21", qos=1, retain=True)
    subscriber = connected("sub", protocol)
    subscriber.subscribe("temp", 1)
    assert subscriber.expect_one().payload == b"21"
    subscriber.expect_none(0.2)


@both_versions
def test_retained_message_is_cleared_by_an_empty_payload(connected, protocol):
    """[MQTT-3.3.1-10], [MQTT-3.3.1-11]: a zero-byte retained PUBLISH removes the retained message
    and is itself not retained."""
    publisher = connected("pub", protocol)
    publisher.publish("gone", b"here", qos=1, retain=True)
    publisher.publish("gone", b"", qos=1, retain=True)
    subscriber = connected("sub", protocol)
    subscriber.subscribe("gone", 1)
    subscriber.expect_none()


@both_versions
def test_empty_retained_publish_is_still_delivered_to_existing_subscribers(connected, protocol):
    """[MQTT-3.3.1-10]: delivered to current subscribers as normal."""
    subscriber = connected("sub", protocol)
    subscriber.subscribe("clear/me", 0)
    connected("pub", protocol).publish("clear/me", b"", retain=True)
    assert subscriber.expect_one().payload == b""


@both_versions
def test_non_retained_publish_leaves_the_retained_message(connected, protocol):
    """[MQTT-3.3.1-12] (3.1.1): RETAIN 0 neither stores nor removes a retained message."""
    publisher = connected("pub", protocol)
    publisher.publish("keep", b"retained", qos=1, retain=True)
    publisher.publish("keep", b"ordinary", qos=1)
    subscriber = connected("sub", protocol)
    subscriber.subscribe("keep", 1)
    assert subscriber.expect_one().payload == b"retained"
    subscriber.expect_none(0.2)


@both_versions
def test_wildcard_subscription_receives_every_matching_retained_message(connected, protocol):
    publisher = connected("pub", protocol)
    for room in ("kitchen", "hall", "attic"):
        publisher.publish(f"house/{room}/light", room.encode(), qos=1, retain=True)
    publisher.publish("garden/light", b"no", qos=1, retain=True)
    subscriber = connected("sub", protocol)
    subscriber.subscribe("house/+/light", 1)
    assert sorted(m.payload for m in subscriber.expect(3)) == [b"attic", b"hall", b"kitchen"]
    subscriber.expect_none(0.2)


@pytest.mark.parametrize("topic_filter, topic, matches", [
    ("a/+/c", "a/b/c", True),
    ("a/+/c", "a/b/x/c", False),
    ("a/#", "a", True),  # [MQTT-4.7.1-2]
    ("a/+", "a/", True),
    ("+/+", "/x", True),
    ("+", "/x", False),
    ("a/b", "a/B", False),
    ("#", "$data/x", False),  # [MQTT-4.7.2-1]
    ("+/x", "$data/x", False),
    ("$data/#", "$data/x", True),
])
def test_retained_messages_match_filters_like_live_ones(broker, topic_filter, topic, matches):
    """Retained messages are matched against a new subscription's filter by the rules of 4.7."""
    with RawClient(broker, V311) as publisher:
        assert publisher.connect("pub").reason == 0
        publisher.publish(topic, b"r", qos=1, retain=True, packet_id=1)
        publisher.expect(wire.PUBACK)
        publisher.publish("$marker", b"m", qos=1, retain=True, packet_id=2)  # matched by none of the filters
        publisher.expect(wire.PUBACK)
    with RawClient(broker, V311) as subscriber:
        assert subscriber.connect("sub").reason == 0
        subscriber.subscribe([(topic_filter, 0)], packet_id=1)
        if matches:
            got = subscriber.read_publish()
            assert (got.topic, got.payload, got.retain) == (topic, b"r", True)
        subscriber.subscribe([("$marker", 0)], packet_id=2)  # retained messages come in order after SUBACK
        got = subscriber.read_publish()
        assert got.topic == "$marker"


@both_versions
def test_retained_message_is_sent_at_the_lower_of_its_and_the_subscription_qos(connected, protocol):
    connected("pub", protocol).publish("downgrade", b"x", qos=2, retain=True)
    subscriber = connected("sub", protocol)
    subscriber.subscribe("downgrade", 0)
    assert subscriber.expect_one().qos == 0


@both_versions
def test_resubscribing_sends_the_retained_message_again(connected, protocol):
    """3.1.1 [MQTT-3.8.4-3] / v5 retain handling 0: retained messages are re-sent on a repeated SUBSCRIBE."""
    connected("pub", protocol).publish("again", b"r", qos=1, retain=True)
    subscriber = connected("sub", protocol)
    subscriber.subscribe("again", 1)
    assert subscriber.expect_one().payload == b"r"
    subscriber.subscribe("again", 1)
    assert subscriber.expect_one().payload == b"r"


def test_v5_retain_handling_1_sends_retained_only_for_a_new_subscription(connected):
    """v5 3.8.3.1 Retain Handling 1 [MQTT-3.3.1-10 (v5)]."""
    connected("pub", V5).publish("rh1", b"r", qos=1, retain=True)
    subscriber = connected("sub", V5)
    subscriber.subscribe("rh1", options=SubscribeOptions(qos=1, retainHandling=1))
    assert subscriber.expect_one().payload == b"r"
    subscriber.subscribe("rh1", options=SubscribeOptions(qos=1, retainHandling=1))
    subscriber.expect_none()


def test_v5_retain_handling_2_sends_no_retained_messages(connected):
    """v5 3.8.3.1 Retain Handling 2 [MQTT-3.3.1-11 (v5)]."""
    connected("pub", V5).publish("rh2", b"r", qos=1, retain=True)
    subscriber = connected("sub", V5)
    subscriber.subscribe("rh2", options=SubscribeOptions(qos=1, retainHandling=2))
    subscriber.expect_none()
    connected("pub2", V5).publish("rh2", b"live", qos=1)
    assert subscriber.expect_one().payload == b"live"


def test_v5_retain_as_published_keeps_the_retain_flag_on_live_messages(connected):
    """[MQTT-3.3.1-13] (v5): Retain As Published 1 forwards RETAIN as the publisher set it."""
    subscriber = connected("sub", V5)
    subscriber.subscribe("rap/#", options=SubscribeOptions(qos=0, retainAsPublished=True))
    publisher = connected("pub", V5)
    publisher.publish("rap/retained", b"r", retain=True)
    publisher.publish("rap/plain", b"p", retain=False)
    got = {m.topic: m.retain for m in subscriber.expect(2)}
    assert got == {"rap/retained": True, "rap/plain": False}


def test_v5_retained_messages_are_not_sent_for_a_shared_subscription(connected):
    """v5 3.3.1.3: retained messages are sent when a new Non-shared Subscription is made; a shared
    subscription gets none."""
    connected("pub", V5).publish("shared/retained", b"r", qos=1, retain=True)
    member = connected("member", V5)
    member.subscribe("$share/g/shared/retained", 1)
    member.expect_none()


def test_v5_retained_message_carries_the_subscription_identifier(broker):
    """[MQTT-3.3.4-3] applies to retained messages sent on subscribe too."""
    with RawClient(broker, V5) as publisher:
        assert publisher.connect("pub").reason == 0
        publisher.publish("sid/retained", b"r", qos=1, retain=True, packet_id=1)
        publisher.expect(wire.PUBACK)
    with RawClient(broker, V5) as subscriber:
        assert subscriber.connect("sub").reason == 0
        subscriber.subscribe([("sid/#", 1)], properties=[(wire.SUBSCRIPTION_IDENTIFIER, 5)])
        got = subscriber.read_publish()
        assert (got.payload, got.retain) == (b"r", True)
        assert wire.props(got.properties, wire.SUBSCRIPTION_IDENTIFIER) == [5]
