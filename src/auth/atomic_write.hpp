// Replaces a file's contents atomically: readers (a broker reloading its
// password file) see the old file or the new one, never a mix or a truncated
// file, and a crash leaves one of the two.
//
// The text goes to a temporary file in the same directory, created with the
// requested mode (0600 for secrets, never wider for a moment), is flushed to
// disk, and renamed over the target; a symbolic link is followed, so the file
// it points to is replaced and the link stays. Safe from any thread, though
// two writers of one file race (the last rename wins).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace mqwarden::auth {

// On failure, a message that names the file and the system error.
Result<void, std::string> write_file_atomically(const std::filesystem::path& path, std::string_view contents,
                                                mode_t mode);

}  // namespace mqwarden::auth
