// CompactMutex: a mutual exclusion lock of four bytes, for objects the broker
// holds one of per connection or per session (std::mutex takes forty).
//
// Uncontended, lock and unlock are one atomic instruction each. A thread that
// finds the lock taken spins briefly, then sleeps in the kernel (futex, through
// std::atomic::wait) until the holder's unlock wakes it. Not recursive, not
// fair. Meets the Lockable requirements: use it with std::lock_guard and
// std::unique_lock (not with std::condition_variable).
#pragma once

#include <atomic>
#include <cstdint>

namespace mqwarden {

class CompactMutex {
 public:
  CompactMutex() = default;
  CompactMutex(const CompactMutex&) = delete;
  CompactMutex& operator=(const CompactMutex&) = delete;

  void lock() {
    if (!try_lock()) lock_contended();
  }

  bool try_lock() {
    std::uint32_t expected = kFree;
    return state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire, std::memory_order_relaxed);
  }

  void unlock() {
    if (state_.exchange(kFree, std::memory_order_release) == kLockedWithWaiters) state_.notify_one();
  }

 private:
  static constexpr std::uint32_t kFree = 0;
  static constexpr std::uint32_t kLocked = 1;              // no thread sleeps on it
  static constexpr std::uint32_t kLockedWithWaiters = 2;  // a thread may sleep on it: unlock wakes one

  void lock_contended() {
    // Most critical sections here are a few hundred nanoseconds: a short spin
    // usually gets the lock without a system call.
    for (int spin = 0; spin < 64; ++spin) {
      if (state_.load(std::memory_order_relaxed) == kFree && try_lock()) return;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    // Marks the lock as waited on; whoever takes it this way keeps the mark, so
    // that its unlock wakes the next sleeper (at worst one needless wake-up).
    while (state_.exchange(kLockedWithWaiters, std::memory_order_acquire) != kFree) {
      state_.wait(kLockedWithWaiters, std::memory_order_relaxed);
    }
  }

  std::atomic<std::uint32_t> state_{kFree};
};

}  // namespace mqwarden
