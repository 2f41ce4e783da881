// FileLock: an exclusive advisory lock (flock) on a file beside the database,
// held for the store's lifetime, so that a second broker started on the same
// database is refused instead of interleaving its writes with the first's.
// The lock goes with the process, so a killed broker leaves no stale lock.
// Not thread-safe; movable, not copyable.
#pragma once

#include <string>

#include "common/result.hpp"

namespace mqwarden::store {

class FileLock {
 public:
  // Creates `path` if needed and locks it; fails at once if another process holds it.
  static Result<FileLock, std::string> acquire(const std::string& path);

  FileLock() = default;
  ~FileLock();
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int descriptor) : descriptor_(descriptor) {}
  int descriptor_ = -1;
};

}  // namespace mqwarden::store
