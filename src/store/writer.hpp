// Writer: applies recorded operations to the database, a batch per
// transaction, with statements prepared once. Internal to src/store.
// Not thread-safe: used by the store's writer thread only.
#pragma once

#include <span>
#include <string>

#include "common/result.hpp"
#include "store/operations.hpp"
#include "store/sqlite_db.hpp"

namespace mqwarden::store {

class Writer {
 public:
  static Result<Writer, std::string> create(SqliteDb& db);

  // Applies every operation in one transaction; on failure nothing of it is kept.
  Result<void, std::string> commit(std::span<const Operation> batch);

 private:
  Writer() = default;
  Result<void, std::string> apply(const Operation& operation);
  Result<void, std::string> apply(const SaveSession& operation);
  Result<void, std::string> apply(const RemoveSession& operation);
  Result<void, std::string> apply(const SaveSubscription& operation);
  Result<void, std::string> apply(const RemoveSubscription& operation);
  Result<void, std::string> apply(const AddDelivery& operation);
  Result<void, std::string> apply(const UpdateDelivery& operation);
  Result<void, std::string> apply(const RemoveDelivery& operation);
  Result<void, std::string> apply(const AddDelayed& operation);
  Result<void, std::string> apply(const RemoveDelayed& operation);
  Result<void, std::string> apply(const AddIncomingQos2& operation);
  Result<void, std::string> apply(const RemoveIncomingQos2& operation);
  Result<void, std::string> apply(const SetRetained& operation);
  Result<void, std::string> apply(const SaveBan& operation);
  Result<void, std::string> apply(const SaveConsent& operation);
  // Adds `message` unless it is stored already (by the other deliveries of its publish).
  Result<void, std::string> insert_message(const MessageRecord& message);
  // Deletes message `id` if no delivery or delayed delivery refers to it any more.
  Result<void, std::string> collect_message(std::int64_t id);

  SqliteDb* db_ = nullptr;
  Statement begin_, commit_, rollback_;
  Statement save_session_, remove_session_, remove_session_subscriptions_, remove_session_qos2_;
  Statement session_message_ids_, remove_session_deliveries_, remove_session_delayed_;
  Statement save_subscription_, remove_subscription_;
  Statement insert_message_, add_delivery_, update_delivery_, remove_delivery_, collect_message_;
  Statement add_delayed_, remove_delayed_;
  Statement add_qos2_, remove_qos2_;
  Statement set_retained_, clear_retained_;
  Statement save_ban_, forget_bans_;
  Statement save_consent_;
};

// "1 5 9": the subscription identifiers of a delivery as stored.
std::string join_identifiers(std::span<const std::uint32_t> identifiers);
std::vector<std::uint32_t> split_identifiers(const std::string& text);

}  // namespace mqwarden::store
