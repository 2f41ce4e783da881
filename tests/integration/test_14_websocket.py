"""WebSocket listeners, plain (ws) and over TLS (wss): MQTT.js from npm and
paho's websocket transport; MQTT packets spanning frames and several packets
in one frame; the upgrade's path and sub-protocol; frames MQTT forbids."""
import base64
import os
import pathlib
import shutil
import socket
import ssl
import struct
import subprocess
import time

import paho.mqtt.client as mqtt
import pytest

import wire
from clients import TIMEOUT, Client
from tls_certificates import CertificateAuthority

JS_DIR = pathlib.Path(__file__).parent / "js"
INSTALL_JS = pathlib.Path(__file__).parents[2] / "scripts" / "install-js-deps.sh"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed (MQTT.js needs node and npm)")


@pytest.fixture(scope="module")
def mqtt_js():
    """MQTT.js installed from npm (npm ci, as the lock file pins it): a failing install fails the test."""
    subprocess.run([str(INSTALL_JS)], check=True, timeout=300)
    assert (JS_DIR / "node_modules" / "mqtt").is_dir(), "npm ci did not install mqtt"
    return JS_DIR / "round_trip.js"


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    authority = CertificateAuthority(tmp_path_factory.mktemp("ca"))
    authority.server = authority.issue("server", "/CN=localhost", server=True)
    return authority


@pytest.fixture
def ws_broker(start_broker, ca):
    cert, key = ca.server
    return start_broker(f"""
[[listeners]]
port = 1883

[[listeners]]
port = @PORT1@
protocol = "ws"

[[listeners]]
port = @PORT2@
protocol = "wss"
websocket_path = "/secure"
cert_file = "{cert}"
key_file = "{key}"
""")


@needs_node
def test_mqtt_js_over_ws(ws_broker, mqtt_js):
    result = subprocess.run([NODE, str(mqtt_js), f"ws://127.0.0.1:{ws_broker.ports[1]}/mqtt", "js/ws"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split("\n")[:2] == ["received 20 bytes", "received 100000 bytes"]


@needs_node
def test_mqtt_js_over_wss(ws_broker, mqtt_js, ca):
    result = subprocess.run([NODE, str(mqtt_js), f"wss://localhost:{ws_broker.ports[2]}/secure", "js/wss"],
                            capture_output=True, text=True, timeout=30, env={**os.environ, "CA_FILE": str(ca.ca)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "received 100000 bytes" in result.stdout


class WebSocketClient(Client):
    """The paho client of clients.py with paho's websocket transport, to listener `number` at `path`."""

    def __init__(self, broker, number, path, ca=None, **kwargs):
        super().__init__(broker, **kwargs)
        self.client = mqtt.Client(client_id=kwargs.get("client_id", ""), protocol=self.protocol,
                                  transport="websockets", reconnect_on_failure=False)
        self.client.ws_set_options(path=path)
        if ca is not None:
            self.client.tls_set(ca_certs=str(ca.ca))
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda client, userdata, message: self.messages.put(message)
        self.client.on_subscribe = self._on_subscribe
        self.client.on_disconnect = lambda *args: self.disconnected.set()
        self.ws_port = broker.ports[number]

    def connect(self, **kwargs):
        port, self.broker.port = self.broker.port, self.ws_port
        try:
            return super().connect(**kwargs)
        finally:
            self.broker.port = port


@pytest.mark.parametrize("number,path,secure", [(1, "/mqtt", False), (2, "/secure", True)], ids=["ws", "wss"])
def test_paho_websocket_transport(ws_broker, ca, client_factory, number, path, secure):
    over_ws = WebSocketClient(ws_broker, number, path, ca if secure else None, client_id="paho-ws")
    try:
        assert over_ws.connect() == 0
        assert over_ws.subscribe("paho/ws", 1) == [1]
        plain = client_factory("plain-tcp", on=ws_broker)  # WebSocket and TCP clients share the broker
        assert plain.connect() == 0
        plain.publish("paho/ws", b"x" * 70_000, qos=1)  # a 64-bit length frame
        assert over_ws.expect_one().payload == b"x" * 70_000
        assert plain.subscribe("paho/back", 0) == [0]
        over_ws.publish("paho/back", b"from websocket", qos=1)
        assert plain.expect_one().payload == b"from websocket"
    finally:
        over_ws.stop()


# --- a raw WebSocket client, to control how MQTT packets and frames line up ---

UPGRADE = ("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n")


def frame(payload, opcode=2, final=True, mask=b"\x01\x02\x03\x04"):
    header = bytes([(0x80 if final else 0) | opcode])
    size = len(payload)
    if size < 126:
        header += bytes([0x80 | size])
    elif size < 65536:
        header += bytes([0x80 | 126]) + struct.pack(">H", size)
    else:
        header += bytes([0x80 | 127]) + struct.pack(">Q", size)
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class RawWebSocket:
    def __init__(self, port, path="/mqtt", protocol="mqtt"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(UPGRADE.format(path=path, key=key, protocol=protocol).encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            data = self.sock.recv(4096)
            if not data:
                break
            self.buffer += data
        self.status, _, self.buffer = self.buffer.partition(b"\r\n\r\n")

    def _read(self, count):
        while len(self.buffer) < count:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("closed")
            self.buffer += data
        result, self.buffer = self.buffer[:count], self.buffer[count:]
        return result

    def read_frame(self):
        """(opcode, payload) of the next server frame."""
        first, second = self._read(2)
        size = second & 0x7F
        if size == 126:
            size = struct.unpack(">H", self._read(2))[0]
        elif size == 127:
            size = struct.unpack(">Q", self._read(8))[0]
        assert second & 0x80 == 0, "server frames are not masked"
        return first & 0x0F, self._read(size)

    def read_mqtt(self, count):
        """The next `count` MQTT packets, from binary frames however they were split."""
        data = b""
        packets = []
        while len(packets) < count:
            opcode, payload = self.read_frame()
            assert opcode == 2, f"opcode {opcode}"
            data += payload
            while True:
                try:
                    packet, used = split_packet(data)
                except IndexError:
                    break
                if packet is None:
                    break
                packets.append(packet)
                data = data[used:]
        return packets

    def close(self):
        self.sock.close()


def split_packet(data):
    """(first byte and body, bytes used) of the first whole MQTT packet in data, or (None, 0)."""
    if len(data) < 2:
        return None, 0
    size, shift, index = 0, 0, 1
    while True:
        if index >= len(data):
            return None, 0
        byte = data[index]
        size |= (byte & 0x7F) << shift
        index += 1
        if not byte & 0x80:
            break
        shift += 7
    if len(data) < index + size:
        return None, 0
    return (data[0], data[index:index + size]), index + size


def test_several_packets_in_one_frame_and_a_packet_across_frames(ws_broker):
    client = RawWebSocket(ws_broker.ports[1])
    try:
        assert client.status.startswith(b"HTTP/1.1 101")
        assert b"Sec-WebSocket-Protocol: mqtt" in client.status
        # CONNECT and SUBSCRIBE in one frame.
        client.sock.sendall(frame(wire.connect("raw-ws") + wire.subscribe(1, [("raw/t", 0)])))
        connack, suback = client.read_mqtt(2)
        assert connack[0] >> 4 == wire.CONNACK and suback[0] >> 4 == wire.SUBACK
        # One PUBLISH split over a fragmented message (3 frames), then one split over two messages.
        publish = wire.publish("raw/t", b"p" * 300)
        client.sock.sendall(frame(publish[:5], final=False) + frame(publish[5:100], opcode=0, final=False)
                            + frame(publish[100:], opcode=0))
        client.sock.sendall(frame(publish[:50]))
        client.sock.sendall(frame(publish[50:]))
        first, second = client.read_mqtt(2)
        assert first[0] >> 4 == wire.PUBLISH and first[1].endswith(b"p" * 300)
        assert second == first
        # A ping between frames is answered with a pong carrying its data.
        client.sock.sendall(frame(b"are you there", opcode=9))
        assert client.read_frame() == (10, b"are you there")
    finally:
        client.close()


def test_a_wrong_path_or_no_mqtt_sub_protocol_is_refused(ws_broker):
    wrong_path = RawWebSocket(ws_broker.ports[1], path="/other")
    assert wrong_path.status.startswith(b"HTTP/1.1 404")
    wrong_path.close()
    no_mqtt = RawWebSocket(ws_broker.ports[1], protocol="chat")
    assert no_mqtt.status.startswith(b"HTTP/1.1 400")
    no_mqtt.close()
    deadline = time.monotonic() + TIMEOUT  # the log line follows the answer
    while "WebSocket upgrade for /other instead of /mqtt" not in ws_broker.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "WebSocket upgrade for /other instead of /mqtt" in ws_broker.log()


def test_a_text_frame_closes_the_connection_with_a_protocol_error(ws_broker):
    client = RawWebSocket(ws_broker.ports[1])
    try:
        client.sock.sendall(frame(wire.connect("text"), opcode=1))
        assert client.read_frame() == (8, struct.pack(">H", 1002))
        assert client.sock.recv(1) == b""
    finally:
        client.close()


def test_plain_mqtt_on_a_websocket_port_is_refused_at_once(ws_broker):
    with socket.create_connection(("127.0.0.1", ws_broker.ports[1]), timeout=TIMEOUT) as sock:
        sock.sendall(wire.connect("not-websocket"))
        answer = b""
        while data := sock.recv(4096):
            answer += data
        assert answer.startswith(b"HTTP/1.1 400 Bad Request")


def test_wss_needs_tls(ws_broker, ca):
    context = ssl.create_default_context(cafile=str(ca.ca))
    with socket.create_connection(("127.0.0.1", ws_broker.ports[2]), timeout=TIMEOUT) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(UPGRADE.format(path="/secure", key="dGhlIHNhbXBsZSBub25jZQ==", protocol="mqtt").encode())
            assert tls.recv(4096).startswith(b"HTTP/1.1 101")
