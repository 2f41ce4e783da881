// Policy source text and positions in it. A SourceSet owns the text of every
// file of one policy (a policy may span several files); a Span names a range
// of one of them, so that every token, AST node and diagnostic can point back
// at the text an operator wrote.
//
// Thread safety: plain values. A SourceSet may be read from several threads
// at once once no more files are added.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mqwarden::policy {

// A range of one source file. line and column are 1-based; column counts
// bytes (tabs and UTF-8 sequences count as written). A default Span points
// at nothing and is used for synthesised nodes.
struct Span {
  std::uint32_t file = 0;
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
  std::uint32_t line = 0;
  std::uint32_t column = 0;

  // The span from the start of `first` to the end of `last` (same file).
  static Span cover(const Span& first, const Span& last);
  std::uint32_t end() const { return offset + length; }
  friend bool operator==(const Span&, const Span&) = default;
};

struct SourceFile {
  std::string name;  // as shown in diagnostics, e.g. "policies/home.policy"
  std::string text;
};

class SourceSet {
 public:
  // Adds a file and returns its index, the `file` of the spans into it.
  std::uint32_t add(std::string name, std::string text);
  const SourceFile& file(std::uint32_t index) const { return files_.at(index); }
  std::size_t size() const { return files_.size(); }
  // The text of the line holding `span`'s start, without its line break.
  std::string_view line_of(const Span& span) const;

 private:
  std::vector<SourceFile> files_;
};

}  // namespace mqwarden::policy
