"""17 delayed deliveries: with persistence on, a QoS 1/2 delivery a policy delays for a persistent session is
stored until its delay is over, so it survives a broker restart (a clean stop or SIGKILL) and arrives once, not
before its delay; the MQTT 5 Message Expiry Interval keeps counting meanwhile, and the delay queue's bounds
hold after the restart too (docs/enforcement.md, "Verdicts per subscriber")."""
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.packettypes import PacketTypes

from clients import both_versions, properties

DELAY = 3.0
POLICY = 'rule d { on tentative deliver where topic matches "late/#" then delay 3 s }'
stop_or_kill = pytest.mark.parametrize("ending", ["stop", "kill"])


@pytest.fixture
def delaying_broker(policy_broker, tmp_path):
    """`delaying_broker(policy_config="", policy=POLICY)`: a broker delaying "late/#" (by DELAY unless `policy`
    says otherwise), storing its state in tmp_path; call it again for the same broker restarted on the same
    database."""

    def start(policy_config="", policy=POLICY):
        persistence = f'[persistence]\nenabled = true\npath = "{tmp_path / "db"}"\n'
        return policy_broker(policy, config=policy_config + persistence)

    return start


def end(broker, ending):
    if ending == "kill":
        broker.kill()
    else:
        assert broker.stop() == 0


def go_offline_subscribed(client_factory, broker, protocol):
    """A persistent subscriber of "late/#" at QoS 1, gone offline: its session waits for it."""
    subscriber = client_factory("late-sub", protocol, clean=False, on=broker)
    assert subscriber.connect(session_expiry=300 if protocol == mqtt.MQTTv5 else None) == 0
    assert subscriber.subscribe("late/#", 1) == [1]
    subscriber.disconnect()


def come_back(client_factory, broker, protocol):
    subscriber = client_factory("late-sub", protocol, clean=False, on=broker)
    assert subscriber.connect(session_expiry=300 if protocol == mqtt.MQTTv5 else None) == 0
    assert subscriber.session_present
    return subscriber


def publish(client_factory, broker, messages):
    """Publishes (topic, payload, props) at QoS 1, each acknowledged (so stored); returns when the first was sent."""
    publisher = client_factory("publisher", mqtt.MQTTv5, on=broker)
    assert publisher.connect() == 0
    sent = time.monotonic()
    for topic, payload, props in messages:
        publisher.publish(topic, payload, qos=1, props=props)
    publisher.disconnect()
    return sent


@both_versions
@stop_or_kill
def test_a_delayed_delivery_survives_a_restart_and_arrives_once_after_its_delay(delaying_broker, client_factory,
                                                                                protocol, ending):
    broker = delaying_broker()
    go_offline_subscribed(client_factory, broker, protocol)
    sent = publish(client_factory, broker, [("late/a", b"held", None)])
    end(broker, ending)

    restarted = delaying_broker()
    subscriber = come_back(client_factory, restarted, protocol)
    message = subscriber.expect_one(timeout=DELAY + 5)
    assert time.monotonic() - sent >= DELAY
    assert (message.topic, message.payload, message.qos) == ("late/a", b"held", 1)
    subscriber.expect_none(timeout=1.0)


@stop_or_kill
def test_a_message_that_expires_during_its_delay_is_not_delivered_after_a_restart(delaying_broker, client_factory,
                                                                                   ending):
    broker = delaying_broker()
    go_offline_subscribed(client_factory, broker, mqtt.MQTTv5)
    short = properties(PacketTypes.PUBLISH, MessageExpiryInterval=2)
    long = properties(PacketTypes.PUBLISH, MessageExpiryInterval=60)
    sent = publish(client_factory, broker, [("late/short", b"expires", short), ("late/long", b"stays", long)])
    end(broker, ending)

    restarted = delaying_broker()
    subscriber = come_back(client_factory, restarted, mqtt.MQTTv5)
    message = subscriber.expect_one(timeout=DELAY + 5)
    assert time.monotonic() - sent >= DELAY
    assert message.payload == b"stays"  # the one published first, due first, expired
    assert message.properties.MessageExpiryInterval <= 60 - DELAY + 1  # the time it waited counts
    subscriber.expect_none(timeout=1.0)


def test_the_delay_queue_bounds_hold_after_a_restart(delaying_broker, client_factory):
    broker = delaying_broker()
    go_offline_subscribed(client_factory, broker, mqtt.MQTTv5)
    publish(client_factory, broker, [("late/1", b"one", None), ("late/2", b"two", None)])
    assert broker.stop() == 0

    restarted = delaying_broker("max_delayed_messages = 1\n")
    subscriber = come_back(client_factory, restarted, mqtt.MQTTv5)
    assert len(subscriber.expect(1, timeout=DELAY + 5)) == 1
    subscriber.expect_none(timeout=1.0)
    assert "delay queue full" in restarted.log()


def test_a_restored_delay_is_cut_to_the_maximum_delay_configured_after_the_restart(delaying_broker, client_factory):
    long_delay = 'rule d { on tentative deliver where topic matches "late/#" then delay 10 min }'
    broker = delaying_broker(policy=long_delay)
    go_offline_subscribed(client_factory, broker, mqtt.MQTTv5)
    publish(client_factory, broker, [("late/a", b"held", None)])
    assert broker.stop() == 0

    restarted = delaying_broker('max_delay = "1 s"\n', policy=long_delay)
    subscriber = come_back(client_factory, restarted, mqtt.MQTTv5)
    assert subscriber.expect_one(timeout=DELAY + 5).payload == b"held"  # not ten minutes later


def test_a_delayed_delivery_to_a_clean_session_does_not_survive_a_restart(delaying_broker, client_factory):
    """Only what a persistent session would keep is stored: here the session itself ends with the broker."""
    broker = delaying_broker()
    subscriber = client_factory("clean-sub", mqtt.MQTTv5, on=broker)
    assert subscriber.connect() == 0
    subscriber.subscribe("late/#", 1)
    publish(client_factory, broker, [("late/a", b"lost", None)])
    assert broker.stop() == 0

    restarted = delaying_broker()
    again = client_factory("clean-sub", mqtt.MQTTv5, clean=False, on=restarted)
    assert again.connect(session_expiry=300) == 0
    assert not again.session_present
    again.expect_none(timeout=DELAY + 1)
