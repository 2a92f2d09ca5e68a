// Webhook delivery: an HTTP(S) POST of a JSON document with a timeout and retries, and the URL
// handling around it (parsing, and redaction of the parts of a URL that carry secrets).
// Stateless functions; thread-safe. cpp-httplib stays inside webhook.cc.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tarn/base/status.h"

namespace tarn::quality {

// An http:// or https:// URL split for the HTTP client.
struct WebhookUrl {
  std::string scheme;    // "http" or "https"
  std::string userinfo;  // "user:password" before '@', as written (may be empty)
  std::string host;      // as written ("[::1]" keeps its brackets)
  int port = 0;          // explicit, or 80 / 443
  std::string target;    // "/path?query" as written ("/" when empty)
};

// Errors: kFailedPrecondition naming the URL's problem (scheme, host, port, whitespace); the
// message never repeats userinfo or the query string.
Result<WebhookUrl> ParseWebhookUrl(std::string_view text);

// The URL with its secret parts replaced by "***": userinfo, the query string, and path
// segments that look like tokens (16+ characters mixing letters and digits, like the last
// segment of a Slack webhook URL). The fragment is dropped. Text that is not a URL becomes
// "***" as a whole.
std::string RedactUrl(std::string_view url);

// Replaces every occurrence of each secret (those of 4+ characters) in `text` by "***".
std::string RedactSecrets(std::string text, const std::vector<std::string>& secrets);

// How hard to try. Retries follow connection errors, timeouts, 5xx and 429; any other answer
// ends the delivery. The wait before retry n (1-based) is initial_backoff_ms * 2^(n-1) with
// jitter (x0.5..1), or the Retry-After of a 429/503 answer when given; always capped at
// max_backoff_ms.
struct DeliveryOptions {
  int max_attempts = 4;      // requests in all, first one included (>= 1)
  int timeout_seconds = 10;  // connect, write and read, per request
  int initial_backoff_ms = 500;
  int max_backoff_ms = 30000;
  // Waits between attempts; tests substitute a recorder. Default: sleeps.
  std::function<void(std::chrono::milliseconds)> sleep;
};

// What happened to one POST, after all its attempts.
struct WebhookOutcome {
  bool delivered = false;                 // a 2xx answer came
  int attempts = 0;                       // requests sent
  std::optional<int> http_status;         // of the last answer, if one came
  std::optional<std::string> last_error;  // of the last failed attempt, secrets removed
};

// POSTs `json_body` (Content-Type: application/json) to `url` per `options`. Never fails: the
// outcome says what happened. `secrets` (and the URL's userinfo and query) are removed from
// every error text. Log lines start with `what`, which names the request for people and must
// hold no secret (e.g. "alert quarantine for raw.orders: POST " + RedactUrl(url)).
WebhookOutcome PostJson(const WebhookUrl& url, const std::string& json_body,
                        const DeliveryOptions& options, const std::vector<std::string>& secrets,
                        std::string_view what);

}  // namespace tarn::quality
