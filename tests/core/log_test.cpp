// The message log: appending and reading back, stable payload spans, big
// payloads, message assembly, clearing, concurrent use, saving and loading,
// and the text exports.
#include "pipescope/log.hpp"
#include "pipescope/export.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <thread>
#include <vector>

#include "pipescope/codec.hpp"
#include "pipescope/endpoint.hpp"
#include "pipescope/error.hpp"

namespace pipescope {
namespace {

using namespace std::chrono_literals;

/// A payload that can be told apart from every other: its length and each
/// byte follow from `seed`.
Bytes pattern(std::uint64_t seed, std::size_t length) {
  Bytes bytes(length);
  for (std::size_t i = 0; i < length; ++i) bytes[i] = static_cast<std::byte>((seed * 131 + i * 7 + 3) & 0xFF);
  return bytes;
}

Bytes pattern(std::uint64_t seed) { return pattern(seed, 1 + seed % 97); }

bool same_bytes(std::span<const std::byte> a, std::span<const std::byte> b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

std::string text_of(std::span<const std::byte> bytes) { return std::string(as_chars(bytes)); }

EndpointInfo endpoint_info(EndpointId id, EndpointKind kind, std::string pipe, std::string label,
                           ServerId server = 0) {
  EndpointInfo info;
  info.id = id;
  info.kind = kind;
  info.server = server;
  info.pipe_name = std::move(pipe);
  info.label = std::move(label);
  return info;
}

bool same_endpoint(const EndpointInfo& a, const EndpointInfo& b) {
  return a.id == b.id && a.kind == b.kind && a.server == b.server && a.pipe_name == b.pipe_name &&
         a.label == b.label;
}

/// Every write fails, like a full disk.
class FailingBuffer : public std::streambuf {
 protected:
  int_type overflow(int_type) override { return traits_type::eof(); }
  std::streamsize xsputn(const char*, std::streamsize) override { return 0; }
};

/// More than one arena chunk (8 MiB), so the payload needs a chunk of its own.
constexpr std::size_t kBiggerThanAChunk = std::size_t{40} << 20;

// ---------------------------------------------------------------- append and read

TEST(MessageLog, AppendReturnsRowsInOrderAndReadsBack) {
  MessageLog log;
  EXPECT_EQ(log.size(), 0U);
  EXPECT_EQ(log.append(1, Direction::in, as_bytes("hello"), record_flags::message, 100), 0U);
  EXPECT_EQ(log.append(2, Direction::out, as_bytes("world!"), record_flags::transact, 200), 1U);
  EXPECT_EQ(log.append(1, Direction::out, {}, 0, 300), 2U);
  ASSERT_EQ(log.size(), 3U);

  const Record first = log.record(0);
  EXPECT_EQ(first.time_ns, 100);
  EXPECT_EQ(first.endpoint, 1U);
  EXPECT_EQ(first.direction, Direction::in);
  EXPECT_EQ(first.flags, record_flags::message);
  EXPECT_EQ(first.length, 5U);
  EXPECT_EQ(text_of(log.payload(first)), "hello");

  const Record second = log.record(1);
  EXPECT_EQ(second.time_ns, 200);
  EXPECT_EQ(second.endpoint, 2U);
  EXPECT_EQ(second.direction, Direction::out);
  EXPECT_EQ(second.flags, record_flags::transact);
  EXPECT_EQ(text_of(log.payload(1)), "world!");

  const Record empty = log.record(2);
  EXPECT_EQ(empty.length, 0U);
  EXPECT_TRUE(log.payload(empty).empty());

  EXPECT_EQ(log.payload_bytes(), 11U);
  EXPECT_GE(log.memory_bytes(), log.payload_bytes() + 3 * sizeof(Record));
}

TEST(MessageLog, ManyRowsComeBackInAppendOrder) {
  MessageLog log;
  constexpr std::uint64_t kRows = 70'000;  // more than two blocks of the record index
  for (std::uint64_t i = 0; i < kRows; ++i) {
    ASSERT_EQ(log.append(static_cast<EndpointId>(1 + i % 5), i % 2 == 0 ? Direction::in : Direction::out,
                         pattern(i), 0, static_cast<std::int64_t>(i)),
              i);
  }
  ASSERT_EQ(log.size(), kRows);
  std::uint64_t wrong = 0;
  for (std::uint64_t i = 0; i < kRows; ++i) {
    const Record record = log.record(i);
    const bool ok = record.time_ns == static_cast<std::int64_t>(i) && record.endpoint == 1 + i % 5 &&
                    record.direction == (i % 2 == 0 ? Direction::in : Direction::out) &&
                    same_bytes(log.payload(record), pattern(i));
    if (!ok) ++wrong;
  }
  EXPECT_EQ(wrong, 0U);
}

TEST(MessageLog, ReadingPastTheEndThrows) {
  MessageLog log;
  EXPECT_THROW((void)log.record(0), std::out_of_range);
  log.append(1, Direction::in, as_bytes("x"));
  EXPECT_NO_THROW((void)log.record(0));
  EXPECT_THROW((void)log.record(1), std::out_of_range);
  EXPECT_THROW((void)log.payload(1), std::out_of_range);
  EXPECT_THROW((void)log.assemble_message(1), std::out_of_range);
}

TEST(MessageLog, PayloadOfARecordThatNamesNoStoredBytesThrows) {
  MessageLog log;
  log.append(1, Direction::in, as_bytes("abc"));
  Record bogus = log.record(0);
  bogus.length = 4;  // one byte more than was stored
  EXPECT_THROW((void)log.payload(bogus), std::out_of_range);
  bogus = log.record(0);
  bogus.offset = std::uint64_t{7} << 40;  // a chunk that does not exist
  EXPECT_THROW((void)log.payload(bogus), std::out_of_range);
}

TEST(MessageLog, UnknownFlagBitsAreRejectedAndNothingIsAdded) {
  MessageLog log;
  EXPECT_THROW(log.append(1, Direction::in, as_bytes("x"), 0x80), std::invalid_argument);
  EXPECT_THROW(log.append(1, Direction::in, as_bytes("x"), 0x40), std::invalid_argument);
  EXPECT_EQ(log.size(), 0U);
  EXPECT_EQ(log.payload_bytes(), 0U);
}

TEST(MessageLog, DefaultTimeIsNow) {
  MessageLog log;
  const std::int64_t before = MessageLog::now_ns();
  log.append(1, Direction::in, as_bytes("x"));
  const std::int64_t after = MessageLog::now_ns();
  EXPECT_GE(log.record(0).time_ns, before);
  EXPECT_LE(log.record(0).time_ns, after);
}

TEST(MessageLog, NowFollowsTheSystemClock) {
  const auto before = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::int64_t now = MessageLog::now_ns();
  const auto after = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  EXPECT_GE(now, before);
  EXPECT_LE(now, after);
}

TEST(MessageLog, PayloadSpanStaysValidAfterManyMoreAppends) {
  MessageLog log;
  log.append(1, Direction::in, as_bytes("the first payload"));
  const std::span<const std::byte> early = log.payload(0);
  const std::byte* const early_address = early.data();

  // 100k payloads of 512 bytes: about 50 MB, several arena chunks and index blocks.
  constexpr std::uint64_t kAppends = 100'000;
  for (std::uint64_t i = 0; i < kAppends; ++i) log.append(2, Direction::out, pattern(i, 512));
  ASSERT_EQ(log.size(), kAppends + 1);

  EXPECT_EQ(text_of(early), "the first payload");
  EXPECT_EQ(log.payload(0).data(), early_address);
  // The last payloads landed in later chunks and are intact too.
  EXPECT_TRUE(same_bytes(log.payload(kAppends), pattern(kAppends - 1, 512)));
  EXPECT_TRUE(same_bytes(log.payload(kAppends / 2), pattern(kAppends / 2 - 1, 512)));
}

TEST(MessageLog, PayloadBiggerThanAChunkIsStoredWhole) {
  MessageLog log;
  log.append(1, Direction::in, as_bytes("before"));
  const auto before_span = log.payload(0);
  const Bytes big = pattern(99, kBiggerThanAChunk);
  log.append(1, Direction::in, big);
  log.append(1, Direction::in, as_bytes("after"));

  ASSERT_EQ(log.size(), 3U);
  EXPECT_EQ(log.record(1).length, kBiggerThanAChunk);
  EXPECT_TRUE(same_bytes(log.payload(1), big));
  EXPECT_EQ(text_of(log.payload(2)), "after");
  EXPECT_EQ(text_of(before_span), "before");
  EXPECT_EQ(log.payload_bytes(), kBiggerThanAChunk + 11);
  EXPECT_GE(log.memory_bytes(), kBiggerThanAChunk);
}

// ---------------------------------------------------------------- assemble_message

TEST(MessageLog, AssembleMessageJoinsPartsAndSkipsOtherEndpoints) {
  MessageLog log;
  const auto more = record_flags::message | record_flags::more_data;
  const auto last = record_flags::message;
  log.append(1, Direction::out, as_bytes("Hel"), more);        // 0: starts endpoint 1's message
  log.append(2, Direction::out, as_bytes("ab"), more);         // 1: starts endpoint 2's message
  log.append(1, Direction::in, as_bytes("reply"), last);       // 2: endpoint 1, other direction
  log.append(1, Direction::out, as_bytes("lo, "), more);       // 3
  log.append(2, Direction::out, as_bytes("cd"), last);         // 4: ends endpoint 2's message
  log.append(1, Direction::out, as_bytes("world"), last);      // 5: ends endpoint 1's message
  log.append(1, Direction::out, as_bytes("next message"), last);  // 6: must not be joined

  EXPECT_EQ(text_of(log.assemble_message(0)), "Hello, world");
  EXPECT_EQ(text_of(log.assemble_message(1)), "abcd");
  EXPECT_EQ(text_of(log.assemble_message(2)), "reply");
  EXPECT_EQ(text_of(log.assemble_message(3)), "lo, world");
  EXPECT_EQ(text_of(log.assemble_message(6)), "next message");
}

TEST(MessageLog, AssembleMessageReturnsAnUnfinishedMessageAsFarAsItGoes) {
  MessageLog log;
  log.append(3, Direction::in, as_bytes("part one, "), record_flags::more_data);
  log.append(4, Direction::in, as_bytes("noise"), 0);
  log.append(3, Direction::in, as_bytes("part two"), record_flags::more_data);
  EXPECT_EQ(text_of(log.assemble_message(0)), "part one, part two");
}

// ---------------------------------------------------------------- clear

TEST(MessageLog, ClearForgetsEverythingAndKeepsTheMemoryForReuse) {
  MessageLog log;
  log.register_endpoint(endpoint_info(1, EndpointKind::instance, "\\\\.\\pipe\\demo", "demo #1"));
  constexpr std::uint64_t kRows = 40'000;  // 40 MB of payload: more than one chunk
  for (std::uint64_t i = 0; i < kRows; ++i) log.append(1, Direction::in, pattern(i, 1000));
  const std::uint64_t memory_when_full = log.memory_bytes();

  log.clear();
  EXPECT_EQ(log.size(), 0U);
  EXPECT_EQ(log.payload_bytes(), 0U);
  EXPECT_TRUE(log.endpoints().empty());
  EXPECT_FALSE(log.endpoint(1).has_value());
  EXPECT_THROW((void)log.record(0), std::out_of_range);
  EXPECT_EQ(log.memory_bytes(), memory_when_full);

  // The same amount again fits into the kept memory without allocating more.
  for (std::uint64_t i = 0; i < kRows; ++i) ASSERT_EQ(log.append(2, Direction::out, pattern(i + 7, 1000)), i);
  EXPECT_EQ(log.memory_bytes(), memory_when_full);
  EXPECT_EQ(log.size(), kRows);
  EXPECT_EQ(log.record(0).endpoint, 2U);
  EXPECT_TRUE(same_bytes(log.payload(0), pattern(7, 1000)));
  EXPECT_TRUE(same_bytes(log.payload(kRows - 1), pattern(kRows - 1 + 7, 1000)));
}

TEST(MessageLog, ClearReleasesTheChunkOfABigPayload) {
  MessageLog log;
  log.append(1, Direction::in, as_bytes("small"));
  log.append(1, Direction::in, pattern(1, kBiggerThanAChunk));
  const std::uint64_t memory_with_big = log.memory_bytes();
  log.clear();
  EXPECT_LE(log.memory_bytes(), memory_with_big - kBiggerThanAChunk);
  EXPECT_GT(log.memory_bytes(), 0U);  // the regular chunk is kept
}

// ---------------------------------------------------------------- endpoints

TEST(MessageLog, EndpointRegistryUpdatesAndListsInIdOrder) {
  MessageLog log;
  log.register_endpoint(endpoint_info(5, EndpointKind::client, "\\\\.\\pipe\\a", "client 5"));
  log.register_endpoint(endpoint_info(2, EndpointKind::instance, "\\\\.\\pipe\\a", "a #1", 1));
  log.register_endpoint(endpoint_info(9, EndpointKind::child, "cmd /c dir", "child 9"));
  log.register_endpoint(endpoint_info(5, EndpointKind::client, "\\\\.\\pipe\\a", "client 5 renamed"));

  const auto all = log.endpoints();
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[0].id, 2U);
  EXPECT_EQ(all[1].id, 5U);
  EXPECT_EQ(all[2].id, 9U);
  EXPECT_EQ(all[1].label, "client 5 renamed");
  EXPECT_EQ(all[0].server, 1U);

  ASSERT_TRUE(log.endpoint(9).has_value());
  EXPECT_EQ(log.endpoint(9)->kind, EndpointKind::child);
  EXPECT_EQ(log.endpoint(9)->pipe_name, "cmd /c dir");
  EXPECT_FALSE(log.endpoint(3).has_value());
}

// ---------------------------------------------------------------- words

TEST(MessageLog, FlagsAndDirectionAsText) {
  EXPECT_EQ(to_string(Direction::in), "in");
  EXPECT_EQ(to_string(Direction::out), "out");
  EXPECT_EQ(flags_to_string(0), "");
  EXPECT_EQ(flags_to_string(record_flags::message), "message");
  EXPECT_EQ(flags_to_string(record_flags::message | record_flags::more_data), "message|more-data");
  EXPECT_EQ(flags_to_string(0x3F), "message|more-data|partial|transact|stderr|responder");
  EXPECT_EQ(flags_to_string(record_flags::responder | record_flags::partial), "partial|responder");
  EXPECT_EQ(flags_to_string(0x80 | record_flags::message), "message|0x80");
  EXPECT_EQ(flags_to_string(0xC0 | record_flags::message), "message|truncated|0x80");
}

// ---------------------------------------------------------------- threads

/// Waits, without sleeping, until `done` holds or the deadline passes.
template <class Done>
bool spin_until(Done done, std::chrono::steady_clock::duration limit = 120s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(MessageLogThreads, ReaderSeesEveryRowAWriterAppends) {
  MessageLog log;
  constexpr std::uint64_t kRows = 100'000;
  std::thread writer([&] {
    for (std::uint64_t i = 0; i < kRows; ++i) {
      log.append(static_cast<EndpointId>(1 + i % 3), i % 2 == 0 ? Direction::in : Direction::out, pattern(i),
                 i % 2 == 0 ? record_flags::message : std::uint8_t{0}, static_cast<std::int64_t>(i));
    }
  });

  std::uint64_t verified = 0;
  std::uint64_t wrong = 0;
  const bool finished = spin_until([&] {
    const std::uint64_t visible = log.size();
    for (; verified < visible; ++verified) {
      const Record record = log.record(verified);
      const bool ok = record.time_ns == static_cast<std::int64_t>(verified) && record.endpoint == 1 + verified % 3 &&
                      record.flags == (verified % 2 == 0 ? record_flags::message : 0) &&
                      same_bytes(log.payload(record), pattern(verified));
      if (!ok) ++wrong;
    }
    return verified == kRows;
  });
  writer.join();
  EXPECT_TRUE(finished);
  EXPECT_EQ(verified, kRows);
  EXPECT_EQ(wrong, 0U);
}

TEST(MessageLogThreads, ConcurrentWritersKeepEachOnesOrder) {
  MessageLog log;
  constexpr std::uint64_t kWriters = 3;
  constexpr std::uint64_t kRowsEach = 30'000;
  std::vector<std::thread> writers;
  for (std::uint64_t w = 0; w < kWriters; ++w) {
    writers.emplace_back([&log, w] {
      for (std::uint64_t i = 0; i < kRowsEach; ++i) {
        const std::uint64_t seed = w * kRowsEach + i;
        log.append(static_cast<EndpointId>(w + 1), Direction::out, pattern(seed), 0,
                   static_cast<std::int64_t>(seed));
      }
    });
  }
  // Meanwhile this thread reads whatever is there, as the GUI would.
  std::uint64_t checked = 0;
  std::uint64_t wrong = 0;
  const bool finished = spin_until([&] {
    const std::uint64_t visible = log.size();
    for (; checked < visible; ++checked) {
      const Record record = log.record(checked);
      if (!same_bytes(log.payload(record), pattern(static_cast<std::uint64_t>(record.time_ns)))) ++wrong;
    }
    return checked == kWriters * kRowsEach;
  });
  for (auto& writer : writers) writer.join();
  EXPECT_TRUE(finished);
  EXPECT_EQ(wrong, 0U);

  ASSERT_EQ(log.size(), kWriters * kRowsEach);
  std::vector<std::int64_t> last_seen(kWriters, -1);
  std::uint64_t out_of_order = 0;
  for (std::uint64_t row = 0; row < log.size(); ++row) {
    const Record record = log.record(row);
    auto& last = last_seen[record.endpoint - 1];
    if (record.time_ns <= last) ++out_of_order;
    last = record.time_ns;
  }
  EXPECT_EQ(out_of_order, 0U);
}

TEST(MessageLogThreads, ClearWhileAWriterAppendsLeavesAConsistentLog) {
  MessageLog log;
  constexpr std::uint64_t kRows = 60'000;
  std::atomic<bool> writer_done{false};
  std::thread writer([&] {
    for (std::uint64_t i = 0; i < kRows; ++i) {
      log.append(1, Direction::in, pattern(i), 0, static_cast<std::int64_t>(i));
    }
    writer_done = true;
  });
  int clears = 0;
  for (int round = 0; round < 4; ++round) {
    // Wait for some rows (or the end of the writer), then clear under its feet.
    ASSERT_TRUE(spin_until([&] { return log.size() >= 1000 || writer_done.load(); }));
    log.clear();
    ++clears;
  }
  writer.join();
  EXPECT_EQ(clears, 4);

  // Whatever survived the last clear is whole: each record's bytes match it.
  std::uint64_t wrong = 0;
  std::int64_t previous = -1;
  for (std::uint64_t row = 0; row < log.size(); ++row) {
    const Record record = log.record(row);
    if (record.time_ns <= previous) ++wrong;
    previous = record.time_ns;
    if (!same_bytes(log.payload(record), pattern(static_cast<std::uint64_t>(record.time_ns)))) ++wrong;
  }
  EXPECT_EQ(wrong, 0U);
  EXPECT_LT(log.size(), kRows);
}

// ---------------------------------------------------------------- save and load

/// A log with every kind of endpoint, every flag, binary and empty payloads,
/// and times at the edges.
void fill_sample(MessageLog& log) {
  log.register_endpoint(endpoint_info(1, EndpointKind::instance, "\\\\.\\pipe\\demo", "demo #1", 1));
  log.register_endpoint(endpoint_info(2, EndpointKind::client, "\\\\.\\pipe\\demo", "client 2 \xE2\x86\x92 demo"));
  log.register_endpoint(endpoint_info(7, EndpointKind::child, "cmd /c \"echo hi\"", "child\t4711"));
  Bytes every_byte(256);
  for (std::size_t i = 0; i < every_byte.size(); ++i) every_byte[i] = static_cast<std::byte>(i);
  log.append(1, Direction::in, as_bytes("hello"), record_flags::message, 1'704'164'645'678'901'234);
  log.append(2, Direction::out, every_byte, record_flags::message | record_flags::more_data, 1);
  log.append(7, Direction::in, {}, record_flags::stderr_stream, -1);
  log.append(2, Direction::out, as_bytes("x"),
             record_flags::partial | record_flags::transact | record_flags::responder,
             std::numeric_limits<std::int64_t>::max());
  log.append(1, Direction::out, as_bytes("y"), 0, std::numeric_limits<std::int64_t>::min());
}

void expect_same_log(const MessageLog& actual, const MessageLog& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::uint64_t row = 0; row < expected.size(); ++row) {
    const Record a = actual.record(row);
    const Record e = expected.record(row);
    EXPECT_EQ(a.time_ns, e.time_ns) << "row " << row;
    EXPECT_EQ(a.endpoint, e.endpoint) << "row " << row;
    EXPECT_EQ(a.direction, e.direction) << "row " << row;
    EXPECT_EQ(a.flags, e.flags) << "row " << row;
    EXPECT_EQ(a.length, e.length) << "row " << row;
    EXPECT_TRUE(same_bytes(actual.payload(a), expected.payload(e))) << "row " << row;
  }
  const auto a = actual.endpoints();
  const auto e = expected.endpoints();
  ASSERT_EQ(a.size(), e.size());
  for (std::size_t i = 0; i < e.size(); ++i) EXPECT_TRUE(same_endpoint(a[i], e[i])) << "endpoint " << e[i].id;
  EXPECT_EQ(actual.payload_bytes(), expected.payload_bytes());
}

TEST(MessageLogFile, SaveThenLoadGivesTheSameLog) {
  MessageLog original;
  fill_sample(original);
  std::stringstream file;
  ASSERT_TRUE(original.save_jsonl(file).ok());

  MessageLog loaded;
  loaded.register_endpoint(endpoint_info(99, EndpointKind::client, "old", "replaced by the load"));
  loaded.append(99, Direction::in, as_bytes("old record"));
  const auto result = loaded.load_jsonl(file);
  ASSERT_TRUE(result.ok()) << result.error().detail;
  expect_same_log(loaded, original);
  EXPECT_FALSE(loaded.endpoint(99).has_value());
}

TEST(MessageLogFile, SavedLinesFollowTheDocumentedFormat) {
  MessageLog log;
  log.register_endpoint(endpoint_info(3, EndpointKind::client, "\\\\.\\pipe\\demo", "client \"3\""));
  log.register_endpoint(endpoint_info(1, EndpointKind::instance, "\\\\.\\pipe\\demo", "demo #1", 4));
  log.append(1, Direction::in, as_bytes("Hel"), record_flags::message | record_flags::more_data, 42);
  log.append(3, Direction::out, {}, 0, -5);
  std::ostringstream out;
  ASSERT_TRUE(log.save_jsonl(out).ok());
  EXPECT_EQ(out.str(),
            "{\"type\":\"pipescope-log\",\"version\":1}\n"
            "{\"type\":\"endpoint\",\"id\":1,\"kind\":\"instance\",\"server\":4,\"pipe\":\"\\\\\\\\.\\\\pipe\\\\demo\","
            "\"label\":\"demo #1\"}\n"
            "{\"type\":\"endpoint\",\"id\":3,\"kind\":\"client\",\"server\":0,\"pipe\":\"\\\\\\\\.\\\\pipe\\\\demo\","
            "\"label\":\"client \\\"3\\\"\"}\n"
            "{\"type\":\"record\",\"time_ns\":42,\"endpoint\":1,\"direction\":\"in\","
            "\"flags\":[\"message\",\"more-data\"],\"hex\":\"48656c\"}\n"
            "{\"type\":\"record\",\"time_ns\":-5,\"endpoint\":3,\"direction\":\"out\",\"flags\":[],\"hex\":\"\"}\n");
}

TEST(MessageLogFile, LoadAcceptsBlankLinesUppercaseHexAndUnknownFields) {
  std::istringstream file(
      "{\"type\":\"pipescope-log\",\"version\":1}\r\n"
      "\n"
      "{\"type\":\"endpoint\",\"id\":4,\"kind\":\"child\",\"server\":0,\"pipe\":\"p\",\"label\":\"l\",\"note\":1}\n"
      "   \n"
      "{\"type\":\"record\",\"time_ns\":9,\"endpoint\":4,\"direction\":\"out\",\"flags\":[\"stderr\"],"
      "\"hex\":\"4A4b\"}\n");
  MessageLog log;
  const auto result = log.load_jsonl(file);
  ASSERT_TRUE(result.ok()) << result.error().detail;
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(text_of(log.payload(0)), "JK");
  EXPECT_EQ(log.record(0).flags, record_flags::stderr_stream);
  EXPECT_EQ(log.record(0).direction, Direction::out);
  ASSERT_TRUE(log.endpoint(4).has_value());
  EXPECT_EQ(log.endpoint(4)->kind, EndpointKind::child);
}

TEST(MessageLogFile, AnEmptyLogRoundTrips) {
  MessageLog empty;
  std::stringstream file;
  ASSERT_TRUE(empty.save_jsonl(file).ok());
  EXPECT_EQ(file.str(), "{\"type\":\"pipescope-log\",\"version\":1}\n");
  MessageLog loaded;
  loaded.append(1, Direction::in, as_bytes("gone after the load"));
  ASSERT_TRUE(loaded.load_jsonl(file).ok());
  EXPECT_EQ(loaded.size(), 0U);
}

TEST(MessageLogFile, SavingARecordOfAnUnregisteredEndpointFails) {
  MessageLog log;
  log.register_endpoint(endpoint_info(1, EndpointKind::client, "p", "client 1"));
  log.append(1, Direction::in, as_bytes("fine"));
  log.append(8, Direction::in, as_bytes("orphan"));
  std::ostringstream out;
  const auto result = log.save_jsonl(out);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().errc(), Errc::unknown_endpoint);
  EXPECT_NE(result.error().detail.find("row 1"), std::string::npos) << result.error().detail;
  EXPECT_NE(result.error().detail.find("endpoint 8"), std::string::npos) << result.error().detail;
}

struct BadInput {
  const char* name;
  std::string text;
  int line;
  const char* says;  // a phrase the error detail must contain
};

const std::string kHeader = "{\"type\":\"pipescope-log\",\"version\":1}\n";
const std::string kEndpoint =
    "{\"type\":\"endpoint\",\"id\":1,\"kind\":\"client\",\"server\":0,\"pipe\":\"p\",\"label\":\"l\"}\n";

std::string record_line(const std::string& fields) { return "{\"type\":\"record\"," + fields + "}\n"; }

const std::string kGoodRecordFields = R"("time_ns":1,"endpoint":1,"direction":"in","flags":[],"hex":"00")";

std::vector<BadInput> bad_inputs() {
  const std::string prefix = kHeader + kEndpoint;
  return {
      {"empty input", "", 1, "empty"},
      {"only blank lines", "\n \n", 1, "empty"},
      {"not json", kHeader + "{\"type\":", 2, "not valid JSON"},
      {"trailing garbage", kHeader + kEndpoint + "{\"type\":\"endpoint\"} x\n", 3, "not valid JSON"},
      {"not an object", kHeader + "[1,2]\n", 2, "JSON object"},
      {"no header", kEndpoint, 1, "not a PipeScope log"},
      {"wrong header type", "{\"type\":\"other-log\",\"version\":1}\n", 1, "not a PipeScope log"},
      {"header without version", "{\"type\":\"pipescope-log\"}\n", 1, "\"version\""},
      {"newer version", "{\"type\":\"pipescope-log\",\"version\":2}\n", 1, "version 2"},
      {"version as text", "{\"type\":\"pipescope-log\",\"version\":\"1\"}\n", 1, "\"version\" must be a whole number"},
      {"line without type", prefix + "{\"id\":2}\n", 3, "\"type\""},
      {"unknown type", prefix + "{\"type\":\"comment\"}\n", 3, "unknown type \"comment\""},
      {"endpoint without id", kHeader + R"({"type":"endpoint","kind":"client","server":0,"pipe":"p","label":"l"})" "\n",
       2, "no \"id\""},
      {"endpoint id as text",
       kHeader + R"({"type":"endpoint","id":"1","kind":"client","server":0,"pipe":"p","label":"l"})" "\n", 2,
       "\"id\" must be a whole number"},
      {"negative endpoint id",
       kHeader + R"({"type":"endpoint","id":-1,"kind":"client","server":0,"pipe":"p","label":"l"})" "\n", 2,
       "\"id\" must not be negative"},
      {"endpoint id too large",
       kHeader + R"({"type":"endpoint","id":4294967296,"kind":"client","server":0,"pipe":"p","label":"l"})" "\n",
       2, "\"id\" is 4294967296"},
      {"unknown kind",
       kHeader + R"({"type":"endpoint","id":1,"kind":"server","server":0,"pipe":"p","label":"l"})" "\n", 2,
       "unknown endpoint kind \"server\""},
      {"endpoint without pipe", kHeader + R"({"type":"endpoint","id":1,"kind":"client","server":0,"label":"l"})" "\n",
       2, "no \"pipe\""},
      {"label not text",
       kHeader + R"({"type":"endpoint","id":1,"kind":"client","server":0,"pipe":"p","label":5})" "\n", 2,
       "\"label\" must be a string"},
      {"endpoint defined twice", prefix + kEndpoint, 3, "endpoint 1 is defined a second time (first on line 2)"},
      {"record without time", prefix + record_line(R"("endpoint":1,"direction":"in","flags":[],"hex":"00")"), 3,
       "no \"time_ns\""},
      {"fractional time", prefix + record_line(R"("time_ns":1.5,"endpoint":1,"direction":"in","flags":[],"hex":"")"),
       3, "\"time_ns\" must be a whole number"},
      {"time too large",
       prefix + record_line(R"("time_ns":9223372036854775808,"endpoint":1,"direction":"in","flags":[],"hex":"")"), 3,
       "too large"},
      {"record of an unregistered endpoint",
       prefix + record_line(R"("time_ns":1,"endpoint":2,"direction":"in","flags":[],"hex":"00")"), 3,
       "endpoint 2, which no earlier line defines"},
      {"record before its endpoint", kHeader + record_line(kGoodRecordFields) + kEndpoint, 2,
       "endpoint 1, which no earlier line defines"},
      {"unknown direction",
       prefix + record_line(R"("time_ns":1,"endpoint":1,"direction":"sideways","flags":[],"hex":"00")"), 3,
       "unknown direction \"sideways\""},
      {"unknown flag",
       prefix + record_line(R"("time_ns":1,"endpoint":1,"direction":"in","flags":["message","urgent"],"hex":"00")"),
       3, "unknown flag \"urgent\""},
      {"flags not a list",
       prefix + record_line(R"("time_ns":1,"endpoint":1,"direction":"in","flags":"message","hex":"00")"), 3,
       "\"flags\" must be a list"},
      {"flag not text", prefix + record_line(R"("time_ns":1,"endpoint":1,"direction":"in","flags":[1],"hex":"00")"),
       3, "\"flags\" must be a list"},
      {"odd hex", prefix + record_line(R"("time_ns":1,"endpoint":1,"direction":"in","flags":[],"hex":"abc")"), 3,
       "odd number of digits"},
      {"invalid hex", prefix + record_line(R"("time_ns":1,"endpoint":1,"direction":"in","flags":[],"hex":"0g")"), 3,
       "'g' at position 1"},
      {"hex not text", prefix + record_line(R"("time_ns":1,"endpoint":1,"direction":"in","flags":[],"hex":12)"), 3,
       "\"hex\" must be a string"},
      {"record without hex", prefix + record_line(R"("time_ns":1,"endpoint":1,"direction":"in","flags":[])"), 3,
       "no \"hex\""},
      {"bad line after good ones",
       prefix + record_line(kGoodRecordFields) + "\n" + record_line(kGoodRecordFields) + "{oops}\n", 6,
       "not valid JSON"},
  };
}

class MessageLogBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(MessageLogBadInput, IsRejectedWithItsLineAndTheLogIsUnchanged) {
  const BadInput& bad = GetParam();
  MessageLog log;
  fill_sample(log);
  MessageLog reference;
  fill_sample(reference);
  const auto span_before = log.payload(0);
  const std::byte* const address_before = span_before.data();

  std::istringstream in(bad.text);
  const auto result = log.load_jsonl(in);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().errc(), Errc::bad_input);
  const std::string& detail = result.error().detail;
  EXPECT_EQ(detail.rfind("line " + std::to_string(bad.line) + ", column ", 0), 0U) << detail;
  EXPECT_NE(detail.find(bad.says), std::string::npos) << detail;

  expect_same_log(log, reference);
  EXPECT_EQ(log.payload(0).data(), address_before);
  EXPECT_EQ(text_of(span_before), "hello");
}

INSTANTIATE_TEST_SUITE_P(EachCase, MessageLogBadInput, ::testing::ValuesIn(bad_inputs()),
                         [](const ::testing::TestParamInfo<BadInput>& info) {
                           std::string name = info.param.name;
                           std::replace(name.begin(), name.end(), ' ', '_');
                           return name;
                         });

// ---------------------------------------------------------------- exports

TEST(MessageLogExport, TextHasOneLinePerRecord) {
  MessageLog log;
  log.register_endpoint(endpoint_info(1, EndpointKind::instance, "\\\\.\\pipe\\demo", "demo #1"));
  log.register_endpoint(endpoint_info(2, EndpointKind::client, "\\\\.\\pipe\\demo", "client\n2"));
  const Bytes binary = {std::byte{'a'}, std::byte{'\n'}, std::byte{0}, std::byte{0xFF}};
  log.append(1, Direction::in, as_bytes("Hello"), record_flags::message | record_flags::more_data,
             1'704'164'645'678'901'234);
  log.append(2, Direction::out, binary, 0, -1);
  log.append(5, Direction::out, {}, record_flags::partial, 0);

  std::ostringstream out;
  ASSERT_TRUE(find_export_format("text")->write(log, out).ok());
  const std::string expected =
      "2024-01-02T03:04:05.678901Z\tdemo #1\tin\t5\tmessage|more-data\t" + format_escaped(as_bytes("Hello")) + "\n" +
      "1969-12-31T23:59:59.999999Z\tclient 2\tout\t4\t-\t" + format_escaped(binary) + "\n" +
      "1970-01-01T00:00:00.000000Z\tendpoint 5\tout\t0\tpartial\t" + format_escaped({}) + "\n";
  EXPECT_EQ(out.str(), expected);
}

TEST(MessageLogExport, HexDumpHasAHeaderAndADumpPerRecord) {
  MessageLog log;
  log.register_endpoint(endpoint_info(3, EndpointKind::child, "tool.exe", "child 3"));
  const Bytes data = pattern(5, 40);
  log.append(3, Direction::in, data, record_flags::stderr_stream, 1'704'164'645'000'000'000);
  log.append(3, Direction::out, as_bytes("ok"), 0, 1'704'164'646'000'001'000);

  std::ostringstream out;
  ASSERT_TRUE(find_export_format("hexdump")->write(log, out).ok());
  auto with_newline = [](std::string text) {
    if (!text.empty() && text.back() != '\n') text += '\n';
    return text;
  };
  const std::string expected = "#1  2024-01-02T03:04:05.000000Z  child 3  in  40 bytes  stderr\n" +
                               with_newline(format_hex_dump(data)) + "\n" +
                               "#2  2024-01-02T03:04:06.000001Z  child 3  out  2 bytes  -\n" +
                               with_newline(format_hex_dump(as_bytes("ok"))) + "\n";
  EXPECT_EQ(out.str(), expected);
}

TEST(MessageLogExport, AFailingStreamIsAnError) {
  MessageLog log;
  fill_sample(log);
  FailingBuffer buffer;
  std::ostream broken(&buffer);
  EXPECT_FALSE(log.save_jsonl(broken).ok());
  std::ostream broken_text(&buffer);
  EXPECT_FALSE(find_export_format("text")->write(log, broken_text).ok());
  std::ostream broken_dump(&buffer);
  EXPECT_FALSE(find_export_format("hexdump")->write(log, broken_dump).ok());
  // Even an empty log has a header line to write.
  MessageLog empty;
  std::ostream broken_empty(&buffer);
  EXPECT_FALSE(empty.save_jsonl(broken_empty).ok());
}

}  // namespace
}  // namespace pipescope

namespace pipescope {
namespace {

// The table of export formats: every format is found by its id in any
// letter case, ids are distinct, and each writes what it says.
TEST(ExportFormats, TheTableListsEveryFormatOnce) {
  std::set<std::string_view> ids;
  for (const ExportFormat& format : export_formats()) {
    EXPECT_TRUE(ids.insert(format.id).second) << format.id;
    EXPECT_EQ(find_export_format(format.id), &format);
    EXPECT_FALSE(format.label.empty());
    EXPECT_FALSE(format.extension.empty());
    EXPECT_NE(format.write, nullptr);
  }
  EXPECT_NE(find_export_format("TEXT"), nullptr);
  EXPECT_EQ(find_export_format("pcapng-someday"), nullptr);
  for (const char* id : {"text", "hexdump", "jsonl"}) EXPECT_NE(find_export_format(id), nullptr) << id;
}

// JSON lines exported through the table is the saved log, and loads back.
TEST(ExportFormats, JsonLinesRoundTrips) {
  MessageLog log;
  log.register_endpoint(EndpointInfo{1, EndpointKind::instance, 1, "\\\\.\\pipe\\demo", "demo #1"});
  log.append(1, Direction::in, as_bytes("round trip"), record_flags::message, 1'704'164'645'000'000'000);
  std::stringstream file;
  ASSERT_TRUE(find_export_format("jsonl")->write(log, file).ok());
  MessageLog loaded;
  ASSERT_TRUE(loaded.load_jsonl(file).ok());
  ASSERT_EQ(loaded.size(), 1U);
  EXPECT_EQ(std::string(as_chars(loaded.payload(0))), "round trip");
}

}  // namespace
}  // namespace pipescope
