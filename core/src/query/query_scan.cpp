// QueryScan: a query over a large existing log, evaluated on a worker thread.
#include <algorithm>
#include <utility>

#include "pipescope/log_query.hpp"
#include "query/evaluate_rows.hpp"

namespace pipescope {

static_assert(QueryScan::kRowsPerBatch > detail::kHoldRows,
              "every batch must decide rows: a message still open at its end began within kHoldRows of it");

QueryScan::QueryScan(const MessageLog& log, std::shared_ptr<const LogFilter> filter, LogReader::Snapshot until,
                     BatchSink on_batch, EndSink on_end)
    : filter_(filter ? std::move(filter) : std::make_shared<const LogFilter>()) {
  worker_ = std::thread([this, reader = LogReader(log), until, on_batch = std::move(on_batch),
                         on_end = std::move(on_end)]() mutable {
    run(reader, until, std::move(on_batch), std::move(on_end));
  });
}

QueryScan::~QueryScan() {
  cancel();
  wait();
}

void QueryScan::wait() {
  if (worker_.joinable()) worker_.join();
}

void QueryScan::run(LogReader reader, LogReader::Snapshot until, BatchSink on_batch, EndSink on_end) {
  std::uint64_t scanned = 0;
  End end = End::finished;
  while (scanned < until.rows) {
    if (cancelled_.load(std::memory_order_relaxed)) {
      end = End::cancelled;
      break;
    }
    Batch batch;
    batch.total = until.rows;
    batch.generation = until.generation;
    const std::uint64_t last = std::min(until.rows, scanned + kRowsPerBatch);
    const detail::Evaluated walked =
        detail::evaluate_rows(reader, until, *filter_, scanned, last, batch.rows, &cancelled_);
    if (walked.end == LogReader::WalkEnd::replaced) {
      end = End::replaced;
      break;
    }
    if (walked.end == LogReader::WalkEnd::stopped) {
      end = End::cancelled;
      break;
    }
    // The next batch starts at a message still waiting for its last part
    // (batches are longer than a message is waited for, so each one moves
    // on); after the last batch QueryMatches decides what still waits.
    scanned = walked.decided_to;
    batch.scanned = scanned;
    if (on_batch) on_batch(std::move(batch));
    if (last == until.rows) break;
  }
  if (on_end) on_end(end, scanned);
}

}  // namespace pipescope
