#include "policy/source.hpp"

#include <algorithm>

namespace mqwarden::policy {

Span Span::cover(const Span& first, const Span& last) {
  Span span = first;
  span.length = std::max(first.end(), last.end()) - first.offset;
  return span;
}

std::uint32_t SourceSet::add(std::string name, std::string text) {
  files_.push_back(SourceFile{std::move(name), std::move(text)});
  return static_cast<std::uint32_t>(files_.size() - 1);
}

std::string_view SourceSet::line_of(const Span& span) const {
  if (span.file >= files_.size()) return {};
  const std::string_view text = files_[span.file].text;
  const std::size_t offset = std::min<std::size_t>(span.offset, text.size());
  std::size_t start = 0;
  if (offset > 0) {
    const std::size_t previous_break = text.rfind('\n', offset - 1);
    if (previous_break != std::string_view::npos) start = previous_break + 1;
  }
  std::size_t end = text.find('\n', offset);
  if (end == std::string_view::npos) end = text.size();
  std::string_view line = text.substr(start, end - start);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace mqwarden::policy
