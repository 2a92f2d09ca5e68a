#include "tarn/pgwire/wire_buffer.h"

#include <algorithm>
#include <cstring>

namespace tarn::pgwire {
namespace {

int32_t ReadInt32(const char* p) {
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint8_t>(p[0])) << 24 |
                              static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 16 |
                              static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 8 |
                              static_cast<uint32_t>(static_cast<uint8_t>(p[3])));
}

}  // namespace

Status MessageReader::Fill(size_t n) {
  if (end_ - pos_ >= n) return Status::OK();
  // Move the unread tail to the front, then read until `n` bytes are there.
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  size_t want = std::max(n, size_t{64} << 10);
  if (buf_.size() < want) buf_.resize(want);
  while (end_ < n) {
    TARN_ASSIGN_OR_RETURN(size_t got, socket_->ReadSome(buf_.data() + end_, buf_.size() - end_));
    if (got == 0) return Unavailable("the client closed the connection");
    end_ += got;
  }
  return Status::OK();
}

Result<std::string_view> MessageReader::ReadStartup() {
  TARN_RETURN_IF_ERROR(Fill(4));
  int32_t len = ReadInt32(buf_.data() + pos_);
  // 8 bytes is the shortest valid packet (length and a request code); 10000 is PostgreSQL's own
  // limit for startup packets.
  if (len < 8 || len > 10000) {
    return InvalidArgument("invalid startup packet length " + std::to_string(len));
  }
  TARN_RETURN_IF_ERROR(Fill(static_cast<size_t>(len)));
  std::string_view body(buf_.data() + pos_ + 4, static_cast<size_t>(len) - 4);
  pos_ += static_cast<size_t>(len);
  return body;
}

Result<Message> MessageReader::Read() {
  TARN_RETURN_IF_ERROR(Fill(5));
  char type = buf_[pos_];
  int32_t len = ReadInt32(buf_.data() + pos_ + 1);
  if (len < 4 || static_cast<size_t>(len) > kMaxMessage) {
    return InvalidArgument("invalid length " + std::to_string(len) + " of message type '" +
                           std::string(1, type) + "'");
  }
  TARN_RETURN_IF_ERROR(Fill(static_cast<size_t>(len) + 1));
  Message m{type, std::string_view(buf_.data() + pos_ + 5, static_cast<size_t>(len) - 4)};
  pos_ += static_cast<size_t>(len) + 1;
  return m;
}

uint8_t BodyReader::Byte() {
  if (remaining() < 1) {
    ok_ = false;
    return 0;
  }
  return static_cast<uint8_t>(body_[pos_++]);
}

int16_t BodyReader::Int16() {
  if (remaining() < 2) {
    ok_ = false;
    pos_ = body_.size();
    return 0;
  }
  auto v = static_cast<int16_t>(static_cast<uint16_t>(static_cast<uint8_t>(body_[pos_])) << 8 |
                                static_cast<uint8_t>(body_[pos_ + 1]));
  pos_ += 2;
  return v;
}

int32_t BodyReader::Int32() {
  if (remaining() < 4) {
    ok_ = false;
    pos_ = body_.size();
    return 0;
  }
  int32_t v = ReadInt32(body_.data() + pos_);
  pos_ += 4;
  return v;
}

std::string_view BodyReader::CString() {
  size_t nul = body_.find('\0', pos_);
  if (nul == std::string_view::npos) {
    ok_ = false;
    pos_ = body_.size();
    return {};
  }
  std::string_view s = body_.substr(pos_, nul - pos_);
  pos_ = nul + 1;
  return s;
}

std::string_view BodyReader::Bytes(size_t n) {
  if (remaining() < n) {
    ok_ = false;
    pos_ = body_.size();
    return {};
  }
  std::string_view s = body_.substr(pos_, n);
  pos_ += n;
  return s;
}

void AppendInt16(std::string* out, int16_t v) {
  auto u = static_cast<uint16_t>(v);
  char b[2] = {static_cast<char>(u >> 8), static_cast<char>(u)};
  out->append(b, 2);
}

void AppendInt32(std::string* out, int32_t v) {
  auto u = static_cast<uint32_t>(v);
  char b[4] = {static_cast<char>(u >> 24), static_cast<char>(u >> 16), static_cast<char>(u >> 8),
               static_cast<char>(u)};
  out->append(b, 4);
}

void AppendInt64(std::string* out, int64_t v) {
  auto u = static_cast<uint64_t>(v);
  AppendInt32(out, static_cast<int32_t>(u >> 32));
  AppendInt32(out, static_cast<int32_t>(u & 0xFFFFFFFFu));
}

void PatchInt32(std::string* out, size_t pos, int32_t v) {
  auto u = static_cast<uint32_t>(v);
  (*out)[pos] = static_cast<char>(u >> 24);
  (*out)[pos + 1] = static_cast<char>(u >> 16);
  (*out)[pos + 2] = static_cast<char>(u >> 8);
  (*out)[pos + 3] = static_cast<char>(u);
}

void WireWriter::Begin(char type) {
  message_start_ = buf_.size();
  buf_.push_back(type);
  buf_.append(4, '\0');
}

void WireWriter::End() {
  PatchInt32(&buf_, message_start_ + 1, static_cast<int32_t>(buf_.size() - message_start_ - 1));
}

void WireWriter::Abandon() { buf_.resize(message_start_); }

void WireWriter::Int16(int16_t v) { AppendInt16(&buf_, v); }
void WireWriter::Int32(int32_t v) { AppendInt32(&buf_, v); }

void WireWriter::CString(std::string_view s) {
  buf_.append(s);
  buf_.push_back('\0');
}

Status WireWriter::Flush() {
  if (broken_) {
    buf_.clear();
    return IOError("the client connection is broken");
  }
  if (buf_.empty()) return Status::OK();
  Status st = socket_->WriteAll(buf_);
  buf_.clear();
  if (!st.ok()) broken_ = true;
  return st;
}

}  // namespace tarn::pgwire
