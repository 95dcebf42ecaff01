// The engine's vocabulary: one table per enum, which every front end reads.
// Each value of each enum has exactly one term, the words are distinct
// within a table, a word reads back as its value in any letter case, and the
// to_string functions say the table's word.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include <pipescope/vocabulary.hpp>

namespace pipescope {
namespace {

template <class E>
void expect_complete_table(int value_count) {
  const auto table = terms<E>();
  ASSERT_EQ(table.size(), static_cast<std::size_t>(value_count));
  std::set<int> values;
  std::set<std::string> words;
  std::set<std::string> labels;
  for (const Term<E>& term : table) {
    EXPECT_TRUE(values.insert(static_cast<int>(term.value)).second) << term.word << ": a value listed twice";
    EXPECT_TRUE(words.insert(std::string(term.word)).second) << term.word << ": a word used twice";
    EXPECT_TRUE(labels.insert(std::string(term.label)).second) << term.label << ": a label used twice";
    EXPECT_FALSE(term.word.empty());
    EXPECT_FALSE(term.label.empty());
    EXPECT_EQ(from_word<E>(term.word), term.value) << term.word;
    std::string upper(term.word);
    for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    EXPECT_EQ(from_word<E>(upper), term.value) << upper;
    EXPECT_EQ(word_of(term.value), term.word);
  }
  for (int v = 0; v < value_count; ++v) {
    EXPECT_TRUE(values.contains(v)) << "value " << v << " has no term";
  }
  EXPECT_FALSE(from_word<E>("no-such-word").has_value());
  EXPECT_EQ(word_of(static_cast<E>(value_count)), "?");
}

TEST(Vocabulary, EveryEnumHasOneTermPerValue) {
  expect_complete_table<PipeAccess>(3);
  expect_complete_table<PipeType>(2);
  expect_complete_table<ReadMode>(2);
  expect_complete_table<WaitMode>(2);
  expect_complete_table<SecurityPreset>(3);
  expect_complete_table<Responder>(3);
  expect_complete_table<ClientAccess>(3);
  expect_complete_table<ImpersonationLevel>(4);
  expect_complete_table<InputFormat>(3);
  expect_complete_table<LineEnding>(3);
  expect_complete_table<Direction>(2);
  expect_complete_table<EndpointKind>(3);
  expect_complete_table<EndpointState>(6);
}

TEST(Vocabulary, ToStringSaysTheTablesWord) {
  for (const auto& term : terms<PipeAccess>()) EXPECT_EQ(to_string(term.value), term.word);
  for (const auto& term : terms<ClientAccess>()) EXPECT_EQ(to_string(term.value), term.word);
  for (const auto& term : terms<WaitMode>()) EXPECT_EQ(to_string(term.value), term.word);
  for (const auto& term : terms<Direction>()) EXPECT_EQ(to_string(term.value), term.word);
  for (const auto& term : terms<InputFormat>()) EXPECT_EQ(to_string(term.value), term.word);
  for (const auto& term : terms<EndpointState>()) EXPECT_EQ(to_string(term.value), term.word);
}

// The safe or common choice is offered first, whatever the enum's numbering.
TEST(Vocabulary, TheFirstChoiceIsTheDefault) {
  EXPECT_EQ(terms<PipeAccess>().front().value, ServerOptions{}.access);
  EXPECT_EQ(terms<SecurityPreset>().front().value, SecurityPreset::owner_only);
  EXPECT_EQ(terms<ClientAccess>().front().value, ClientOptions{}.access);
  // Bytes go out exactly as typed unless the person asks for a line end.
  EXPECT_EQ(terms<LineEnding>().front().value, LineEnding::none);
}

TEST(Vocabulary, FlagWordsAreInBitOrderAndDistinct) {
  std::set<std::string_view> words;
  std::uint8_t previous = 0;
  for (const auto& [bit, word] : kRecordFlagWords) {
    EXPECT_GT(bit, previous);
    previous = bit;
    EXPECT_TRUE(words.insert(word).second) << word;
  }
  EXPECT_EQ(flags_to_string(record_flags::message | record_flags::more_data), "message|more-data");
}

}  // namespace
}  // namespace pipescope
