"""11 $SYS: the broker's counters under $SYS/broker/..., with Mosquitto's topic
names, published (retained) every broker.sys_interval; clients may not
publish there; wildcards at the start of a filter do not match them
[MQTT-4.7.2-1]."""
import time

import wire
from wire import RawClient, V311, V5

SYS_CONFIG = '[broker]\nsys_interval = "1 s"\n'


def sees(client, topic, predicate, timeout=5.0):
    """Whether a message on `topic` whose payload satisfies `predicate` arrives within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            message = client.expect_one(timeout=max(0.05, deadline - time.monotonic()))
        except AssertionError:
            return False
        if message.topic == topic and predicate(message.payload.decode()):
            return True
    return False


def test_version_and_uptime_are_published(start_broker, client_factory):
    broker = start_broker(SYS_CONFIG)
    watcher = client_factory("sys-watcher", on=broker)
    assert watcher.connect() == 0
    watcher.subscribe("$SYS/broker/version", 0)
    message = watcher.expect_one()
    assert message.payload.decode().startswith("mqwarden ")
    assert message.retain  # a late subscriber gets the retained value at once


def test_message_and_client_counters_follow_the_traffic(start_broker, client_factory):
    broker = start_broker(SYS_CONFIG)
    publisher = client_factory("sys-publisher", on=broker)
    assert publisher.connect() == 0
    for _ in range(3):
        publisher.publish("traffic/x", b"payload", qos=1)
    watcher = client_factory("sys-counter", on=broker)
    assert watcher.connect() == 0
    watcher.subscribe("$SYS/broker/messages/received", 0)
    # Within a few publications the count includes the three messages.
    assert sees(watcher, "$SYS/broker/messages/received", lambda value: int(value) >= 3)
    watcher.subscribe("$SYS/broker/clients/connected", 0)
    assert sees(watcher, "$SYS/broker/clients/connected", lambda value: int(value) >= 2)


def test_v5_client_publishing_to_sys_is_refused_with_not_authorized(start_broker):
    broker = start_broker(SYS_CONFIG)
    with RawClient(broker, V5) as raw:
        assert raw.connect("forger").reason == 0
        raw.send(wire.publish("$SYS/broker/version", b"forged", qos=1, packet_id=7))
        assert raw.expect(wire.PUBACK).body[2] == 0x87  # Not authorized
        raw.subscribe([("$SYS/broker/version", 0)])
        assert raw.read_publish().payload != b"forged"


def test_v311_client_publishing_to_sys_is_acknowledged_but_not_routed(start_broker):
    broker = start_broker(SYS_CONFIG)
    with RawClient(broker, V311) as raw:
        assert raw.connect("forger311").reason == 0
        raw.send(wire.publish("$SYS/broker/uptime", b"forged", qos=1, packet_id=7, version=V311))
        raw.expect(wire.PUBACK)
        raw.subscribe([("$SYS/broker/uptime", 0)])
        assert raw.read_publish().payload != b"forged"


def test_a_hash_subscription_does_not_receive_sys_topics(start_broker, client_factory):
    broker = start_broker(SYS_CONFIG)
    everything = client_factory("everything", on=broker)
    assert everything.connect() == 0
    everything.subscribe("#", 0)
    everything.expect_none(timeout=1.5)  # more than one sys_interval
