// HttpSource: reads every item of a paginated JSON API listing (GET requests), page by page.
// An API window is the full listing, so the window key is stable across re-runs.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "tarn/base/status.h"
#include "tarn/ingest/record_source.h"

namespace tarn::ingest {

// How to walk the pages of a listing.
struct HttpPagination {
  // "none" (one request) | "cursor" | "page" | "next_link".
  std::string type = "none";
  // Dotted path to the array of items in each response, e.g. "data" or "result.items"; ""
  // means the response itself is the array.
  std::string items_path;
  // cursor: the next cursor is read from `cursor_path` of each response and sent as the
  // `cursor_param` query parameter; the listing ends when it is null, missing or "".
  std::string cursor_param = "cursor";
  std::string cursor_path = "next_cursor";
  // page: `page_param` = page_start, page_start+1, ... until a page has no items; with a
  // `page_size_param`, `page_size` (> 0) is sent on every request.
  std::string page_param = "page";
  int page_start = 1;
  std::string page_size_param;
  int page_size = 0;
  // next_link: an absolute or relative URL at `next_path`; ends when null, missing or "".
  // The auth header is only sent to the origin (scheme, host, port) of `url`.
  std::string next_path = "next";
  // The listing stops (with a warning in the log) after this many pages.
  int max_pages = 100000;
};

struct HttpSourceOptions {
  // http://host[:port]/path?query, or https:// (no user info; put credentials in auth_header).
  std::string url;
  HttpPagination pagination;
  // The resolved Authorization header value, e.g. "Bearer abc" (the caller resolves env:/file:
  // references); empty sends none. Never logged nor put in error messages.
  std::string auth_header;
  // Names the source in WindowKey.
  std::string source_name;
  // Retries after 429, 5xx and connection errors, with exponential backoff and jitter starting
  // at initial_backoff_ms; a Retry-After header (in seconds) is honoured instead. Every wait is
  // capped at 30 s.
  int max_retries = 5;
  int initial_backoff_ms = 200;
  // Connect, read and write timeout of each request.
  int timeout_seconds = 30;
};

// Each item of each page becomes a SourceRecord with `payload` = the item's JSON text (compact),
// `position` = "page N item M" (both from 1) followed by " (<path?query>)" when that is short.
//
// Lifetime: holds at most one page of items in memory. Not thread-safe; one reader at a time.
class HttpSource : public RecordSource {
 public:
  // Validates the options; no request is made until Next.
  // Errors: kInvalidArgument (bad URL or pagination configuration).
  static Result<std::unique_ptr<HttpSource>> Open(const HttpSourceOptions& options);

  ~HttpSource() override;
  HttpSource(const HttpSource&) = delete;
  HttpSource& operator=(const HttpSource&) = delete;

  // "<source_name>-<12 hex of a hash of the URL and pagination configuration>".
  std::string WindowKey() const override;
  std::string WindowDescription() const override;
  format::ValueMode value_mode() const override { return format::ValueMode::kTyped; }
  // Errors: kUnavailable (retries exhausted: names the URL and the last status or connection
  // error), kFailedPrecondition (a non-retryable HTTP status such as 401 or 404, with a short
  // excerpt of the body; a page that is not JSON or has no array at items_path; a cursor or next
  // link of the wrong type).
  Result<bool> Next(std::vector<format::SourceRecord>* batch, size_t max_records) override;
  // Bytes of response bodies received so far.
  int64_t bytes_read() const override { return bytes_read_; }

  // Requests sent so far, retries included (for tests and progress).
  int requests_sent() const { return requests_sent_; }

 private:
  struct Impl;
  HttpSource(const HttpSourceOptions& options, std::unique_ptr<Impl> impl);
  Status FetchPage();

  HttpSourceOptions options_;
  std::unique_ptr<Impl> impl_;
  std::deque<format::SourceRecord> pending_;
  int pages_read_ = 0;
  bool done_ = false;
  Status failed_;
  int64_t bytes_read_ = 0;
  int requests_sent_ = 0;
};

}  // namespace tarn::ingest
