#include "common/compact_mutex.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <vector>

namespace mqwarden {
namespace {

TEST(CompactMutex, IsFourBytes) {
  EXPECT_EQ(sizeof(CompactMutex), 4u);
}

TEST(CompactMutex, TryLockFailsWhileHeldAndSucceedsAfterUnlock) {
  CompactMutex mutex;
  ASSERT_TRUE(mutex.try_lock());
  std::thread other([&] { EXPECT_FALSE(mutex.try_lock()); });
  other.join();
  mutex.unlock();
  EXPECT_TRUE(mutex.try_lock());
  mutex.unlock();
}

// Threads that hold the lock long enough to make the others sleep on it:
// no increment is lost, and every sleeper is woken (the test would hang otherwise).
TEST(CompactMutex, ExcludesAndWakesUnderContention) {
  CompactMutex mutex;
  long counter = 0;  // guarded by mutex, deliberately not atomic
  constexpr int kThreads = 4;
  constexpr int kRounds = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < kRounds; ++round) {
        std::lock_guard lock(mutex);
        const long seen = counter;
        if (round % 1000 == 0) std::this_thread::yield();  // lets others queue up behind the holder
        counter = seen + 1;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter, long{kThreads} * kRounds);
}

TEST(CompactMutex, HandsOverToASleepingThread) {
  CompactMutex mutex;
  mutex.lock();
  bool entered = false;
  std::thread waiter([&] {
    std::lock_guard lock(mutex);  // spins, then sleeps: the main thread holds it
    entered = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  mutex.unlock();
  waiter.join();
  std::lock_guard lock(mutex);
  EXPECT_TRUE(entered);
}

}  // namespace
}  // namespace mqwarden
