// WebhookSender: posts the JSON bodies of `webhook(url, body)` reactions to
// their URLs (http or https) off the broker's hot path. submit() queues a
// POST and returns at once; one background thread sends them in turn, each
// attempt bounded by a deadline covering resolve, connect, TLS handshake,
// request and response. A 2xx status is success; a 5xx status, a timeout or
// a connection error is retried after a back-off that doubles each time, up
// to max_attempts attempts in all; any other status is final. https verifies
// the server's certificate against the system's CAs and its name against the
// URL's host. The response is read up to 64 KiB; only its status counts.
//
// Thread-safe: submit() and stats() may be called from any thread. The
// on_failure callback runs on the sender's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace mqwarden::net {

struct WebhookUrl {
  bool tls = false;        // https
  std::string host;        // a DNS name or an IP address, IPv6 without its brackets
  std::uint16_t port = 0;  // 80 or 443 when the URL gives none
  std::string target;      // path and query, at least "/"
};

// Parses http://host[:port]/path and https://host[:port]/path, the host a
// DNS name or an IP address (IPv6 in brackets), the path optional and
// possibly with a query. A fragment is dropped. Nullopt for anything else,
// including user information ("user@host") and characters that a request
// line cannot carry (spaces, control characters, non-ASCII).
std::optional<WebhookUrl> parse_webhook_url(std::string_view url);

struct WebhookOptions {
  std::chrono::milliseconds timeout{5000};  // per attempt, everything included
  unsigned max_attempts = 3;                // in all, the first included (0 counts as 1)
  std::chrono::milliseconds retry_backoff{500};  // before the 2nd attempt; doubled for each next, at most 10 min
  std::size_t max_queued = 1000;  // POSTs waiting, the one in progress not counted
};

struct WebhookStats {
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;   // given up: max_attempts spent, or a final status
  std::uint64_t dropped = 0;  // refused by submit(): the queue was full or the URL invalid
};

class WebhookSender {
 public:
  // `on_failure`, which may be null, gets a log line for each POST given up.
  // The line names the URL's scheme, host and port, never its path or query,
  // which often carry a secret.
  explicit WebhookSender(WebhookOptions options, std::function<void(const std::string&)> on_failure);
  // Stops at once: queued POSTs are abandoned, one in progress is cut short.
  // A DNS lookup still running (the system resolver's own timeouts bound it)
  // is waited for.
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // Queues a POST of `body` to `url`. Never blocks; false (counted as
  // dropped) when the URL is invalid or max_queued POSTs are waiting.
  bool submit(std::string url, std::string body);
  WebhookStats stats() const;

 private:
  struct Io;  // the io_context and TLS context (webhook_sender.cpp)
  struct Job {
    WebhookUrl url;
    std::string body;
  };
  // What one attempt came to: a status, or why there is none.
  struct Response {
    unsigned status = 0;  // 0: no response
    std::string error;
  };

  void run();
  void deliver(const Job& job);
  // One attempt; nullopt when stopped.
  std::optional<Response> attempt(const Job& job);
  // Waits `delay`; false when stopped meanwhile.
  bool pause(std::chrono::milliseconds delay);

  const WebhookOptions options_;
  const std::function<void(const std::string&)> on_failure_;
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::uint64_t> dropped_{0};
  const std::unique_ptr<Io> io_;  // used by the sender's thread only
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;            // guarded by mutex_
  bool stopping_ = false;            // guarded by mutex_
  std::function<void()> interrupt_;  // guarded by mutex_: cuts the attempt in progress short
  std::thread thread_;
};

}  // namespace mqwarden::net
