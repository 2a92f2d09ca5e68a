#include "tarn/pgwire/socket.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tarn::pgwire {
namespace {

Status Errno(const std::string& what) { return IOError(what + ": " + std::strerror(errno)); }

}  // namespace

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

Result<size_t> Socket::ReadSome(char* buf, size_t n) {
  while (true) {
    ssize_t got = ::recv(fd_, buf, n, 0);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno == EINTR) continue;
    // A reset by the peer is an end of the conversation like any other.
    if (errno == ECONNRESET) return size_t{0};
    return Errno("reading from the client");
  }
}

Status Socket::WriteAll(std::string_view data) {
  while (!data.empty()) {
    // MSG_NOSIGNAL: a client that went away must not kill the server with SIGPIPE.
    ssize_t put = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (put < 0) {
      if (errno == EINTR) continue;
      return Errno("writing to the client");
    }
    data.remove_prefix(static_cast<size_t>(put));
  }
  return Status::OK();
}

void Socket::ShutdownBoth() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

void Socket::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<Socket> Listen(const std::string& host, int port, int backlog) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) {
    return InvalidArgument("cannot listen on '" + host + "': " + ::gai_strerror(rc));
  }
  Status last = IOError("no address for '" + host + "'");
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    Socket s(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (!s.valid()) {
      last = Errno("socket");
      continue;
    }
    int one = 1;
    ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(s.fd(), a->ai_addr, a->ai_addrlen) != 0 || ::listen(s.fd(), backlog) != 0) {
      last = Errno("cannot listen on " + host + ":" + service);
      continue;
    }
    ::freeaddrinfo(found);
    return s;
  }
  ::freeaddrinfo(found);
  return last;
}

Result<int> LocalPort(const Socket& socket) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return Errno("getsockname");
  }
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

Result<Socket> Accept(Socket& listener) {
  while (true) {
    int fd = ::accept4(listener.fd(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      return Socket(fd);
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno == EINVAL || errno == EBADF) return Unavailable("the listener was shut down");
    return Errno("accept");
  }
}

}  // namespace tarn::pgwire
