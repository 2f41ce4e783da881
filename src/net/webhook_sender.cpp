// The sender's queue and retries, and one POST with Boost.Beast: an Exchange
// runs resolve, connect, TLS handshake, write and read as a chain of
// handlers on the sender's io_context, with a timer for the whole attempt.
// The sender's thread runs that io_context only while an attempt is under
// way, and stops as soon as the attempt is decided: operations it no longer
// waits for (a DNS lookup that takes longer than the timeout) finish in the
// background and find their Exchange done.
#include "net/webhook_sender.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <memory>
#include <utility>

#include "net/asio.hpp"

namespace mqwarden::net {
namespace ssl = asio::ssl;
namespace http = boost::beast::http;
using boost::system::error_code;

struct WebhookSender::Io {
  std::optional<ssl::context> tls;  // made on the first https URL; outlives the streams on `context`
  asio::io_context context;

  ssl::context& tls_context() {
    if (!tls) {
      tls.emplace(ssl::context::tls_client);
      SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
      error_code ignored;  // without CAs, every certificate fails verification and says so
      tls->set_default_verify_paths(ignored);
    }
    return *tls;
  }
};

namespace {

constexpr std::uint32_t kMaxResponseHeader = 16 * 1024;
constexpr std::uint64_t kMaxResponseBody = 64 * 1024;
constexpr std::chrono::milliseconds kMaxBackoff{std::chrono::minutes(10)};

std::string bracketed_host(const WebhookUrl& url) {
  return url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
}

std::string host_header(const WebhookUrl& url) {
  const std::uint16_t default_port = url.tls ? 443 : 80;
  return url.port == default_port ? bracketed_host(url) : bracketed_host(url) + ":" + std::to_string(url.port);
}

// The URL without its path and query, for log lines.
std::string origin(const WebhookUrl& url) {
  return (url.tls ? "https://" : "http://") + bracketed_host(url) + ":" + std::to_string(url.port);
}

bool is_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

bool is_target_char(char c) {
  return c > 0x20 && c < 0x7F;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5 || !std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  unsigned value = 0;
  for (const char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
  if (value == 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// One POST under one deadline. Handlers hold the Exchange alive; the first
// outcome (a response, an error, the deadline, cancel()) is final and closes
// everything, so later completions find it done.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(asio::io_context& io, ssl::context* tls, const WebhookUrl& url, const std::string& body,
           std::chrono::milliseconds timeout)
      : url_(url), timeout_(timeout), deadline_(io), resolver_(io), socket_(io) {
    if (tls != nullptr) tls_.emplace(socket_, *tls);
    request_.method(http::verb::post);
    request_.target(url.target);
    request_.version(11);
    request_.set(http::field::host, host_header(url));
    request_.set(http::field::user_agent, "mqwarden");
    request_.set(http::field::content_type, "application/json");
    request_.set(http::field::connection, "close");
    request_.body() = body;
    request_.prepare_payload();
    parser_.header_limit(kMaxResponseHeader);
    parser_.body_limit(kMaxResponseBody);
  }

  void start() {
    auto self = shared_from_this();
    deadline_.expires_after(timeout_);
    deadline_.async_wait([self](const error_code& error) {
      if (!error) self->finish("no answer within " + std::to_string(self->timeout_.count()) + " ms");
    });
    resolver_.async_resolve(url_.host, std::to_string(url_.port),
                            [self](const error_code& error, const tcp::resolver::results_type& endpoints) {
                              self->on_resolved(error, endpoints);
                            });
  }
  void cancel() { finish("stopped"); }

  bool done() const { return done_; }
  unsigned status() const { return status_; }  // 0: no response
  const std::string& error() const { return error_; }

 private:
  void on_resolved(const error_code& error, const tcp::resolver::results_type& endpoints) {
    if (done_) return;
    if (error) return finish("cannot resolve " + url_.host + ": " + error.message());
    asio::async_connect(socket_, endpoints, [self = shared_from_this()](const error_code& e, const tcp::endpoint&) {
      self->on_connected(e);
    });
  }

  void on_connected(const error_code& error) {
    if (done_) return;
    if (error) return finish("cannot connect: " + error.message());
    if (!tls_) return send();
    error_code not_an_address;
    asio::ip::make_address(url_.host, not_an_address);
    if (not_an_address) SSL_set_tlsext_host_name(tls_->native_handle(), url_.host.data());  // SNI names hosts only
    tls_->set_verify_mode(ssl::verify_peer);
    tls_->set_verify_callback(ssl::host_name_verification(url_.host));
    tls_->async_handshake(ssl::stream_base::client, [self = shared_from_this()](const error_code& e) {
      if (self->done_) return;
      if (e) return self->finish("TLS handshake failed: " + e.message());
      self->send();
    });
  }

  void send() {
    with_stream([self = shared_from_this()](auto& stream) {
      http::async_write(stream, self->request_, [self](const error_code& e, std::size_t) { self->on_sent(e); });
    });
  }

  void on_sent(const error_code& error) {
    if (done_) return;
    if (error) return finish("cannot send the request: " + error.message());
    with_stream([self = shared_from_this()](auto& stream) {
      http::async_read(stream, self->buffer_, self->parser_,
                       [self](const error_code& e, std::size_t) { self->finish("no valid response: " + e.message()); });
    });
  }

  // Once the status line is read, the status is the outcome, whatever
  // becomes of the rest; `error` counts only before.
  void finish(std::string error) {
    if (done_) return;
    done_ = true;
    if (parser_.is_header_done()) {
      status_ = parser_.get().result_int();
    } else {
      error_ = std::move(error);
    }
    deadline_.cancel();
    resolver_.cancel();
    error_code ignored;
    socket_.close(ignored);
  }

  template <class F>
  void with_stream(F&& use) {
    if (tls_) {
      use(*tls_);
    } else {
      use(socket_);
    }
  }

  WebhookUrl url_;
  const std::chrono::milliseconds timeout_;
  asio::steady_timer deadline_;
  tcp::resolver resolver_;
  tcp::socket socket_;
  std::optional<ssl::stream<tcp::socket&>> tls_;  // https only
  http::request<http::string_body> request_;
  boost::beast::flat_buffer buffer_{kMaxResponseHeader + kMaxResponseBody};
  http::response_parser<http::string_body> parser_;
  bool done_ = false;
  unsigned status_ = 0;
  std::string error_;
};

}  // namespace

std::optional<WebhookUrl> parse_webhook_url(std::string_view url) {
  WebhookUrl parsed;
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  std::string scheme(url.substr(0, scheme_end));
  std::ranges::transform(scheme, scheme.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "http" && scheme != "https") return std::nullopt;
  parsed.tls = scheme == "https";
  parsed.port = parsed.tls ? 443 : 80;

  std::string_view rest = url.substr(scheme_end + 3);
  const std::size_t authority_end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);

  std::string_view host = authority;
  std::optional<std::string_view> port;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return std::nullopt;
    if (!after.empty()) port = after.substr(1);
    error_code not_an_address;
    asio::ip::make_address_v6(std::string(host), not_an_address);
    if (not_an_address || host.find('%') != std::string_view::npos) return std::nullopt;  // no zone ids
  } else {
    const std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    if (host.empty() || host.size() > 253 || !std::ranges::all_of(host, is_host_char)) return std::nullopt;
  }
  if (port) {
    const std::optional<std::uint16_t> number = parse_port(*port);
    if (!number) return std::nullopt;
    parsed.port = *number;
  }

  rest = rest.substr(0, rest.find('#'));
  if (!std::ranges::all_of(rest, is_target_char)) return std::nullopt;
  parsed.host = host;
  parsed.target = rest.empty() || rest.front() == '?' ? "/" + std::string(rest) : std::string(rest);
  return parsed;
}

WebhookSender::WebhookSender(WebhookOptions options, std::function<void(const std::string&)> on_failure)
    : options_(options), on_failure_(std::move(on_failure)), io_(std::make_unique<Io>()), thread_([this] { run(); }) {}

WebhookSender::~WebhookSender() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (interrupt_) interrupt_();
  }
  wake_.notify_all();
  thread_.join();
}

bool WebhookSender::submit(std::string url, std::string body) {
  if (std::optional<WebhookUrl> parsed = parse_webhook_url(url)) {
    std::lock_guard lock(mutex_);
    if (!stopping_ && queue_.size() < options_.max_queued) {
      queue_.push_back({std::move(*parsed), std::move(body)});
      wake_.notify_one();
      return true;
    }
  }
  dropped_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

WebhookStats WebhookSender::stats() const {
  return {delivered_.load(std::memory_order_relaxed), failed_.load(std::memory_order_relaxed),
          dropped_.load(std::memory_order_relaxed)};
}

void WebhookSender::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    deliver(job);
  }
}

void WebhookSender::deliver(const Job& job) {
  const unsigned attempts = std::max(options_.max_attempts, 1U);
  std::chrono::milliseconds backoff = options_.retry_backoff;
  for (unsigned made = 1;; ++made) {
    const std::optional<Response> response = attempt(job);
    if (!response) return;
    if (response->status >= 200 && response->status < 300) {
      delivered_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    const bool retryable = response->status == 0 || (response->status >= 500 && response->status < 600);
    if (!retryable || made == attempts) {
      failed_.fetch_add(1, std::memory_order_relaxed);
      if (on_failure_) {
        const std::string reason = response->status != 0 ? "HTTP " + std::to_string(response->status) : response->error;
        on_failure_("webhook to " + origin(job.url) + " failed after " + std::to_string(made) +
                    (made == 1 ? " attempt: " : " attempts: ") + reason);
      }
      return;
    }
    if (!pause(backoff)) return;
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

std::optional<WebhookSender::Response> WebhookSender::attempt(const Job& job) {
  asio::io_context& io = io_->context;
  auto exchange =
      std::make_shared<Exchange>(io, job.url.tls ? &io_->tls_context() : nullptr, job.url, job.body, options_.timeout);
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return std::nullopt;
    interrupt_ = [&io, exchange] { asio::post(io, [exchange] { exchange->cancel(); }); };
  }
  io.restart();
  exchange->start();
  while (!exchange->done() && io.run_one() > 0) {
  }
  std::lock_guard lock(mutex_);
  interrupt_ = nullptr;
  if (stopping_) return std::nullopt;
  return Response{exchange->status(), exchange->error()};
}

bool WebhookSender::pause(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

}  // namespace mqwarden::net
