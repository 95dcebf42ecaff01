// Pipe names: parsing, validation and comparison, without truncation.
#pragma once

#include <string>
#include <string_view>

#include "pipescope/error.hpp"

namespace pipescope {

/// The longest whole pipe name Windows accepts, "\\.\pipe\" included.
inline constexpr std::size_t kMaxPipeNameLength = 256;

/// A validated pipe name. Accepts "\\.\pipe\Name", "\\Server\pipe\Name", a
/// bare "Name" (meaning "\\.\pipe\Name") and an absolute socket path
/// ("/run/x.sock"), which only the POSIX backend can open. Forward slashes
/// are accepted in the prefix ("//./pipe/Name"), as Windows does.
class PipeName {
 public:
  enum class Kind : std::uint8_t { pipe, path };

  [[nodiscard]] static Result<PipeName> parse(std::string_view text);

  [[nodiscard]] Kind kind() const noexcept { return kind_; }
  /// "." for the local machine; the server part otherwise. Empty for a path.
  [[nodiscard]] const std::string& server() const noexcept { return server_; }
  /// The part after "\pipe\", or the whole path for Kind::path.
  [[nodiscard]] const std::string& leaf() const noexcept { return leaf_; }
  [[nodiscard]] bool is_local() const noexcept { return kind_ == Kind::path || server_ == "."; }
  /// The canonical form: "\\.\pipe\Name", "\\Server\pipe\Name" or the path.
  [[nodiscard]] std::string full() const;

  /// Windows compares pipe names without regard to case; so do we (ASCII
  /// folding, as the pipe file system does for the names people type).
  /// Paths compare exactly.
  friend bool operator==(const PipeName& a, const PipeName& b) noexcept;

 private:
  Kind kind_ = Kind::pipe;
  std::string server_;
  std::string leaf_;
};

/// ASCII case-insensitive equality.
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace pipescope
