// A std::ostream that writes into a QIODevice, so that the engine's savers
// and exporters (which write to a std::ostream) can write a QFile.
//
// The reason is the file descriptor: QFile opens its files with
// close-on-exec on POSIX and with a handle that is not inherited on
// Windows; std::ofstream can ask for neither, so a log being saved while the
// engine starts a child would leak into that child.
#pragma once

#include <QIODevice>

#include <array>
#include <ostream>
#include <streambuf>

namespace pipescope::ui {

/// The buffer under DeviceOutputStream: collects bytes and writes them to
/// the device in blocks. A failed write makes the stream bad.
class DeviceStreamBuffer final : public std::streambuf {
 public:
  explicit DeviceStreamBuffer(QIODevice& device);
  ~DeviceStreamBuffer() override;
  DeviceStreamBuffer(const DeviceStreamBuffer&) = delete;
  DeviceStreamBuffer& operator=(const DeviceStreamBuffer&) = delete;

 protected:
  int_type overflow(int_type c) override;
  int sync() override;
  std::streamsize xsputn(const char* data, std::streamsize size) override;

 private:
  bool flush_buffer();

  QIODevice& device_;
  std::array<char, 64 * 1024> buffer_{};
};

/// Writes into an open QIODevice; flush() (or the destructor) writes the
/// rest. Check the stream after flush(): false means a write failed.
class DeviceOutputStream final : public std::ostream {
 public:
  explicit DeviceOutputStream(QIODevice& device);

 private:
  DeviceStreamBuffer buffer_;
};

}  // namespace pipescope::ui
