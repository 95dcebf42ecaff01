// LogFilter: a LogQuery made ready to test records. Regular expressions are
// RE2's, which runs in time linear in the payload whatever the pattern, so a
// pattern typed into a filter cannot stall a scan (no backtracking).
#include <re2/re2.h>

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "pipescope/codec.hpp"
#include "pipescope/log_query.hpp"

namespace pipescope {

namespace {

char fold_ascii(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

/// Where RE2 found the error: the offending fragment it names, found in the
/// pattern (RE2 reports the fragment, not an offset); 0 when not found.
std::size_t error_position(const std::string& pattern, const std::string& fragment) {
  if (fragment.empty()) return 0;
  const std::size_t found = pattern.find(fragment);
  return found == std::string::npos ? 0 : found;
}

}  // namespace

bool LogQuery::filters() const noexcept {
  return !endpoints.empty() || !directions.empty() || flags_all != 0 || flags_none != 0 || from_ns.has_value() ||
         until_ns.has_value() || pattern.kind != PatternKind::none;
}

struct LogFilter::Compiled {
  LogQuery query;
  /// The bytes searched for (text and hex patterns), folded to lower case
  /// for a case-insensitive text pattern.
  std::string needle;
  bool fold_case = false;
  std::unique_ptr<const re2::RE2> regex;

  [[nodiscard]] bool payload_matches(std::string_view payload) const {
    switch (query.pattern.kind) {
      case PatternKind::none:
        return true;
      case PatternKind::regex:
        return re2::RE2::PartialMatch(re2::StringPiece(payload.data(), payload.size()), *regex);
      case PatternKind::text:
      case PatternKind::hex:
        if (!fold_case) return payload.find(needle) != std::string_view::npos;
        return std::search(payload.begin(), payload.end(), needle.begin(), needle.end(),
                           [](char a, char b) { return fold_ascii(a) == b; }) != payload.end();
    }
    return false;
  }
};

LogFilter::LogFilter() : compiled_(std::make_unique<Compiled>()) {}
LogFilter::~LogFilter() = default;
LogFilter::LogFilter(LogFilter&&) noexcept = default;
LogFilter& LogFilter::operator=(LogFilter&&) noexcept = default;

Result<LogFilter> LogFilter::compile(LogQuery query) {
  LogFilter filter;
  Compiled& compiled = *filter.compiled_;
  const PayloadPattern& pattern = query.pattern;
  switch (pattern.kind) {
    case PatternKind::none:
      break;
    case PatternKind::text:
      compiled.needle = pattern.text;
      compiled.fold_case = !pattern.case_sensitive;
      if (compiled.fold_case) {
        std::transform(compiled.needle.begin(), compiled.needle.end(), compiled.needle.begin(), fold_ascii);
      }
      break;
    case PatternKind::hex: {
      const ParseResult parsed = parse_input(pattern.text, InputFormat::hex);
      if (!parsed.ok) {
        return make_error(Errc::bad_input, "hex pattern",
                          "position " + std::to_string(parsed.error.position) + ": " + parsed.error.message);
      }
      compiled.needle.assign(as_chars(parsed.bytes));
      break;
    }
    case PatternKind::regex: {
      re2::RE2::Options options;
      options.set_encoding(pattern.encoding == PatternEncoding::utf8 ? re2::RE2::Options::EncodingUTF8
                                                                     : re2::RE2::Options::EncodingLatin1);
      options.set_case_sensitive(pattern.case_sensitive);
      options.set_log_errors(false);
      options.set_never_capture(true);
      auto regex = std::make_unique<const re2::RE2>(pattern.text, options);
      if (!regex->ok()) {
        return make_error(Errc::bad_input, "regular expression",
                          "position " + std::to_string(error_position(pattern.text, regex->error_arg())) + ": " +
                              regex->error());
      }
      compiled.regex = std::move(regex);
      break;
    }
  }
  compiled.query = std::move(query);
  return filter;
}

const LogQuery& LogFilter::query() const noexcept { return compiled_->query; }

bool LogFilter::matches_record(const Record& record) const {
  const LogQuery& query = compiled_->query;
  if (!query.endpoints.empty() && !query.endpoints.contains(record.endpoint)) return false;
  if (!query.directions.empty() && !query.directions.contains(record.direction)) return false;
  if ((record.flags & query.flags_all) != query.flags_all) return false;
  if ((record.flags & query.flags_none) != 0) return false;
  if (query.from_ns && record.time_ns < *query.from_ns) return false;
  if (query.until_ns && record.time_ns >= *query.until_ns) return false;
  return true;
}

bool LogFilter::matches_payload(std::span<const std::byte> payload) const {
  return compiled_->payload_matches(as_chars(payload));
}

bool LogFilter::tests_payloads() const noexcept { return compiled_->query.pattern.kind != PatternKind::none; }

bool LogFilter::matches(const Record& record, std::span<const std::byte> payload) const {
  return matches_record(record) && matches_payload(payload);
}

}  // namespace pipescope
