"""02 subscribe: wildcard matching, SUBACK codes, UNSUBSCRIBE, overlapping
subscriptions, subscription identifiers, no local, shared subscriptions
(MQTT 3.1.1 / 5.0 sections 3.8-3.11, 4.7, 4.8)."""
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.subscribeoptions import SubscribeOptions

import wire
from clients import both_versions, properties
from wire import RawClient, V311, V5


@both_versions
def test_subscribe_with_wildcards_receives_matching_topics_only(connected, protocol):
    subscriber = connected("sub", protocol)
    assert subscriber.subscribe([("sensors/+/temp", 0), ("home/#", 0)]) == [0, 0]
    publisher = connected("pub", protocol)
    for topic in ("sensors/kitchen/temp", "sensors/kitchen/humidity", "home", "home/a/b", "homes/a", "sensors/temp"):
        publisher.publish(topic, topic.encode())
    got = sorted(m.topic for m in subscriber.expect(3))
    assert got == ["home", "home/a/b", "sensors/kitchen/temp"]
    subscriber.expect_none()


@pytest.mark.parametrize("topic_filter, topic, matches", [
    ("a/b/c", "a/b/c", True),
    ("a/b/c", "a/b/C", False),  # case-sensitive [MQTT-4.7.3-4]
    ("a/+/c", "a/b/c", True),
    ("a/+/c", "a/b/x/c", False),
    ("+/+", "/x", True),  # a leading "/" makes an empty level
    ("+", "/x", False),
    ("a/#", "a", True),  # "#" matches the parent level too [MQTT-4.7.1-2]
    ("a/+", "a/", True),  # an empty level
    ("#", "$ops/uptime", False),  # [MQTT-4.7.2-1]; any $-topic (clients may not publish to $SYS)
    ("+/uptime", "$ops/uptime", False),  # [MQTT-4.7.2-1]
    ("$ops/#", "$ops/uptime", True),
    ("#", "any/thing/at/all", True),
    ("café/+", "café/☕", True),  # UTF-8 levels
    ("a/b", "a/b/", False),  # a trailing "/" is another level
])
def test_wildcard_matching(broker, topic_filter, topic, matches):
    with RawClient(broker, V311) as subscriber, RawClient(broker, V311) as publisher:
        assert subscriber.connect("sub").reason == 0
        assert subscriber.subscribe([(topic_filter, 0), ("marker", 0)]) == [0, 0]
        assert publisher.connect("pub").reason == 0
        publisher.publish(topic, b"m")
        publisher.publish("marker", b"end")  # routed after `topic`: same publisher, same QoS
        got = subscriber.read_publish()
        if matches:
            assert (got.topic, got.payload) == (topic, b"m")
            got = subscriber.read_publish()
        assert (got.topic, got.payload) == ("marker", b"end")


@both_versions
def test_unsubscribe_stops_delivery(connected, protocol):
    subscriber = connected("sub", protocol)
    subscriber.subscribe([("keep/#", 0), ("drop/#", 0)])
    subscriber.unsubscribe("drop/#")
    publisher = connected("pub", protocol)
    publisher.publish("drop/x", b"no")
    publisher.publish("keep/x", b"yes")
    assert subscriber.expect_one().topic == "keep/x"
    subscriber.expect_none()


def test_v5_unsuback_codes_say_whether_the_subscription_existed(broker):
    """UNSUBACK 0x00 Success / 0x11 No subscription existed, per filter (v5 3.11.3)."""
    with RawClient(broker, V5) as raw:
        assert raw.connect("unsub").reason == 0
        raw.subscribe([("a/b", 0)])
        raw.send(wire.unsubscribe(9, ["a/b", "not/subscribed"]))
        assert wire.parse_ack_codes(raw.expect(wire.UNSUBACK), V5) == (9, [0x00, 0x11])


def test_v311_unsuback_has_the_packet_identifier_only(broker):
    """3.1.1 UNSUBACK: remaining length 2, even for a filter that was not subscribed [MQTT-3.10.4-5]."""
    with RawClient(broker, V311) as raw:
        assert raw.connect("unsub").reason == 0
        raw.send(wire.unsubscribe(9, ["not/subscribed"], version=V311))
        assert raw.expect(wire.UNSUBACK).body == b"\x00\x09"


@pytest.mark.parametrize("version, invalid_code", [(V311, 0x80), (V5, 0x8F)], ids=["v311", "v5"])
def test_suback_has_a_code_per_filter_and_refuses_invalid_filters(broker, version, invalid_code):
    """[MQTT-3.8.4-6] one code per filter, in order; [MQTT-4.7.1-1..3] invalid wildcards are refused:
    0x80 Failure in 3.1.1, 0x8F Topic Filter invalid in v5. The valid filters are still granted."""
    with RawClient(broker, version) as raw:
        assert raw.connect("codes").reason == 0
        codes = raw.subscribe([("ok/#", 1), ("bad/#/x", 0), ("a+/b", 0), ("x/y", 2), ("", 0), ("z", 0)])
        assert codes == [1, invalid_code, invalid_code, 2, invalid_code, 0]
        # the granted ones work
        raw.publish("x/y", b"p")
        assert raw.read_publish().topic == "x/y"


def test_v5_invalid_shared_subscription_filter_is_refused(broker):
    """v5 4.8.2: a ShareName must be present and contain no wildcards, and a filter must follow."""
    with RawClient(broker, V5) as raw:
        assert raw.connect("shared-codes").reason == 0
        assert raw.subscribe([("$share/grp", 0), ("$share/g+/x", 0), ("$share//x", 0), ("$share/ok/x", 1)]) == [
            0x8F, 0x8F, 0x8F, 1]


@both_versions
def test_overlapping_subscriptions_deliver_one_copy_at_the_highest_qos(connected, protocol):
    """v5 [MQTT-3.3.4-2]; 3.1.1 allows one copy at the maximum QoS (3.3.5) and mqwarden sends one."""
    subscriber = connected("overlap", protocol)
    subscriber.subscribe("a/#", 0)
    subscriber.subscribe("a/+", 2)
    subscriber.subscribe("a/b", 1)
    publisher = connected("pub", protocol)
    publisher.publish("a/b", b"once", qos=2)
    message = subscriber.expect_one()
    assert (message.topic, message.payload, message.qos) == ("a/b", b"once", 2)
    subscriber.expect_none()


def test_v5_one_copy_carries_every_matching_subscription_identifier(broker):
    """[MQTT-3.3.4-3], [MQTT-3.3.4-5]: one PUBLISH with the identifiers of all matching subscriptions."""
    with RawClient(broker, V5) as subscriber, RawClient(broker, V5) as publisher:
        assert subscriber.connect("ids").reason == 0
        subscriber.subscribe([("a/#", 0)], packet_id=1, properties=[(wire.SUBSCRIPTION_IDENTIFIER, 7)])
        subscriber.subscribe([("a/+", 1)], packet_id=2, properties=[(wire.SUBSCRIPTION_IDENTIFIER, 300)])
        subscriber.subscribe([("a/b", 0)], packet_id=3)  # no identifier
        assert publisher.connect("pub").reason == 0
        publisher.publish("a/b", b"x", qos=1, packet_id=5)
        publisher.expect(wire.PUBACK)
        got = subscriber.read_publish()
        assert got.qos == 1
        assert sorted(wire.props(got.properties, wire.SUBSCRIPTION_IDENTIFIER)) == [7, 300]
        subscriber.send(wire.puback(got.packet_id))
        subscriber.assert_silent()


def test_v5_subscription_identifier_through_paho(connected):
    subscriber = connected("sub-id", V5)
    subscriber.subscribe("t/#", 0, props=properties(PacketTypes.SUBSCRIBE, SubscriptionIdentifier=42))
    connected("pub", V5).publish("t/1", b"x")
    assert subscriber.expect_one().properties.SubscriptionIdentifier == [42]


def test_v5_subscribing_again_without_an_identifier_removes_it(broker):
    """v5 3.8.2.1.2: the Subscription Identifier belongs to the subscription the SUBSCRIBE creates or replaces."""
    with RawClient(broker, V5) as subscriber:
        assert subscriber.connect("sub").reason == 0
        subscriber.subscribe([("sid/t", 0)], packet_id=1, properties=[(wire.SUBSCRIPTION_IDENTIFIER, 9)])
        subscriber.subscribe([("sid/t", 0)], packet_id=2)
        subscriber.publish("sid/t", b"x")
        assert wire.props(subscriber.read_publish().properties, wire.SUBSCRIPTION_IDENTIFIER) == []


@both_versions
def test_subscribing_again_replaces_the_subscription(connected, protocol):
    """[MQTT-3.8.4-3]: same filter again replaces the existing subscription (here: its QoS)."""
    subscriber = connected("again", protocol)
    subscriber.subscribe("r/x", 2)
    subscriber.subscribe("r/x", 0)
    connected("pub", protocol).publish("r/x", b"x", qos=2)
    assert subscriber.expect_one().qos == 0
    subscriber.expect_none()


@both_versions
def test_granted_qos_is_the_requested_qos_and_messages_are_downgraded_to_it(connected, protocol):
    """[MQTT-3.8.4-6]; delivery at the lower of the published and the granted QoS [MQTT-3.8.4-8 (v5)]."""
    subscriber = connected("down", protocol)
    assert subscriber.subscribe([("q/0", 0), ("q/1", 1), ("q/2", 2)]) == [0, 1, 2]
    publisher = connected("pub", protocol)
    for topic in ("q/0", "q/1", "q/2"):
        publisher.publish(topic, b"x", qos=2)
    publisher.publish("q/2", b"low", qos=1)
    # Compared as a set: ordering is only required among messages of the same QoS [MQTT-4.6.0-6], and
    # Paho hands a QoS 2 message over at PUBREL, possibly after a QoS 1 message that came later.
    got = {(m.topic, m.qos, m.payload) for m in subscriber.expect(4)}
    assert got == {("q/0", 0, b"x"), ("q/1", 1, b"x"), ("q/2", 2, b"x"), ("q/2", 1, b"low")}


def test_v5_no_local_does_not_send_a_client_its_own_messages(connected):
    """[MQTT-3.8.3-3]."""
    client = connected("self", V5)
    client.subscribe("chat/#", options=SubscribeOptions(qos=0, noLocal=True))
    other = connected("other", V5)
    client.publish("chat/1", b"mine")
    other.publish("chat/1", b"theirs")
    message = client.expect_one()
    assert message.payload == b"theirs"
    client.expect_none()


def test_v5_without_no_local_a_client_receives_its_own_messages(connected):
    client = connected("self", V5)
    client.subscribe("echo/#", options=SubscribeOptions(qos=0, noLocal=False))
    client.publish("echo/1", b"mine")
    assert client.expect_one().payload == b"mine"


def test_v5_shared_subscription_round_robins_between_two_members(connected):
    """v5 4.8.2: each message of a shared subscription goes to one member of the group."""
    first = connected("member-1", V5)
    second = connected("member-2", V5)
    assert first.subscribe("$share/workers/jobs/#", 1) == [1]
    assert second.subscribe("$share/workers/jobs/#", 1) == [1]
    publisher = connected("pub", V5)
    for index in range(6):
        publisher.publish("jobs/new", str(index).encode(), qos=1)
    got_first = [m.payload for m in first.expect(3)]
    got_second = [m.payload for m in second.expect(3)]
    first.expect_none(0.2)
    second.expect_none(0.2)
    assert sorted(got_first + got_second) == [str(i).encode() for i in range(6)]
    assert got_first and got_second


def test_v5_shared_subscription_and_a_normal_subscription_both_receive(connected):
    member = connected("member", V5)
    member.subscribe("$share/g/news", 0)
    plain = connected("plain", V5)
    plain.subscribe("news", 0)
    connected("pub", V5).publish("news", b"n")
    assert member.expect_one().topic == "news"
    assert plain.expect_one().topic == "news"


def test_v5_unsubscribed_shared_member_gets_nothing_more(connected):
    first = connected("member-1", V5)
    second = connected("member-2", V5)
    first.subscribe("$share/g/t", 0)
    second.subscribe("$share/g/t", 0)
    second.unsubscribe("$share/g/t")
    publisher = connected("pub", V5)
    for index in range(3):
        publisher.publish("t", str(index).encode())
    assert [m.payload for m in first.expect(3)] == [b"0", b"1", b"2"]
    second.expect_none(0.2)


def test_v5_shared_subscription_skips_a_member_that_disconnected(broker, connected):
    """A member whose (clean) session ended is no longer in the group: the other gets every message."""
    first = connected("member-1", V5)
    first.subscribe("$share/g/gone", 1)
    with RawClient(broker, V5) as second:
        assert second.connect("member-2").reason == 0
        second.subscribe([("$share/g/gone", 1)])
        second.send(wire.disconnect())
        assert second.read_until_closed() == []
    publisher = connected("pub", V5)
    for index in range(4):
        publisher.publish("gone", str(index).encode(), qos=1)
    assert [m.payload for m in first.expect(4)] == [b"0", b"1", b"2", b"3"]


def test_v5_shared_subscription_prefers_connected_members_to_offline_sessions(broker, connected):
    """v5 4.8.2: a message goes to one member; mqwarden picks connected members before a persistent
    session whose client is offline."""
    with RawClient(broker, V5) as offline:
        assert offline.connect("member-offline", clean=False,
                               properties=[(wire.SESSION_EXPIRY_INTERVAL, 300)]).reason == 0
        offline.subscribe([("$share/g/pref", 1)])
    online = connected("member-online", V5)
    online.subscribe("$share/g/pref", 1)
    publisher = connected("pub", V5)
    for index in range(4):
        publisher.publish("pref", str(index).encode(), qos=1)
    assert [m.payload for m in online.expect(4)] == [b"0", b"1", b"2", b"3"]
