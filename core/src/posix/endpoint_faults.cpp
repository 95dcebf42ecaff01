// What the POSIX backend does when work on its one I/O thread fails.
//
// Every endpoint is served by the same thread, so a failure of one must
// never end it: a descriptor epoll refuses to watch, a log append out of
// memory, any exception from one endpoint's work. That endpoint gets an
// error event and is closed (a server is stopped), and the engine goes on.
// The event loop routes what escapes a callback to the fault handler of its
// registration (see EventLoop::FaultFn); the handlers live here.
#include <sys/epoll.h>

#include <new>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "posix_backend.hpp"

namespace pipescope::detail::posix {

namespace {

/// The failure as an Error in the engine's vocabulary.
Error error_from_failure(std::exception_ptr failure, std::string_view what_failed) {
  const std::string operation = std::string(what_failed);
  try {
    std::rethrow_exception(std::move(failure));
  } catch (const std::bad_alloc& e) {
    return make_error(Errc::not_enough_memory, operation, fmt::format("out of memory ({})", e.what()));
  } catch (const std::length_error& e) {
    return make_error(Errc::not_enough_memory, operation, fmt::format("a size beyond what memory holds ({})", e.what()));
  } catch (const std::system_error& e) {
    if (e.code().category() == std::generic_category() || e.code().category() == std::system_category()) {
      return error_from_errno(e.code().value(), IoContext::generic, operation, e.what());
    }
    return make_error(Errc::unknown, operation, e.what());
  } catch (const std::exception& e) {
    return make_error(Errc::unknown, operation, e.what());
  } catch (...) {
    return make_error(Errc::unknown, operation, "an unknown exception");
  }
}

}  // namespace

EventLoop::FaultFn PosixBackend::closes_on_fault(EndpointId id, Channel* ch) {
  return [this, id, ch](std::exception_ptr failure) {
    close_failed_endpoint(id, ch, error_from_failure(std::move(failure), "handle endpoint"));
  };
}

EventLoop::FaultFn PosixBackend::stops_on_fault(ServerId id) {
  return [this, id](std::exception_ptr failure) {
    stop_failed_server(id, error_from_failure(std::move(failure), "accept"));
  };
}

void PosixBackend::endpoint_work_failed(EndpointId id, std::exception_ptr failure) {
  close_failed_endpoint(id, nullptr, error_from_failure(std::move(failure), "handle endpoint"));
}

void PosixBackend::close_failed_endpoint(EndpointId id, const Channel* ch, Error error) {
  error.detail += error.detail.empty() ? "" : "; ";
  error.detail += "the engine closed this endpoint and goes on";
  const std::error_code reason = error.code;
  try {
    context_.report(id, 0, std::move(error));
  } catch (const std::bad_alloc&) {
    // The close below still tells the sink why, through the state's reason.
  }
  if (connections_.contains(id)) {
    connection_ended(id, reason);
    return;
  }
  auto child = children_.find(id);
  if (child == children_.end() || ch == nullptr) return;
  Child& c = *child->second;
  for (Channel* stream : {c.in.get(), c.out.get(), c.err.get()}) {
    if (stream == ch) {
      child_stream_ended(c, *stream);
      return;
    }
  }
}

void PosixBackend::stop_failed_server(ServerId id, Error error) {
  error.detail += error.detail.empty() ? "" : "; ";
  error.detail += "the server was stopped; the engine goes on";
  try {
    context_.report(0, id, std::move(error));
  } catch (const std::bad_alloc&) {
    // ServerStopped below still tells the sink that it ended.
  }
  auto it = servers_.find(id);
  if (it == servers_.end()) return;
  close_server(*it->second);
  servers_.erase(it);
}

void PosixBackend::engine_fault(std::exception_ptr failure) {
  context_.report(0, 0, error_from_failure(std::move(failure), "engine I/O thread"));
}

Result<void> PosixBackend::watch_listener(Server& server) {
  Server* s = &server;
  auto token = loop_.add(server.listen_fd, EPOLLIN, [this, s](std::uint32_t) { on_listener_ready(*s); },
                         stops_on_fault(server.id));
  if (!token) {
    server.token = 0;
    return std::move(token).error();
  }
  server.token = *token;
  return {};
}

void PosixBackend::post_stop(ServerId id, Error error) {
  loop_.post([this, id, error = std::move(error)]() mutable { stop_failed_server(id, std::move(error)); });
}

}  // namespace pipescope::detail::posix
