// Message framing of the PostgreSQL protocol v3: every message after the startup packet is a
// type byte, a big-endian int32 length (counting itself) and a body. MessageReader reads
// messages from a socket through one buffer; BodyReader takes a body apart; WireWriter builds
// replies in one buffer and writes it in large chunks, so a result of many small DataRow
// messages costs few system calls. One instance per connection; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tarn/base/status.h"
#include "tarn/pgwire/socket.h"

namespace tarn::pgwire {

struct Message {
  char type = 0;
  std::string_view body;  // valid until the next read
};

// Reads a connection's messages through one growing buffer. Borrows the socket.
class MessageReader {
 public:
  static constexpr size_t kMaxMessage = size_t{64} << 20;
  explicit MessageReader(Socket* socket) : socket_(socket) {}

  // The startup packet's body (after its length; no type byte). Errors: kUnavailable (the
  // client closed), kInvalidArgument (a bad length), kIOError.
  Result<std::string_view> ReadStartup();
  // The next message. Errors: as ReadStartup.
  Result<Message> Read();

 private:
  // Makes `n` bytes available at buf_[pos_..]. Errors: as ReadStartup.
  Status Fill(size_t n);
  Socket* socket_;
  std::string buf_;
  size_t pos_ = 0;  // first unread byte
  size_t end_ = 0;  // end of the bytes read
};

// Reads fields of a message body in order (a view: the body must outlive it). A read past the end
// yields zeros and empty strings and makes ok() false, so a parser checks once at the end.
class BodyReader {
 public:
  explicit BodyReader(std::string_view body) : body_(body) {}
  uint8_t Byte();
  int16_t Int16();
  int32_t Int32();
  std::string_view CString();  // up to (and consuming) the NUL terminator
  std::string_view Bytes(size_t n);
  bool ok() const { return ok_; }
  bool AtEnd() const { return pos_ == body_.size(); }
  size_t remaining() const { return body_.size() - pos_; }

 private:
  std::string_view body_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Builds a connection's replies in one buffer and writes it to the borrowed socket.
class WireWriter {
 public:
  explicit WireWriter(Socket* socket, size_t flush_threshold = size_t{128} << 10)
      : socket_(socket), threshold_(flush_threshold) {
    buf_.reserve(threshold_ + (size_t{16} << 10));
  }

  // Starts a message of `type`; End() fills in its length. Messages do not nest.
  void Begin(char type);
  void End();
  // Drops the message begun last (e.g. a row that failed to encode).
  void Abandon();

  void Byte(uint8_t v) { buf_.push_back(static_cast<char>(v)); }
  void Int16(int16_t v);
  void Int32(int32_t v);
  void CString(std::string_view s);  // the bytes and a NUL
  void Bytes(std::string_view s) { buf_.append(s); }
  // The buffer itself, for encoders that append in place.
  std::string& buffer() { return buf_; }

  // Writes everything buffered. Errors: kIOError (the client is gone; every later Flush
  // fails too and broken() is true).
  Status Flush();
  bool broken() const { return broken_; }
  // Flushes once the buffer passed the threshold.
  Status MaybeFlush() { return buf_.size() >= threshold_ ? Flush() : Status::OK(); }

 private:
  Socket* socket_;
  size_t threshold_;
  std::string buf_;
  size_t message_start_ = 0;
  bool broken_ = false;
};

// Appends big-endian integers (for encoders working on a buffer).
void AppendInt16(std::string* out, int16_t v);
void AppendInt32(std::string* out, int32_t v);
void AppendInt64(std::string* out, int64_t v);
// Overwrites 4 bytes at `pos` with `v`, big-endian.
void PatchInt32(std::string* out, size_t pos, int32_t v);

}  // namespace tarn::pgwire
