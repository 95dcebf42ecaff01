// Pipe names: the accepted forms, each way a name can be wrong, the length
// limit (never truncated) and comparison.
#include "pipescope/name.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace pipescope {
namespace {

const std::string kLocal = "\\\\.\\pipe\\";  // \\.\pipe\ (9 characters)

std::string repeat(std::string_view piece, std::size_t times) {
  std::string text;
  for (std::size_t i = 0; i < times; ++i) text += piece;
  return text;
}

// --- names that parse ---------------------------------------------------------

struct GoodName {
  const char* label;
  std::string input;
  PipeName::Kind kind;
  std::string server;
  std::string leaf;
  std::string full;
  bool local;
};

void PrintTo(const GoodName& c, std::ostream* os) { *os << c.label; }

class PipeNameAccepts : public ::testing::TestWithParam<GoodName> {};

TEST_P(PipeNameAccepts, ParsesToTheCanonicalForm) {
  const GoodName& c = GetParam();
  const Result<PipeName> parsed = PipeName::parse(c.input);
  ASSERT_TRUE(parsed.ok()) << parsed.error().summary();
  EXPECT_EQ(parsed->kind(), c.kind);
  EXPECT_EQ(parsed->server(), c.server);
  EXPECT_EQ(parsed->leaf(), c.leaf);
  EXPECT_EQ(parsed->full(), c.full);
  EXPECT_EQ(parsed->is_local(), c.local);

  // The canonical form is itself a valid name that means the same pipe.
  const Result<PipeName> again = PipeName::parse(parsed->full());
  ASSERT_TRUE(again.ok()) << again.error().summary();
  EXPECT_EQ(again->full(), c.full);
  EXPECT_TRUE(*again == *parsed);
}

const std::vector<GoodName> kGoodNames = {
    {"local_full", "\\\\.\\pipe\\demo", PipeName::Kind::pipe, ".", "demo", "\\\\.\\pipe\\demo", true},
    {"bare", "demo", PipeName::Kind::pipe, ".", "demo", "\\\\.\\pipe\\demo", true},
    {"remote", "\\\\Server\\pipe\\demo", PipeName::Kind::pipe, "Server", "demo", "\\\\Server\\pipe\\demo", false},
    {"forward_slashes", "//./pipe/demo", PipeName::Kind::pipe, ".", "demo", "\\\\.\\pipe\\demo", true},
    {"mixed_slashes", "\\/.\\pipe/demo", PipeName::Kind::pipe, ".", "demo", "\\\\.\\pipe\\demo", true},
    {"pipe_word_any_case", "\\\\.\\PiPe\\Demo", PipeName::Kind::pipe, ".", "Demo", "\\\\.\\pipe\\Demo", true},
    {"slash_inside_leaf", "\\\\.\\pipe\\a/b", PipeName::Kind::pipe, ".", "a/b", "\\\\.\\pipe\\a/b", true},
    {"bare_with_slash", "a/b", PipeName::Kind::pipe, ".", "a/b", "\\\\.\\pipe\\a/b", true},
    {"spaces_and_symbols", "my pipe #1 (test)", PipeName::Kind::pipe, ".", "my pipe #1 (test)",
     "\\\\.\\pipe\\my pipe #1 (test)", true},
    {"utf8", "caf\xc3\xa9", PipeName::Kind::pipe, ".", "caf\xc3\xa9", "\\\\.\\pipe\\caf\xc3\xa9", true},
    {"socket_path", "/run/x.sock", PipeName::Kind::path, "", "/run/x.sock", "/run/x.sock", true},
    {"root_path", "/", PipeName::Kind::path, "", "/", "/", true},
    {"path_bytes_not_utf8", "/tmp/\xff", PipeName::Kind::path, "", "/tmp/\xff", "/tmp/\xff", true},
    {"exactly_the_limit", kLocal + repeat("x", 247), PipeName::Kind::pipe, ".", repeat("x", 247),
     kLocal + repeat("x", 247), true},
    {"bare_exactly_the_limit", repeat("y", 247), PipeName::Kind::pipe, ".", repeat("y", 247),
     kLocal + repeat("y", 247), true},
    {"path_exactly_the_limit", "/" + repeat("p", 255), PipeName::Kind::path, "", "/" + repeat("p", 255),
     "/" + repeat("p", 255), true},
    // 247 two-byte characters are 494 bytes but 247 UTF-16 units, as Windows counts.
    {"limit_counts_characters_not_bytes", repeat("\xc3\xa9", 247), PipeName::Kind::pipe, ".",
     repeat("\xc3\xa9", 247), kLocal + repeat("\xc3\xa9", 247), true},
    // Characters beyond U+FFFF take two UTF-16 units: 9 + 2 * 123 = 255.
    {"astral_characters_count_twice", repeat("\xf0\x9f\x98\x80", 123), PipeName::Kind::pipe, ".",
     repeat("\xf0\x9f\x98\x80", 123), kLocal + repeat("\xf0\x9f\x98\x80", 123), true},
};

INSTANTIATE_TEST_SUITE_P(Forms, PipeNameAccepts, ::testing::ValuesIn(kGoodNames),
                         [](const ::testing::TestParamInfo<GoodName>& info) { return std::string(info.param.label); });

// --- names that are refused ---------------------------------------------------

struct BadName {
  const char* label;
  std::string input;
  Errc expected;
  std::vector<std::string> detail_mentions;  // each must appear in Error::detail
};

void PrintTo(const BadName& c, std::ostream* os) { *os << c.label; }

class PipeNameRejects : public ::testing::TestWithParam<BadName> {};

TEST_P(PipeNameRejects, WithADistinctCodeAndAClearDetail) {
  const BadName& c = GetParam();
  const Result<PipeName> parsed = PipeName::parse(c.input);
  ASSERT_FALSE(parsed.ok()) << "accepted as " << parsed->full();
  const Error& error = parsed.error();
  EXPECT_EQ(error.errc(), c.expected) << error.summary();
  EXPECT_EQ(error.operation, "parse pipe name");
  EXPECT_FALSE(error.detail.empty());
  for (const std::string& mention : c.detail_mentions) {
    EXPECT_NE(error.detail.find(mention), std::string::npos) << "\"" << mention << "\" missing from: " << error.detail;
  }
  EXPECT_NE(error.summary().find(std::string(error_symbol(c.expected))), std::string::npos) << error.summary();
}

const std::vector<BadName> kBadNames = {
    {"empty", "", Errc::name_empty, {"empty"}},
    {"nothing_after_pipe", "\\\\.\\pipe\\", Errc::name_empty, {"no name after"}},
    {"nothing_after_pipe_forward", "//./pipe/", Errc::name_empty, {"no name after"}},
    {"prefix_without_pipe", "\\\\server", Errc::name_bad_prefix, {"no \\pipe\\"}},
    {"only_two_backslashes", "\\\\", Errc::name_bad_prefix, {"no \\pipe\\"}},
    {"pipe_without_separator", "\\\\.\\pipe", Errc::name_bad_prefix, {"position 3"}},
    {"pipes_instead_of_pipe", "\\\\.\\pipes\\x", Errc::name_bad_prefix, {"position 3"}},
    {"mailslot", "\\\\.\\mailslot\\x", Errc::name_bad_prefix, {"position 3", "\\\\.\\pipe\\Name"}},
    {"double_slash_path", "//tmp/x.sock", Errc::name_bad_prefix, {"single '/'", "position 5"}},
    {"server_empty", "\\\\\\pipe\\x", Errc::name_server_empty, {"position 2", "'.'"}},
    {"server_empty_forward", "///pipe/x", Errc::name_server_empty, {"position 2"}},
    {"backslash_in_leaf", "\\\\.\\pipe\\a\\b", Errc::name_has_backslash, {"position 10"}},
    {"double_backslash_after_pipe", "\\\\.\\pipe\\\\x", Errc::name_has_backslash, {"position 9"}},
    {"backslash_in_bare_name", "a\\b", Errc::name_has_backslash, {"position 1"}},
    {"single_leading_backslash", "\\pipe\\demo", Errc::name_has_backslash, {"position 0", "\\\\.\\pipe\\"}},
    {"one_over_the_limit", kLocal + repeat("x", 248), Errc::filename_exceeds_range, {"257", "256"}},
    {"bare_one_over_the_limit", repeat("x", 248), Errc::filename_exceeds_range, {"257", "256"}},
    {"far_over_the_limit", repeat("x", 5000), Errc::filename_exceeds_range, {"5009", "256"}},
    {"remote_server_counts", "\\\\" + repeat("s", 200) + "\\pipe\\" + repeat("x", 49), Errc::filename_exceeds_range,
     {"257", "256"}},
    {"astral_over_the_limit", repeat("\xf0\x9f\x98\x80", 124), Errc::filename_exceeds_range, {"257", "256"}},
    {"path_over_the_limit", "/" + repeat("p", 256), Errc::filename_exceeds_range, {"257", "256"}},
    {"nul_inside", std::string("a\0b", 3), Errc::invalid_name, {"NUL", "position 1", "a\\x00b"}},
    {"truncated_utf8", "caf\xc3", Errc::invalid_name, {"UTF-8", "position 4"}},
    {"invalid_utf8_lead", "\\\\.\\pipe\\\xff", Errc::invalid_name, {"UTF-8", "position 9"}},
    {"overlong_utf8", "a\xc0\xaf", Errc::invalid_name, {"UTF-8", "position 1"}},
    {"utf8_surrogate", "a\xed\xa0\x80", Errc::invalid_name, {"UTF-8", "position 2"}},
    {"invalid_utf8_in_server", "\\\\s\xfe\\pipe\\x", Errc::invalid_name, {"UTF-8", "position 3"}},
};

INSTANTIATE_TEST_SUITE_P(Violations, PipeNameRejects, ::testing::ValuesIn(kBadNames),
                         [](const ::testing::TestParamInfo<BadName>& info) { return std::string(info.param.label); });

TEST(PipeNameLimit, RefusesInsteadOfTruncating) {
  const std::string leaf = repeat("z", 300);
  const Result<PipeName> parsed = PipeName::parse(leaf);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, Errc::filename_exceeds_range);
  EXPECT_EQ(parsed.error().code.value(), 206);
}

// --- comparison ---------------------------------------------------------------

PipeName name(std::string_view text) {
  Result<PipeName> parsed = PipeName::parse(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? parsed.value() : PipeName{};
}

TEST(PipeNameEquality, PipeNamesIgnoreAsciiCase) {
  EXPECT_TRUE(name("demo") == name("\\\\.\\PIPE\\DEMO"));
  EXPECT_TRUE(name("//./pipe/Demo") == name("\\\\.\\pipe\\dEMO"));
  EXPECT_TRUE(name("\\\\SERVER\\pipe\\x") == name("\\\\server\\pipe\\x"));
}

TEST(PipeNameEquality, DifferentLeafServerOrKindDiffer) {
  EXPECT_FALSE(name("demo") == name("demo2"));
  EXPECT_FALSE(name("\\\\.\\pipe\\x") == name("\\\\srv\\pipe\\x"));
  EXPECT_FALSE(name("/x") == name("x"));
}

TEST(PipeNameEquality, PathsCompareExactly) {
  EXPECT_TRUE(name("/tmp/a.sock") == name("/tmp/a.sock"));
  EXPECT_FALSE(name("/tmp/A.sock") == name("/tmp/a.sock"));
}

TEST(PipeNameEquality, FoldsOnlyAscii) {
  // U+00E9 and U+00C9 are a case pair outside ASCII: not folded.
  EXPECT_FALSE(name("\xc3\xa9") == name("\xc3\x89"));
}

struct IequalsCase {
  const char* a;
  const char* b;
  bool equal;
};

TEST(Iequals, AsciiCaseInsensitive) {
  const IequalsCase cases[] = {
      {"", "", true},
      {"abc", "ABC", true},
      {"Pipe-9_x", "pIPE-9_X", true},
      {"abc", "abd", false},
      {"abc", "abcd", false},
      {"abcd", "abc", false},
      {"", "a", false},
      // Pairs 0x20 apart that are not letters must stay different.
      {"[", "{", false},
      {"@", "`", false},
      {"]", "}", false},
      {"1", "\x11", false},
  };
  for (const IequalsCase& c : cases) {
    EXPECT_EQ(iequals(c.a, c.b), c.equal) << "\"" << c.a << "\" vs \"" << c.b << "\"";
  }
}

}  // namespace
}  // namespace pipescope
