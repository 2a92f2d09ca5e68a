// HttpSource over cpp-httplib and nlohmann-json. Neither library's exceptions leave this file.
#include "tarn/ingest/http_source.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "tarn/base/ids.h"
#include "tarn/base/log.h"

namespace tarn::ingest {
namespace {

using nlohmann::json;

constexpr int kMaxWaitMs = 30000;
constexpr size_t kExcerptBytes = 200;
constexpr size_t kMaxPathInPosition = 80;

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // as written ("[::1]" keeps its brackets)
  int port = 0;
  std::string target;  // "/path?query", percent-encoded

  std::string Origin() const { return scheme + "://" + host + ":" + std::to_string(port); }
  std::string ToString() const {
    bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
    return scheme + "://" + host + (default_port ? "" : ":" + std::to_string(port)) + target;
  }
};

bool IsUnreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

std::string PercentEncode(std::string_view s, bool keep_reserved) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (keep_reserved && c > 0x20 && c < 0x7f)) {
      out.push_back(ch);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<Url> ParseUrl(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument("bad URL " + std::string(text) + ": " + std::string(why));
  };
  Url url;
  size_t colon = text.find("://");
  if (colon == std::string_view::npos) return bad("expected http:// or https://");
  for (char c : text.substr(0, colon)) url.scheme += static_cast<char>(std::tolower(c));
  if (url.scheme != "http" && url.scheme != "https") return bad("expected http:// or https://");
  std::string_view rest = text.substr(colon + 3);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? "" : rest.substr(end);
  target = target.substr(0, target.find('#'));
  if (authority.find('@') != std::string_view::npos) {
    return bad("user info is not allowed; put credentials in the auth header");
  }
  size_t port_colon = authority.rfind(':');
  if (port_colon != std::string_view::npos &&
      authority.find(']', port_colon) == std::string_view::npos) {
    std::string_view digits = authority.substr(port_colon + 1);
    if (digits.empty() || digits.size() > 5 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return bad("invalid port");
    }
    url.port = std::stoi(std::string(digits));
    if (url.port < 1 || url.port > 65535) return bad("invalid port");
    authority = authority.substr(0, port_colon);
  } else {
    url.port = url.scheme == "https" ? 443 : 80;
  }
  if (authority.empty()) return bad("no host");
  for (char c : authority) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return bad("invalid host");
  }
  url.host = std::string(authority);
  if (target.empty() || target[0] == '?') url.target = "/";
  url.target += PercentEncode(target, /*keep_reserved=*/true);
  return url;
}

// Resolves an absolute or relative link against the URL of the page that contained it.
Result<Url> ResolveLink(const Url& base, std::string_view link) {
  std::string_view lower = link.substr(0, 8);
  if (lower.starts_with("http://") || lower.starts_with("https://") ||
      lower.starts_with("HTTP://") || lower.starts_with("HTTPS://")) {
    return ParseUrl(link);
  }
  if (link.starts_with("//")) return ParseUrl(base.scheme + ":" + std::string(link));
  Url url = base;
  std::string_view base_path = std::string_view(base.target).substr(0, base.target.find('?'));
  std::string resolved;
  if (link.starts_with("/")) {
    resolved = std::string(link);
  } else if (link.starts_with("?")) {
    resolved = std::string(base_path) + std::string(link);
  } else {
    resolved = std::string(base_path.substr(0, base_path.rfind('/') + 1)) + std::string(link);
  }
  resolved = resolved.substr(0, resolved.find('#'));
  url.target = PercentEncode(resolved, /*keep_reserved=*/true);
  return url;
}

// Replaces every `name=` parameter of the target's query with one `name=value`.
std::string WithQueryParam(const std::string& target, const std::string& name,
                           const std::string& value) {
  size_t q = target.find('?');
  std::string path = target.substr(0, q);
  std::string key = PercentEncode(name, false);
  std::string query;
  if (q != std::string::npos) {
    std::string_view rest = std::string_view(target).substr(q + 1);
    while (!rest.empty()) {
      std::string_view part = rest.substr(0, rest.find('&'));
      rest.remove_prefix(std::min(rest.size(), part.size() + 1));
      if (part.empty() || part == key || part.starts_with(key + "=")) continue;
      query += std::string(part) + "&";
    }
  }
  return path + "?" + query + key + "=" + PercentEncode(value, false);
}

// Follows a dotted path through objects; nullptr when a step is missing.
const json* Lookup(const json& doc, std::string_view path) {
  const json* node = &doc;
  while (!path.empty()) {
    std::string_view step = path.substr(0, path.find('.'));
    path.remove_prefix(std::min(path.size(), step.size() + 1));
    if (!node->is_object()) return nullptr;
    auto it = node->find(std::string(step));
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

Result<std::optional<std::string>> ReadLink(const json& doc, const std::string& path,
                                            const std::string& what) {
  const json* v = Lookup(doc, path);
  if (v == nullptr || v->is_null() || (v->is_string() && v->get<std::string>().empty())) {
    return std::optional<std::string>();
  }
  if (v->is_string()) return std::optional<std::string>(v->get<std::string>());
  if (v->is_number_integer()) return std::optional<std::string>(v->dump());
  return FailedPrecondition(what + " at \"" + path + "\" is neither a string nor null");
}

}  // namespace

struct HttpSource::Impl {
  Url base;
  Url next;             // the next request
  int page_number = 0;  // "page" pagination: the page parameter of `next`
  std::unique_ptr<httplib::Client> client;
  std::string client_origin;
  std::mt19937_64 rng{std::random_device{}()};

  // Redacts the auth header value (and its credential part) from text shown to people.
  std::string Redact(std::string text, const std::string& auth) const {
    std::string credential =
        auth.substr(auth.find(' ') == std::string::npos ? 0 : auth.find(' ') + 1);
    for (const std::string& secret : {auth, credential}) {
      if (secret.size() < 4) continue;
      for (size_t at; (at = text.find(secret)) != std::string::npos;)
        text.replace(at, secret.size(), "***");
    }
    return text;
  }
};

HttpSource::HttpSource(const HttpSourceOptions& options, std::unique_ptr<Impl> impl)
    : options_(options), impl_(std::move(impl)) {}
HttpSource::~HttpSource() = default;

Result<std::unique_ptr<HttpSource>> HttpSource::Open(const HttpSourceOptions& options) {
  auto impl = std::make_unique<Impl>();
  TARN_ASSIGN_OR_RETURN(impl->base, ParseUrl(options.url));
  const HttpPagination& p = options.pagination;
  auto bad = [](std::string why) { return InvalidArgument("bad pagination: " + why); };
  if (p.type == "cursor") {
    if (p.cursor_param.empty() || p.cursor_path.empty())
      return bad("cursor needs cursor_param and cursor_path");
  } else if (p.type == "page") {
    if (p.page_param.empty()) return bad("page needs page_param");
    if (!p.page_size_param.empty() && p.page_size <= 0) return bad("page_size must be positive");
  } else if (p.type == "next_link") {
    if (p.next_path.empty()) return bad("next_link needs next_path");
  } else if (p.type != "none") {
    return bad("type must be none, cursor, page or next_link, not \"" + p.type + "\"");
  }
  if (p.max_pages <= 0) return bad("max_pages must be positive");
  if (options.max_retries < 0 || options.initial_backoff_ms < 0 || options.timeout_seconds <= 0) {
    return InvalidArgument("max_retries and initial_backoff_ms must be >= 0, timeout_seconds > 0");
  }
  impl->next = impl->base;
  if (p.type == "page") {
    impl->page_number = p.page_start;
    impl->next.target =
        WithQueryParam(impl->next.target, p.page_param, std::to_string(p.page_start));
    if (!p.page_size_param.empty()) {
      impl->next.target =
          WithQueryParam(impl->next.target, p.page_size_param, std::to_string(p.page_size));
    }
  }
  return std::unique_ptr<HttpSource>(new HttpSource(options, std::move(impl)));
}

std::string HttpSource::WindowKey() const {
  const HttpPagination& p = options_.pagination;
  json config = {{"url", impl_->base.ToString()}, {"type", p.type},
                 {"items_path", p.items_path},    {"cursor_param", p.cursor_param},
                 {"cursor_path", p.cursor_path},  {"page_param", p.page_param},
                 {"page_start", p.page_start},    {"page_size_param", p.page_size_param},
                 {"page_size", p.page_size},      {"next_path", p.next_path},
                 {"max_pages", p.max_pages}};
  std::string name = options_.source_name.empty() ? "http" : options_.source_name.substr(0, 107);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') c = '_';
  }
  std::string text = config.dump(-1, ' ', false, json::error_handler_t::replace);
  return name + "-" + Sha256Hex(text).substr(0, 12);
}

std::string HttpSource::WindowDescription() const {
  const std::string& type = options_.pagination.type;
  return "GET " + impl_->base.ToString() +
         (type == "none" ? " (one page)" : " (all pages, " + type + " pagination)");
}

Result<bool> HttpSource::Next(std::vector<format::SourceRecord>* batch, size_t max_records) {
  if (!failed_.ok()) return failed_;
  size_t added = 0;
  while (added < max_records) {
    if (pending_.empty()) {
      if (done_) return false;
      Status st = FetchPage();
      if (!st.ok()) {
        failed_ = st;
        return st;
      }
      continue;
    }
    batch->push_back(std::move(pending_.front()));
    pending_.pop_front();
    ++added;
  }
  return !(pending_.empty() && done_);
}

Status HttpSource::FetchPage() {
  const HttpPagination& p = options_.pagination;
  if (pages_read_ >= p.max_pages) {
    LogWarn("http source " + options_.source_name + ": stopping after max_pages=" +
            std::to_string(p.max_pages) + " pages of " + impl_->base.ToString());
    done_ = true;
    return Status::OK();
  }
  const Url url = impl_->next;
  const int page = pages_read_ + 1;
  const std::string shown = url.ToString();
  const std::string where = "page " + std::to_string(page) + " of " + shown;
  const std::string request = "GET " + shown + " (page " + std::to_string(page) + ")";

  // The request, retried on 429, 5xx and connection errors.
  std::string body;
  httplib::Headers headers = {{"Accept", "application/json"}, {"User-Agent", "tarn-ingest"}};
  if (!options_.auth_header.empty() && url.Origin() == impl_->base.Origin()) {
    headers.emplace("Authorization", options_.auth_header);
  }
  std::string last_error;
  bool ok = false;
  for (int attempt = 0; !ok; ++attempt) {
    int wait_ms = -1;  // -1: use the exponential backoff
    try {
      if (!impl_->client || impl_->client_origin != url.Origin()) {
        impl_->client = std::make_unique<httplib::Client>(url.scheme + "://" + url.host + ":" +
                                                          std::to_string(url.port));
        impl_->client_origin = url.Origin();
        impl_->client->set_url_encode(false);
        impl_->client->set_connection_timeout(options_.timeout_seconds);
        impl_->client->set_read_timeout(options_.timeout_seconds);
        impl_->client->set_write_timeout(options_.timeout_seconds);
      }
      ++requests_sent_;
      httplib::Result res = impl_->client->Get(url.target, headers);
      if (!res) {
        last_error = "network error (" + httplib::to_string(res.error()) + ")";
      } else if (res->status >= 200 && res->status < 300) {
        body = std::move(res->body);
        ok = true;
        break;
      } else if (res->status == 429 || res->status >= 500) {
        last_error = "HTTP " + std::to_string(res->status);
        std::string retry_after = res->get_header_value("Retry-After");
        if (!retry_after.empty() && retry_after.size() < 6 &&
            std::all_of(retry_after.begin(), retry_after.end(), ::isdigit)) {
          wait_ms = std::stoi(retry_after) * 1000;
        }
      } else {
        std::string excerpt = res->body.substr(0, kExcerptBytes);
        for (char& c : excerpt) {
          if (static_cast<unsigned char>(c) < 0x20) c = ' ';
        }
        if (res->body.size() > kExcerptBytes) excerpt += "...";
        return FailedPrecondition(request + " answered HTTP " + std::to_string(res->status) + ": " +
                                  impl_->Redact(excerpt, options_.auth_header));
      }
    } catch (const std::exception& e) {
      last_error = std::string("request failed: ") + e.what();
    }
    if (attempt >= options_.max_retries) break;
    if (wait_ms < 0) {
      double base = options_.initial_backoff_ms * std::pow(2.0, std::min(attempt, 20));
      std::uniform_real_distribution<double> jitter(0.5, 1.0);
      wait_ms = static_cast<int>(std::min<double>(base * jitter(impl_->rng), kMaxWaitMs));
    }
    wait_ms = std::min(wait_ms, kMaxWaitMs);
    LogWarn(request + ": " + last_error + "; retry " + std::to_string(attempt + 1) + "/" +
            std::to_string(options_.max_retries) + " in " + std::to_string(wait_ms) + " ms");
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
  }
  if (!ok) {
    return Unavailable(request + " failed after " + std::to_string(options_.max_retries + 1) +
                       " attempts; last: " + last_error);
  }
  ++pages_read_;
  bytes_read_ += static_cast<int64_t>(body.size());

  // The items.
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return FailedPrecondition(where + ": the response is not JSON");
  const json* items = Lookup(doc, p.items_path);
  if (items == nullptr || !items->is_array()) {
    return FailedPrecondition(where + (p.items_path.empty()
                                           ? ": the response is not a JSON array"
                                           : ": no array at \"" + p.items_path + "\""));
  }
  std::string suffix = url.target.size() <= kMaxPathInPosition ? " (" + url.target + ")" : "";
  size_t index = 0;
  for (const json& item : *items) {
    format::SourceRecord record;
    record.payload = item.dump(-1, ' ', false, json::error_handler_t::replace);
    record.position = "page " + std::to_string(page) + " item " + std::to_string(++index) + suffix;
    pending_.push_back(std::move(record));
  }

  // The next request.
  if (p.type == "none") {
    done_ = true;
  } else if (p.type == "page") {
    done_ = items->empty();
    impl_->next.target =
        WithQueryParam(url.target, p.page_param, std::to_string(++impl_->page_number));
  } else {
    bool cursor = p.type == "cursor";
    TARN_ASSIGN_OR_RETURN(std::optional<std::string> link,
                          ReadLink(doc, cursor ? p.cursor_path : p.next_path,
                                   where + (cursor ? ": the next cursor" : ": the next link")));
    if (!link) {
      done_ = true;
    } else if (cursor) {
      impl_->next.target = WithQueryParam(url.target, p.cursor_param, *link);
    } else {
      TARN_ASSIGN_OR_RETURN(impl_->next, ResolveLink(url, *link));
    }
    if (!done_ && impl_->next.ToString() == shown) {
      return FailedPrecondition(where + ": the pagination does not advance (same URL again)");
    }
  }
  return Status::OK();
}

}  // namespace tarn::ingest
