// Which record flags a log stores and which a caller may pass.
#pragma once

#include <cstdint>

#include "pipescope/log.hpp"
#include "pipescope/vocabulary.hpp"

namespace pipescope::detail {

/// The words for the record flags are the vocabulary's (kRecordFlagWords).
inline constexpr const auto& kRecordFlagNames = kRecordFlagWords;

/// Every flag bit that has a meaning. append() rejects the others, so that
/// every stored record can be saved and loaded again.
inline constexpr std::uint8_t kKnownRecordFlags = record_flags::message | record_flags::more_data |
                                                  record_flags::partial | record_flags::transact |
                                                  record_flags::stderr_stream | record_flags::responder |
                                                  record_flags::truncated;
/// The flags a caller may pass to append(): truncated is the log's to set,
/// because only the log knows that it kept no bytes.
inline constexpr std::uint8_t kCallerRecordFlags = kKnownRecordFlags & ~record_flags::truncated;

}  // namespace pipescope::detail
