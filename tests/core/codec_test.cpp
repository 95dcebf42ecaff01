// Codecs: typed text to bytes (with the exact position of the first error)
// and bytes to text (hex dump, hex, C array, escapes, preview).
#include "pipescope/codec.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace pipescope {
namespace {

Bytes bytes_of(std::initializer_list<unsigned> values) {
  Bytes out;
  for (const unsigned v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

Bytes all_byte_values() {
  Bytes out;
  for (unsigned v = 0; v < 256; ++v) out.push_back(static_cast<std::byte>(v));
  return out;
}

// Shows bytes in failure messages as hex, which is readable for any value.
// (Appended rather than written "[" + ... + "]": GCC 12 at -O3 warns about
// that form, -Wrestrict, wrongly: its bug 105329.)
std::string shown(const Bytes& b) {
  std::string text = "[";
  text += format_hex(b);
  text += ']';
  return text;
}

// --- parse: good input ----------------------------------------------------

struct GoodInput {
  const char* label;
  InputFormat format;
  std::string input;
  Bytes expected;
};

void PrintTo(const GoodInput& c, std::ostream* os) { *os << c.label; }

class ParseAccepts : public ::testing::TestWithParam<GoodInput> {};

TEST_P(ParseAccepts, ProducesTheBytes) {
  const GoodInput& c = GetParam();
  const ParseResult result = parse_input(c.input, c.format);
  ASSERT_TRUE(result.ok) << "position " << result.error.position << ": " << result.error.message;
  EXPECT_EQ(result.bytes, c.expected) << shown(result.bytes) << " != " << shown(c.expected);
}

const std::vector<GoodInput> kGoodInputs = {
    {"text_empty", InputFormat::text, "", {}},
    {"text_as_is", InputFormat::text, "a\\n\x01\xc3\xa9", bytes_of({'a', '\\', 'n', 0x01, 0xc3, 0xa9})},
    {"text_keeps_nul", InputFormat::text, std::string("a\0b", 3), bytes_of({'a', 0x00, 'b'})},

    {"hex_empty", InputFormat::hex, "", {}},
    {"hex_only_separators", InputFormat::hex, " ,:-\t\r\n", {}},
    {"hex_spaced", InputFormat::hex, "48 65 6c", bytes_of({0x48, 0x65, 0x6c})},
    {"hex_packed", InputFormat::hex, "48656c", bytes_of({0x48, 0x65, 0x6c})},
    {"hex_c_style", InputFormat::hex, "0x48,0x65", bytes_of({0x48, 0x65})},
    {"hex_c_style_spaced", InputFormat::hex, "0X48, 0x65, 0x00", bytes_of({0x48, 0x65, 0x00})},
    {"hex_prefix_before_packed", InputFormat::hex, "0x48656c", bytes_of({0x48, 0x65, 0x6c})},
    {"hex_every_separator", InputFormat::hex, "48:65-6c\t0a\n0D\r\n,ff", bytes_of({0x48, 0x65, 0x6c, 0x0a, 0x0d, 0xff})},
    {"hex_mixed_case", InputFormat::hex, "DEADbeef", bytes_of({0xde, 0xad, 0xbe, 0xef})},
    {"hex_zero_byte", InputFormat::hex, "00", bytes_of({0x00})},
    {"hex_leading_trailing_space", InputFormat::hex, "  7f  ", bytes_of({0x7f})},

    {"escaped_empty", InputFormat::escaped, "", {}},
    {"escaped_plain", InputFormat::escaped, "Hello", bytes_of({'H', 'e', 'l', 'l', 'o'})},
    {"escaped_crlf", InputFormat::escaped, "Hi\\r\\n", bytes_of({'H', 'i', 0x0d, 0x0a})},
    {"escaped_every_letter", InputFormat::escaped, "\\r\\n\\t\\0\\\\\\\"\\'\\a\\b\\f\\v\\e",
     bytes_of({0x0d, 0x0a, 0x09, 0x00, 0x5c, 0x22, 0x27, 0x07, 0x08, 0x0c, 0x0b, 0x1b})},
    {"escaped_hex_two_digits_only", InputFormat::escaped, "\\x41BC", bytes_of({'A', 'B', 'C'})},
    {"escaped_hex_one_digit", InputFormat::escaped, "\\x7g", bytes_of({0x07, 'g'})},
    {"escaped_hex_upper", InputFormat::escaped, "\\xFF", bytes_of({0xff})},
    {"escaped_octal", InputFormat::escaped, "\\101\\377", bytes_of({'A', 0xff})},
    {"escaped_octal_three_digits_at_most", InputFormat::escaped, "\\0101", bytes_of({0x08, '1'})},
    {"escaped_octal_short", InputFormat::escaped, "\\7x", bytes_of({0x07, 'x'})},
    {"escaped_nul_then_letter", InputFormat::escaped, "\\0a", bytes_of({0x00, 'a'})},
    {"escaped_u_ascii", InputFormat::escaped, "\\u0041", bytes_of({'A'})},
    {"escaped_u_nul", InputFormat::escaped, "\\u0000", bytes_of({0x00})},
    {"escaped_u_two_bytes_low", InputFormat::escaped, "\\u0080", bytes_of({0xc2, 0x80})},
    {"escaped_u_two_bytes", InputFormat::escaped, "\\u00e9", bytes_of({0xc3, 0xa9})},
    {"escaped_u_two_bytes_high", InputFormat::escaped, "\\u07FF", bytes_of({0xdf, 0xbf})},
    {"escaped_u_three_bytes", InputFormat::escaped, "\\u20AC", bytes_of({0xe2, 0x82, 0xac})},
    {"escaped_u_last_bmp", InputFormat::escaped, "\\uFFFF", bytes_of({0xef, 0xbf, 0xbf})},
    {"escaped_u_then_digit", InputFormat::escaped, "\\u00411", bytes_of({'A', '1'})},
    {"escaped_utf8_passes", InputFormat::escaped, "caf\xc3\xa9", bytes_of({'c', 'a', 'f', 0xc3, 0xa9})},
};

INSTANTIATE_TEST_SUITE_P(Formats, ParseAccepts, ::testing::ValuesIn(kGoodInputs),
                         [](const ::testing::TestParamInfo<GoodInput>& info) { return std::string(info.param.label); });

// --- parse: bad input -----------------------------------------------------

struct BadInput {
  const char* label;
  InputFormat format;
  std::string input;
  std::size_t position;
  std::string message_mentions;
};

void PrintTo(const BadInput& c, std::ostream* os) { *os << c.label; }

class ParseRejects : public ::testing::TestWithParam<BadInput> {};

TEST_P(ParseRejects, AtTheExactPosition) {
  const BadInput& c = GetParam();
  const ParseResult result = parse_input(c.input, c.format);
  ASSERT_FALSE(result.ok) << "accepted as " << shown(result.bytes);
  EXPECT_EQ(result.error.position, c.position) << result.error.message;
  EXPECT_NE(result.error.message.find(c.message_mentions), std::string::npos)
      << "\"" << c.message_mentions << "\" missing from: " << result.error.message;
}

const std::vector<BadInput> kBadInputs = {
    {"hex_single_digit", InputFormat::hex, "4", 0, "odd number of hex digits"},
    {"hex_odd_at_end", InputFormat::hex, "48 6", 3, "odd number of hex digits"},
    {"hex_odd_packed", InputFormat::hex, "48656", 4, "odd number of hex digits"},
    {"hex_lone_digit_in_middle", InputFormat::hex, "48 6 6c", 3, "stands alone"},
    {"hex_lone_digit_before_comma", InputFormat::hex, "48,6,6c", 3, "stands alone"},
    {"hex_prefixed_lone_digit", InputFormat::hex, "48 0x4 65", 5, "stands alone"},
    {"hex_prefixed_odd_at_end", InputFormat::hex, "0x4", 2, "odd number of hex digits"},
    {"hex_bad_second_digit", InputFormat::hex, "4g", 1, "'g' is not a hex digit"},
    {"hex_bad_first_digit", InputFormat::hex, "g4", 0, "'g' is not a hex digit"},
    {"hex_bad_later", InputFormat::hex, "48 65 zz", 6, "'z'"},
    {"hex_unknown_separator", InputFormat::hex, "48;65", 2, "';'"},
    {"hex_non_ascii", InputFormat::hex, "48 \xc3\xa9", 3, "byte 0xc3"},
    {"hex_control_char", InputFormat::hex, std::string("48\0", 3), 2, "byte 0x00"},
    {"hex_prefix_alone", InputFormat::hex, "0x", 0, "\"0x\" must be followed by hex digits"},
    {"hex_prefix_then_space", InputFormat::hex, "41 0X ,42", 3, "\"0X\" must be followed"},
    {"hex_prefix_then_letter", InputFormat::hex, "0xg1", 2, "'g'"},
    {"hex_prefix_inside_group", InputFormat::hex, "400x41", 3, "'x'"},
    {"hex_double_prefix", InputFormat::hex, "0x0x41", 3, "'x'"},

    {"escaped_trailing_backslash", InputFormat::escaped, "abc\\", 3, "backslash at the end"},
    {"escaped_lone_backslash", InputFormat::escaped, "\\", 0, "backslash at the end"},
    {"escaped_unknown_letter", InputFormat::escaped, "ok\\q", 2, "unknown escape \\q"},
    {"escaped_unknown_capital_u", InputFormat::escaped, "x\\U0001F600", 1, "unknown escape \\U"},
    {"escaped_unknown_question_mark", InputFormat::escaped, "\\?", 0, "unknown escape \\?"},
    {"escaped_unknown_non_ascii", InputFormat::escaped, "\\\xc3\xa9", 0, "backslash followed by byte 0xc3"},
    {"escaped_x_without_digits_at_end", InputFormat::escaped, "ab\\x", 2, "\\x needs one or two hex digits"},
    {"escaped_x_without_digits", InputFormat::escaped, "\\xg0", 0, "\\x needs one or two hex digits"},
    {"escaped_u_three_digits", InputFormat::escaped, "\\u123", 0, "\\u needs exactly four hex digits"},
    {"escaped_u_no_digits", InputFormat::escaped, "a\\u", 1, "\\u needs exactly four hex digits"},
    {"escaped_u_bad_digit", InputFormat::escaped, "\\u12g4", 0, "\\u needs exactly four hex digits"},
    {"escaped_u_high_surrogate", InputFormat::escaped, "x\\uD800", 1, "surrogate"},
    {"escaped_u_low_surrogate", InputFormat::escaped, "\\udfff", 0, "surrogate"},
    {"escaped_octal_too_big", InputFormat::escaped, "ab\\400", 2, "above \\377"},
    {"escaped_error_after_good_escapes", InputFormat::escaped, "\\r\\n\\x41\\z", 8, "unknown escape \\z"},
};

INSTANTIATE_TEST_SUITE_P(Formats, ParseRejects, ::testing::ValuesIn(kBadInputs),
                         [](const ::testing::TestParamInfo<BadInput>& info) { return std::string(info.param.label); });

TEST(ParseInput, FailureCarriesNoPartialBytes) {
  const ParseResult result = parse_input("41 42 4", InputFormat::hex);
  ASSERT_FALSE(result.ok);
  EXPECT_TRUE(result.bytes.empty()) << shown(result.bytes);
}

TEST(ParseInput, UnknownFormatIsAnError) {
  const ParseResult result = parse_input("41", static_cast<InputFormat>(99));
  EXPECT_FALSE(result.ok);
  EXPECT_FALSE(result.error.message.empty());
}

TEST(ParseInput, FormatNames) {
  EXPECT_EQ(to_string(InputFormat::text), "text");
  EXPECT_EQ(to_string(InputFormat::hex), "hex");
  EXPECT_EQ(to_string(InputFormat::escaped), "escaped");
}

TEST(LineEndings, AreTheBytesTheirNamesSay) {
  EXPECT_EQ(line_ending_bytes(LineEnding::none), "");
  EXPECT_EQ(line_ending_bytes(LineEnding::lf), "\n");
  EXPECT_EQ(line_ending_bytes(LineEnding::crlf), "\r\n");
  EXPECT_EQ(line_ending_bytes(static_cast<LineEnding>(99)), "");
}

// --- escapes round trip -----------------------------------------------------

TEST(EscapedRoundTrip, EverySingleByte) {
  for (unsigned v = 0; v < 256; ++v) {
    const Bytes original = bytes_of({v});
    const std::string text = format_escaped(original);
    const ParseResult back = parse_input(text, InputFormat::escaped);
    ASSERT_TRUE(back.ok) << "byte " << v << " as \"" << text << "\": " << back.error.message;
    EXPECT_EQ(back.bytes, original) << "byte " << v << " as \"" << text << "\"";
  }
}

TEST(EscapedRoundTrip, EveryPairOfBytes) {
  // Pairs catch escapes that swallow the next character, such as a NUL
  // written as \0 in front of an octal digit.
  for (unsigned first = 0; first < 256; ++first) {
    for (unsigned second = 0; second < 256; ++second) {
      const Bytes original = bytes_of({first, second});
      const std::string text = format_escaped(original);
      const ParseResult back = parse_input(text, InputFormat::escaped);
      ASSERT_TRUE(back.ok && back.bytes == original)
          << "bytes " << first << ", " << second << " as \"" << text << "\" came back as " << shown(back.bytes);
    }
  }
}

TEST(EscapedRoundTrip, AllBytesInOneBuffer) {
  const Bytes original = all_byte_values();
  const ParseResult back = parse_input(format_escaped(original), InputFormat::escaped);
  ASSERT_TRUE(back.ok) << back.error.message;
  EXPECT_EQ(back.bytes, original);
}

TEST(FormatEscaped, KeepsPrintableAsciiAndEscapesTheRest) {
  EXPECT_EQ(format_escaped(as_bytes("Hello, \"you\" 'there'!")), "Hello, \"you\" 'there'!");
  EXPECT_EQ(format_escaped(as_bytes("a\\b")), "a\\\\b");
  EXPECT_EQ(format_escaped(as_bytes("\r\n\t\a\b\f\v\x1b")), "\\r\\n\\t\\a\\b\\f\\v\\e");
  EXPECT_EQ(format_escaped(bytes_of({0x7f, 0x80, 0xff, 0x01})), "\\x7f\\x80\\xff\\x01");
  EXPECT_EQ(format_escaped(bytes_of({0x00})), "\\0");
  EXPECT_EQ(format_escaped(bytes_of({0x00, 'a'})), "\\0a");
  EXPECT_EQ(format_escaped(bytes_of({0x00, '7'})), "\\x007");
  EXPECT_EQ(format_escaped(bytes_of({0x00, '8'})), "\\08");
  EXPECT_EQ(format_escaped(bytes_of({0xc3, 0xa9})), "\\xc3\\xa9");
  EXPECT_EQ(format_escaped({}), "");
}

// --- hex dump -----------------------------------------------------------------

// A run of distinct bytes with two non-printable ones at the end, so that
// both columns are exercised: '0', '1', ... then 0x00 and 0xff.
Bytes dump_sample(std::size_t size) {
  Bytes out;
  for (std::size_t i = 0; i + 2 < size; ++i) out.push_back(static_cast<std::byte>(0x30 + i));
  if (size >= 2) out.push_back(std::byte{0x00});
  if (size >= 1) out.push_back(std::byte{0xff});
  return out;
}

// The expected rows were checked against the output of "hexdump -C".
TEST(FormatHexDump, Empty) { EXPECT_EQ(format_hex_dump({}), ""); }

TEST(FormatHexDump, OneByte) {
  EXPECT_EQ(format_hex_dump(bytes_of({0x41})),
            "00000000  41                                                |A|\n");
}

TEST(FormatHexDump, FifteenBytes) {
  EXPECT_EQ(format_hex_dump(dump_sample(15)),
            "00000000  30 31 32 33 34 35 36 37  38 39 3a 3b 3c 00 ff     |0123456789:;<..|\n");
}

TEST(FormatHexDump, SixteenBytes) {
  EXPECT_EQ(format_hex_dump(dump_sample(16)),
            "00000000  30 31 32 33 34 35 36 37  38 39 3a 3b 3c 3d 00 ff  |0123456789:;<=..|\n");
}

TEST(FormatHexDump, SeventeenBytes) {
  EXPECT_EQ(format_hex_dump(dump_sample(17)),
            "00000000  30 31 32 33 34 35 36 37  38 39 3a 3b 3c 3d 3e 00  |0123456789:;<=>.|\n"
            "00000010  ff                                                |.|\n");
}

TEST(FormatHexDump, EightBytesEndBeforeTheMiddleGap) {
  EXPECT_EQ(format_hex_dump(as_bytes("ABCDEFGH")),
            "00000000  41 42 43 44 45 46 47 48                           |ABCDEFGH|\n");
}

TEST(FormatHexDump, BaseOffsetIsAdded) {
  EXPECT_EQ(format_hex_dump(dump_sample(17), 0x1000),
            "00001000  30 31 32 33 34 35 36 37  38 39 3a 3b 3c 3d 3e 00  |0123456789:;<=>.|\n"
            "00001010  ff                                                |.|\n");
}

TEST(FormatHexDump, OffsetsBeyondFourGigabytesAreNotCut) {
  EXPECT_EQ(format_hex_dump(bytes_of({0x41}), 0x100000000ULL),
            "100000000  41                                                |A|\n");
}

TEST(FormatHexDump, EveryRowOfALongDumpHasTheSameWidth) {
  const std::string dump = format_hex_dump(all_byte_values());
  std::size_t rows = 0;
  std::size_t start = 0;
  while (start < dump.size()) {
    const std::size_t end = dump.find('\n', start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_EQ(end - start, 78U) << dump.substr(start, end - start);
    start = end + 1;
    ++rows;
  }
  EXPECT_EQ(rows, 16U);
}

// --- hex, C array, preview ------------------------------------------------------

TEST(FormatHex, Separators) {
  const Bytes hello = bytes_of({0x48, 0x65, 0x6c});
  EXPECT_EQ(format_hex(hello), "48 65 6c");
  EXPECT_EQ(format_hex(hello, ""), "48656c");
  EXPECT_EQ(format_hex(hello, ", "), "48, 65, 6c");
  EXPECT_EQ(format_hex(bytes_of({0xff})), "ff");
  EXPECT_EQ(format_hex({}), "");
}

TEST(FormatHex, RoundTripsThroughHexParsing) {
  const Bytes original = all_byte_values();
  for (const std::string_view separator : {" ", "", ":", ", ", "-", "\n"}) {
    const ParseResult back = parse_input(format_hex(original, separator), InputFormat::hex);
    ASSERT_TRUE(back.ok) << back.error.message;
    EXPECT_EQ(back.bytes, original) << "separator \"" << separator << "\"";
  }
}

TEST(FormatCArray, FiveBytes) {
  EXPECT_EQ(format_c_array(as_bytes("Hello")),
            "const unsigned char data[5] = {\n"
            "  0x48, 0x65, 0x6c, 0x6c, 0x6f\n"
            "};");
}

TEST(FormatCArray, TwelveBytesAreOneLine) {
  EXPECT_EQ(format_c_array(as_bytes("0123456789ab"), "row"),
            "const unsigned char row[12] = {\n"
            "  0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62\n"
            "};");
}

TEST(FormatCArray, ThirteenBytesWrap) {
  EXPECT_EQ(format_c_array(as_bytes("0123456789abc"), "msg"),
            "const unsigned char msg[13] = {\n"
            "  0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62,\n"
            "  0x63\n"
            "};");
}

TEST(FormatCArray, EmptyStaysValidC) {
  const std::string text = format_c_array({});
  EXPECT_EQ(text.find("[0]"), std::string::npos) << text;
  EXPECT_NE(text.find("0 bytes"), std::string::npos) << text;
}

TEST(FormatCArray, NameBecomesAnIdentifier) {
  EXPECT_EQ(format_c_array(bytes_of({1}), "my-data").substr(0, 30), "const unsigned char my_data[1]");
  EXPECT_EQ(format_c_array(bytes_of({1}), "1st").substr(0, 26), "const unsigned char _1st[1");
  EXPECT_EQ(format_c_array(bytes_of({1}), "").substr(0, 27), "const unsigned char data[1]");
}

TEST(FormatPreview, ShowsPrintableAsciiAndDotsForTheRest) {
  EXPECT_EQ(format_preview(as_bytes("Hello\r\n")), "Hello..");
  EXPECT_EQ(format_preview(bytes_of({0x00, 0x1f, 0x20, 0x7e, 0x7f, 0x80, 0xff})), ".. ~...");
  // A UTF-8 character is two non-ASCII bytes: two dots, never half a character.
  EXPECT_EQ(format_preview(as_bytes("caf\xc3\xa9")), "caf..");
  EXPECT_EQ(format_preview({}), "");
}

TEST(FormatPreview, CutsAtMaxCharsAndSaysSo) {
  EXPECT_EQ(format_preview(as_bytes("abcdefghij"), 4), "abcd\xe2\x80\xa6");
  EXPECT_EQ(format_preview(as_bytes("abcd"), 4), "abcd");
  EXPECT_EQ(format_preview(as_bytes("abcde"), 0), "\xe2\x80\xa6");
  const std::string long_text(100, 'x');
  EXPECT_EQ(format_preview(as_bytes(long_text)), std::string(64, 'x') + "\xe2\x80\xa6");
  EXPECT_EQ(format_preview(as_bytes(std::string(64, 'y'))), std::string(64, 'y'));
}

}  // namespace
}  // namespace pipescope
