// The webhook sender against a small HTTP server on 127.0.0.1: what a POST
// carries, retries after 5xx and timeouts, no retry after 4xx, the bounded
// queue, a prompt stop; and which URLs it accepts.
#include "net/webhook_sender.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mqwarden::net {
namespace {

using namespace std::chrono_literals;

struct ReceivedRequest {
  std::string request_line;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

// Answers each request with the next status of its script (the last one
// repeats); status 0 reads the request and never answers. One connection at
// a time; connections it does not answer stay open until it is destroyed.
class TestServer {
 public:
  explicit TestServer(std::vector<int> statuses) : statuses_(std::move(statuses)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), size) != 0 || ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~TestServer() {
    stopping_ = true;
    thread_.join();
    for (const int fd : silent_) ::close(fd);
    ::close(listener_);
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(std::string_view target = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(target);
  }
  std::vector<ReceivedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  // Waits until `fd` is readable; false when the server stops first.
  bool readable(int fd) const {
    pollfd poll_fd{fd, POLLIN, 0};
    while (!stopping_) {
      if (::poll(&poll_fd, 1, 20) > 0) return true;
    }
    return false;
  }

  void serve() {
    while (readable(listener_)) {
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      std::optional<ReceivedRequest> request = read_request(fd);
      if (!request) {
        ::close(fd);
        continue;
      }
      std::size_t index = 0;
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(std::move(*request));
        index = requests_.size() - 1;
      }
      const int status = statuses_[std::min(index, statuses_.size() - 1)];
      if (status == 0) {
        silent_.push_back(fd);
        continue;
      }
      const std::string response = "HTTP/1.1 " + std::to_string(status) +
                                   " Scripted\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
      static_cast<void>(::send(fd, response.data(), response.size(), MSG_NOSIGNAL));
      ::close(fd);
    }
  }

  std::optional<ReceivedRequest> read_request(int fd) const {
    std::string data;
    std::size_t head_end = std::string::npos;
    std::size_t length = 0;
    while (head_end == std::string::npos || data.size() < head_end + 4 + length) {
      char buffer[4096];
      if (!readable(fd)) return std::nullopt;
      const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
      if (got <= 0) return std::nullopt;
      data.append(buffer, static_cast<std::size_t>(got));
      if (head_end == std::string::npos && (head_end = data.find("\r\n\r\n")) != std::string::npos) {
        length = content_length(data.substr(0, head_end));
      }
    }
    ReceivedRequest request;
    std::size_t line_end = data.find("\r\n");
    request.request_line = data.substr(0, line_end);
    while (line_end < head_end) {
      const std::size_t next = data.find("\r\n", line_end + 2);
      const std::string line = data.substr(line_end + 2, next - line_end - 2);
      const std::size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      std::ranges::transform(name, name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      request.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      line_end = next;
    }
    request.body = data.substr(head_end + 4, length);
    return request;
  }

  static std::size_t content_length(const std::string& head) {
    std::string lower = head;
    std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::size_t at = lower.find("\r\ncontent-length:");
    return at == std::string::npos ? 0 : std::stoul(head.substr(at + 17));
  }

  const std::vector<int> statuses_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<ReceivedRequest> requests_;  // guarded by mutex_
  std::vector<int> silent_;                // the server thread's
  std::thread thread_;
};

// Log lines from the sender's thread.
class Log {
 public:
  std::function<void(const std::string&)> sink() {
    return [this](const std::string& line) {
      std::lock_guard lock(mutex_);
      lines_.push_back(line);
    };
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

template <class Condition>
bool eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

WebhookOptions quick(unsigned max_attempts = 3) {
  return {.timeout = 2000ms, .max_attempts = max_attempts, .retry_backoff = 10ms, .max_queued = 100};
}

TEST(WebhookSender, PostsTheBodyAsJson) {
  TestServer server({200});
  WebhookSender sender(quick(), nullptr);
  const std::string body = R"({"rule":"fall","floor":3})";
  ASSERT_TRUE(sender.submit(server.url("/hooks/alarm?site=north"), body));
  ASSERT_TRUE(eventually([&] { return sender.stats().delivered == 1; }));
  const std::vector<ReceivedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1U);
  const ReceivedRequest& request = requests[0];
  EXPECT_EQ(request.request_line, "POST /hooks/alarm?site=north HTTP/1.1");
  EXPECT_EQ(request.headers.at("host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(request.headers.at("content-type"), "application/json");
  EXPECT_EQ(request.headers.at("user-agent"), "mqwarden");
  EXPECT_EQ(request.headers.at("content-length"), std::to_string(body.size()));
  EXPECT_EQ(request.body, body);
  EXPECT_EQ(sender.stats().failed, 0U);
  EXPECT_EQ(sender.stats().dropped, 0U);
}

TEST(WebhookSender, RetriesAfterAServerError) {
  TestServer server({500, 200});
  Log log;
  WebhookSender sender(quick(), log.sink());
  ASSERT_TRUE(sender.submit(server.url(), "{}"));
  ASSERT_TRUE(eventually([&] { return sender.stats().delivered == 1; }));
  EXPECT_EQ(server.requests().size(), 2U);
  EXPECT_EQ(server.requests()[1].body, "{}");
  EXPECT_EQ(sender.stats().failed, 0U);
  EXPECT_TRUE(log.lines().empty());
}

TEST(WebhookSender, GivesUpAfterMaxAttemptsOfServerErrors) {
  TestServer server({503});
  Log log;
  WebhookSender sender(quick(3), log.sink());
  ASSERT_TRUE(sender.submit(server.url("/secret-token"), "{}"));
  ASSERT_TRUE(eventually([&] { return sender.stats().failed == 1; }));
  EXPECT_EQ(server.requests().size(), 3U);
  EXPECT_EQ(sender.stats().delivered, 0U);
  EXPECT_EQ(log.lines(), std::vector<std::string>{"webhook to http://127.0.0.1:" + std::to_string(server.port()) +
                                                  " failed after 3 attempts: HTTP 503"});
}

TEST(WebhookSender, DoesNotRetryAClientError) {
  TestServer server({404, 200});
  Log log;
  WebhookSender sender(quick(3), log.sink());
  ASSERT_TRUE(sender.submit(server.url("/secret-token"), "{}"));
  ASSERT_TRUE(eventually([&] { return sender.stats().failed == 1; }));
  EXPECT_EQ(server.requests().size(), 1U);
  EXPECT_EQ(sender.stats().delivered, 0U);
  // The path, which may hold a secret, stays out of the log.
  EXPECT_EQ(log.lines(), std::vector<std::string>{"webhook to http://127.0.0.1:" + std::to_string(server.port()) +
                                                  " failed after 1 attempt: HTTP 404"});
}

TEST(WebhookSender, GivesUpAfterTimeoutsWhenTheServerNeverAnswers) {
  TestServer server({0});
  Log log;
  WebhookSender sender({.timeout = 200ms, .max_attempts = 2, .retry_backoff = 10ms, .max_queued = 10}, log.sink());
  ASSERT_TRUE(sender.submit(server.url(), "{}"));
  ASSERT_TRUE(eventually([&] { return sender.stats().failed == 1; }));
  EXPECT_EQ(server.requests().size(), 2U);
  ASSERT_EQ(log.lines().size(), 1U);
  EXPECT_TRUE(log.lines()[0].ends_with("failed after 2 attempts: no answer within 200 ms")) << log.lines()[0];
}

TEST(WebhookSender, RetriesWhenTheConnectionIsRefused) {
  std::uint16_t closed_port = 0;
  {
    const TestServer gone({200});
    closed_port = gone.port();
  }
  Log log;
  WebhookSender sender(quick(2), log.sink());
  ASSERT_TRUE(sender.submit("http://127.0.0.1:" + std::to_string(closed_port) + "/", "{}"));
  ASSERT_TRUE(eventually([&] { return sender.stats().failed == 1; }));
  ASSERT_EQ(log.lines().size(), 1U);
  EXPECT_NE(log.lines()[0].find("failed after 2 attempts: cannot connect: "), std::string::npos) << log.lines()[0];
}

TEST(WebhookSender, DropsWhatDoesNotFitTheQueueAndStopsPromptly) {
  TestServer server({0});
  const auto started = std::chrono::steady_clock::now();
  {
    WebhookSender sender({.timeout = 60s, .max_attempts = 1, .retry_backoff = 10ms, .max_queued = 2}, nullptr);
    ASSERT_TRUE(sender.submit(server.url("/1"), "{}"));
    // The first POST is in progress (and never answered); two more may wait.
    ASSERT_TRUE(eventually([&] { return server.requests().size() == 1; }));
    EXPECT_TRUE(sender.submit(server.url("/2"), "{}"));
    EXPECT_TRUE(sender.submit(server.url("/3"), "{}"));
    EXPECT_FALSE(sender.submit(server.url("/4"), "{}"));
    EXPECT_EQ(sender.stats().dropped, 1U);
    EXPECT_EQ(sender.stats().delivered, 0U);
    EXPECT_EQ(sender.stats().failed, 0U);
  }
  // The attempt in progress was cut short, long before its timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
  EXPECT_EQ(server.requests().size(), 1U);
}

TEST(WebhookSender, DropsAnInvalidUrl) {
  WebhookSender sender(quick(), nullptr);
  EXPECT_FALSE(sender.submit("ftp://example.com/", "{}"));
  EXPECT_FALSE(sender.submit("not a url", "{}"));
  EXPECT_EQ(sender.stats().dropped, 2U);
}

TEST(WebhookUrl, ParsesHttpAndHttps) {
  const auto plain = parse_webhook_url("http://example.com/hooks/a?x=1&y=2");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->host, "example.com");
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->target, "/hooks/a?x=1&y=2");

  const auto secure = parse_webhook_url("HTTPS://hooks.example.org:8443/v1/events");
  ASSERT_TRUE(secure);
  EXPECT_TRUE(secure->tls);
  EXPECT_EQ(secure->host, "hooks.example.org");
  EXPECT_EQ(secure->port, 8443);
  EXPECT_EQ(secure->target, "/v1/events");

  EXPECT_EQ(parse_webhook_url("https://example.com")->port, 443);
}

TEST(WebhookUrl, GivesATargetOfAtLeastASlashAndDropsTheFragment) {
  EXPECT_EQ(parse_webhook_url("http://example.com")->target, "/");
  EXPECT_EQ(parse_webhook_url("http://example.com?x=1")->target, "/?x=1");
  EXPECT_EQ(parse_webhook_url("http://example.com/a#part")->target, "/a");
  EXPECT_EQ(parse_webhook_url("http://example.com#part")->target, "/");
}

TEST(WebhookUrl, TakesIpAddresses) {
  const auto v4 = parse_webhook_url("http://10.0.0.7:8080/x");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "10.0.0.7");
  EXPECT_EQ(v4->port, 8080);
  const auto v6 = parse_webhook_url("https://[2001:db8::1]:9443/x");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "2001:db8::1");
  EXPECT_EQ(v6->port, 9443);
  EXPECT_EQ(parse_webhook_url("http://[::1]/")->port, 80);
}

TEST(WebhookUrl, RefusesWhatIsNotAnHttpUrl) {
  for (const std::string_view url : {
           "", "example.com/hook", "ftp://example.com/", "mqtt://example.com/", "http:/example.com/", "http://",
           "http:///path", "http://:80/", "http://example.com:/", "http://example.com:0/",
           "http://example.com:65536/", "http://example.com:8o/", "http://example.com:123456/",
           "http://user:secret@example.com/", "http://user@example.com/", "http://exa mple.com/",
           "http://example.com/a b", "http://example.com/a\r\nX-Injected: 1", "http://example.com/\x7f",
           "http://example.com/caf\xc3\xa9", "http://[::1/", "http://[::1]x/", "http://[zz::1]/",
           "http://[fe80::1%25eth0]/", "http://::1/", "http://exa_mple.com:80:81/"}) {
    EXPECT_FALSE(parse_webhook_url(url)) << url;
  }
}

}  // namespace
}  // namespace mqwarden::net
