#include "context/consent_registry.hpp"

#include <cmath>

namespace mqwarden::context {
namespace {

std::optional<std::string> text_member(const nlohmann::json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

ConsentRegistry::ConsentRegistry(std::size_t max_records, Persist persist)
    : max_records_(max_records), persist_(std::move(persist)) {}

ConsentRegistry::Key ConsentRegistry::key_of(std::string_view owner, std::string_view recipient,
                                             std::string_view purpose) {
  return {std::string(owner), std::string(recipient), std::string(purpose)};
}

bool ConsentRegistry::is_decision_topic(std::string_view topic) {
  if (!topic.starts_with(kConsentTopicPrefix)) return false;
  const std::string_view owner = topic.substr(kConsentTopicPrefix.size());
  return !owner.empty() && owner.find('/') == std::string_view::npos;
}

std::string ConsentRegistry::requests_topic(std::string_view owner) {
  return std::string(kConsentTopicPrefix) + std::string(owner) + "/requests";
}

void ConsentRegistry::restore(const std::vector<ConsentRecord>& records) {
  std::lock_guard lock(mutex_);
  for (const ConsentRecord& record : records) {
    if (records_.size() >= max_records_) break;
    records_[key_of(record.owner, record.recipient, record.purpose)] = record;
  }
}

std::optional<std::string> ConsentRegistry::apply(std::string_view topic, std::string_view publisher,
                                                  const nlohmann::json* payload, std::int64_t now_ms) {
  const std::string_view owner = topic.substr(kConsentTopicPrefix.size());
  if (publisher != owner) return "client " + std::string(publisher) + " is not the owner " + std::string(owner);
  if (payload == nullptr || !payload->is_object()) return "the payload is not a JSON object";
  ConsentRecord record;
  record.owner = std::string(owner);
  const auto recipient = text_member(*payload, "recipient");
  const auto purpose = text_member(*payload, "purpose");
  const auto granted = payload->find("granted");
  if (!recipient || !purpose || granted == payload->end() || !granted->is_boolean()) {
    return "a consent decision needs \"recipient\", \"purpose\" (strings) and \"granted\" (true or false)";
  }
  record.recipient = *recipient;
  record.purpose = *purpose;
  record.granted = granted->get<bool>();
  record.time_ms = now_ms;
  if (auto valid_for = payload->find("valid_for_seconds"); valid_for != payload->end()) {
    if (!valid_for->is_number() || !(valid_for->get<double>() > 0) || !std::isfinite(valid_for->get<double>())) {
      return "\"valid_for_seconds\" must be a positive number";
    }
    record.expires_ms = now_ms + static_cast<std::int64_t>(valid_for->get<double>() * 1000);
  }
  {
    std::lock_guard lock(mutex_);
    Key key = key_of(record.owner, record.recipient, record.purpose);
    if (!records_.contains(key) && records_.size() >= max_records_) {
      return "the consent registry is full (" + std::to_string(max_records_) + " decisions)";
    }
    pending_.erase(key);
    records_[std::move(key)] = record;
  }
  if (persist_) persist_(record);
  return std::nullopt;
}

bool ConsentRegistry::granted(std::string_view owner, std::string_view recipient, std::string_view purpose,
                              std::int64_t now_ms) const {
  std::lock_guard lock(mutex_);
  auto it = records_.find(KeyView(owner, recipient, purpose));  // no copies: read on every decision
  if (it == records_.end() || !it->second.granted) return false;
  return !it->second.expires_ms || now_ms < *it->second.expires_ms;
}

bool ConsentRegistry::request(std::string_view owner, std::string_view recipient, std::string_view purpose) {
  std::lock_guard lock(mutex_);
  if (pending_.size() >= max_records_) return false;
  return pending_.insert(key_of(owner, recipient, purpose)).second;
}

std::size_t ConsentRegistry::records() const {
  std::lock_guard lock(mutex_);
  return records_.size();
}

}  // namespace mqwarden::context
