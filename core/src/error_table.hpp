// The text of every Errc (error_table.cpp), for error.cpp: its symbol, the
// message Windows' system error list gives it, and a teaching explanation.
// Internal to the engine; the public API is pipescope/error.hpp.
#pragma once

#include <string_view>

#include "pipescope/error.hpp"

namespace pipescope::detail {

struct ErrcInfo {
  Errc code;
  std::string_view symbol;
  std::string_view message;
  std::string_view explanation;
};

/// The row of `code`, or nullptr for a value that is no Errc.
[[nodiscard]] const ErrcInfo* find_errc_info(Errc code) noexcept;

}  // namespace pipescope::detail
