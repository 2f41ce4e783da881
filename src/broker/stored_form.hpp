// Conversions between the broker's messages and subscriptions and the
// records the store keeps: a message is stored as the MQTT 5.0 PUBLISH that
// carries it, and its expiry as wall-clock time (the broker's steady clock
// does not survive a restart).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>

#include "broker/message.hpp"
#include "broker/subscription_tree.hpp"
#include "store/records.hpp"

namespace mqwarden::broker {

store::MessageRecordPtr to_record(const Message& message, std::uint64_t id, Clock::time_point now);
// nullopt when the record cannot be read back (a damaged database).
std::optional<MessagePtr> from_record(const store::MessageRecord& record, Clock::time_point now);

std::uint8_t options_byte(const mqtt::SubscribeOptions& options);
mqtt::SubscribeOptions options_from_byte(std::uint8_t byte);

std::int64_t unix_now_ms();
// Unix time in milliseconds of `time` on the steady clock, and back.
std::int64_t to_unix_ms(Clock::time_point time, Clock::time_point now);
Clock::time_point from_unix_ms(std::int64_t unix_ms, Clock::time_point now);

}  // namespace mqwarden::broker
