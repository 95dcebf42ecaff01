// Log queries: each filter alone and combined, a query over a growing log, a
// worker scan with progress and cancellation, pattern errors, hex patterns
// and a regular expression that would take exponential time to backtrack.
#include "pipescope/log_query.hpp"

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "pipescope/codec.hpp"
#include "pipescope/log.hpp"

namespace pipescope {
namespace {

std::shared_ptr<const LogFilter> compiled(LogQuery query) {
  auto filter = LogFilter::compile(std::move(query));
  EXPECT_TRUE(filter.ok()) << (filter.ok() ? "" : filter.error().summary());
  return std::make_shared<const LogFilter>(std::move(filter).value());
}

std::vector<std::uint64_t> matching_rows(const MessageLog& log, LogQuery query) {
  QueryMatches matches(log, compiled(std::move(query)));
  matches.extend();
  return {matches.rows().begin(), matches.rows().end()};
}

PayloadPattern pattern_of(PatternKind kind, std::string text, bool case_sensitive = true) {
  PayloadPattern pattern;
  pattern.kind = kind;
  pattern.text = std::move(text);
  pattern.case_sensitive = case_sensitive;
  return pattern;
}

/// Rows 0-5 of a small conversation between endpoints 1, 2 and 3.
class QueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_.append(1, Direction::in, as_bytes("GET /index"), record_flags::message, 1000);       // 0
    log_.append(1, Direction::out, as_bytes("HTTP 200 OK"), record_flags::message, 2000);     // 1
    log_.append(2, Direction::in, as_bytes("hello World"), 0, 3000);                          // 2
    // Binary, with a zero byte inside (the length given, so it is kept).
    log_.append(2, Direction::out, as_bytes(std::string_view("\x01\x02\xff\x00zz", 6)), record_flags::more_data,
                4000);  // 3
    log_.append(3, Direction::in, as_bytes("get lower"), record_flags::transact, 5000);       // 4
    log_.append(3, Direction::out, {}, 0, 6000);                                              // 5
  }
  MessageLog log_;
};

using Rows = std::vector<std::uint64_t>;

TEST_F(QueryTest, AnEmptyQueryMatchesEveryRow) {
  EXPECT_FALSE(LogQuery{}.filters());
  EXPECT_EQ(matching_rows(log_, {}), (Rows{0, 1, 2, 3, 4, 5}));
}

TEST_F(QueryTest, EndpointsDirectionsFlagsAndTimeAloneAndCombined) {
  LogQuery endpoints;
  endpoints.endpoints = {1, 3};
  EXPECT_EQ(matching_rows(log_, endpoints), (Rows{0, 1, 4, 5}));

  LogQuery outgoing;
  outgoing.directions = {Direction::out};
  EXPECT_EQ(matching_rows(log_, outgoing), (Rows{1, 3, 5}));

  LogQuery messages;
  messages.flags_all = record_flags::message;
  EXPECT_EQ(matching_rows(log_, messages), (Rows{0, 1}));

  LogQuery not_more_data;
  not_more_data.flags_none = record_flags::more_data | record_flags::transact;
  EXPECT_EQ(matching_rows(log_, not_more_data), (Rows{0, 1, 2, 5}));

  LogQuery window;
  window.from_ns = 2000;
  window.until_ns = 5000;
  EXPECT_EQ(matching_rows(log_, window), (Rows{1, 2, 3}));

  LogQuery combined;
  combined.endpoints = {1, 2};
  combined.directions = {Direction::out};
  combined.from_ns = 2500;
  EXPECT_TRUE(combined.filters());
  EXPECT_EQ(matching_rows(log_, combined), (Rows{3}));
}

TEST_F(QueryTest, TextPatternsAreSubstringsWithOrWithoutCase) {
  LogQuery sensitive;
  sensitive.pattern = pattern_of(PatternKind::text, "GET");
  EXPECT_EQ(matching_rows(log_, sensitive), (Rows{0}));

  LogQuery insensitive;
  insensitive.pattern = pattern_of(PatternKind::text, "GET", false);
  EXPECT_EQ(matching_rows(log_, insensitive), (Rows{0, 4}));

  LogQuery combined = insensitive;
  combined.endpoints = {3};
  EXPECT_EQ(matching_rows(log_, combined), (Rows{4}));
}

TEST_F(QueryTest, RegularExpressionsMatchAnywhereInThePayload) {
  LogQuery status;
  status.pattern = pattern_of(PatternKind::regex, "[0-9]{3} OK$");
  EXPECT_EQ(matching_rows(log_, status), (Rows{1}));

  LogQuery folded;
  folded.pattern = pattern_of(PatternKind::regex, "^(get|hello)", false);
  EXPECT_EQ(matching_rows(log_, folded), (Rows{0, 2, 4}));

  // Latin-1: every byte is a character, so \xff is one byte of a binary payload.
  LogQuery binary;
  binary.pattern = pattern_of(PatternKind::regex, R"(\x02\xff\x00)");
  EXPECT_EQ(matching_rows(log_, binary), (Rows{3}));
}

TEST_F(QueryTest, HexPatternsFindBytesAnywhereInThePayload) {
  LogQuery middle;
  middle.pattern = pattern_of(PatternKind::hex, "02 ff 00");
  EXPECT_EQ(matching_rows(log_, middle), (Rows{3}));

  LogQuery text_bytes;
  text_bytes.pattern = pattern_of(PatternKind::hex, "0x6c,0x6f");  // "lo", in "hello" and "lower"
  EXPECT_EQ(matching_rows(log_, text_bytes), (Rows{2, 4}));

  LogQuery nowhere;
  nowhere.pattern = pattern_of(PatternKind::hex, "7a7a7a");  // "zzz": only "zz" exists
  EXPECT_TRUE(matching_rows(log_, nowhere).empty());
}

TEST(LogQueryPattern, AnInvalidRegularExpressionIsABadInputWithPositionAndReason) {
  LogQuery query;
  query.pattern = pattern_of(PatternKind::regex, "ab[z-a]c");
  const auto filter = LogFilter::compile(query);
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.error().errc(), Errc::bad_input);
  EXPECT_EQ(filter.error().operation, "regular expression");
  EXPECT_NE(filter.error().detail.find("position 3"), std::string::npos) << filter.error().detail;
  EXPECT_NE(filter.error().detail.find("invalid character class range"), std::string::npos) << filter.error().detail;

  query.pattern = pattern_of(PatternKind::regex, "(ab");
  const auto unclosed = LogFilter::compile(query);
  ASSERT_FALSE(unclosed.ok());
  EXPECT_NE(unclosed.error().detail.find("missing )"), std::string::npos) << unclosed.error().detail;
}

TEST(LogQueryPattern, AnInvalidHexPatternIsABadInputWithPosition) {
  LogQuery query;
  query.pattern = pattern_of(PatternKind::hex, "41 4g");
  const auto filter = LogFilter::compile(query);
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.error().errc(), Errc::bad_input);
  EXPECT_NE(filter.error().detail.find("position 4"), std::string::npos) << filter.error().detail;
}

TEST(LogQueryPattern, AnExponentialBacktrackingPatternRunsInLinearTime) {
  // (a*)*b over many a's and no b: a backtracking engine tries every way of
  // splitting the a's between the two stars. RE2 answers in one pass.
  MessageLog log;
  const std::string as(100000, 'a');
  log.append(1, Direction::in, as_bytes(as));
  log.append(1, Direction::in, as_bytes(as + "b"));
  LogQuery query;
  query.pattern = pattern_of(PatternKind::regex, "(a*)*b");
  EXPECT_EQ(matching_rows(log, query), (Rows{1}));
  query.pattern = pattern_of(PatternKind::regex, "^(a|aa)+$");
  EXPECT_EQ(matching_rows(log, query), (Rows{0}));
}

TEST(QueryMatchesTest, ExtendsWithEachBatchOfAGrowingLog) {
  MessageLog log;
  LogQuery query;
  query.pattern = pattern_of(PatternKind::text, "x");
  QueryMatches matches(log, compiled(query));

  auto added = matches.extend();
  EXPECT_EQ(added.count, 0U);
  EXPECT_EQ(matches.scanned_rows(), 0U);

  log.append(1, Direction::in, as_bytes("x1"));  // 0
  log.append(1, Direction::in, as_bytes("y"));   // 1
  log.append(1, Direction::in, as_bytes("x2"));  // 2
  added = matches.extend();
  EXPECT_FALSE(added.restarted);
  EXPECT_EQ(added.first, 0U);
  EXPECT_EQ(added.count, 2U);
  EXPECT_EQ(matches.scanned_rows(), 3U);

  log.append(1, Direction::in, as_bytes("y"));   // 3
  log.append(1, Direction::in, as_bytes("x3"));  // 4
  log.append(1, Direction::in, as_bytes("x4"));  // 5
  // Up to a row count the caller has seen, not beyond.
  added = matches.extend_to(5);
  EXPECT_EQ(added.first, 2U);
  EXPECT_EQ(added.count, 1U);
  EXPECT_EQ(matches.scanned_rows(), 5U);
  added = matches.extend();
  EXPECT_EQ(added.first, 3U);
  EXPECT_EQ(added.count, 1U);
  EXPECT_EQ(Rows(matches.rows().begin(), matches.rows().end()), (Rows{0, 2, 4, 5}));

  // A cleared log starts the list again.
  log.clear();
  log.append(1, Direction::in, as_bytes("x5"));
  added = matches.extend();
  EXPECT_TRUE(added.restarted);
  EXPECT_EQ(Rows(matches.rows().begin(), matches.rows().end()), (Rows{0}));
}

// A message read in ERROR_MORE_DATA parts is matched whole: every part is
// shown when the message holds the pattern, also text that straddles two
// parts, with another endpoint's record between them.
TEST(WholeMessages, APatternMatchesEveryPartOfAMessageThatHoldsIt) {
  MessageLog log;
  const std::uint8_t part = record_flags::message | record_flags::more_data;
  log.append(1, Direction::in, as_bytes("HEL"), part);                       // 0
  log.append(2, Direction::out, as_bytes("noise"));                          // 1
  log.append(1, Direction::in, as_bytes("LO WO"), part);                     // 2
  log.append(1, Direction::in, as_bytes("RLD"), record_flags::message);      // 3
  log.append(1, Direction::in, as_bytes("HELLO again"), record_flags::message);  // 4
  LogQuery query;
  query.pattern = pattern_of(PatternKind::text, "HELLO WORLD");
  EXPECT_EQ(matching_rows(log, query), (Rows{0, 2, 3})) << "the text straddles the parts";
  query.pattern = pattern_of(PatternKind::text, "RLD");
  EXPECT_EQ(matching_rows(log, query), (Rows{0, 2, 3})) << "the first parts are shown with the last";
  query.pattern = pattern_of(PatternKind::regex, "^HEL");
  EXPECT_EQ(matching_rows(log, query), (Rows{0, 2, 3, 4}));
  query.pattern = pattern_of(PatternKind::text, "noise");
  EXPECT_EQ(matching_rows(log, query), (Rows{1}));
  // The other conditions still hold per record: only the parts flagged
  // more-data, of the messages that match.
  query.pattern = pattern_of(PatternKind::text, "WORLD");
  query.flags_all = record_flags::more_data;
  EXPECT_EQ(matching_rows(log, query), (Rows{0, 2}));
}

TEST(WholeMessages, AMessageInProgressIsDecidedWhenItsLastPartArrives) {
  MessageLog log;
  LogQuery query;
  query.pattern = pattern_of(PatternKind::regex, "cd|x");
  QueryMatches matches(log, compiled(query));
  log.append(1, Direction::in, as_bytes("abc"), record_flags::message | record_flags::more_data);  // 0
  log.append(2, Direction::in, as_bytes("x"));                                                     // 1
  auto added = matches.extend();
  // Row 1 matches, but is decided only after row 0, whose message is open.
  EXPECT_EQ(added.count, 0U);
  EXPECT_EQ(matches.scanned_rows(), 0U);
  log.append(1, Direction::in, as_bytes("def"), record_flags::message);  // 2
  added = matches.extend();
  EXPECT_EQ(added.count, 3U);
  EXPECT_EQ(Rows(matches.rows().begin(), matches.rows().end()), (Rows{0, 1, 2}));
  EXPECT_EQ(matches.scanned_rows(), 3U);
}

TEST(WholeMessages, AMessageWhoseLastPartNeverComesHoldsNothingBackForEver) {
  // Its latest part logged long ago: decided part by part at once.
  {
    MessageLog log;
    log.append(1, Direction::in, as_bytes("abc"), record_flags::message | record_flags::more_data, 1000);
    log.append(2, Direction::in, as_bytes("abc"), 0, 2000);
    LogQuery query;
    query.pattern = pattern_of(PatternKind::text, "abc");
    EXPECT_EQ(matching_rows(log, query), (Rows{0, 1}));
  }
  // Logged just now: waited for while the log may grow; a saved log that
  // will not grow is settled, part by part.
  MessageLog log;
  log.append(1, Direction::in, as_bytes("abc"), record_flags::message | record_flags::more_data);
  log.append(2, Direction::in, as_bytes("abc"));
  LogQuery query;
  query.pattern = pattern_of(PatternKind::text, "abc");
  QueryMatches matches(log, compiled(query));
  EXPECT_EQ(matches.extend().count, 0U);
  EXPECT_EQ(matches.settle().count, 2U);
  EXPECT_EQ(Rows(matches.rows().begin(), matches.rows().end()), (Rows{0, 1}));
  // Rows beyond the hold limit: the open message no longer holds them back.
  MessageLog busy;
  busy.append(1, Direction::in, as_bytes("abc"), record_flags::message | record_flags::more_data);
  for (std::uint64_t i = 0; i < 10000; ++i) busy.append(2, Direction::in, as_bytes(i == 9999 ? "abc" : "-"));
  QueryMatches later(busy, compiled(query));
  later.extend();
  EXPECT_EQ(Rows(later.rows().begin(), later.rows().end()), (Rows{0, 10000}));
}

TEST(WholeMessages, AScanDecidesAMessageAcrossItsBatches) {
  MessageLog log;
  const std::uint64_t boundary = QueryScan::kRowsPerBatch;
  for (std::uint64_t i = 0; i < boundary - 1; ++i) log.append(3, Direction::in, as_bytes("hay"));
  log.append(1, Direction::in, as_bytes("nee"), record_flags::message | record_flags::more_data);  // boundary - 1
  log.append(2, Direction::in, as_bytes("hay"));                                                   // boundary
  log.append(1, Direction::in, as_bytes("dle"), record_flags::message);                            // boundary + 1
  for (std::uint64_t i = 0; i < 100; ++i) log.append(3, Direction::in, as_bytes("hay"));
  LogQuery query;
  query.pattern = pattern_of(PatternKind::text, "needle");
  QueryMatches matches(log, compiled(query));
  std::promise<void> ended;
  std::mutex mutex;
  std::vector<QueryScan::Batch> batches;
  QueryScan scan(log, matches.shared_filter(), matches.reader().snapshot(),
                 [&](QueryScan::Batch batch) {
                   const std::lock_guard lock(mutex);
                   batches.push_back(std::move(batch));
                 },
                 [&](QueryScan::End, std::uint64_t) { ended.set_value(); });
  ended.get_future().get();
  scan.wait();
  for (const auto& batch : batches) matches.append_scanned(batch.rows, batch.scanned, batch.generation);
  matches.extend();
  EXPECT_EQ(Rows(matches.rows().begin(), matches.rows().end()), (Rows{boundary - 1, boundary + 1}));
}

TEST(QueryScanTest, ScansALargeLogOnAWorkerWithMonotonicProgress) {
  MessageLog log;
  constexpr std::uint64_t kRows = 200000;
  for (std::uint64_t i = 0; i < kRows; ++i) {
    log.append(i % 4, Direction::in, as_bytes(i % 1000 == 0 ? "needle" : "hay"));
  }
  LogQuery query;
  query.pattern = pattern_of(PatternKind::text, "needle");
  QueryMatches matches(log, compiled(query));

  std::mutex mutex;
  std::vector<QueryScan::Batch> batches;
  std::promise<std::pair<QueryScan::End, std::uint64_t>> ended;
  const LogReader::Snapshot until = matches.reader().snapshot();
  QueryScan scan(log, matches.shared_filter(), until,
                 [&](QueryScan::Batch batch) {
                   const std::lock_guard lock(mutex);
                   batches.push_back(std::move(batch));
                 },
                 [&](QueryScan::End end, std::uint64_t scanned) { ended.set_value({end, scanned}); });
  const auto [end, scanned] = ended.get_future().get();
  scan.wait();
  EXPECT_EQ(end, QueryScan::End::finished);
  EXPECT_EQ(scanned, kRows);

  ASSERT_GE(batches.size(), 2U);
  std::uint64_t previous = 0;
  for (const auto& batch : batches) {
    EXPECT_GT(batch.scanned, previous);
    EXPECT_EQ(batch.total, kRows);
    previous = batch.scanned;
    matches.append_scanned(batch.rows, batch.scanned, batch.generation);
  }
  EXPECT_EQ(previous, kRows);
  ASSERT_EQ(matches.size(), kRows / 1000);
  for (std::size_t i = 0; i < matches.size(); ++i) EXPECT_EQ(matches[i], i * 1000);

  // Rows appended after the scan's snapshot come in with the next extension.
  log.append(9, Direction::out, as_bytes("needle again"));
  const auto added = matches.extend();
  EXPECT_EQ(added.count, 1U);
  EXPECT_EQ(matches[matches.size() - 1], kRows);
}

TEST(QueryScanTest, CancellationStopsTheScan) {
  MessageLog log;
  constexpr std::uint64_t kRows = 200000;
  for (std::uint64_t i = 0; i < kRows; ++i) log.append(1, Direction::in, as_bytes("row"));
  const auto filter = compiled({});
  std::promise<void> cancelled;
  std::shared_future<void> cancelled_future = cancelled.get_future().share();
  std::promise<std::pair<QueryScan::End, std::uint64_t>> ended;
  int batch_count = 0;
  QueryScan scan(log, filter, LogReader(log).snapshot(),
                 [&](QueryScan::Batch) {
                   // The first batch waits until the test has cancelled, so
                   // the scan cannot finish before the cancellation.
                   if (++batch_count == 1) cancelled_future.wait();
                 },
                 [&](QueryScan::End end, std::uint64_t scanned) { ended.set_value({end, scanned}); });
  scan.cancel();
  cancelled.set_value();
  const auto [end, scanned] = ended.get_future().get();
  scan.wait();
  EXPECT_EQ(end, QueryScan::End::cancelled);
  EXPECT_LT(scanned, kRows);
  EXPECT_LE(batch_count, 1);
}

TEST(QueryScanTest, AReplacedLogEndsTheScan) {
  MessageLog log;
  for (int i = 0; i < 100; ++i) log.append(1, Direction::in, as_bytes("row"));
  const LogReader::Snapshot old = LogReader(log).snapshot();
  log.clear();
  std::promise<QueryScan::End> ended;
  QueryScan scan(log, compiled({}), old, nullptr, [&](QueryScan::End end, std::uint64_t) { ended.set_value(end); });
  EXPECT_EQ(ended.get_future().get(), QueryScan::End::replaced);
}

}  // namespace
}  // namespace pipescope
