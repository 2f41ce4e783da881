// ConsentRegistry: who allowed whom to receive their data, and for what
// purpose (docs/context.md, "Consent"). An owner grants or withdraws consent
// for a recipient (a client id, or `role:<name>`) and a purpose by publishing
// to `$mqwarden/consent/<owner>`; `consent(owner, recipient, purpose)` reads
// the registry on every decision, so a withdrawal counts from the next
// delivery on. `request_consent` asks an owner at most once per owner,
// recipient and purpose while the request is pending (not yet answered).
//
// Decisions are handed to a persister (the embedded store) as they are made
// and restored at start. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "store/records.hpp"

namespace mqwarden::context {

inline constexpr std::string_view kConsentTopicPrefix = "$mqwarden/consent/";

using ConsentRecord = store::ConsentRecord;  // what is persisted is what is kept

class ConsentRegistry {
 public:
  using Persist = std::function<void(const ConsentRecord&)>;
  // At most `max_records` decisions and as many pending requests are kept.
  ConsentRegistry(std::size_t max_records, Persist persist);

  // The decisions saved before (no persisting, no requests answered).
  void restore(const std::vector<ConsentRecord>& records);

  // A message on a decision topic (`$mqwarden/consent/<owner>`) from `publisher`: records the
  // decision it carries. Returns why not when it is refused (not the owner,
  // malformed, the registry is full); the caller logs it.
  std::optional<std::string> apply(std::string_view topic, std::string_view publisher, const nlohmann::json* payload,
                                   std::int64_t now_ms);

  bool granted(std::string_view owner, std::string_view recipient, std::string_view purpose, std::int64_t now_ms) const;

  // Marks a request pending; false when one already is (or too many are).
  bool request(std::string_view owner, std::string_view recipient, std::string_view purpose);

  std::size_t records() const;

  // Whether `topic` is an owner's decision topic `$mqwarden/consent/<owner>`.
  static bool is_decision_topic(std::string_view topic);
  // The topic consent requests to `owner` are published on: `$mqwarden/consent/<owner>/requests`.
  static std::string requests_topic(std::string_view owner);

 private:
  using Key = std::tuple<std::string, std::string, std::string>;  // owner, recipient, purpose
  using KeyView = std::tuple<std::string_view, std::string_view, std::string_view>;
  static Key key_of(std::string_view owner, std::string_view recipient, std::string_view purpose);
  // Orders keys and views of keys alike, so that a lookup copies no string.
  struct KeyLess {
    using is_transparent = void;
    static KeyView view(const KeyView& key) { return key; }
    static KeyView view(const Key& key) { return {std::get<0>(key), std::get<1>(key), std::get<2>(key)}; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return view(a) < view(b);
    }
  };

  const std::size_t max_records_;
  const Persist persist_;
  mutable std::mutex mutex_;
  std::map<Key, ConsentRecord, KeyLess> records_;  // guarded by mutex_
  std::set<Key, KeyLess> pending_;                 // guarded by mutex_
};

}  // namespace mqwarden::context
