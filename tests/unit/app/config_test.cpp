#include "app/config.hpp"

#include <gtest/gtest.h>
#include <sched.h>

namespace mqwarden::app {
namespace {

using namespace std::chrono_literals;

TEST(ConfigDefaults, AreSafeAndDocumented) {
  const Config config;
  EXPECT_EQ(config.broker.threads, 0u);
  ASSERT_EQ(config.listeners.size(), 1u);
  EXPECT_EQ(config.listeners[0].address, "127.0.0.1");
  EXPECT_EQ(config.listeners[0].port, 1883);
  EXPECT_EQ(config.listeners[0].name, "");
  EXPECT_EQ(config.listeners[0].protocol, ListenerProtocol::mqtt);
  EXPECT_EQ(config.limits.max_packet_size, 4u * 1024 * 1024);
  EXPECT_EQ(config.limits.max_connections, 10'000u);
  EXPECT_EQ(config.limits.max_inflight_messages, 100);
  EXPECT_EQ(config.limits.max_queued_messages, 1000u);
  EXPECT_EQ(config.limits.max_queued_bytes, 16u * 1024 * 1024);
  EXPECT_EQ(config.limits.max_keep_alive, 65535s);
  EXPECT_EQ(config.limits.max_topic_alias, 10);
  EXPECT_FALSE(config.persistence.enabled);
  EXPECT_EQ(config.persistence.path, "mqwarden.db");
  EXPECT_EQ(config.persistence.sync, SyncMode::full);
  EXPECT_EQ(config.persistence.batch_interval, 5ms);
  EXPECT_FALSE(config.auth.allow_anonymous);
  EXPECT_EQ(config.auth.password_file, std::nullopt);
  EXPECT_EQ(config.log.level, LogLevel::info);
}

TEST(ConfigDefaults, LieWithinTheirBounds) {
  const LimitsSection limits;
  EXPECT_GE(limits.max_packet_size, LimitsSection::kMaxPacketSizeBounds.min);
  EXPECT_LE(limits.max_packet_size, LimitsSection::kMaxPacketSizeBounds.max);
  EXPECT_LE(limits.max_connections, LimitsSection::kMaxConnectionsBounds.max);
  EXPECT_LE(limits.max_queued_messages, LimitsSection::kMaxQueuedMessagesBounds.max);
  EXPECT_LE(limits.max_queued_bytes, LimitsSection::kMaxQueuedBytesBounds.max);
  EXPECT_LE(PersistenceSection{}.batch_interval, PersistenceSection::kBatchIntervalBounds.max);
}

TEST(WorkerThreads, ZeroMeansTheCpusOfTheAffinityMask) {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  ASSERT_EQ(sched_getaffinity(0, sizeof cpus, &cpus), 0);
  EXPECT_EQ(worker_threads(BrokerSection{}), static_cast<std::uint32_t>(CPU_COUNT(&cpus)));
  EXPECT_GE(worker_threads(BrokerSection{}), 1u);
}

TEST(WorkerThreads, AnExplicitCountIsKept) {
  EXPECT_EQ(worker_threads(BrokerSection{.threads = 7}), 7u);
}

TEST(IsIpAddress, AcceptsIpv4AndIpv6Literals) {
  EXPECT_TRUE(is_ip_address("127.0.0.1"));
  EXPECT_TRUE(is_ip_address("0.0.0.0"));
  EXPECT_TRUE(is_ip_address("::"));
  EXPECT_TRUE(is_ip_address("::1"));
  EXPECT_TRUE(is_ip_address("fe80::1:2"));
}

TEST(IsIpAddress, RejectsHostNamesAndGarbage) {
  EXPECT_FALSE(is_ip_address("localhost"));
  EXPECT_FALSE(is_ip_address("256.0.0.1"));
  EXPECT_FALSE(is_ip_address("127.0.0.1:1883"));
  EXPECT_FALSE(is_ip_address(""));
}

}  // namespace
}  // namespace mqwarden::app
