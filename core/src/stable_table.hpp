#pragma once
// A table that readers index while one writer appends, without a lock.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace pipescope::detail {

/// A table that grows without ever moving an entry, so that a reader may
/// use an entry while the one writer adds others: a fixed array of pointers
/// to pages of entries, each page allocated when first needed.
template <class T, unsigned kPageBits, std::size_t kPages>
class StableTable {
 public:
  static constexpr std::size_t kPageEntries = std::size_t{1} << kPageBits;
  static constexpr std::uint64_t kCapacity = std::uint64_t{kPageEntries} * kPages;

  [[nodiscard]] T& operator[](std::uint64_t i) noexcept { return pages_[i >> kPageBits][i & (kPageEntries - 1)]; }
  [[nodiscard]] const T& operator[](std::uint64_t i) const noexcept {
    return pages_[i >> kPageBits][i & (kPageEntries - 1)];
  }
  /// Makes entry `i` exist (writer only). May throw (out of memory).
  void ensure(std::uint64_t i) {
    auto& page = pages_[i >> kPageBits];
    if (!page) page = std::make_unique<T[]>(kPageEntries);
  }

 private:
  std::array<std::unique_ptr<T[]>, kPages> pages_{};
};

}  // namespace pipescope::detail
