"""The cheap defences that act before any policy: the CONNECT timeout
(slowloris), connections and new connections per second per remote address
(127.0.0.1 flooding while 127.0.0.2 still connects), and the bound on what a
client that does not read is sent."""
import socket
import time

import paho.mqtt.client as mqtt

import wire
from clients import TIMEOUT


def open_from(broker, source):
    """A TCP connection to the broker from the loopback address `source`."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(TIMEOUT)
    sock.bind((source, 0))
    sock.connect((broker.host, broker.port))
    return sock


def connack_code(sock, client_id):
    """Sends CONNECT; the CONNACK's return code, or None when the broker closed the connection instead."""
    try:
        sock.sendall(wire.connect(client_id, version=wire.V311))
        data = sock.recv(4)
    except ConnectionError:
        return None
    return data[3] if len(data) == 4 else None


def closed_within(sock, seconds):
    """Whether the broker ends the connection within `seconds` (reading nothing else)."""
    sock.settimeout(seconds)
    try:
        return sock.recv(1) == b""
    except ConnectionError:
        return True
    except socket.timeout:
        return False


def wait_for_log(broker, text, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while text not in broker.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    return text in broker.log()


def test_a_client_that_sends_nothing_is_dropped_after_the_connect_timeout(start_broker):
    broker = start_broker('[limits]\nconnect_timeout = "1 s"\n')
    silent = open_from(broker, "127.0.0.1")
    partial = open_from(broker, "127.0.0.1")
    partial.sendall(wire.connect("slow")[:3])  # a CONNECT that never completes
    started = time.monotonic()
    assert closed_within(silent, 5) and closed_within(partial, 5)
    assert 0.8 < time.monotonic() - started < 4
    assert wait_for_log(broker, "no CONNECT within 1 s")
    # A client that connects in time stays.
    with wire.RawClient(broker) as client:
        client.send(wire.connect("prompt"))
        client.expect(wire.CONNACK)
        time.sleep(1.3)
        client.send(wire.pingreq())
        client.expect(wire.PINGRESP)
    silent.close()
    partial.close()


def wait_until_probe_gone(broker):
    """start_broker's readiness probe connected from 127.0.0.1: wait until the broker has seen it close."""
    assert wait_for_log(broker, "disconnected: connection closed by client")


def test_connections_per_address_are_capped_while_another_address_connects(start_broker):
    broker = start_broker("[limits]\nmax_connections_per_address = 5\nconnection_rate_per_address = 1000\n")
    wait_until_probe_gone(broker)
    held = [open_from(broker, "127.0.0.1") for _ in range(5)]
    for index, sock in enumerate(held):
        assert connack_code(sock, f"held-{index}") == 0
    refused = open_from(broker, "127.0.0.1")
    assert connack_code(refused, "one-too-many") is None
    assert wait_for_log(broker, "refused: the maximum of 5 connections per address is reached")
    other = open_from(broker, "127.0.0.2")
    assert connack_code(other, "other-address") == 0
    # A slot freed is a slot available again.
    held.pop().close()
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        again = open_from(broker, "127.0.0.1")
        if connack_code(again, "again") == 0:
            break
        again.close()
        time.sleep(0.05)
    else:
        raise AssertionError("no connection admitted after one was closed")
    for sock in [*held, refused, other, again]:
        sock.close()


def test_new_connections_per_address_are_rate_limited(start_broker):
    # A burst of 4: start_broker's readiness probe took the first.
    broker = start_broker("[limits]\nconnection_rate_per_address = 1\nconnection_burst_per_address = 4\n")
    codes = []
    for index in range(6):
        with open_from(broker, "127.0.0.1") as sock:
            codes.append(connack_code(sock, f"flood-{index}"))
    assert codes[:3] == [0, 0, 0]
    assert None in codes[3:]  # at 1 per second, at most one more of these came in time
    assert wait_for_log(broker, "more than 1 new connections per second from this address")
    with open_from(broker, "127.0.0.2") as sock:
        assert connack_code(sock, "other-address") == 0


def silent_reader(broker, client_id, qos):
    """A 3.1.1 client subscribed to flood/# at `qos` that, after its SUBACK, reads nothing."""
    reader = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: a small TCP window
    reader.settimeout(TIMEOUT)
    reader.connect((broker.host, broker.port))
    reader.sendall(wire.connect(client_id, version=wire.V311))
    reader.sendall(wire.subscribe(1, [("flood/#", qos)], version=wire.V311))
    time.sleep(0.2)  # the SUBACK is sent; from now on the reader reads nothing
    return reader


def test_a_client_that_does_not_read_is_cut_off_at_the_outgoing_bound(start_broker):
    broker = start_broker('[limits]\nmax_outgoing_buffer = "64 KiB"\n')
    reader = silent_reader(broker, "never-reads", 1)
    publisher = mqtt.Client(client_id="fast-publisher", protocol=mqtt.MQTTv311)
    publisher.connect(broker.host, broker.port)
    publisher.loop_start()
    try:
        payload = b"p" * 32 * 1024
        for _ in range(400):  # 12.5 MiB: more than the kernel's socket buffers and the bound
            publisher.publish("flood/x", payload, qos=1)
            if "slow reader" in broker.log():
                break
        assert wait_for_log(broker, "slow reader:")
        assert "bytes unsent, more than the bound of 65536" in broker.log()
        info = publisher.publish("flood/y", b"still here", qos=1)
        info.wait_for_publish(TIMEOUT)
        assert info.is_published()  # the publisher is unaffected
    finally:
        publisher.disconnect()
        publisher.loop_stop()
        reader.close()


def test_qos0_messages_beyond_the_bound_are_dropped_and_the_slow_client_stays(start_broker):
    broker = start_broker('[limits]\nmax_outgoing_buffer = "64 KiB"\n[broker]\nsys_interval = "1 s"\n')
    reader = silent_reader(broker, "reads-slowly", 0)
    publisher = mqtt.Client(client_id="fast-publisher", protocol=mqtt.MQTTv311)
    publisher.connect(broker.host, broker.port)
    publisher.loop_start()
    try:
        payload = b"p" * 32 * 1024
        for _ in range(200):  # 6.25 MiB
            publisher.publish("flood/x", payload, qos=0).wait_for_publish(TIMEOUT)
        dropped = {}
        watcher = mqtt.Client(client_id="sys-watcher", protocol=mqtt.MQTTv311)
        watcher.on_message = lambda client, userdata, message: dropped.update(count=int(message.payload))
        watcher.connect(broker.host, broker.port)
        watcher.subscribe("$SYS/broker/publish/messages/dropped")
        watcher.loop_start()
        deadline = time.monotonic() + TIMEOUT
        while dropped.get("count", 0) == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        watcher.loop_stop()
        assert dropped.get("count", 0) > 0
        assert "slow reader" not in broker.log()
        reader.settimeout(TIMEOUT)
        assert reader.recv(4096)  # still connected: what was kept is there to read
    finally:
        publisher.disconnect()
        publisher.loop_stop()
        reader.close()
