"""Real MQTT clients for the black-box tests: Eclipse Paho (Debian's
python3-paho-mqtt 1.6.1) wrapped for synchronous use with deadlines, and
mosquitto_pub / mosquitto_sub.

Paho runs its network loop in a thread; every wait here has a timeout, so a
broker that does not answer fails the test instead of hanging it. Automatic
reconnection is off: a connection the broker ends stays ended."""
import queue
import shutil
import socket
import subprocess
import threading
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

TIMEOUT = 5.0
# Paho's protocol constants equal the protocol levels: MQTTv311 == 4 == wire.V311, MQTTv5 == 5 == wire.V5.

# Runs a test once per protocol version, with the version as `protocol`.
both_versions = pytest.mark.parametrize("protocol", [mqtt.MQTTv311, mqtt.MQTTv5], ids=["v311", "v5"])


def properties(packet_type, **values):
    """Paho Properties for `packet_type` (e.g. PacketTypes.PUBLISH) with the named values set."""
    result = Properties(packet_type)
    for name, value in values.items():
        setattr(result, name, value)
    return result


class Client:
    """One Paho client. `connect()` returns the CONNACK's reason code (an int)."""

    def __init__(self, broker, client_id="", protocol=mqtt.MQTTv5, clean=True):
        self.broker = broker
        self.protocol = protocol
        self.clean = clean
        self.client = mqtt.Client(client_id=client_id, protocol=protocol,
                                  clean_session=clean if protocol != mqtt.MQTTv5 else None,
                                  reconnect_on_failure=False)
        self.messages = queue.Queue()
        self.connack = queue.Queue()
        self.disconnected = threading.Event()
        self.acks = {}
        self.acks_lock = threading.Lock()
        self.session_present = None
        self.connack_properties = None
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda client, userdata, message: self.messages.put(message)
        self.client.on_subscribe = self._on_subscribe
        self.client.on_unsubscribe = self._on_unsubscribe
        self.client.on_disconnect = lambda *args: self.disconnected.set()

    @property
    def v5(self):
        return self.protocol == mqtt.MQTTv5

    def _on_connect(self, client, userdata, flags, rc, props=None):
        self.session_present = bool(flags.get("session present"))
        self.connack_properties = props
        self.connack.put(rc.value if hasattr(rc, "value") else rc)

    def _ack(self, mid, value):
        with self.acks_lock:
            self.acks.setdefault(mid, queue.Queue()).put(value)

    def _wait_ack(self, mid, timeout):
        with self.acks_lock:
            waiter = self.acks.setdefault(mid, queue.Queue())
        return waiter.get(timeout=timeout)

    def _on_subscribe(self, client, userdata, mid, granted, props=None):
        self._ack(mid, [code.value if hasattr(code, "value") else code for code in granted])

    def _on_unsubscribe(self, client, userdata, mid, *rest):
        codes = rest[1] if len(rest) > 1 else None
        if isinstance(codes, list):
            codes = [code.value for code in codes]
        elif hasattr(codes, "value"):  # Paho gives one reason code on its own, not in a list
            codes = [codes.value]
        self._ack(mid, codes)

    def connect(self, keepalive=30, username=None, password=None, will=None, session_expiry=None,
                connect_properties=None, timeout=TIMEOUT):
        """`will`: dict of topic, payload, qos, retain, properties."""
        if username is not None:
            self.client.username_pw_set(username, password)
        if will:
            self.client.will_set(will["topic"], will.get("payload"), will.get("qos", 0), will.get("retain", False),
                                 will.get("properties"))
        kwargs = {}
        if self.v5:
            kwargs["clean_start"] = self.clean
            props = connect_properties or Properties(PacketTypes.CONNECT)
            if session_expiry is not None:
                props.SessionExpiryInterval = session_expiry
            kwargs["properties"] = props
        self.client.connect(self.broker.host, self.broker.port, keepalive=keepalive, **kwargs)
        self.client.loop_start()
        try:
            return self.connack.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no CONNACK within the timeout") from None

    def subscribe(self, topic, qos=0, options=None, props=None, timeout=TIMEOUT):
        """Subscribes `topic` (a string, or a list of (filter, qos or SubscribeOptions)); returns the reason codes."""
        if self.v5 and options is not None:
            result, mid = self.client.subscribe(topic, options=options, properties=props)
        elif self.v5:
            result, mid = self.client.subscribe(topic, qos, properties=props)
        else:
            result, mid = self.client.subscribe(topic, qos)
        assert result == mqtt.MQTT_ERR_SUCCESS
        try:
            return self._wait_ack(mid, timeout)
        except queue.Empty:
            raise AssertionError("no SUBACK within the timeout") from None

    def unsubscribe(self, topic, timeout=TIMEOUT):
        result, mid = self.client.unsubscribe(topic)
        assert result == mqtt.MQTT_ERR_SUCCESS
        try:
            return self._wait_ack(mid, timeout)
        except queue.Empty:
            raise AssertionError("no UNSUBACK within the timeout") from None

    def publish(self, topic, payload=b"", qos=0, retain=False, props=None, timeout=TIMEOUT):
        """Publishes and waits until the QoS exchange is complete (sent, for QoS 0)."""
        info = self.client.publish(topic, payload, qos, retain, props)
        info.wait_for_publish(timeout)
        assert info.is_published(), f"PUBLISH to {topic} not acknowledged within the timeout"
        return info

    def expect(self, count=1, timeout=TIMEOUT):
        """The next `count` messages, failing if they do not arrive in time."""
        deadline = time.monotonic() + timeout
        got = []
        while len(got) < count:
            try:
                got.append(self.messages.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                raise AssertionError(f"{len(got)} message(s) of {count} within {timeout} s: "
                                     f"{[(m.topic, m.payload) for m in got]}") from None
        return got

    def expect_one(self, timeout=TIMEOUT):
        return self.expect(1, timeout)[0]

    def expect_none(self, timeout=0.5):
        """No message arrives for `timeout` seconds."""
        try:
            message = self.messages.get(timeout=timeout)
        except queue.Empty:
            return
        raise AssertionError(f"unexpected message on {message.topic}: {message.payload!r}")

    def wait_disconnected(self, timeout=TIMEOUT):
        assert self.disconnected.wait(timeout), "still connected after the timeout"

    def disconnect(self):
        """A normal DISCONNECT, then the network loop stops."""
        self.client.disconnect()
        self.wait_disconnected()
        self.client.loop_stop()

    def drop(self):
        """Ends the TCP connection without DISCONNECT (as a crash or network failure would)."""
        self.client.socket().shutdown(socket.SHUT_RDWR)  # the loop thread sees the end and stops
        self.wait_disconnected()
        self.client.loop_stop()

    def stop(self):
        """For cleanup: whatever the state, the loop and socket end."""
        try:
            self.client.disconnect()
        except Exception:  # noqa: BLE001 - best effort
            pass
        self.client.loop_stop()


@pytest.fixture
def client_factory(request):
    """`client_factory(client_id="", protocol=..., clean=True, on=broker)`: Paho clients, stopped at
    teardown, of the broker `on` (by default the `broker` fixture's)."""
    made = []

    def make(client_id="", protocol=mqtt.MQTTv5, clean=True, on=None):
        client = Client(on or request.getfixturevalue("broker"), client_id, protocol, clean)
        made.append(client)
        return client

    yield make
    for client in made:
        client.stop()


@pytest.fixture
def connected(client_factory):
    """`connected(client_id, protocol)`: a clean-session Paho client, already connected."""

    def make(client_id="", protocol=mqtt.MQTTv5, **kwargs):
        client = client_factory(client_id, protocol, **kwargs)
        assert client.connect() == 0
        return client

    return make


MOSQUITTO_PUB = shutil.which("mosquitto_pub")
MOSQUITTO_SUB = shutil.which("mosquitto_sub")
needs_mosquitto_clients = pytest.mark.skipif(
    MOSQUITTO_PUB is None or MOSQUITTO_SUB is None,
    reason="mosquitto_pub/mosquitto_sub are not installed (Debian package mosquitto-clients)")


class MosquittoSub:
    """mosquitto_sub running in the background: started, it has its SUBACK (so what is published next
    reaches it); `messages()` waits for it to exit (-C count or -W timeout) and returns the lines it
    printed for messages, each formatted with `line_format` (mosquitto_sub's -F)."""

    MARK = "MSG|"

    def __init__(self, broker, args, line_format="%t|%q|%r|%p", timeout=10):
        command = ["stdbuf", "-oL", MOSQUITTO_SUB, "-h", broker.host, "-p", str(broker.port), "-d",
                   "-W", str(timeout), "-F", self.MARK + line_format, *args]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.output = []
        deadline = time.monotonic() + TIMEOUT
        for line in self.process.stdout:  # line-buffered by stdbuf
            self.output.append(line)
            if "Client" in line and "received SUBACK" in line:
                return
            if time.monotonic() > deadline:
                break
        self.stop()
        raise AssertionError("mosquitto_sub did not get its SUBACK:\n" + "".join(self.output))

    def messages(self, timeout=15):
        # Not communicate(): it would miss what the line iterator above has buffered already.
        try:
            self.process.wait(timeout=timeout)
        finally:
            self.stop()
        self.output.append(self.process.stdout.read())
        self.process.stdout.close()
        text = "".join(self.output)
        return [line[len(self.MARK):] for line in text.splitlines() if line.startswith(self.MARK)]

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def mosquitto_pub(broker, *args, input=None):
    """Runs mosquitto_pub to completion (with `input` on stdin); returns the CompletedProcess."""
    return subprocess.run([MOSQUITTO_PUB, "-h", broker.host, "-p", str(broker.port), *args], input=input,
                          capture_output=True, text=True, timeout=15)


def mosquitto_sub(broker, *args, timeout=10):
    """Runs mosquitto_sub to completion (give -C; -W `timeout` ends it otherwise); returns the CompletedProcess."""
    return subprocess.run([MOSQUITTO_SUB, "-h", broker.host, "-p", str(broker.port), "-W", str(timeout), *args],
                          capture_output=True, text=True, timeout=timeout + 5)
