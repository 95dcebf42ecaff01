// The option catalogue: one entry per key, flags unique within their options
// struct, defaults equal to what the engine's option structs set, sane
// ranges and complete teaching texts.
#include "pipescope/option_catalogue.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <utility>

#include "pipescope/options.hpp"
#include "pipescope/vocabulary.hpp"

namespace pipescope {
namespace {

constexpr OptionKey kLastKey = OptionKey::call_impersonation;

TEST(OptionCatalogue, EveryKeyHasExactlyOneEntry) {
  std::multiset<OptionKey> keys;
  for (const OptionInfo& info : option_catalogue()) keys.insert(info.key);
  for (auto k = 0U; k <= static_cast<unsigned>(kLastKey); ++k) {
    const auto key = static_cast<OptionKey>(k);
    EXPECT_EQ(keys.count(key), 1U) << "key " << k;
    EXPECT_EQ(option_info(key).key, key);
  }
  EXPECT_EQ(option_catalogue().size(), static_cast<std::size_t>(kLastKey) + 1);
}

TEST(OptionCatalogue, AnUnknownKeyIsRefused) {
  EXPECT_THROW((void)option_info(static_cast<OptionKey>(static_cast<unsigned>(kLastKey) + 1)), std::out_of_range);
}

TEST(OptionCatalogue, FlagsAreUniqueWithinTheirOptions) {
  std::set<std::pair<OptionScope, std::string_view>> seen;
  for (const OptionInfo& info : option_catalogue()) {
    EXPECT_TRUE(info.flag.starts_with("--")) << info.flag;
    EXPECT_TRUE(seen.emplace(info.scope, info.flag).second) << "flag used twice: " << info.flag;
  }
}

TEST(OptionCatalogue, DefaultsAreTheOptionStructsDefaults) {
  const ServerOptions server;
  const ClientOptions client;
  const ChildOptions child;
  EXPECT_EQ(option_info(OptionKey::server_access).default_value, static_cast<std::uint64_t>(server.access));
  EXPECT_EQ(option_info(OptionKey::server_access).default_text, word_of(server.access));
  EXPECT_EQ(option_info(OptionKey::pipe_type).default_text, word_of(server.type));
  EXPECT_EQ(option_info(OptionKey::server_read_mode).default_text, word_of(server.read_mode));
  EXPECT_EQ(option_info(OptionKey::wait_mode).default_text, word_of(server.wait_mode));
  EXPECT_EQ(option_info(OptionKey::max_instances).default_value, server.max_instances);
  EXPECT_EQ(option_info(OptionKey::max_instances).default_text, "unlimited");
  EXPECT_EQ(option_info(OptionKey::out_buffer_size).default_value, server.out_buffer_size);
  EXPECT_EQ(option_info(OptionKey::in_buffer_size).default_value, server.in_buffer_size);
  EXPECT_EQ(option_info(OptionKey::default_timeout).default_value,
            static_cast<std::uint64_t>(server.default_timeout.count()));
  EXPECT_EQ(option_info(OptionKey::first_instance).default_value, server.first_instance ? 1U : 0U);
  EXPECT_EQ(option_info(OptionKey::remote_clients).default_value, server.reject_remote ? 0U : 1U);
  EXPECT_EQ(option_info(OptionKey::security).default_text, word_of(server.security));
  EXPECT_EQ(option_info(OptionKey::server_read_buffer).default_value, server.read_buffer_size);
  EXPECT_EQ(option_info(OptionKey::client_access).default_text, word_of(client.access));
  EXPECT_EQ(option_info(OptionKey::client_read_mode).default_text, word_of(client.read_mode));
  EXPECT_EQ(option_info(OptionKey::busy_timeout).default_value,
            static_cast<std::uint64_t>(client.busy_timeout.count()));
  EXPECT_EQ(option_info(OptionKey::impersonation).default_text, word_of(client.impersonation));
  EXPECT_EQ(option_info(OptionKey::client_read_buffer).default_value, client.read_buffer_size);
  EXPECT_EQ(option_info(OptionKey::child_read_buffer).default_value, child.read_buffer_size);
}

TEST(OptionCatalogue, RangesAreSaneAndHoldTheDefault) {
  for (const OptionInfo& info : option_catalogue()) {
    if (info.kind != OptionKind::number) {
      EXPECT_FALSE(info.range.has_value()) << info.flag;
      continue;
    }
    ASSERT_TRUE(info.range.has_value()) << info.flag;
    EXPECT_LT(info.range->min, info.range->max) << info.flag;
    EXPECT_GE(info.default_value, info.range->min) << info.flag;
    EXPECT_LE(info.default_value, info.range->max) << info.flag;
    EXPECT_FALSE(info.default_text.empty()) << info.flag;
  }
  EXPECT_EQ(option_info(OptionKey::max_instances).range->max, kUnlimitedInstances);
  EXPECT_EQ(option_info(OptionKey::server_read_buffer).range->min, 1U);
}

TEST(OptionCatalogue, ChoicesAreTheVocabularys) {
  const OptionInfo& type = option_info(OptionKey::pipe_type);
  ASSERT_EQ(type.choices.size(), terms<PipeType>().size());
  for (std::size_t i = 0; i < type.choices.size(); ++i) {
    EXPECT_EQ(type.choices[i].word, terms<PipeType>()[i].word);
    EXPECT_EQ(type.choices[i].windows, terms<PipeType>()[i].windows);
  }
  for (const OptionInfo& info : option_catalogue()) {
    EXPECT_EQ(info.kind == OptionKind::choice, !info.choices.empty()) << info.flag;
    if (info.kind != OptionKind::choice) continue;
    bool default_is_a_choice = false;
    for (const OptionChoice& c : info.choices) default_is_a_choice |= c.word == info.default_text;
    EXPECT_TRUE(default_is_a_choice) << info.flag << " default " << info.default_text;
  }
}

TEST(OptionCatalogue, TextsAreCompleteSentencesAndConstantsAreNamed) {
  for (const OptionInfo& info : option_catalogue()) {
    EXPECT_FALSE(info.label.empty()) << info.flag;
    ASSERT_FALSE(info.help.empty()) << info.flag;
    EXPECT_EQ(info.help.back(), '.') << info.flag << ": " << info.help;
    EXPECT_TRUE(info.help.front() >= 'A' && info.help.front() <= 'Z') << info.flag << ": " << info.help;
    ASSERT_FALSE(info.windows.empty()) << info.flag;
    for (const std::string_view constant : info.windows) EXPECT_FALSE(constant.empty()) << info.flag;
  }
  EXPECT_NE(option_info(OptionKey::first_instance).help.find("ERROR_ACCESS_DENIED"), std::string_view::npos);
}

// The texts issue 22 found wrong, as they now follow Microsoft's pages (see
// the comments beside each entry and docs/concepts.md).
TEST(OptionCatalogue, TextsFollowMicrosoftsPages) {
  const auto says = [](OptionKey key, std::string_view words) {
    return option_info(key).help.find(words) != std::string_view::npos;
  };
  // WaitNamedPipe: a wait that runs out is ERROR_SEM_TIMEOUT, and its own 0
  // is NMPWAIT_USE_DEFAULT_WAIT, which PipeScope's 0 is not.
  EXPECT_TRUE(says(OptionKey::busy_timeout, "ERROR_SEM_TIMEOUT"));
  EXPECT_TRUE(says(OptionKey::busy_timeout, "NMPWAIT_USE_DEFAULT_WAIT"));
  EXPECT_FALSE(says(OptionKey::busy_timeout, "before giving up with ERROR_PIPE_BUSY"));
  // FILE_FLAG_FIRST_PIPE_INSTANCE detects squatting; it does not prevent it.
  EXPECT_TRUE(says(OptionKey::first_instance, "even one of this process"));
  EXPECT_FALSE(says(OptionKey::first_instance, "stops a program"));
  // Windows makes no instance by itself; every instance gives the same count.
  EXPECT_TRUE(says(OptionKey::max_instances, "Windows makes no instance by itself"));
  EXPECT_TRUE(says(OptionKey::max_instances, "same value"));
  EXPECT_TRUE(says(OptionKey::default_timeout, "same value"));
  // PIPE_NOWAIT: what PipeScope does, plainly.
  EXPECT_TRUE(says(OptionKey::wait_mode, "switches its own handle back to PIPE_WAIT"));
  EXPECT_FALSE(says(OptionKey::wait_mode, "only passed on"));
  // More-data parts come in message read mode only; a call loses the rest.
  EXPECT_TRUE(says(OptionKey::client_read_buffer, "In byte read mode"));
  EXPECT_TRUE(says(OptionKey::call_read_buffer, "the rest of the message is lost"));
  EXPECT_FALSE(says(OptionKey::call_read_buffer, "arrives in parts"));
  // Impersonation: PipeScope's default is not Windows'; a call's level.
  EXPECT_TRUE(says(OptionKey::impersonation, "PipeScope's default"));
  EXPECT_TRUE(says(OptionKey::impersonation, "Windows' own default"));
  EXPECT_TRUE(says(OptionKey::call_impersonation, "CallNamedPipe itself takes no such choice"));
  // GA for everyone also grants FILE_CREATE_PIPE_INSTANCE.
  EXPECT_TRUE(says(OptionKey::security_descriptor, "FILE_CREATE_PIPE_INSTANCE"));
  EXPECT_TRUE(says(OptionKey::security, "Windows' default"));
  EXPECT_TRUE(says(OptionKey::remote_clients, "as Windows itself does"));
}

// The call command's entries describe the same option struct as the
// client's and take the same default, with their own text.
TEST(OptionCatalogue, ACallsEntriesShareTheClientsDefaults) {
  const ClientOptions client;
  EXPECT_EQ(option_info(OptionKey::call_read_buffer).scope, OptionScope::call);
  EXPECT_EQ(option_info(OptionKey::call_read_buffer).flag, option_info(OptionKey::client_read_buffer).flag);
  EXPECT_EQ(option_info(OptionKey::call_read_buffer).default_value, client.read_buffer_size);
  EXPECT_EQ(option_info(OptionKey::call_impersonation).scope, OptionScope::call);
  EXPECT_EQ(option_info(OptionKey::call_impersonation).default_text, word_of(client.impersonation));
  EXPECT_NE(option_info(OptionKey::call_read_buffer).help, option_info(OptionKey::client_read_buffer).help);
  EXPECT_NE(option_info(OptionKey::call_impersonation).help, option_info(OptionKey::impersonation).help);
}

TEST(OptionCatalogue, OptionsNameTheirWindowsConstants) {
  const auto names = [](OptionKey key, std::string_view constant) {
    for (const std::string_view c : option_info(key).windows) {
      if (c == constant) return true;
    }
    return false;
  };
  EXPECT_TRUE(names(OptionKey::pipe_type, "PIPE_TYPE_MESSAGE"));
  EXPECT_TRUE(names(OptionKey::first_instance, "FILE_FLAG_FIRST_PIPE_INSTANCE"));
  EXPECT_TRUE(names(OptionKey::max_instances, "PIPE_UNLIMITED_INSTANCES"));
  EXPECT_TRUE(names(OptionKey::remote_clients, "PIPE_REJECT_REMOTE_CLIENTS"));
  EXPECT_TRUE(names(OptionKey::impersonation, "SECURITY_IDENTIFICATION"));
  EXPECT_TRUE(names(OptionKey::wait_mode, "PIPE_NOWAIT"));
}

}  // namespace
}  // namespace pipescope
