// Test doubles for the broker core: a link that records what it is sent, an
// executor that runs everything on one pretend worker, a connection control
// that records the settings the handler makes; and a policy engine from text.
#pragma once

#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker/client_link.hpp"
#include "broker/connection_control.hpp"
#include "broker/worker_executor.hpp"
#include "policy/engine.hpp"

namespace mqwarden::broker::testing {

class RecordingLink final : public ClientLink {
 public:
  bool send(mqtt::Packet packet) override {
    if (max_packet_size && packet_bytes(packet) > *max_packet_size) return false;
    sent.push_back(std::move(packet));
    return true;
  }
  void close(std::optional<mqtt::ReasonCode> reason) override {
    closed = true;
    close_reason = reason;
  }

  // Removes and returns the packets sent so far.
  std::vector<mqtt::Packet> take() {
    std::vector<mqtt::Packet> packets(sent.begin(), sent.end());
    sent.clear();
    return packets;
  }

  std::optional<std::size_t> max_packet_size;
  std::deque<mqtt::Packet> sent;
  bool closed = false;
  std::optional<mqtt::ReasonCode> close_reason;

 private:
  static std::size_t packet_bytes(const mqtt::Packet& packet);
};

// Runs posted tasks at once; delayed tasks wait until the test runs them.
class InlineExecutor final : public WorkerExecutor {
 public:
  struct Delayed final : ScheduledTask {
    Delayed(std::chrono::milliseconds due_in, std::function<void()> work) : delay(due_in), task(std::move(work)) {}
    void cancel() override { task = nullptr; }  // drops what the task holds, as the real timer does
    std::chrono::milliseconds delay;
    std::function<void()> task;
  };

  std::size_t worker_count() const override { return 1; }
  std::size_t current_worker() const override { return 0; }
  void post(std::size_t, std::function<void()> task) override { task(); }
  std::shared_ptr<ScheduledTask> post_after(std::size_t, std::chrono::milliseconds delay,
                                            std::function<void()> task) override {
    delayed.push_back(std::make_shared<Delayed>(delay, std::move(task)));
    return delayed.back();
  }

  // Runs, in order of their delays, the delayed tasks due within `elapsed`.
  void run_delayed(std::chrono::milliseconds elapsed) {
    std::stable_sort(delayed.begin(), delayed.end(), [](const auto& a, const auto& b) { return a->delay < b->delay; });
    std::vector<std::shared_ptr<Delayed>> waiting;
    for (auto& entry : std::exchange(delayed, {})) {
      if (!entry->task) continue;  // cancelled
      if (entry->delay <= elapsed) {
        auto task = std::exchange(entry->task, nullptr);
        task();
      } else {
        entry->delay -= elapsed;
        waiting.push_back(std::move(entry));
      }
    }
    delayed.insert(delayed.end(), waiting.begin(), waiting.end());
  }

  // Delayed tasks neither run nor cancelled.
  std::size_t pending() const {
    return static_cast<std::size_t>(
        std::count_if(delayed.begin(), delayed.end(), [](const auto& entry) { return entry->task != nullptr; }));
  }

  std::vector<std::shared_ptr<Delayed>> delayed;
};

class RecordingControl final : public ConnectionControl {
 public:
  explicit RecordingControl(std::shared_ptr<ClientLink> connection) : connection_(std::move(connection)) {}
  ClientLink& link() override { return *connection_; }
  std::shared_ptr<ClientLink> shared_link() override { return connection_; }
  void set_protocol_version(mqtt::ProtocolVersion v) override { version = v; }
  void set_peer_max_packet_size(std::uint32_t bytes) override { peer_max_packet_size = bytes; }
  void set_peer_topic_alias_maximum(std::uint16_t maximum) override { peer_topic_alias_maximum = maximum; }
  void set_keep_alive(std::chrono::seconds interval) override { keep_alive = interval; }
  void client_connected(std::string_view id) override { connected_as = std::string(id); }
  std::string_view remote_address() const override { return "127.0.0.1:50000"; }
  std::optional<std::string_view> certificate_common_name() const override { return common_name; }
  std::optional<std::string_view> certificate_username() const override { return username_from_certificate; }

  mqtt::ProtocolVersion version = mqtt::ProtocolVersion::v311;
  std::optional<std::uint32_t> peer_max_packet_size;
  std::optional<std::uint16_t> peer_topic_alias_maximum;
  std::optional<std::chrono::seconds> keep_alive;
  std::string connected_as;
  std::optional<std::string_view> common_name;
  std::optional<std::string_view> username_from_certificate;

 private:
  std::shared_ptr<ClientLink> connection_;
};

// An engine enforcing the policy `text` (a test failure if it does not load).
std::shared_ptr<policy::Engine> engine_with(const std::string& text, policy::EngineConfig config = {});

}  // namespace mqwarden::broker::testing
