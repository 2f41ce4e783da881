"""05 will: the will message is published when a connection ends other than
by a normal DISCONNECT, and not otherwise (MQTT 3.1.1 3.1.2.5; 5.0 3.1.2.5,
3.14.2.1), after its will delay interval if it has one (v5 3.1.3.2.2)."""
import pytest
from paho.mqtt.packettypes import PacketTypes

import wire
from clients import both_versions, properties
from wire import RawClient, V311, V5


@pytest.fixture
def watcher(connected):
    """A client subscribed to will/# at QoS 2."""
    client = connected("watcher", V5)
    client.subscribe("will/#", 2)
    return client


@both_versions
def test_will_is_published_when_the_network_connection_drops(client_factory, watcher, protocol):
    """[MQTT-3.1.2-8]: an I/O error or network failure publishes the will."""
    client = client_factory("dropper", protocol)
    assert client.connect(will={"topic": "will/drop", "payload": b"lost", "qos": 1}) == 0
    client.drop()
    message = watcher.expect_one()
    assert (message.topic, message.payload, message.qos) == ("will/drop", b"lost", 1)


@both_versions
def test_will_is_not_published_after_a_normal_disconnect(client_factory, watcher, protocol):
    """[MQTT-3.1.2-10] (v5 [MQTT-3.1.2-8]): DISCONNECT (v5: reason 0x00) discards the will."""
    client = client_factory("polite", protocol)
    assert client.connect(will={"topic": "will/polite", "payload": b"never"}) == 0
    client.disconnect()
    watcher.expect_none()


def test_v5_disconnect_with_will_message_publishes_the_will(broker, watcher):
    """v5 3.14.2.1: DISCONNECT 0x04 Disconnect with Will Message."""
    with RawClient(broker, V5) as raw:
        assert raw.connect("asks-for-will", will={"topic": "will/asked", "payload": b"as asked"}).reason == 0
        raw.send(wire.disconnect(0x04))
        assert raw.read_until_closed() == []
    assert watcher.expect_one().payload == b"as asked"


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
def test_will_is_published_after_a_protocol_error(broker, watcher, version):
    """[MQTT-3.1.2-8]: a connection the server closes for a protocol error publishes the will."""
    with RawClient(broker, version) as raw:
        assert raw.connect("rude", will={"topic": "will/error", "payload": b"broken"}).reason == 0
        raw.send(bytes([0x36, 0x04, 0x00, 0x01, ord("t"), 0x00]))  # PUBLISH with QoS 3
        raw.read_until_closed()
    assert watcher.expect_one().payload == b"broken"


@both_versions
def test_will_is_published_when_the_session_is_taken_over(broker, client_factory, watcher, protocol):
    """The taken-over connection did not DISCONNECT: its will is published (will delay 0)."""
    with RawClient(broker, protocol) as first:
        assert first.connect("taken", will={"topic": "will/taken", "payload": b"replaced"}).reason == 0
        with RawClient(broker, protocol) as second:
            assert second.connect("taken").reason == 0
            first.read_until_closed()
            assert watcher.expect_one().payload == b"replaced"


@both_versions
def test_retained_will_is_stored_as_a_retained_message(client_factory, connected, protocol):
    """[MQTT-3.1.2-17]: Will Retain 1 publishes the will as a retained message."""
    client = client_factory("retainer", protocol)
    assert client.connect(will={"topic": "will/retained", "payload": b"offline", "retain": True}) == 0
    client.drop()
    late = connected("late", protocol)
    late.subscribe("will/retained", 1)
    message = late.expect_one()
    assert (message.payload, message.retain) == (b"offline", True)


@both_versions
def test_will_qos_2_is_delivered_at_qos_2(client_factory, watcher, protocol):
    client = client_factory("qos2-will", protocol)
    assert client.connect(will={"topic": "will/q2", "payload": b"two", "qos": 2}) == 0
    client.drop()
    assert watcher.expect_one().qos == 2


def test_v5_will_properties_are_passed_to_subscribers(client_factory, watcher):
    """v5 3.1.3.2: Content Type, Response Topic, Correlation Data, User Properties, Payload Format
    Indicator of the will are sent with it."""
    will_properties = properties(PacketTypes.WILLMESSAGE, ContentType="text/plain", ResponseTopic="will/reply",
                                 CorrelationData=b"\x01\x02", UserProperty=[("why", "test"), ("n", "1")],
                                 PayloadFormatIndicator=1)
    client = client_factory("props-will", V5)
    assert client.connect(will={"topic": "will/props", "payload": b"bye", "properties": will_properties}) == 0
    client.drop()
    message = watcher.expect_one()
    got = message.properties
    assert got.ContentType == "text/plain"
    assert got.ResponseTopic == "will/reply"
    assert got.CorrelationData == b"\x01\x02"
    assert got.UserProperty == [("why", "test"), ("n", "1")]
    assert got.PayloadFormatIndicator == 1


def test_will_is_not_sent_by_a_client_that_never_completed_connect(broker, watcher):
    """A refused CONNECT (here: an empty client id with clean session 0) publishes no will."""
    with RawClient(broker, V311) as raw:
        raw.send(wire.connect("", version=V311, clean=False, will={"topic": "will/refused", "payload": b"x"}))
        raw.read_until_closed()
    watcher.expect_none()


def _drop_with_delayed_will(broker, client_id, delay, session_expiry):
    raw = RawClient(broker, V5)
    will = {"topic": "will/delayed", "payload": b"late", "properties": [(wire.WILL_DELAY_INTERVAL, delay)]}
    assert raw.connect(client_id, clean=False, will=will, properties=[(wire.SESSION_EXPIRY_INTERVAL, session_expiry)]).reason == 0
    raw.close()  # no DISCONNECT


def test_v5_will_is_published_after_the_will_delay(broker, watcher):
    """[MQTT-3.1.3-9]: the will waits for its delay while the session lives on."""
    _drop_with_delayed_will(broker, "delayer", delay=2, session_expiry=60)
    watcher.expect_none(timeout=1.0)  # well inside the 2 s delay
    assert watcher.expect_one(timeout=5).payload == b"late"


def test_v5_reconnecting_within_the_will_delay_cancels_the_will(broker, watcher):
    """[MQTT-3.1.3-9]: a new connection before the delay passes means no will."""
    _drop_with_delayed_will(broker, "returner", delay=2, session_expiry=60)
    with RawClient(broker, V5) as again:
        assert again.connect("returner", clean=False, properties=[(wire.SESSION_EXPIRY_INTERVAL, 60)]).session_present
        watcher.expect_none(timeout=3.0)


def test_v5_will_is_published_when_the_session_ends_before_the_will_delay(broker, watcher):
    """3.1.2.5: the will goes out when the delay passes or the session ends, whichever is first."""
    _drop_with_delayed_will(broker, "short-session", delay=300, session_expiry=1)
    assert watcher.expect_one(timeout=5).payload == b"late"


def test_v5_will_with_delay_is_published_at_once_when_the_session_ends_with_the_connection(broker, watcher):
    _drop_with_delayed_will(broker, "no-session", delay=300, session_expiry=0)
    assert watcher.expect_one(timeout=5).payload == b"late"


def test_v5_disconnect_with_an_error_reason_leaves_the_will_due(broker, watcher):
    """[MQTT-3.1.2-10]: only a DISCONNECT with 0x00 removes the will; 0x80 does not."""
    with RawClient(broker, V5) as raw:
        assert raw.connect("failing", will={"topic": "will/failing", "payload": b"error"}).reason == 0
        raw.send(wire.disconnect(0x80))
        raw.read_until_closed()
    assert watcher.expect_one().payload == b"error"


@pytest.mark.parametrize("version, code", [(V311, 5), (V5, 0x87)], ids=["v311", "v5"])
def test_a_will_may_not_be_published_to_sys(broker, version, code):
    """$SYS belongs to the broker: a CONNECT whose will would write there is not authorized."""
    with RawClient(broker, version) as raw:
        assert raw.connect("forger", will={"topic": "$SYS/broker/version", "payload": b"x"}).reason == code
