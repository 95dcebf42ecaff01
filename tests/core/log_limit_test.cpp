// The message log's memory limit: beyond it records are kept without their
// bytes (flagged truncated), then only counted; the log says so once; an
// allocation that fails is met the same way instead of by an exception; and
// truncated records survive saving and loading.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "log_store.hpp"
#include "physical_memory.hpp"
#include "pipescope/codec.hpp"
#include "pipescope/endpoint.hpp"
#include "pipescope/error.hpp"
#include "pipescope/log.hpp"
#include "pipescope/export.hpp"

namespace pipescope {
namespace {

constexpr EndpointId kEndpoint = 1;

Bytes filled(std::size_t length, std::uint8_t value) { return Bytes(length, static_cast<std::byte>(value)); }

EndpointInfo an_endpoint() {
  EndpointInfo info;
  info.id = kEndpoint;
  info.kind = EndpointKind::instance;
  info.server = 1;
  info.pipe_name = "\\\\.\\pipe\\limit";
  info.label = "limit #1";
  return info;
}

/// A log limited to 1000 bytes. Each record costs its payload plus 24 bytes
/// (its index entry); payloads are kept while the total stays within seven
/// eighths of the limit (875 bytes), records without bytes up to 1000.
class LogLimit : public ::testing::Test {
 protected:
  static constexpr std::uint64_t kLimit = 1000;
  static constexpr std::size_t kPayload = 100;  // 124 bytes a record: seven fit into 875

  void SetUp() override {
    log_.register_endpoint(an_endpoint());
    log_.set_memory_limit(kLimit);
  }

  AppendResult append(std::size_t length, std::uint8_t value = 0x41) {
    const Bytes bytes = filled(length, value);
    const AppendResult result = log_.append_record(kEndpoint, Direction::in, bytes, record_flags::message);
    if (result.became_full) ++became_full_;
    return result;
  }

  MessageLog log_;
  int became_full_ = 0;
};

TEST_F(LogLimit, ANewLogIsLimitedToAQuarterOfPhysicalMemory) {
  MessageLog fresh;
  EXPECT_EQ(fresh.memory_limit(), MessageLog::default_memory_limit());
  const std::uint64_t physical = detail::physical_memory_bytes();
  ASSERT_GT(physical, 0U) << "this system should say how much memory it has";
  EXPECT_EQ(MessageLog::default_memory_limit(), physical / 4);
  EXPECT_EQ(log_.memory_limit(), kLimit);
}

TEST_F(LogLimit, BeyondTheLimitRecordsKeepTheirLengthButNotTheirBytes) {
  for (int i = 0; i < 7; ++i) {
    const AppendResult kept = append(kPayload, static_cast<std::uint8_t>(i));
    EXPECT_EQ(kept.row, static_cast<std::uint64_t>(i));
    EXPECT_EQ(kept.flags, record_flags::message);
  }
  // 868 bytes held; the next 100-byte payload would make 992, beyond 875.
  const AppendResult first_cut = append(kPayload);
  EXPECT_EQ(first_cut.row, 7U);
  EXPECT_EQ(first_cut.flags, record_flags::message | record_flags::truncated);
  EXPECT_TRUE(first_cut.became_full);

  // Records without bytes cost 24 each: 892, 916, 940, 964, 988 fit into
  // 1000, so four more are kept, flagged truncated.
  for (std::uint64_t row = 8; row < 12; ++row) EXPECT_EQ(append(kPayload).row, row);
  // From here even the record would pass the limit: it is only counted.
  for (int i = 0; i < 3; ++i) {
    const AppendResult dropped = append(kPayload);
    EXPECT_EQ(dropped.row, MessageLog::kNoRow);
    EXPECT_EQ(dropped.flags, record_flags::message | record_flags::truncated);
  }

  ASSERT_EQ(log_.size(), 12U);
  EXPECT_EQ(log_.truncated_records(), 5U);
  EXPECT_EQ(log_.dropped_records(), 3U);
  EXPECT_EQ(log_.dropped_bytes(), 3 * kPayload);
  // Every record in the log counts its real length, kept or not.
  EXPECT_EQ(log_.payload_bytes(), 12 * kPayload);
  for (std::uint64_t row = 0; row < 7; ++row) {
    const Record record = log_.record(row);
    EXPECT_EQ(record.flags, record_flags::message);
    EXPECT_EQ(log_.payload(record).size(), kPayload);
    EXPECT_EQ(log_.payload(record)[0], static_cast<std::byte>(row));
  }
  for (std::uint64_t row = 7; row < 12; ++row) {
    const Record record = log_.record(row);
    EXPECT_EQ(record.flags, record_flags::message | record_flags::truncated);
    EXPECT_EQ(record.length, kPayload);
    EXPECT_EQ(record.endpoint, kEndpoint);
    EXPECT_EQ(record.direction, Direction::in);
    EXPECT_TRUE(log_.payload(record).empty());
    EXPECT_TRUE(log_.assemble_message(row).empty());
  }
  EXPECT_EQ(became_full_, 1) << "the log must say once that it is full, not for every record";
}

TEST_F(LogLimit, OnceFullTheLogKeepsNoPayloadEvenOneThatWouldFit) {
  for (int i = 0; i < 7; ++i) append(kPayload);
  EXPECT_EQ(append(kPayload).flags & record_flags::truncated, record_flags::truncated);
  // One byte would still fit under 875, but a log that kept it would have a
  // gap before it that a reader could not see.
  const AppendResult small = append(1);
  EXPECT_EQ(small.flags & record_flags::truncated, record_flags::truncated);
  EXPECT_FALSE(small.became_full);
  // An empty record (an event) loses nothing, so it is not flagged.
  const AppendResult empty = append(0);
  EXPECT_NE(empty.row, MessageLog::kNoRow);
  EXPECT_EQ(empty.flags, record_flags::message);
  EXPECT_EQ(log_.truncated_records(), 2U);
}

TEST_F(LogLimit, ClearingOrRaisingTheLimitKeepsPayloadsAgainAndWarnsAgain) {
  for (int i = 0; i < 9; ++i) append(kPayload);
  EXPECT_EQ(became_full_, 1);

  log_.set_memory_limit(100'000);
  EXPECT_EQ(log_.memory_limit(), 100'000U);
  const AppendResult kept = append(kPayload);
  EXPECT_EQ(kept.flags, record_flags::message);
  EXPECT_EQ(log_.payload(kept.row).size(), kPayload);
  // Records truncated before stay truncated.
  EXPECT_EQ(log_.record(8).flags & record_flags::truncated, record_flags::truncated);

  log_.set_memory_limit(kLimit);
  append(kPayload);
  EXPECT_EQ(became_full_, 2) << "a new limit that is full again is said once again";

  log_.clear();
  EXPECT_EQ(log_.truncated_records(), 0U);
  EXPECT_EQ(log_.memory_limit(), kLimit) << "clear() keeps the limit";
  for (int i = 0; i < 7; ++i) EXPECT_EQ(append(kPayload).flags, record_flags::message);
  append(kPayload);
  EXPECT_EQ(became_full_, 3);
}

TEST_F(LogLimit, TheWarningNamesTheLimitTheRowAndHowToRaiseIt) {
  for (int i = 0; i < 8; ++i) append(kPayload);
  const Error warning = log_.full_warning();
  EXPECT_EQ(warning.code, make_error_code(Errc::log_full));
  EXPECT_NE(warning.detail.find("memory limit of 1000 bytes"), std::string::npos) << warning.detail;
  EXPECT_NE(warning.detail.find("from row 8 on"), std::string::npos) << warning.detail;
  EXPECT_NE(warning.detail.find("--log-memory-limit"), std::string::npos) << warning.detail;
  EXPECT_NE(warning.detail.find("only counted"), std::string::npos) << warning.detail;
  EXPECT_FALSE(warning.explanation().empty());
}

TEST_F(LogLimit, TheTruncatedFlagIsTheLogsToSet) {
  const Bytes bytes = filled(3, 0x42);
  EXPECT_THROW(log_.append(kEndpoint, Direction::in, bytes, record_flags::truncated), std::invalid_argument);
  EXPECT_EQ(log_.size(), 0U);
  EXPECT_EQ(flags_to_string(record_flags::truncated), "truncated");
}

TEST_F(LogLimit, TruncatedRecordsRoundTripThroughSaveAndLoad) {
  for (int i = 0; i < 9; ++i) append(kPayload, static_cast<std::uint8_t>(i));
  std::stringstream saved;
  ASSERT_TRUE(log_.save_jsonl(saved).ok());
  const std::string text = saved.str();
  EXPECT_NE(text.find(R"("flags":["message","truncated"],"length":100,"hex":"")"), std::string::npos) << text;

  MessageLog loaded;
  std::istringstream in(text);
  const auto result = loaded.load_jsonl(in);
  ASSERT_TRUE(result.ok()) << result.error().summary();
  ASSERT_EQ(loaded.size(), log_.size());
  for (std::uint64_t row = 0; row < log_.size(); ++row) {
    const Record a = log_.record(row);
    const Record b = loaded.record(row);
    EXPECT_EQ(a.flags, b.flags) << "row " << row;
    EXPECT_EQ(a.length, b.length) << "row " << row;
    EXPECT_EQ(a.time_ns, b.time_ns) << "row " << row;
    const auto pa = log_.payload(a);
    const auto pb = loaded.payload(b);
    EXPECT_TRUE(std::equal(pa.begin(), pa.end(), pb.begin(), pb.end())) << "row " << row;
  }
  EXPECT_EQ(loaded.truncated_records(), 2U);
  EXPECT_EQ(loaded.payload_bytes(), log_.payload_bytes());

  std::stringstream again;
  ASSERT_TRUE(loaded.save_jsonl(again).ok());
  EXPECT_EQ(again.str(), text);

  std::stringstream exported;
  ASSERT_TRUE(find_export_format("text")->write(loaded, exported).ok());
  EXPECT_NE(exported.str().find("\t100\tmessage|truncated\t"), std::string::npos) << exported.str();
}

TEST_F(LogLimit, LoadRefusesATruncatedRecordWithBytesOrWithoutLength) {
  const std::string head = R"({"type":"pipescope-log","version":1})"
                           "\n"
                           R"({"type":"endpoint","id":1,"kind":"instance","server":1,"pipe":"p","label":"l"})"
                           "\n";
  const std::vector<std::string> bad = {
      R"({"type":"record","time_ns":1,"endpoint":1,"direction":"in","flags":["truncated"],"length":4,"hex":"41"})",
      R"({"type":"record","time_ns":1,"endpoint":1,"direction":"in","flags":["truncated"],"hex":""})",
      R"({"type":"record","time_ns":1,"endpoint":1,"direction":"in","flags":["truncated"],"length":0,"hex":""})",
  };
  for (const std::string& line : bad) {
    MessageLog target;
    std::istringstream in(head + line + "\n");
    const auto result = target.load_jsonl(in);
    ASSERT_FALSE(result.ok()) << line;
    EXPECT_EQ(result.error().code, make_error_code(Errc::bad_input));
    EXPECT_NE(result.error().detail.find("line 3"), std::string::npos) << result.error().detail;
  }
}

TEST_F(LogLimit, AFailedPayloadAllocationBecomesATruncatedRecordNotAnException) {
  log_.set_memory_limit(std::uint64_t{1} << 30);
  // The arena may not allocate at all: the first payload finds no room.
  detail::MessageLogAccess::contents(log_).arena.allocation_limit = 0;
  AppendResult result;
  ASSERT_NO_THROW(result = append(kPayload));
  EXPECT_EQ(result.row, 0U);
  EXPECT_EQ(result.flags, record_flags::message | record_flags::truncated);
  EXPECT_TRUE(result.became_full);
  EXPECT_EQ(log_.record(0).length, kPayload);
  const Error warning = log_.full_warning();
  EXPECT_EQ(warning.code, make_error_code(Errc::log_full));
  EXPECT_NE(warning.detail.find("could not get more memory"), std::string::npos) << warning.detail;
  // The log does not ask a short system again at every record.
  detail::MessageLogAccess::contents(log_).arena.allocation_limit = std::uint64_t{1} << 40;
  ASSERT_NO_THROW(result = append(kPayload));
  EXPECT_EQ(result.flags & record_flags::truncated, record_flags::truncated);
  EXPECT_EQ(became_full_, 1);
}

TEST_F(LogLimit, AFailedIndexAllocationCountsTheRecordNotAnException) {
  log_.set_memory_limit(std::uint64_t{1} << 30);
  append(kPayload);
  // The index has its first block; it may not get a second one.
  detail::RecordIndex& index = detail::MessageLogAccess::contents(log_).records;
  index.allocation_limit = index.memory_bytes();
  for (std::size_t row = 1; row < detail::RecordIndex::kRecordsPerBlock; ++row) append(0);
  ASSERT_EQ(log_.size(), detail::RecordIndex::kRecordsPerBlock);
  EXPECT_EQ(became_full_, 0);

  AppendResult result;
  ASSERT_NO_THROW(result = append(kPayload));
  EXPECT_EQ(result.row, MessageLog::kNoRow);
  EXPECT_TRUE(result.became_full);
  ASSERT_NO_THROW(result = append(kPayload));
  EXPECT_EQ(result.row, MessageLog::kNoRow);
  EXPECT_EQ(log_.size(), detail::RecordIndex::kRecordsPerBlock);
  EXPECT_EQ(log_.dropped_records(), 2U);
  EXPECT_EQ(log_.dropped_bytes(), 2 * kPayload);
  EXPECT_EQ(became_full_, 1);
}

}  // namespace
}  // namespace pipescope
