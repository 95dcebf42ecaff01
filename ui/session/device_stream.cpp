#include "session/device_stream.hpp"

#include <algorithm>

namespace pipescope::ui {

DeviceStreamBuffer::DeviceStreamBuffer(QIODevice& device) : device_(device) {
  setp(buffer_.data(), buffer_.data() + buffer_.size());
}

DeviceStreamBuffer::~DeviceStreamBuffer() { static_cast<void>(flush_buffer()); }

bool DeviceStreamBuffer::flush_buffer() {
  const auto pending = static_cast<qint64>(pptr() - pbase());
  qint64 done = 0;
  while (done < pending) {
    const qint64 written = device_.write(pbase() + done, pending - done);
    if (written <= 0) {
      break;
    }
    done += written;
  }
  // A block that could not be written is dropped, not tried again: the
  // stream is bad from here on, and the caller reports the failure.
  setp(buffer_.data(), buffer_.data() + buffer_.size());
  return done == pending;
}

DeviceStreamBuffer::int_type DeviceStreamBuffer::overflow(int_type c) {
  if (!flush_buffer()) {
    return traits_type::eof();
  }
  if (!traits_type::eq_int_type(c, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
  }
  return traits_type::not_eof(c);
}

int DeviceStreamBuffer::sync() { return flush_buffer() ? 0 : -1; }

std::streamsize DeviceStreamBuffer::xsputn(const char* data, std::streamsize size) {
  std::streamsize done = 0;
  while (done < size) {
    const std::streamsize room = epptr() - pptr();
    if (room == 0) {
      if (!flush_buffer()) {
        return done;
      }
      continue;
    }
    const std::streamsize part = std::min(room, size - done);
    traits_type::copy(pptr(), data + done, static_cast<std::size_t>(part));
    pbump(static_cast<int>(part));
    done += part;
  }
  return done;
}

DeviceOutputStream::DeviceOutputStream(QIODevice& device) : std::ostream(nullptr), buffer_(device) {
  rdbuf(&buffer_);
}

}  // namespace pipescope::ui
