// Webhook POSTs over cpp-httplib. Neither httplib's exceptions nor secrets leave this file.
#include "tarn/quality/webhook.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <random>
#include <thread>

#include "tarn/base/log.h"

namespace tarn::quality {
namespace {

constexpr size_t kExcerptBytes = 200;

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A path segment that looks like a credential: long, and mixing letters and digits.
bool LooksLikeToken(std::string_view seg) {
  if (seg.size() < 16) return false;
  bool alpha = false, digit = false;
  for (char c : seg) {
    alpha |= std::isalpha(static_cast<unsigned char>(c)) != 0;
    digit |= std::isdigit(static_cast<unsigned char>(c)) != 0;
  }
  return alpha && digit;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// The Retry-After header in milliseconds: delta-seconds or an HTTP-date; nullopt if absent or
// unreadable.
std::optional<int64_t> RetryAfterMs(const std::string& value) {
  if (value.empty()) return std::nullopt;
  if (IsDigits(value)) return value.size() > 9 ? int64_t{1} << 40 : std::stoll(value) * 1000;
  std::tm tm{};
  const char* end = strptime(value.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  int64_t at = timegm(&tm);
  int64_t now = std::time(nullptr);
  return std::max<int64_t>(0, (at - now) * 1000);
}

std::string Excerpt(const std::string& body) {
  std::string out = body.substr(0, kExcerptBytes);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  if (body.size() > kExcerptBytes) out += "...";
  return out;
}

std::vector<std::string> SecretsOf(const WebhookUrl& url, std::vector<std::string> secrets) {
  if (!url.userinfo.empty()) {
    secrets.push_back(url.userinfo);
    secrets.push_back(PercentDecode(url.userinfo));
    size_t colon = url.userinfo.find(':');
    if (colon != std::string::npos)
      secrets.push_back(PercentDecode(url.userinfo.substr(colon + 1)));
  }
  size_t q = url.target.find('?');
  if (q != std::string::npos) secrets.push_back(url.target.substr(q + 1));
  return secrets;
}

}  // namespace

Result<WebhookUrl> ParseWebhookUrl(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return FailedPrecondition("'" + RedactUrl(text) +
                              "' is not a usable webhook URL: " + std::string(why));
  };
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return bad("it contains whitespace");
  }
  WebhookUrl url;
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) return bad("expected http:// or https://");
  for (char c : text.substr(0, sep)) url.scheme += static_cast<char>(std::tolower(c));
  if (url.scheme != "http" && url.scheme != "https") return bad("expected http:// or https://");
  std::string_view rest = text.substr(sep + 3);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? "" : rest.substr(end);
  target = target.substr(0, target.find('#'));
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    url.userinfo = std::string(authority.substr(0, at));
    authority = authority.substr(at + 1);
  }
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    std::string_view digits = authority.substr(colon + 1);
    if (!IsDigits(digits) || digits.size() > 5) return bad("invalid port");
    url.port = std::stoi(std::string(digits));
    if (url.port < 1 || url.port > 65535) return bad("invalid port");
    authority = authority.substr(0, colon);
  } else {
    url.port = url.scheme == "https" ? 443 : 80;
  }
  if (authority.empty() || authority == "[]") return bad("no host");
  url.host = std::string(authority);
  url.target = target.empty() || target[0] == '?' ? "/" + std::string(target) : std::string(target);
  return url;
}

std::string RedactUrl(std::string_view text) {
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) return "***";
  std::string out(text.substr(0, sep + 3));
  std::string_view rest = text.substr(sep + 3);
  rest = rest.substr(0, rest.find('#'));
  size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    out += "***@";
    authority = authority.substr(at + 1);
  }
  out += authority;
  if (end == std::string_view::npos) return out;
  std::string_view target = rest.substr(end);
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  // Each '/'-separated segment of the path, masked if it looks like a token.
  for (size_t i = 0; i < path.size();) {
    size_t next = path.find('/', i + 1);
    std::string_view seg =
        path.substr(i + 1, next == std::string_view::npos ? std::string_view::npos : next - i - 1);
    out += '/';
    out += LooksLikeToken(seg) ? std::string_view("***") : seg;
    if (next == std::string_view::npos) break;
    i = next;
  }
  if (q != std::string_view::npos) out += "?***";
  return out;
}

std::string RedactSecrets(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.size() < 4) continue;
    for (size_t at; (at = text.find(secret)) != std::string::npos;) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

WebhookOutcome PostJson(const WebhookUrl& url, const std::string& json_body,
                        const DeliveryOptions& options, const std::vector<std::string>& secrets,
                        std::string_view what) {
  const std::vector<std::string> all_secrets = SecretsOf(url, secrets);
  const int max_attempts = std::max(options.max_attempts, 1);
  WebhookOutcome out;
  std::mt19937_64 rng{std::random_device{}()};
  std::unique_ptr<httplib::Client> client;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    std::optional<int64_t> wait_ms;  // from Retry-After
    bool retryable = true;
    try {
      if (!client) {
        client = std::make_unique<httplib::Client>(url.scheme + "://" + url.host + ":" +
                                                   std::to_string(url.port));
        client->set_url_encode(false);
        client->set_connection_timeout(options.timeout_seconds);
        client->set_read_timeout(options.timeout_seconds);
        client->set_write_timeout(options.timeout_seconds);
        client->set_follow_location(false);
        if (!url.userinfo.empty()) {
          size_t colon = url.userinfo.find(':');
          client->set_basic_auth(PercentDecode(url.userinfo.substr(0, colon)).c_str(),
                                 colon == std::string::npos
                                     ? ""
                                     : PercentDecode(url.userinfo.substr(colon + 1)).c_str());
        }
      }
      ++out.attempts;
      httplib::Headers headers = {{"User-Agent", "tarn-alerts"}, {"Accept", "*/*"}};
      httplib::Result res = client->Post(url.target, headers, json_body, "application/json");
      if (!res) {
        out.last_error = "network error (" + httplib::to_string(res.error()) + ")";
      } else {
        out.http_status = res->status;
        if (res->status >= 200 && res->status < 300) {
          out.delivered = true;
          break;
        }
        out.last_error =
            "HTTP " + std::to_string(res->status) +
            (res->body.empty() ? "" : ": " + Excerpt(RedactSecrets(res->body, all_secrets)));
        retryable = res->status == 429 || res->status >= 500;
        if (res->status >= 300 && res->status < 400)
          *out.last_error += " (redirects are not followed)";
        if (res->status == 429 || res->status == 503) {
          wait_ms = RetryAfterMs(res->get_header_value("Retry-After"));
        }
      }
    } catch (const std::exception& e) {
      out.last_error = std::string("request failed: ") + e.what();
    }
    out.last_error = RedactSecrets(*out.last_error, all_secrets);
    if (!retryable || attempt == max_attempts) break;
    if (!wait_ms) {
      double base = options.initial_backoff_ms * std::pow(2.0, std::min(attempt - 1, 20));
      wait_ms = static_cast<int64_t>(base * std::uniform_real_distribution<double>(0.5, 1.0)(rng));
    }
    wait_ms = std::clamp<int64_t>(*wait_ms, 0, std::max(options.max_backoff_ms, 0));
    LogWarn(std::string(what) + ": attempt " + std::to_string(attempt) + "/" +
            std::to_string(max_attempts) + ": " + *out.last_error + "; retrying in " +
            std::to_string(*wait_ms) + " ms");
    if (options.sleep) {
      options.sleep(std::chrono::milliseconds(*wait_ms));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(*wait_ms));
    }
  }
  if (out.delivered) {
    LogInfo(std::string(what) + ": delivered (attempt " + std::to_string(out.attempts) + ")");
  } else {
    LogWarn(std::string(what) + ": not delivered after " + std::to_string(out.attempts) +
            " attempt(s): " + out.last_error.value_or("?"));
  }
  return out;
}

}  // namespace tarn::quality
