// JSON paths: conversion from the AST, look-up, rendering.
#include "policy/json_path.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

namespace mqwarden::policy {
namespace {

bool is_policy_word(std::string_view name) {
  const auto word_start = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  const auto word_char = [&](char c) { return word_start(c) || (c >= '0' && c <= '9'); };
  return !name.empty() && word_start(name.front()) && std::all_of(name.begin(), name.end(), word_char);
}

}  // namespace

JsonPath json_path_from(std::span<const PathSegment> segments) {
  JsonPath path;
  path.reserve(segments.size());
  for (const PathSegment& segment : segments) {
    if (!segment.index) {
      path.push_back(JsonPathStep{segment.name, std::nullopt});
      continue;
    }
    // The parser writes an index as the digits of a whole number below 1e9.
    std::size_t index = 0;
    std::from_chars(segment.name.data(), segment.name.data() + segment.name.size(), index);
    path.push_back(JsonPathStep{{}, index});
  }
  return path;
}

const nlohmann::json* find(const nlohmann::json& document, const JsonPath& path) {
  const nlohmann::json* node = &document;
  for (const JsonPathStep& step : path) {
    if (step.index) {
      if (!node->is_array() || *step.index >= node->size()) return nullptr;
      node = &(*node)[*step.index];
    } else {
      if (!node->is_object()) return nullptr;
      const auto member = node->find(step.key);
      if (member == node->end()) return nullptr;
      node = &*member;
    }
  }
  return node;
}

nlohmann::json* find(nlohmann::json& document, const JsonPath& path) {
  return const_cast<nlohmann::json*>(find(std::as_const(document), path));
}

std::string to_string(const JsonPath& path) {
  std::string out = "payload";
  for (const JsonPathStep& step : path) {
    if (step.index) {
      out += '[' + std::to_string(*step.index) + ']';
    } else if (is_policy_word(step.key)) {
      out += '.' + step.key;
    } else {
      out += '[' + nlohmann::json(step.key).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + ']';
    }
  }
  return out;
}

}  // namespace mqwarden::policy
