#include "auth/atomic_write.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

namespace mqwarden::auth {
namespace {

std::string system_error(std::string_view what, const std::filesystem::path& path, int error) {
  return std::string(what) + " " + path.string() + ": " + std::strerror(error);
}

// Where to write: the file a symbolic link points to, or the path itself.
std::filesystem::path resolve_target(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_symlink(std::filesystem::symlink_status(path, ec))) {
    const std::filesystem::path target = std::filesystem::canonical(path, ec);
    if (!ec) return target;
  }
  return path;
}

bool write_all(int fd, std::string_view contents) {
  while (!contents.empty()) {
    const ssize_t written = ::write(fd, contents.data(), contents.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    contents.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

// Makes the rename itself durable. Not every file system supports fsync on a
// directory; the data is already safe, so a failure here is ignored.
void sync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

Result<void, std::string> write_file_atomically(const std::filesystem::path& path, std::string_view contents,
                                                mode_t mode) {
  const std::filesystem::path target = resolve_target(path);
  const std::string pattern = target.string() + ".tmp.XXXXXX";
  std::vector<char> temp(pattern.begin(), pattern.end());
  temp.push_back('\0');

  const int fd = ::mkstemp(temp.data());  // created 0600
  if (fd < 0) return fail(system_error("cannot create a temporary file next to", target, errno));
  const std::filesystem::path temp_path(temp.data());

  const bool written = ::fchmod(fd, mode) == 0 && write_all(fd, contents) && ::fsync(fd) == 0;
  const int write_errno = errno;
  const bool closed = ::close(fd) == 0;
  if (!written || !closed) {
    ::unlink(temp.data());
    return fail(system_error("cannot write", temp_path, written ? errno : write_errno));
  }
  if (::rename(temp.data(), target.c_str()) != 0) {
    const int rename_errno = errno;
    ::unlink(temp.data());
    return fail(system_error("cannot replace", target, rename_errno));
  }
  sync_directory(target.parent_path());
  return {};
}

}  // namespace mqwarden::auth
