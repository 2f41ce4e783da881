// MQTT.js round trip for test_14_websocket.py: connects to URL (ws:// or wss://),
// subscribes to TOPIC, publishes a small and a 100 kB message at QoS 1 and
// prints "received N bytes" for each one that comes back. Exits 0 when both
// came back within 10 s. With CA_FILE set, wss:// trusts that CA.
const fs = require("fs");
const mqtt = require("mqtt");

const [url, topic] = process.argv.slice(2);
const options = { clientId: "mqttjs-" + process.pid, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000 };
if (process.env.CA_FILE) options.ca = fs.readFileSync(process.env.CA_FILE);

const payloads = [Buffer.from("hello over websocket"), Buffer.alloc(100_000, 0x61)];
let received = 0;
const client = mqtt.connect(url, options);
const fail = (why) => {
  console.error("failed:", why);
  process.exit(1);
};
setTimeout(() => fail("timeout"), 10_000).unref();
client.on("error", (error) => fail(error.message));
client.on("connect", () => {
  client.subscribe(topic, { qos: 1 }, (error) => {
    if (error) return fail(error.message);
    for (const payload of payloads) client.publish(topic, payload, { qos: 1 });
  });
});
client.on("message", (_topic, message) => {
  if (!message.equals(payloads[received])) fail("unexpected payload of " + message.length + " bytes");
  console.log("received " + message.length + " bytes");
  if (++received === payloads.length) client.end(false, () => process.exit(0));
});
