#include "tarn/ingest/http_source.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

namespace tarn::ingest {
namespace {

using format::SourceRecord;
using nlohmann::json;

void Json(httplib::Response& res, const json& body) {
  res.set_content(body.dump(), "application/json");
}

// An API on 127.0.0.1 with one endpoint per pagination style and failure mode.
class HttpSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/none", [](const httplib::Request&, httplib::Response& res) {
      Json(res, json::array({{{"id", 1}}, {{"id", 2}, {"name", "two"}}}));
    });
    server_.Get("/cursor", [](const httplib::Request& req, httplib::Response& res) {
      std::string cursor = req.get_param_value("cursor");
      if (cursor.empty()) {
        Json(res, {{"data", {1, 2}}, {"next_cursor", "c 2/="}});
      } else if (cursor == "c 2/=") {
        Json(res, {{"data", json::array()}, {"next_cursor", "c3"}});
      } else if (cursor == "c3") {
        Json(res, {{"data", {3}}, {"next_cursor", nullptr}});
      } else {
        res.status = 400;
      }
    });
    server_.Get("/page", [](const httplib::Request& req, httplib::Response& res) {
      int page = std::stoi(req.get_param_value("page"));
      int size = std::stoi(req.get_param_value("per_page"));
      json items = json::array();
      for (int i = (page - 1) * size + 1; i <= std::min(5, page * size); ++i) items.push_back(i);
      Json(res, {{"items", items}, {"page", page}});
    });
    server_.Get("/next", [this](const httplib::Request& req, httplib::Response& res) {
      std::string after = req.get_param_value("after");
      if (after.empty()) {
        Json(res, {{"items", {"a", "b"}}, {"next", "next?after=b&x=1"}});
      } else if (after == "b") {
        std::string abs = "http://127.0.0.1:" + std::to_string(port_) + "/next?after=c";
        Json(res, {{"items", {"c"}}, {"next", abs}});
      } else {
        Json(res, {{"items", {"d"}}});
      }
    });
    server_.Get("/nested", [](const httplib::Request&, httplib::Response& res) {
      Json(res, {{"result", {{"items", {{{"k", "v"}}, {{"n", 1.5}}}}, {"count", 2}}}});
    });
    server_.Get("/flaky429", [this](const httplib::Request&, httplib::Response& res) {
      if (hits429_++ == 0) {
        res.status = 429;
        res.set_header("Retry-After", "1");
        return;
      }
      Json(res, json::array({"ok"}));
    });
    server_.Get("/flaky503", [this](const httplib::Request&, httplib::Response& res) {
      if (hits503_++ < 2) {
        res.status = 503;
        return;
      }
      Json(res, json::array({"ok"}));
    });
    server_.Get("/down", [this](const httplib::Request&, httplib::Response& res) {
      ++hits_down_;
      res.status = 500;
      res.set_content("broken", "text/plain");
    });
    server_.Get("/auth", [](const httplib::Request& req, httplib::Response& res) {
      std::string auth = req.get_header_value("Authorization");
      if (auth != "Bearer t0ken-xyz") {
        res.status = 401;
        res.set_content("invalid credentials: " + auth, "text/plain");
        return;
      }
      Json(res, json::array({"secret data"}));
    });
    server_.Get("/notjson", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("<html>oops</html>", "text/html");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  HttpSourceOptions Options(const std::string& path) {
    HttpSourceOptions o;
    o.url = "http://127.0.0.1:" + std::to_string(port_) + path;
    o.source_name = "api";
    o.max_retries = 3;
    o.initial_backoff_ms = 5;
    o.timeout_seconds = 5;
    return o;
  }

  // Reads everything, `max_records` at a time; the Status of the first failure, if any.
  static Result<std::vector<SourceRecord>> ReadAll(HttpSource& source, size_t max_records = 2) {
    std::vector<SourceRecord> out;
    for (int calls = 0; calls < 1000; ++calls) {
      auto more = source.Next(&out, max_records);
      if (!more.ok()) return more.status();
      if (!*more) break;
    }
    return out;
  }

  static std::vector<std::string> Payloads(const std::vector<SourceRecord>& records) {
    std::vector<std::string> out;
    for (const SourceRecord& r : records) out.push_back(r.payload);
    return out;
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> hits429_{0}, hits503_{0}, hits_down_{0};
};

TEST_F(HttpSourceTest, SinglePage) {
  auto source = HttpSource::Open(Options("/none"));
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ((*source)->value_mode(), format::ValueMode::kTyped);
  auto records = ReadAll(**source, 10);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(Payloads(*records),
            (std::vector<std::string>{R"({"id":1})", R"({"id":2,"name":"two"})"}));
  EXPECT_EQ((*records)[1].position, "page 1 item 2 (/none)");
  EXPECT_TRUE((*records)[0].json.empty());
  EXPECT_EQ((*source)->requests_sent(), 1);
  EXPECT_GT((*source)->bytes_read(), 20);
}

TEST_F(HttpSourceTest, CursorPagination) {
  HttpSourceOptions o = Options("/cursor");
  o.pagination.type = "cursor";
  o.pagination.items_path = "data";
  auto source = HttpSource::Open(o);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto records = ReadAll(**source, 1);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(Payloads(*records), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ((*records)[2].position, "page 3 item 1 (/cursor?cursor=c3)");
  EXPECT_EQ((*source)->requests_sent(), 3);
}

TEST_F(HttpSourceTest, PagePagination) {
  HttpSourceOptions o = Options("/page?per_page=7&page=9");
  o.pagination.type = "page";
  o.pagination.items_path = "items";
  o.pagination.page_size_param = "per_page";
  o.pagination.page_size = 2;
  auto source = HttpSource::Open(o);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto records = ReadAll(**source, 3);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(Payloads(*records), (std::vector<std::string>{"1", "2", "3", "4", "5"}));
  EXPECT_EQ((*records)[4].position, "page 3 item 1 (/page?per_page=2&page=3)");
  EXPECT_EQ((*source)->requests_sent(), 4);  // the fourth page is empty
}

TEST_F(HttpSourceTest, NextLinkPagination) {
  HttpSourceOptions o = Options("/next");
  o.pagination.type = "next_link";
  o.pagination.items_path = "items";
  auto source = HttpSource::Open(o);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto records = ReadAll(**source);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(Payloads(*records), (std::vector<std::string>{"\"a\"", "\"b\"", "\"c\"", "\"d\""}));
  EXPECT_EQ((*records)[2].position, "page 2 item 1 (/next?after=b&x=1)");
}

TEST_F(HttpSourceTest, NestedItemsPath) {
  HttpSourceOptions o = Options("/nested");
  o.pagination.items_path = "result.items";
  auto source = HttpSource::Open(o);
  ASSERT_TRUE(source.ok());
  auto records = ReadAll(**source);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(Payloads(*records), (std::vector<std::string>{R"({"k":"v"})", R"({"n":1.5})"}));

  o.pagination.items_path = "result.count";  // not an array
  source = HttpSource::Open(o);
  records = ReadAll(**source);
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(records.status().message().find("page 1"), std::string::npos);
  EXPECT_NE(records.status().message().find("result.count"), std::string::npos);
}

TEST_F(HttpSourceTest, RetriesTooManyRequestsHonouringRetryAfter) {
  auto source = HttpSource::Open(Options("/flaky429"));
  ASSERT_TRUE(source.ok());
  auto start = std::chrono::steady_clock::now();
  auto records = ReadAll(**source);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(Payloads(*records), (std::vector<std::string>{"\"ok\""}));
  EXPECT_EQ(hits429_.load(), 2);
  EXPECT_EQ((*source)->requests_sent(), 2);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
}

TEST_F(HttpSourceTest, RetriesServerErrors) {
  auto source = HttpSource::Open(Options("/flaky503"));
  ASSERT_TRUE(source.ok());
  auto records = ReadAll(**source);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(records->size(), 1u);
  EXPECT_EQ(hits503_.load(), 3);
}

TEST_F(HttpSourceTest, GivesUpAfterMaxRetries) {
  HttpSourceOptions o = Options("/down");
  o.max_retries = 2;
  o.auth_header = "Bearer t0ken-xyz";
  auto source = HttpSource::Open(o);
  ASSERT_TRUE(source.ok());
  auto records = ReadAll(**source);
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(hits_down_.load(), 3);
  const std::string& msg = records.status().message();
  EXPECT_NE(msg.find(o.url), std::string::npos) << msg;
  EXPECT_NE(msg.find("HTTP 500"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("t0ken"), std::string::npos) << msg;

  // An unreachable host: connection errors are retried too.
  server_.stop();
  thread_.join();
  o.max_retries = 1;
  source = HttpSource::Open(o);
  records = ReadAll(**source);
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ((*source)->requests_sent(), 2);
}

TEST_F(HttpSourceTest, SendsAuthHeaderAndNeverShowsIt) {
  HttpSourceOptions o = Options("/auth");
  o.auth_header = "Bearer t0ken-xyz";
  auto source = HttpSource::Open(o);
  ASSERT_TRUE(source.ok());
  auto records = ReadAll(**source);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(Payloads(*records), (std::vector<std::string>{"\"secret data\""}));

  o.auth_header = "Bearer wrong-token-123";  // the server echoes it in its 401 body
  source = HttpSource::Open(o);
  records = ReadAll(**source);
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(records.status().message().find("401"), std::string::npos);
  EXPECT_NE(records.status().message().find("invalid credentials"), std::string::npos);
  EXPECT_EQ(records.status().message().find("wrong-token-123"), std::string::npos)
      << records.status().message();
  EXPECT_EQ((*source)->requests_sent(), 1);  // 4xx is not retried
}

TEST_F(HttpSourceTest, NonJsonPage) {
  auto source = HttpSource::Open(Options("/notjson"));
  ASSERT_TRUE(source.ok());
  auto records = ReadAll(**source);
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(records.status().message().find("page 1"), std::string::npos);
  EXPECT_NE(records.status().message().find("not JSON"), std::string::npos);
}

TEST_F(HttpSourceTest, WindowKeyIsStable) {
  HttpSourceOptions o = Options("/cursor");
  o.pagination.type = "cursor";
  auto a = HttpSource::Open(o);
  auto b = HttpSource::Open(o);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)->WindowKey(), (*b)->WindowKey());
  EXPECT_TRUE((*a)->WindowKey().starts_with("api-"));
  EXPECT_EQ((*a)->WindowKey().size(), 4u + 12u);
  o.pagination.items_path = "data";
  auto c = HttpSource::Open(o);
  ASSERT_TRUE(c.ok());
  EXPECT_NE((*a)->WindowKey(), (*c)->WindowKey());
  o.auth_header = "Bearer other";  // credentials do not change the window
  auto d = HttpSource::Open(o);
  EXPECT_EQ((*c)->WindowKey(), (*d)->WindowKey());
  EXPECT_NE((*d)->WindowDescription().find("cursor pagination"), std::string::npos);
}

TEST_F(HttpSourceTest, RejectsBadOptions) {
  auto code_of = [](const HttpSourceOptions& o) {
    auto s = HttpSource::Open(o);
    return s.ok() ? ErrorCode::kOk : s.status().code();
  };
  HttpSourceOptions o = Options("/none");
  for (const char* url : {"ftp://x/y", "127.0.0.1/none", "http://", "http://h:99999/",
                          "http://user:pw@h/", "http://h:x/"}) {
    o.url = url;
    EXPECT_EQ(code_of(o), ErrorCode::kInvalidArgument) << url;
  }
  o = Options("/none");
  o.pagination.type = "offset";
  EXPECT_EQ(code_of(o), ErrorCode::kInvalidArgument);
  o.pagination.type = "page";
  o.pagination.page_size_param = "size";
  EXPECT_EQ(code_of(o), ErrorCode::kInvalidArgument);  // no page_size
  o.pagination.page_size = 10;
  EXPECT_EQ(code_of(o), ErrorCode::kOk);
  o.pagination.max_pages = 0;
  EXPECT_EQ(code_of(o), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tarn::ingest
