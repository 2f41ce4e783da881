"""18 context: the broker observes positions through a context source, monitors
the policy's situations and enforces them — seed 000's case study: two boards
see each other's GPS position only while they are within 100 metres
(docs/context.md)."""
import json
import pathlib
import threading
import time

import paho.mqtt.client as mqtt

from clients import TIMEOUT

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "policies"

GPS_SOURCE = """
[[context_sources]]
topic = "gps/+"
entity_level = 2
max_age = "{max_age}"
"""

SITUATION_EVENTS = """
rule near_starts {
  on situation near_100m starts
  then execute notify("events/near", {"event": "starts", "a": situation.a, "b": situation.b})
}
rule near_ends {
  on situation near_100m ends
  then execute notify("events/near", {"event": "ends", "a": situation.a, "b": situation.b})
}
"""

# Chosen so that the boards are within 100 m only when both are at their "near" positions:
# board1 far-near 111 m apart; board2 far 244 m and near 167 m from board1's far position,
# and 133 m / 56 m from board1's near position.
POSITIONS = {
    "board1": {"far": (45.8100, 8.6300), "near": (45.8110, 8.6300)},
    "board2": {"far": (45.8122, 8.6300), "near": (45.8115, 8.6300)},
}


def gps_broker(policy_broker, max_age="10 s", extra_policy=SITUATION_EVENTS):
    policy = (EXAMPLES / "gps_visible_when_near.policy").read_text() + extra_policy
    return policy_broker(policy, config=GPS_SOURCE.format(max_age=max_age))


class Board:
    """A board that publishes its position every 100 ms (tagged with its phase) and reads gps/+."""

    def __init__(self, name, client):
        self.name = name
        self.client = client
        self.phase = "far"
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        assert self.client.connect() == 0
        self.client.subscribe("gps/+", 0)
        self.thread.start()

    def _run(self):
        while not self.stopping.is_set():
            phase = self.phase
            lat, lon = POSITIONS[self.name]["near" if phase == "near" else "far"]
            self.client.client.publish(f"gps/{self.name}", json.dumps({"lat": lat, "lon": lon, "phase": phase}))
            time.sleep(0.1)

    def stop(self):
        self.stopping.set()
        self.thread.join()

    def positions_of_others(self, seconds):
        """The phases of the other board's positions received in the next `seconds`."""
        deadline = time.monotonic() + seconds
        phases = []
        while time.monotonic() < deadline:
            try:
                message = self.client.messages.get(timeout=max(0.0, deadline - time.monotonic()))
            except Exception:  # noqa: BLE001 - queue.Empty: the window is over
                break
            if message.topic != f"gps/{self.name}":
                phases.append(json.loads(message.payload)["phase"])
        return phases


def connect(client_factory, broker, client_id, protocol=mqtt.MQTTv5):
    client = client_factory(client_id, protocol, on=broker)
    assert client.connect() == 0
    return client


def situation_events(watcher, count):
    return [json.loads(message.payload) for message in watcher.expect(count, timeout=TIMEOUT)]


def test_boards_see_each_other_only_while_within_100_metres(policy_broker, client_factory):
    broker = gps_broker(policy_broker)
    watcher = client_factory("watcher", mqtt.MQTTv5, on=broker)
    assert watcher.connect() == 0
    watcher.subscribe("events/near", 1)
    board1 = Board("board1", client_factory("board1", mqtt.MQTTv5, on=broker))
    board2 = Board("board2", client_factory("board2", mqtt.MQTTv311, on=broker))
    board1.start()
    board2.start()
    try:
        # 250 m apart: neither receives the other's position.
        assert board1.positions_of_others(1.5) == []
        assert board2.positions_of_others(0.1) == []
        watcher.expect_none(0.1)

        board1.phase = board2.phase = "near"
        started = situation_events(watcher, 2)
        assert sorted((event["event"], event["a"], event["b"]) for event in started) == [
            ("starts", "board1", "board2"), ("starts", "board2", "board1")]
        seen_by_1 = board1.positions_of_others(1.5)
        seen_by_2 = board2.positions_of_others(0.1)
        assert len(seen_by_1) >= 5, seen_by_1
        assert len(seen_by_2) >= 5, seen_by_2
        # Only positions published while both were near pass: never one from a far position.
        assert set(seen_by_1) == {"near"} and set(seen_by_2) == {"near"}

        board1.phase = board2.phase = "apart"
        ended = situation_events(watcher, 2)
        assert sorted((event["event"], event["a"], event["b"]) for event in ended) == [
            ("ends", "board1", "board2"), ("ends", "board2", "board1")]
        later_1 = board1.positions_of_others(1.5)
        later_2 = board2.positions_of_others(0.1)
        assert "apart" not in later_1 and "apart" not in later_2
    finally:
        board1.stop()
        board2.stop()


def test_a_stale_position_ends_the_situation(policy_broker, client_factory):
    broker = gps_broker(policy_broker, max_age="1 s")
    watcher = connect(client_factory, broker, "watcher")
    watcher.subscribe("events/near", 1)
    viewer = connect(client_factory, broker, "board2")
    viewer.subscribe("gps/board1", 0)
    board1 = connect(client_factory, broker, "board1")
    board1.publish("gps/board1", json.dumps({"lat": 45.8110, "lon": 8.63}), qos=1)
    connect(client_factory, broker, "board2-tracker").publish("gps/board2", json.dumps({"lat": 45.8115, "lon": 8.63}), qos=1)
    assert {event["event"] for event in situation_events(watcher, 2)} == {"starts"}
    # No new position for over a second: the values are stale, the situation ends, deliveries stop.
    assert {event["event"] for event in situation_events(watcher, 2)} == {"ends"}
    viewer.messages.queue.clear()
    board1.publish("gps/board1", json.dumps({"lat": 45.8110, "lon": 8.63, "late": True}), qos=1)
    viewer.expect_none(0.5)


def test_context_values_feed_conditions_and_change_events(policy_broker, client_factory):
    policy = """
rule door_only_when_home {
  on tentative deliver
  where topic == "house/door"
  if context("owner", "presence") == "home"
  then allow
  else deny
}
rule tell_presence {
  on context presence changes
  then execute notify("events/presence", {"who": context.entity, "now": context.value})
}
"""
    source = """
[[context_sources]]
name = "presence"
topic = "presence/+"
entity_level = 2
kind = "string"
value = "state"
"""
    broker = policy_broker(policy, config=source)
    watcher = connect(client_factory, broker, "watcher")
    watcher.subscribe("events/presence", 1)
    reader = connect(client_factory, broker, "reader", mqtt.MQTTv311)
    reader.subscribe("house/door", 1)
    publisher = connect(client_factory, broker, "house")
    publisher.publish("house/door", b"open", qos=1)
    reader.expect_none()  # no presence known: the condition is false
    publisher.publish("presence/owner", json.dumps({"state": "home"}), qos=1)
    assert json.loads(watcher.expect_one().payload) == {"who": "owner", "now": "home"}
    publisher.publish("house/door", b"open", qos=1)
    assert reader.expect_one().payload == b"open"
    publisher.publish("presence/owner", json.dumps({"state": "home"}), qos=1)
    watcher.expect_none()  # the same value again is not a change
    publisher.publish("presence/owner", json.dumps({"state": "away"}), qos=1)
    assert json.loads(watcher.expect_one().payload) == {"who": "owner", "now": "away"}
    publisher.publish("house/door", b"closed", qos=1)
    reader.expect_none()



# --- consent -----------------------------------------------------------------------


def consent_decision(owner_client, owner, recipient, granted, purpose="care"):
    owner_client.publish(f"$mqwarden/consent/{owner}",
                         json.dumps({"recipient": recipient, "purpose": purpose, "granted": granted}), qos=1)


def test_health_readings_follow_the_owners_consent(policy_broker, client_factory):
    broker = policy_broker((EXAMPLES / "consent_per_purpose.policy").read_text())
    carer = connect(client_factory, broker, "carer", mqtt.MQTTv311)
    carer.subscribe("health/#", 1)
    owner_phone = connect(client_factory, broker, "alice-phone")
    owner_phone.subscribe("$mqwarden/consent/alice/requests", 1)
    alice = connect(client_factory, broker, "alice")

    alice.publish("health/alice/heart", b'{"bpm": 70}', qos=1)
    carer.expect_none()
    request = json.loads(owner_phone.expect_one().payload)
    assert {k: request[k] for k in ("owner", "recipient", "purpose")} == {
        "owner": "alice", "recipient": "carer", "purpose": "care"}
    alice.publish("health/alice/heart", b'{"bpm": 71}', qos=1)
    carer.expect_none()
    owner_phone.expect_none()  # one request while it is pending

    consent_decision(alice, "alice", "carer", True)
    alice.publish("health/alice/heart", b'{"bpm": 72}', qos=1)
    assert carer.expect_one().payload == b'{"bpm": 72}'

    consent_decision(alice, "alice", "carer", False)
    alice.publish("health/alice/heart", b'{"bpm": 73}', qos=1)
    carer.expect_none()


def test_only_the_owner_decides_and_grants_are_per_purpose(policy_broker, client_factory):
    broker = policy_broker((EXAMPLES / "consent_per_purpose.policy").read_text())
    carer = connect(client_factory, broker, "carer")
    carer.subscribe("health/#", 1)
    mallory = connect(client_factory, broker, "mallory")
    consent_decision(mallory, "alice", "carer", True)  # not alice: ignored
    alice = connect(client_factory, broker, "alice")
    consent_decision(alice, "alice", "carer", True, purpose="marketing")
    alice.publish("health/alice/heart", b'{"bpm": 70}', qos=1)
    carer.expect_none()
    assert "client mallory is not the owner alice" in broker.log()


def test_consent_survives_a_restart(policy_broker, client_factory, tmp_path):
    persistence = f'\n[persistence]\nenabled = true\npath = "{tmp_path / "consent.db"}"\n'
    policy = (EXAMPLES / "consent_per_purpose.policy").read_text()
    broker = policy_broker(policy, config=persistence)
    alice = connect(client_factory, broker, "alice")
    consent_decision(alice, "alice", "carer", True)
    time.sleep(0.2)
    broker.stop()
    broker = policy_broker(policy, config=persistence)
    carer = connect(client_factory, broker, "carer")
    carer.subscribe("health/#", 1)
    alice = connect(client_factory, broker, "alice")
    alice.publish("health/alice/heart", b'{"bpm": 70}', qos=1)
    assert carer.expect_one().payload == b'{"bpm": 70}'
