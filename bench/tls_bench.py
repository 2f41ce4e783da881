#!/usr/bin/env python3
"""TLS handshake rate and TLS throughput of an MQTT broker's TLS listener, for
comparing mqwarden with Mosquitto in the same run (docs/performance.md, "TLS").

../shared/bench/mqload speaks no TLS, so this is the measured client for TLS:
Python's ssl module (OpenSSL underneath, the same library the brokers use).

  handshakes: N client threads each connect, complete the TLS handshake (full
    handshake, no session resumption), send CONNECT, wait for CONNACK and
    close, for DURATION seconds; prints handshakes (with CONNACK) per second.
  throughput: P publishers each send pre-encoded QoS 0 PUBLISH packets of SIZE
    bytes through TLS as fast as the socket takes them, to one subscriber per
    publisher (topic bench/i); prints the messages per second the subscribers
    received, counted from the bytes that arrived (no per-message Python work).

The client side costs CPU too (2 shared cores here): figures compare brokers
measured by the same client, not absolute broker capacity.

  idle: opens N TLS connections (each with its CONNACK), holds them, and prints
    the broker's resident memory growth per connection (--broker-pid).

  tls_bench.py --port 8883 --ca ca.pem handshakes --threads 4 --duration 10
  tls_bench.py --port 8883 --ca ca.pem throughput --pubs 4 --size 256 --duration 10
  tls_bench.py --port 8883 --ca ca.pem idle --connections 2000 --broker-pid PID
"""
import argparse
import json
import socket
import ssl
import struct
import threading
import time


def varint(value):
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def mqtt_string(text):
    data = text.encode()
    return struct.pack(">H", len(data)) + data


def connect_packet(client_id):
    body = mqtt_string("MQTT") + bytes([4, 2]) + struct.pack(">H", 60) + mqtt_string(client_id)
    return b"\x10" + varint(len(body)) + body


def subscribe_packet(topic):
    body = struct.pack(">H", 1) + mqtt_string(topic) + b"\x00"
    return b"\x82" + varint(len(body)) + body


def publish_packet(topic, size):
    body = mqtt_string(topic) + b"x" * size
    return b"\x30" + varint(len(body)) + body


def recv_exactly(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("closed by the broker")
        data += chunk
    return data


class Bench:
    def __init__(self, args):
        self.args = args
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self.context.load_verify_locations(args.ca)
        self.context.check_hostname = False
        if args.tls == "1.2":
            self.context.maximum_version = ssl.TLSVersion.TLSv1_2

    def open(self, client_id):
        raw = socket.create_connection((self.args.host, self.args.port), timeout=10)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        tls = self.context.wrap_socket(raw)
        tls.sendall(connect_packet(client_id))
        connack = recv_exactly(tls, 4)
        if connack[0] != 0x20 or connack[3] != 0:
            raise ConnectionError(f"CONNACK {connack!r}")
        return tls

    def handshakes(self):
        deadline = time.monotonic() + self.args.duration
        counts = [0] * self.args.threads
        errors = [0] * self.args.threads

        def run(index):
            while time.monotonic() < deadline:
                try:
                    self.open(f"hs-{index}").close()
                    counts[index] += 1
                except (OSError, ConnectionError):
                    errors[index] += 1

        threads = [threading.Thread(target=run, args=(i,)) for i in range(self.args.threads)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        return {"handshakes_per_s": round(sum(counts) / elapsed, 1), "errors": sum(errors)}

    def throughput(self):
        packet = publish_packet("bench/0", self.args.size)  # same length for every publisher index < 10
        subscribers = []
        for index in range(self.args.pubs):
            sub = self.open(f"sub-{index}")
            sub.sendall(subscribe_packet(f"bench/{index}"))
            recv_exactly(sub, 5)  # SUBACK
            subscribers.append(sub)
        received = [0] * self.args.pubs
        stop = threading.Event()
        measuring = {}

        def read(index):
            sock = subscribers[index]
            sock.settimeout(1)
            while not stop.is_set():
                try:
                    chunk = sock.recv(1 << 20)
                except (socket.timeout, ssl.SSLError):
                    continue
                if not chunk:
                    return
                received[index] += len(chunk)

        def publish(index):
            sock = self.open(f"pub-{index}")
            batch = publish_packet(f"bench/{index}", self.args.size) * 64
            while not stop.is_set():
                sock.sendall(batch)
            sock.close()

        readers = [threading.Thread(target=read, args=(i,)) for i in range(self.args.pubs)]
        writers = [threading.Thread(target=publish, args=(i,)) for i in range(self.args.pubs)]
        for thread in readers + writers:
            thread.start()
        time.sleep(self.args.warmup)
        measuring["start"], start_bytes = time.monotonic(), sum(received)
        time.sleep(self.args.duration)
        measuring["end"], end_bytes = time.monotonic(), sum(received)
        stop.set()
        for thread in writers + readers:
            thread.join()
        for sub in subscribers:
            sub.close()
        elapsed = measuring["end"] - measuring["start"]
        messages = (end_bytes - start_bytes) / len(packet)
        return {"msgs_per_s": round(messages / elapsed), "MiB_per_s": round((end_bytes - start_bytes) / elapsed / 2**20, 1)}


def resident_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def idle(bench):
    before = resident_kib(bench.args.broker_pid)
    held = [bench.open(f"idle-{index}") for index in range(bench.args.connections)]
    time.sleep(2)
    after = resident_kib(bench.args.broker_pid)
    for sock in held:
        sock.close()
    return {"connections": len(held), "rss_growth_kB": after - before,
            "kB_per_connection": round((after - before) / len(held), 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ca", required=True, help="the CA that signed the broker's certificate")
    parser.add_argument("--tls", choices=["1.2", "1.3"], default="1.3", help="the highest TLS version offered")
    parser.add_argument("--label", default="")
    commands = parser.add_subparsers(dest="command", required=True)
    handshakes = commands.add_parser("handshakes")
    handshakes.add_argument("--threads", type=int, default=4)
    handshakes.add_argument("--duration", type=float, default=10)
    throughput = commands.add_parser("throughput")
    throughput.add_argument("--pubs", type=int, default=4)
    throughput.add_argument("--size", type=int, default=256)
    throughput.add_argument("--duration", type=float, default=10)
    throughput.add_argument("--warmup", type=float, default=2)
    idle_command = commands.add_parser("idle")
    idle_command.add_argument("--connections", type=int, default=2000)
    idle_command.add_argument("--broker-pid", type=int, required=True)
    args = parser.parse_args()
    bench = Bench(args)
    result = {"handshakes": bench.handshakes, "throughput": bench.throughput, "idle": lambda: idle(bench)}[
        args.command]()
    print(json.dumps({"label": args.label, "command": args.command, "tls": args.tls, **result}))


if __name__ == "__main__":
    main()
