// Atomic replacement of a file: contents, mode, symbolic links, no temporary
// files left behind, and a clear error when the directory is missing.
#include "auth/atomic_write.hpp"

#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace mqwarden::auth {
namespace {

namespace fs = std::filesystem;
using testing::permissions;
using testing::read_text;
using testing::TempDir;
using testing::write_text;

TEST(AtomicWrite, CreatesAFileWithTheContentsAndMode) {
  TempDir dir;
  ASSERT_TRUE(write_file_atomically(dir / "f", "hello\n", 0600).ok());
  EXPECT_EQ(read_text(dir / "f"), "hello\n");
  EXPECT_EQ(permissions(dir / "f"), fs::perms::owner_read | fs::perms::owner_write);
}

TEST(AtomicWrite, ReplacesAWiderModeFileAndLeavesNoTemporaryFile) {
  TempDir dir;
  write_text(dir / "f", "old contents that are longer\n");
  fs::permissions(dir / "f", fs::perms::all);
  ASSERT_TRUE(write_file_atomically(dir / "f", "new\n", 0600).ok());
  EXPECT_EQ(read_text(dir / "f"), "new\n");
  EXPECT_EQ(permissions(dir / "f"), fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(AtomicWrite, FollowsASymbolicLink) {
  TempDir dir;
  write_text(dir / "target", "old\n");
  fs::create_symlink(dir / "target", dir / "link");
  ASSERT_TRUE(write_file_atomically(dir / "link", "new\n", 0600).ok());
  EXPECT_TRUE(fs::is_symlink(dir / "link"));
  EXPECT_EQ(read_text(dir / "target"), "new\n");
}

TEST(AtomicWrite, ReportsAMissingDirectory) {
  TempDir dir;
  const auto written = write_file_atomically(dir / "missing" / "f", "x", 0600);
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.error().find((dir / "missing").string()), std::string::npos) << written.error();
  EXPECT_NE(written.error().find("No such file or directory"), std::string::npos) << written.error();
}

}  // namespace
}  // namespace mqwarden::auth
