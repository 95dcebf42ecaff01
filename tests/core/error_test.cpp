// The error vocabulary: the category, the text for every code, the summary
// line and the errno table in each context.
#include "pipescope/error.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace pipescope {
namespace {

// Every enumerator of Errc. ErrcTable.KnowsNoCodeMissingFromThisList checks
// that the implementation has no code this list lacks.
const std::vector<Errc> kAllErrc = {
    Errc::success,
    Errc::invalid_function,
    Errc::file_not_found,
    Errc::path_not_found,
    Errc::too_many_open_files,
    Errc::access_denied,
    Errc::invalid_handle,
    Errc::not_enough_memory,
    Errc::sharing_violation,
    Errc::not_supported,
    Errc::unexpected_network_error,
    Errc::network_access_denied,
    Errc::invalid_parameter,
    Errc::broken_pipe,
    Errc::insufficient_buffer,
    Errc::sem_timeout,
    Errc::invalid_name,
    Errc::bad_pathname,
    Errc::already_exists,
    Errc::filename_exceeds_range,
    Errc::pipe_local,
    Errc::bad_pipe,
    Errc::pipe_busy,
    Errc::no_data,
    Errc::pipe_not_connected,
    Errc::more_data,
    Errc::pipe_connected,
    Errc::pipe_listening,
    Errc::elevation_required,
    Errc::operation_aborted,
    Errc::io_pending,
    Errc::no_token,
    Errc::session_credential_conflict,
    Errc::network_unreachable,
    Errc::host_unreachable,
    Errc::logon_failure,
    Errc::cant_open_anonymous,
    Errc::not_enough_quota,
    Errc::name_empty,
    Errc::name_bad_prefix,
    Errc::name_has_backslash,
    Errc::name_server_empty,
    Errc::name_remote_unsupported,
    Errc::message_too_large,
    Errc::unknown_endpoint,
    Errc::unsupported_on_platform,
    Errc::bad_input,
    Errc::child_failed,
    Errc::log_full,
    Errc::unknown,
};

constexpr std::uint32_t kCustomerBit = 0x20000000U;

bool is_ours(Errc e) { return (static_cast<std::uint32_t>(e) & kCustomerBit) != 0; }

int sentence_count(std::string_view text) {
  int count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool end_mark = text[i] == '.' || text[i] == '!' || text[i] == '?';
    if (end_mark && (i + 1 == text.size() || text[i + 1] == ' ')) ++count;
  }
  return count;
}

// --- the category ---------------------------------------------------------

TEST(PipeCategory, IsNamedPipescope) { EXPECT_STREQ(pipe_category().name(), "pipescope"); }

TEST(PipeCategory, ErrorCodeFromEnumKeepsTheWin32Value) {
  const std::error_code busy{Errc::pipe_busy};
  EXPECT_EQ(busy.value(), 231);
  EXPECT_EQ(&busy.category(), &pipe_category());
  EXPECT_EQ(busy, Errc::pipe_busy);
  EXPECT_NE(busy, Errc::no_data);
  EXPECT_TRUE(static_cast<bool>(busy));
  EXPECT_FALSE(static_cast<bool>(std::error_code{Errc::success}));
}

TEST(PipeCategory, SameValueInAnotherCategoryIsNotOurs) {
  const std::error_code foreign{231, std::generic_category()};
  EXPECT_NE(foreign, Errc::pipe_busy);
  EXPECT_NE(foreign, make_error_code(Errc::pipe_busy));
}

TEST(PipeCategory, MessageIsSymbolAndSentence) {
  EXPECT_EQ(make_error_code(Errc::pipe_busy).message(), "ERROR_PIPE_BUSY: All pipe instances are busy.");
  EXPECT_EQ(make_error_code(Errc::no_data).message(), "ERROR_NO_DATA: The pipe is being closed.");
}

TEST(PipeCategory, MessageOfAValueThatIsNoErrcNamesTheValue) {
  const std::string text = pipe_category().message(4242);
  EXPECT_NE(text.find("PIPESCOPE_UNKNOWN"), std::string::npos) << text;
  EXPECT_NE(text.find("4242"), std::string::npos) << text;
}

TEST(PipeCategory, PortableCodesMatchTheStandardConditions) {
  EXPECT_EQ(std::error_code{Errc::access_denied}, std::errc::permission_denied);
  EXPECT_EQ(std::error_code{Errc::file_not_found}, std::errc::no_such_file_or_directory);
  EXPECT_EQ(std::error_code{Errc::no_data}, std::errc::broken_pipe);
  EXPECT_EQ(std::error_code{Errc::sem_timeout}, std::errc::timed_out);
  EXPECT_EQ(std::error_code{Errc::filename_exceeds_range}, std::errc::filename_too_long);
  EXPECT_EQ(std::error_code{Errc::network_unreachable}, std::errc::network_unreachable);
  EXPECT_EQ(std::error_code{Errc::host_unreachable}, std::errc::host_unreachable);
  EXPECT_NE(std::error_code{Errc::access_denied}, std::errc::no_such_file_or_directory);
  // A busy pipe has no portable equivalent; it must not pretend to be one.
  EXPECT_NE(std::error_code{Errc::pipe_busy}, std::errc::resource_unavailable_try_again);
  EXPECT_EQ(std::error_code{Errc::pipe_busy}.default_error_condition().category(), pipe_category());
}

// --- the text of every code -------------------------------------------------

class ErrcText : public ::testing::TestWithParam<Errc> {};

TEST_P(ErrcText, HasSymbolMessageAndExplanation) {
  const Errc e = GetParam();
  const std::string_view symbol = error_symbol(e);
  const std::string_view message = error_message(e);
  const std::string_view explanation = error_explanation(e);

  EXPECT_EQ(symbol.starts_with(is_ours(e) ? "PIPESCOPE_" : "ERROR_"), true) << symbol;
  EXPECT_TRUE(std::all_of(symbol.begin(), symbol.end(),
                          [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }))
      << symbol;
  EXPECT_FALSE(message.empty());
  EXPECT_EQ(message.back(), '.') << message;
  EXPECT_NE(explanation, message);
  const int sentences = sentence_count(explanation);
  EXPECT_GE(sentences, 1) << explanation;
  EXPECT_LE(sentences, 3) << explanation;
  EXPECT_GT(explanation.size(), message.size()) << explanation;

  EXPECT_EQ(make_error_code(e).message(), std::string(symbol) + ": " + std::string(message));
  EXPECT_EQ(make_error(e).explanation(), explanation);
}

INSTANTIATE_TEST_SUITE_P(EveryCode, ErrcText, ::testing::ValuesIn(kAllErrc),
                         [](const ::testing::TestParamInfo<Errc>& info) {
                           return std::string(error_symbol(info.param));
                         });

TEST(ErrcTable, SymbolsAndMessagesAreDistinct) {
  std::set<std::string_view> symbols;
  std::set<std::string_view> messages;
  std::set<std::string_view> explanations;
  for (const Errc e : kAllErrc) {
    EXPECT_TRUE(symbols.insert(error_symbol(e)).second) << error_symbol(e);
    EXPECT_TRUE(messages.insert(error_message(e)).second) << error_message(e);
    EXPECT_TRUE(explanations.insert(error_explanation(e)).second) << error_symbol(e);
  }
}

TEST(ErrcTable, KnowsNoCodeMissingFromThisList) {
  std::vector<std::int64_t> candidates;
  // Past the largest Win32 value we name (ERROR_NOT_ENOUGH_QUOTA, 1816).
  for (std::int64_t v = 0; v <= 2000; ++v) candidates.push_back(v);
  for (std::int64_t v = 0x20000000; v <= 0x20000020; ++v) candidates.push_back(v);
  candidates.push_back(0x2000FFFF);
  for (const std::int64_t v : candidates) {
    const auto e = static_cast<Errc>(v);
    const bool listed = std::find(kAllErrc.begin(), kAllErrc.end(), e) != kAllErrc.end();
    if (!listed) {
      EXPECT_EQ(error_symbol(e), "PIPESCOPE_UNKNOWN") << "value " << v;
    }
  }
}

TEST(ErrcTable, WindowsNamesAndValues) {
  EXPECT_EQ(error_symbol(Errc::pipe_busy), "ERROR_PIPE_BUSY");
  EXPECT_EQ(error_symbol(Errc::broken_pipe), "ERROR_BROKEN_PIPE");
  EXPECT_EQ(error_symbol(Errc::no_data), "ERROR_NO_DATA");
  EXPECT_EQ(error_symbol(Errc::more_data), "ERROR_MORE_DATA");
  // Windows spells this one without the 'e'.
  EXPECT_EQ(error_symbol(Errc::filename_exceeds_range), "ERROR_FILENAME_EXCED_RANGE");
  EXPECT_EQ(error_symbol(Errc::name_empty), "PIPESCOPE_NAME_EMPTY");
  EXPECT_EQ(error_message(Errc::broken_pipe), "The pipe has been ended.");
  EXPECT_EQ(error_message(Errc::pipe_not_connected), "No process is on the other end of the pipe.");
}

TEST(ErrcTable, ExplanationsTeachWhatToDo) {
  const std::string_view busy = error_explanation(Errc::pipe_busy);
  EXPECT_NE(busy.find("WaitNamedPipe"), std::string_view::npos) << busy;
  EXPECT_NE(busy.find("nMaxInstances"), std::string_view::npos) << busy;
  EXPECT_NE(error_explanation(Errc::pipe_connected).find("success"), std::string_view::npos);
  EXPECT_NE(error_explanation(Errc::no_data).find("DisconnectNamedPipe"), std::string_view::npos);
}

// The messages are the system error list's text word for word ("System Error
// Codes (0-499)" and "(500-999)" on learn.microsoft.com), not Wine's shorter
// FormatMessage texts ("Semaphore timeout.", "Invalid name.").
TEST(ErrcTable, MessagesQuoteTheSystemErrorList) {
  EXPECT_EQ(error_message(Errc::too_many_open_files), "The system cannot open the file.");
  EXPECT_EQ(error_message(Errc::sem_timeout), "The semaphore timeout period has expired.");
  EXPECT_EQ(error_message(Errc::invalid_name), "The filename, directory name, or volume label syntax is incorrect.");
  EXPECT_EQ(error_message(Errc::pipe_connected), "There is a process on other end of the pipe.");
  EXPECT_EQ(error_message(Errc::pipe_listening), "Waiting for a process to open the other end of the pipe.");
  EXPECT_EQ(error_message(Errc::more_data), "More data is available.");
}

// What the explanations say where they used to mislead (issue 22), each as
// the Microsoft page of the function names it (see docs/concepts.md).
TEST(ErrcTable, ExplanationsFollowMicrosoftsPages) {
  const auto says = [](Errc e, std::string_view words) {
    return error_explanation(e).find(words) != std::string_view::npos;
  };
  // ReadFile and TransactNamedPipe fail with ERROR_MORE_DATA, in message
  // read mode only; CallNamedPipe loses the rest.
  EXPECT_TRUE(says(Errc::more_data, "returns FALSE"));
  EXPECT_TRUE(says(Errc::more_data, "message read mode"));
  EXPECT_TRUE(says(Errc::more_data, "CallNamedPipe"));
  EXPECT_FALSE(says(Errc::more_data, "not a failure"));
  // A byte-mode client of a message pipe is normal.
  EXPECT_TRUE(says(Errc::invalid_parameter, "normal"));
  EXPECT_FALSE(says(Errc::invalid_parameter, "byte-mode client on a message-mode server"));
  // WaitNamedPipe's time-out is ERROR_SEM_TIMEOUT.
  EXPECT_TRUE(says(Errc::sem_timeout, "WaitNamedPipe"));
  // FILE_FLAG_FIRST_PIPE_INSTANCE refuses any existing instance, also one of
  // this process; FILE_CREATE_PIPE_INSTANCE is needed for an instance.
  EXPECT_TRUE(says(Errc::access_denied, "also one of this process"));
  EXPECT_TRUE(says(Errc::access_denied, "FILE_CREATE_PIPE_INSTANCE"));
  // ERROR_PIPE_LISTENING belongs to non-blocking mode.
  EXPECT_TRUE(says(Errc::pipe_listening, "non-blocking"));
  // ERROR_PIPE_CONNECTED also means "not disconnected from the last client".
  EXPECT_TRUE(says(Errc::pipe_connected, "DisconnectNamedPipe"));
  // After DisconnectNamedPipe the client must still close its handle.
  EXPECT_TRUE(says(Errc::pipe_not_connected, "close its handle"));
  // A write to an anonymous pipe whose reader closed is ERROR_BROKEN_PIPE.
  EXPECT_TRUE(says(Errc::broken_pipe, "anonymous pipe"));
  // Codes Microsoft does not document for a case are taught as observed.
  EXPECT_TRUE(says(Errc::bad_pipe, "observed"));
  EXPECT_TRUE(says(Errc::invalid_parameter, "observed"));
}

// The codes the Win32 backend's impersonation, inspection, spawn and remote
// paths return (issue 23, Low): each keeps its Win32 number and says what
// happened in pipe terms.
TEST(ErrcTable, CodesOfThePipePathsKeepTheirWin32Values) {
  EXPECT_EQ(static_cast<int>(Errc::sharing_violation), 32);
  EXPECT_EQ(static_cast<int>(Errc::unexpected_network_error), 59);
  EXPECT_EQ(static_cast<int>(Errc::network_access_denied), 65);
  EXPECT_EQ(static_cast<int>(Errc::pipe_local), 229);
  EXPECT_EQ(static_cast<int>(Errc::elevation_required), 740);
  EXPECT_EQ(static_cast<int>(Errc::no_token), 1008);
  EXPECT_EQ(static_cast<int>(Errc::session_credential_conflict), 1219);
  EXPECT_EQ(static_cast<int>(Errc::network_unreachable), 1231);
  EXPECT_EQ(static_cast<int>(Errc::host_unreachable), 1232);
  EXPECT_EQ(static_cast<int>(Errc::logon_failure), 1326);
  EXPECT_EQ(static_cast<int>(Errc::cant_open_anonymous), 1347);
  EXPECT_EQ(static_cast<int>(Errc::not_enough_quota), 1816);
  EXPECT_EQ(error_symbol(Errc::unexpected_network_error), "ERROR_UNEXP_NET_ERR");
  EXPECT_EQ(error_symbol(Errc::cant_open_anonymous), "ERROR_CANT_OPEN_ANONYMOUS");
  EXPECT_EQ(make_error(Errc::pipe_local).symbol_text(), "ERROR_PIPE_LOCAL (229)");
}

TEST(ErrcTable, PipePathExplanationsNameTheCause) {
  EXPECT_NE(error_explanation(Errc::cant_open_anonymous).find("SECURITY_ANONYMOUS"), std::string_view::npos);
  EXPECT_NE(error_explanation(Errc::pipe_local).find("GetNamedPipeClientComputerName"), std::string_view::npos);
  EXPECT_NE(error_explanation(Errc::pipe_local).find("not a failure"), std::string_view::npos);
  EXPECT_NE(error_explanation(Errc::session_credential_conflict).find("net use"), std::string_view::npos);
  EXPECT_NE(error_explanation(Errc::logon_failure).find("net use"), std::string_view::npos);
  EXPECT_NE(error_explanation(Errc::no_token).find("OpenThreadToken"), std::string_view::npos);
  EXPECT_NE(error_explanation(Errc::elevation_required).find("administrator"), std::string_view::npos);
  EXPECT_NE(error_explanation(Errc::not_enough_quota).find("ERROR_WORKING_SET_QUOTA"), std::string_view::npos);
  EXPECT_NE(error_explanation(Errc::network_unreachable).find("ENETUNREACH"), std::string_view::npos);
  EXPECT_NE(error_explanation(Errc::host_unreachable).find("EHOSTUNREACH"), std::string_view::npos);
}

TEST(ErrcTable, ValueThatIsNoErrcFallsBackToUnknown) {
  const auto stray = static_cast<Errc>(4242);
  EXPECT_EQ(error_symbol(stray), "PIPESCOPE_UNKNOWN");
  EXPECT_EQ(error_message(stray), error_message(Errc::unknown));
  EXPECT_EQ(error_explanation(stray), error_explanation(Errc::unknown));
}

// --- Error ----------------------------------------------------------------

TEST(Error, SymbolTextShowsWin32ValuesInDecimalAndOursInHex) {
  EXPECT_EQ(make_error(Errc::pipe_busy).symbol_text(), "ERROR_PIPE_BUSY (231)");
  EXPECT_EQ(make_error(Errc::success).symbol_text(), "ERROR_SUCCESS (0)");
  EXPECT_EQ(make_error(Errc::name_empty).symbol_text(), "PIPESCOPE_NAME_EMPTY (0x20000001)");
  EXPECT_EQ(make_error(Errc::unknown).symbol_text(), "PIPESCOPE_UNKNOWN (0x2000FFFF)");
}

TEST(Error, SymbolTextOfAForeignCodeNamesItsCategory) {
  Error error;
  error.code = std::make_error_code(std::errc::no_such_file_or_directory);
  EXPECT_EQ(error.symbol_text(), "generic error " + std::to_string(ENOENT));
}

TEST(Error, MakeErrorFillsTheFields) {
  const Error error = make_error(Errc::access_denied, "create", "\\\\.\\pipe\\demo");
  EXPECT_EQ(error.code, Errc::access_denied);
  EXPECT_EQ(error.errc(), Errc::access_denied);
  EXPECT_EQ(error.os_domain, OsDomain::none);
  EXPECT_EQ(error.os_code, 0);
  EXPECT_EQ(error.operation, "create");
  EXPECT_EQ(error.detail, "\\\\.\\pipe\\demo");
}

TEST(Error, SummaryOfAnErrnoHasItsName) {
  const Error error = error_from_errno(ECONNREFUSED, IoContext::connect, "connect", "\\\\.\\pipe\\demo");
  EXPECT_EQ(error.summary(), "connect \\\\.\\pipe\\demo: ERROR_PIPE_BUSY (231): All pipe instances are busy. [errno " +
                                 std::to_string(ECONNREFUSED) + " ECONNREFUSED]");
}

TEST(Error, SummaryOfAnUnreachableHostNamesTheErrno) {
  const Error error = error_from_errno(EHOSTUNREACH, IoContext::connect, "connect");
  EXPECT_EQ(error.summary(), "connect: ERROR_HOST_UNREACHABLE (1232): The remote computer cannot be reached. [errno " +
                                 std::to_string(EHOSTUNREACH) + " EHOSTUNREACH]");
}

TEST(Error, SummaryOfAnUnnamedErrnoHasItsNumber) {
  const Error error = error_from_errno(4242, IoContext::read, "read");
  EXPECT_EQ(error.summary(), "read: PIPESCOPE_UNKNOWN (0x2000FFFF): Unknown error. [errno 4242]");
}

TEST(Error, SummaryWithoutOperationOrDetail) {
  EXPECT_EQ(make_error(Errc::no_data).summary(), "ERROR_NO_DATA (232): The pipe is being closed.");
  EXPECT_EQ(make_error(Errc::no_data, "write").summary(), "write: ERROR_NO_DATA (232): The pipe is being closed.");
  EXPECT_EQ(make_error(Errc::no_data, "", "client 3").summary(),
            "client 3: ERROR_NO_DATA (232): The pipe is being closed.");
}

TEST(Error, SummaryOfAWin32CodeShowsTheRawCode) {
  Error error = make_error(Errc::file_not_found, "open", "\\\\.\\pipe\\none");
  error.os_domain = OsDomain::win32;
  error.os_code = 2;
  EXPECT_EQ(error.summary(),
            "open \\\\.\\pipe\\none: ERROR_FILE_NOT_FOUND (2): The system cannot find the file specified. "
            "[Win32 error 2]");
}

TEST(Error, FromErrnoKeepsTheRawCode) {
  const Error error = error_from_errno(EPIPE, IoContext::write, "write", "instance 4");
  EXPECT_EQ(error.errc(), Errc::no_data);
  EXPECT_EQ(error.code.value(), 232);
  EXPECT_EQ(error.os_domain, OsDomain::posix_errno);
  EXPECT_EQ(error.os_code, EPIPE);
  EXPECT_EQ(error.operation, "write");
  EXPECT_EQ(error.detail, "instance 4");
}

TEST(Result, HoldsAValueOrAnError) {
  const Result<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  const Result<int> bad = make_error(Errc::bad_input);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().errc(), Errc::bad_input);
  const Result<void> failed = make_error(Errc::pipe_busy);
  EXPECT_FALSE(failed);
  EXPECT_TRUE(Result<void>{});
}

// --- the errno table --------------------------------------------------------

struct ErrnoCase {
  const char* label;
  int err;
  IoContext context;
  Errc expected;
};

void PrintTo(const ErrnoCase& c, std::ostream* os) { *os << c.label; }

class ErrnoMapping : public ::testing::TestWithParam<ErrnoCase> {};

TEST_P(ErrnoMapping, MapsToTheWindowsMeaning) {
  const ErrnoCase& c = GetParam();
  EXPECT_EQ(errc_from_errno(c.err, c.context), c.expected)
      << c.label << " gave " << error_symbol(errc_from_errno(c.err, c.context)) << ", expected "
      << error_symbol(c.expected);
  EXPECT_EQ(error_from_errno(c.err, c.context, "op").errc(), c.expected);
}

const ErrnoCase kErrnoCases[] = {
    {"zero_is_success", 0, IoContext::generic, Errc::success},
    {"ENOENT_connect", ENOENT, IoContext::connect, Errc::file_not_found},
    {"ENOENT_open", ENOENT, IoContext::open, Errc::file_not_found},
    {"ENOENT_spawn", ENOENT, IoContext::spawn, Errc::file_not_found},
    {"ENOENT_create", ENOENT, IoContext::create, Errc::path_not_found},
    {"ENOENT_generic", ENOENT, IoContext::generic, Errc::file_not_found},
    {"ENOEXEC_spawn", ENOEXEC, IoContext::spawn, Errc::file_not_found},
    {"ENOTDIR_create", ENOTDIR, IoContext::create, Errc::path_not_found},
    {"ECONNREFUSED_connect", ECONNREFUSED, IoContext::connect, Errc::pipe_busy},
    {"EAGAIN_connect", EAGAIN, IoContext::connect, Errc::pipe_busy},
    {"EWOULDBLOCK_connect", EWOULDBLOCK, IoContext::connect, Errc::pipe_busy},
    {"EAGAIN_spawn", EAGAIN, IoContext::spawn, Errc::not_enough_memory},
    {"EAGAIN_read", EAGAIN, IoContext::read, Errc::io_pending},
    {"EINPROGRESS_connect", EINPROGRESS, IoContext::connect, Errc::io_pending},
    {"EPIPE_write", EPIPE, IoContext::write, Errc::no_data},
    {"EPIPE_read", EPIPE, IoContext::read, Errc::broken_pipe},
    {"ECONNRESET_write", ECONNRESET, IoContext::write, Errc::no_data},
    {"ECONNRESET_read", ECONNRESET, IoContext::read, Errc::broken_pipe},
    {"ECONNABORTED_accept", ECONNABORTED, IoContext::accept, Errc::no_data},
    {"ENOTCONN_read", ENOTCONN, IoContext::read, Errc::pipe_not_connected},
    {"ENOTCONN_write", ENOTCONN, IoContext::write, Errc::pipe_not_connected},
    {"EISCONN_connect", EISCONN, IoContext::connect, Errc::pipe_connected},
    {"ETIMEDOUT_connect", ETIMEDOUT, IoContext::connect, Errc::sem_timeout},
    {"ENETUNREACH_connect", ENETUNREACH, IoContext::connect, Errc::network_unreachable},
    {"EHOSTUNREACH_connect", EHOSTUNREACH, IoContext::connect, Errc::host_unreachable},
    {"EACCES_connect", EACCES, IoContext::connect, Errc::access_denied},
    {"EACCES_create", EACCES, IoContext::create, Errc::access_denied},
    {"EPERM_generic", EPERM, IoContext::generic, Errc::access_denied},
    {"EADDRINUSE_create", EADDRINUSE, IoContext::create, Errc::access_denied},
    {"EEXIST_create", EEXIST, IoContext::create, Errc::already_exists},
    {"ENAMETOOLONG_create", ENAMETOOLONG, IoContext::create, Errc::filename_exceeds_range},
    {"ENAMETOOLONG_connect", ENAMETOOLONG, IoContext::connect, Errc::filename_exceeds_range},
    {"E2BIG_spawn", E2BIG, IoContext::spawn, Errc::filename_exceeds_range},
    {"ELOOP_open", ELOOP, IoContext::open, Errc::bad_pathname},
    {"EMSGSIZE_write", EMSGSIZE, IoContext::write, Errc::message_too_large},
    {"EMFILE_accept", EMFILE, IoContext::accept, Errc::too_many_open_files},
    {"ENFILE_create", ENFILE, IoContext::create, Errc::too_many_open_files},
    {"ENOMEM_generic", ENOMEM, IoContext::generic, Errc::not_enough_memory},
    {"ENOBUFS_write", ENOBUFS, IoContext::write, Errc::not_enough_memory},
    {"EINVAL_generic", EINVAL, IoContext::generic, Errc::invalid_parameter},
    {"EPROTOTYPE_connect", EPROTOTYPE, IoContext::connect, Errc::invalid_parameter},
    {"EBADF_read", EBADF, IoContext::read, Errc::invalid_handle},
    {"ECANCELED_read", ECANCELED, IoContext::read, Errc::operation_aborted},
    {"ENOSYS_generic", ENOSYS, IoContext::generic, Errc::not_supported},
    {"unknown_errno", 4242, IoContext::generic, Errc::unknown},
    {"negative_errno", -1, IoContext::write, Errc::unknown},
};

INSTANTIATE_TEST_SUITE_P(InContext, ErrnoMapping, ::testing::ValuesIn(kErrnoCases),
                         [](const ::testing::TestParamInfo<ErrnoCase>& info) { return std::string(info.param.label); });

TEST(ErrnoContext, TheSameErrnoMeansDifferentThingsInDifferentPlaces) {
  EXPECT_NE(errc_from_errno(EPIPE, IoContext::write), errc_from_errno(EPIPE, IoContext::read));
  EXPECT_NE(errc_from_errno(EAGAIN, IoContext::connect), errc_from_errno(EAGAIN, IoContext::read));
  EXPECT_NE(errc_from_errno(ENOENT, IoContext::connect), errc_from_errno(ENOENT, IoContext::create));
}

}  // namespace
}  // namespace pipescope
