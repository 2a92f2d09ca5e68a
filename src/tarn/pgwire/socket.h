// Blocking TCP sockets for the PostgreSQL front end: a listener bound to a host and port, and
// accepted connections read and written whole. A Socket owns its descriptor; move-only.
// ShutdownBoth may be called from another thread to wake a blocked reader; everything else is
// for one thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tarn/base/status.h"

namespace tarn::pgwire {

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() { Close(); }
  Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  bool valid() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // Reads up to `n` bytes; 0 means the peer closed. Errors: kIOError.
  Result<size_t> ReadSome(char* buf, size_t n);
  // Writes all of `data`. Errors: kIOError (the peer is gone).
  Status WriteAll(std::string_view data);
  // Ends both directions: a blocked ReadSome or Accept in another thread returns.
  void ShutdownBoth();
  void Close();

 private:
  int fd_ = -1;
};

// A listening socket on `host` (an IPv4 or IPv6 literal, or "localhost") and `port` (0 picks a
// free one). Errors: kInvalidArgument (bad host), kIOError (cannot bind, e.g. port in use).
Result<Socket> Listen(const std::string& host, int port, int backlog = 128);
// The port a socket is bound to. Errors: kIOError.
Result<int> LocalPort(const Socket& socket);
// The next connection, with TCP_NODELAY set (replies are buffered by the protocol layer).
// Errors: kIOError, kUnavailable once the listener was shut down.
Result<Socket> Accept(Socket& listener);

}  // namespace tarn::pgwire
