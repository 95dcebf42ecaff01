// The engine's words, once: for each enum of the public API, every value
// with the word that the console tool's options, JSON events and log files
// use, the label a person reads in the GUI, and the Windows constant it
// stands for. Front ends build their choices from these tables and map them
// back by value, never by position, so that no list can disagree with the
// enum (a New server dialog once listed Duplex first and created an inbound
// pipe when Duplex was chosen).
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

#include "pipescope/codec.hpp"
#include "pipescope/endpoint.hpp"
#include "pipescope/log.hpp"
#include "pipescope/options.hpp"

namespace pipescope {

template <class E>
struct Term {
  E value;
  std::string_view word;     ///< "inbound": what is typed, written to JSON and to log files
  std::string_view label;    ///< "Inbound (client writes)": what the GUI shows (English; the GUI translates it)
  std::string_view windows;  ///< "PIPE_ACCESS_INBOUND": the constant it stands for; empty when none
};

/// The table of an enum; specialised for each enum below (vocabulary.cpp).
template <class E>
struct Vocabulary;

#define PIPESCOPE_VOCABULARY(E, N)              \
  template <>                                   \
  struct Vocabulary<E> {                        \
    static const std::array<Term<E>, N> kTerms; \
  }

PIPESCOPE_VOCABULARY(PipeAccess, 3);
PIPESCOPE_VOCABULARY(PipeType, 2);
PIPESCOPE_VOCABULARY(ReadMode, 2);
PIPESCOPE_VOCABULARY(WaitMode, 2);
PIPESCOPE_VOCABULARY(SecurityPreset, 3);
PIPESCOPE_VOCABULARY(Responder, 3);
PIPESCOPE_VOCABULARY(ClientAccess, 3);
PIPESCOPE_VOCABULARY(ImpersonationLevel, 4);
PIPESCOPE_VOCABULARY(InputFormat, 3);
PIPESCOPE_VOCABULARY(LineEnding, 3);
PIPESCOPE_VOCABULARY(Direction, 2);
PIPESCOPE_VOCABULARY(EndpointKind, 3);
PIPESCOPE_VOCABULARY(EndpointState, 6);

#undef PIPESCOPE_VOCABULARY

/// Every value of E, in the order a person should be offered them.
template <class E>
[[nodiscard]] std::span<const Term<E>> terms() noexcept {
  return Vocabulary<E>::kTerms;
}

/// The term of a value; nullptr for a value outside the enum (a cast from a
/// number can make one), which word_of and label_of show as "?".
template <class E>
[[nodiscard]] const Term<E> *find_term(E value) noexcept {
  for (const Term<E> &term : terms<E>()) {
    if (term.value == value) return &term;
  }
  return nullptr;
}

template <class E>
[[nodiscard]] std::string_view word_of(E value) noexcept {
  const Term<E> *term = find_term(value);
  return term != nullptr ? term->word : std::string_view("?");
}

template <class E>
[[nodiscard]] std::string_view label_of(E value) noexcept {
  const Term<E> *term = find_term(value);
  return term != nullptr ? term->label : std::string_view("?");
}

/// The words for the record flags (record_flags), in bit order: the console,
/// JSON events, saved logs and the GUI all say these, so a saved file reads
/// like the screen.
inline constexpr std::array<std::pair<std::uint8_t, std::string_view>, 7> kRecordFlagWords{{
    {record_flags::message, "message"},
    {record_flags::more_data, "more-data"},
    {record_flags::partial, "partial"},
    {record_flags::transact, "transact"},
    {record_flags::stderr_stream, "stderr"},
    {record_flags::responder, "responder"},
    {record_flags::truncated, "truncated"},
}};

/// Case-insensitive (ASCII): "Inbound" and "INBOUND" mean inbound.
[[nodiscard]] bool same_word(std::string_view a, std::string_view b) noexcept;

/// The value a word names (any letter case), nullopt for any other word.
template <class E>
[[nodiscard]] std::optional<E> from_word(std::string_view word) noexcept {
  for (const Term<E> &term : terms<E>()) {
    if (same_word(term.word, word)) return term.value;
  }
  return std::nullopt;
}

}  // namespace pipescope
