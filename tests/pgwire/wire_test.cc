// Message framing: messages written by WireWriter read back by MessageReader over a socket
// pair, body parsing with BodyReader, and the limits on lengths.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <thread>

#include "tarn/pgwire/wire_buffer.h"

namespace tarn::pgwire {
namespace {

struct Pair {
  Socket a, b;
  Pair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    a = Socket(fds[0]);
    b = Socket(fds[1]);
  }
};

TEST(WireTest, MessagesRoundTripThroughTheBuffer) {
  Pair p;
  WireWriter w(&p.a, 16);  // a tiny threshold: MaybeFlush writes after each message
  w.Begin('Q');
  w.CString("SELECT 1");
  w.End();
  ASSERT_TRUE(w.MaybeFlush().ok());
  w.Begin('B');
  w.Int16(-2);
  w.Int32(70000);
  w.Bytes(std::string("\0x", 2));
  w.End();
  ASSERT_TRUE(w.Flush().ok());

  MessageReader r(&p.b);
  auto m = r.Read();
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->type, 'Q');
  BodyReader q(m->body);
  EXPECT_EQ(q.CString(), "SELECT 1");
  EXPECT_TRUE(q.ok() && q.AtEnd());

  m = r.Read();
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->type, 'B');
  BodyReader b(m->body);
  EXPECT_EQ(b.Int16(), -2);
  EXPECT_EQ(b.Int32(), 70000);
  EXPECT_EQ(b.Bytes(2), std::string("\0x", 2));
  EXPECT_TRUE(b.ok() && b.AtEnd());
  EXPECT_EQ(b.Int32(), 0);  // past the end
  EXPECT_FALSE(b.ok());
}

TEST(WireTest, LargeMessagesArriveInPieces) {
  Pair p;
  std::string big(300000, 'x');
  std::thread writer([&] {
    WireWriter w(&p.a);
    w.Begin('d');
    w.Bytes(big);
    w.End();
    EXPECT_TRUE(w.Flush().ok());
  });
  MessageReader r(&p.b);
  auto m = r.Read();
  writer.join();
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->body, big);
}

TEST(WireTest, StartupPacketsHaveNoTypeByte) {
  Pair p;
  std::string packet;
  AppendInt32(&packet, 8);
  AppendInt32(&packet, 80877103);  // SSLRequest
  ASSERT_TRUE(p.a.WriteAll(packet).ok());
  MessageReader r(&p.b);
  auto body = r.ReadStartup();
  ASSERT_TRUE(body.ok());
  BodyReader b(*body);
  EXPECT_EQ(b.Int32(), 80877103);
}

TEST(WireTest, BadLengthsAndClosedPeersAreErrors) {
  {
    Pair p;
    std::string packet = "Q";
    AppendInt32(&packet, 2);  // shorter than the length word itself
    ASSERT_TRUE(p.a.WriteAll(packet).ok());
    MessageReader r(&p.b);
    EXPECT_EQ(r.Read().status().code(), ErrorCode::kInvalidArgument);
  }
  {
    Pair p;
    std::string packet;
    AppendInt32(&packet, 20000);  // startup packets are at most 10000 bytes
    ASSERT_TRUE(p.a.WriteAll(packet).ok());
    MessageReader r(&p.b);
    EXPECT_EQ(r.ReadStartup().status().code(), ErrorCode::kInvalidArgument);
  }
  {
    Pair p;
    p.a.Close();
    MessageReader r(&p.b);
    EXPECT_EQ(r.Read().status().code(), ErrorCode::kUnavailable);
  }
}

TEST(WireTest, AbandonDropsThePartialMessage) {
  Pair p;
  WireWriter w(&p.a);
  w.Begin('C');
  w.CString("SELECT 1");
  w.End();
  size_t size = w.buffer().size();
  w.Begin('D');
  w.Int16(1);
  w.Abandon();
  EXPECT_EQ(w.buffer().size(), size);
}

}  // namespace
}  // namespace tarn::pgwire
