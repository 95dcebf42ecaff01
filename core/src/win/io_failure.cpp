// Exceptions that leave the handler of one endpoint on an engine thread.
// They must not leave the thread (std::terminate would end the process, and
// with it every other pipe); they become an error event of that endpoint.
#include <new>
#include <stdexcept>
#include <system_error>

#include "win_util.hpp"

namespace pipescope::detail::win {

Error error_from_exception(const std::exception_ptr& exception, std::string operation, std::string_view where,
                           std::string_view consequence) {
  Errc code = Errc::unknown;
  std::string what;
  try {
    std::rethrow_exception(exception);
  } catch (const std::bad_alloc& e) {
    code = Errc::not_enough_memory;
    what = std::string("std::bad_alloc (") + e.what() + ")";
  } catch (const std::length_error& e) {
    what = std::string("std::length_error (") + e.what() + ")";
  } catch (const std::system_error& e) {
    what = std::string("std::system_error (") + e.what() + ")";
  } catch (const std::exception& e) {
    what = std::string("an exception (") + e.what() + ")";
  } catch (...) {
    what = "an exception that is not a std::exception";
  }
  return make_error(code, std::move(operation),
                    std::string(where) + ": " + what + " escaped the engine's handler; " + std::string(consequence));
}

}  // namespace pipescope::detail::win
