// A server instance impersonating its client (ImpersonateNamedPipeClient):
// asked for at any time, done on a pool thread once the instance has read
// from the pipe (Windows allows it only then), named on the account lookup
// thread. The call itself and its revert guard are in impersonation.cpp.
#include "pipe_end.hpp"

namespace pipescope::detail::win {

Result<void> PipeEnd::impersonate(const ImpersonationRequest& request) {
  if (config_.kind != EndpointKind::instance) {
    return make_error(Errc::invalid_parameter, "ImpersonateNamedPipeClient",
                      "only a server instance can impersonate its client");
  }
  std::lock_guard lock(mutex_);
  if (phase_ != Phase::connected && phase_ != Phase::draining) {
    return make_error(Errc::pipe_not_connected, "ImpersonateNamedPipeClient", config_.pipe_name);
  }
  pending_impersonation_ = request;
  if (has_read_ || !config_.can_read) {
    // Windows lets a server impersonate only after it read from the pipe;
    // that has happened (or never can, on an outbound pipe), so do it now on
    // a pool thread.
    if (!impersonation_posted_) {
      impersonation_posted_ = true;
      post_task_locked(&PipeEnd::impersonate_task, "ImpersonateNamedPipeClient");
    }
  }
  return {};
}

void PipeEnd::impersonate_task() {
  // The impersonation runs without the end's lock, and its accounts are
  // named on the account lookup thread: naming each group
  // (LookupAccountSidW) can take seconds against a domain controller, and
  // neither this end's reads and writes nor the pool may wait for that. The
  // handle stays open meanwhile: this task counts as outstanding until the
  // end of this function.
  std::optional<ImpersonationRequest> request;
  HANDLE handle = nullptr;
  {
    std::lock_guard lock(mutex_);
    impersonation_posted_ = false;
    request = std::move(pending_impersonation_);
    pending_impersonation_.reset();
    handle = handle_.get();
  }
  std::exception_ptr failure;
  if (request && handle != nullptr) {
    try {
      const ImpersonatingEnd end{context_, config_.id, config_.server, config_.pipe_name};
      accounts_.post([&context = context_, id = config_.id, findings = impersonate_client(handle, *request, end)] {
        context.emit(Impersonated{id, name_accounts(findings)});
        context.flush();
      });
    } catch (...) {
      failure = std::current_exception();
    }
  }
  Followup f;
  {
    std::lock_guard lock(mutex_);
    --outstanding_;
    maybe_finish_close_locked(f);
  }
  run(f);
  if (failure) std::rethrow_exception(failure);
}

}  // namespace pipescope::detail::win
