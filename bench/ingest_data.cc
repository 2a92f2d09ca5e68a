#include "ingest_data.h"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <iterator>

namespace tarn::bench {
namespace {

// splitmix64: small, fast and the same everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Below(N)];
  }

 private:
  uint64_t s_;
};

constexpr const char* kEventTypes[] = {"page_view",   "page_view", "page_view", "page_view",
                                       "click",       "click",     "scroll",    "search",
                                       "add_to_cart", "purchase"};
constexpr const char* kCountries[] = {"US", "DE", "FR", "GB", "JP", "BR", "IN", "CA",
                                      "ES", "IT", "NL", "SE", "PL", "AU", "MX"};
constexpr const char* kCategories[] = {"audio-video", "kitchen",     "womens-shoes", "cycling",
                                       "sci-fi",      "board-games", "skin-care",    "tools"};
constexpr const char* kUtmSources[] = {"google", "newsletter", "facebook", "bing", "partner-site"};
constexpr const char* kUserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.6045.163 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36 Edg/119.0.2151.72"};

// 2024-01-15T00:00:00Z, in seconds.
constexpr int64_t kFirstSecond = 1705276800;

class Line {
 public:
  explicit Line(std::string* out) : out_(out) {}
  Line& Raw(std::string_view s) {
    out_->append(s);
    return *this;
  }
  Line& Int(int64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_->append(buf, r.ptr);
    return *this;
  }
  Line& Fixed(double v, int digits) {
    char buf[48];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, digits);
    out_->append(buf, r.ptr);
    return *this;
  }
  Line& Hex(uint64_t v, int digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; --i) out_->push_back(kHex[(v >> (4 * i)) & 15]);
    return *this;
  }
  Line& Padded(int64_t v, int width) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    for (int n = static_cast<int>(r.ptr - buf); n < width; ++n) out_->push_back('0');
    out_->append(buf, r.ptr);
    return *this;
  }
  // "2024-01-15T03:00:00.123456Z"
  Line& Iso(int64_t micros) {
    int64_t secs = micros / 1'000'000, days = secs / 86400, sod = secs % 86400;
    // Civil from days (H. Hinnant), for days >= 0.
    int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    Padded(y, 4).Raw("-").Padded(m, 2).Raw("-").Padded(d, 2).Raw("T");
    Padded(sod / 3600, 2).Raw(":").Padded(sod / 60 % 60, 2).Raw(":").Padded(sod % 60, 2);
    return Raw(".").Padded(micros % 1'000'000, 6).Raw("Z");
  }

 private:
  std::string* out_;
};

void AppendEvent(int64_t i, Rng& rng, std::string* out) {
  uint64_t a = rng.Next(), b = rng.Next();
  int64_t user = 1'000'000 + static_cast<int64_t>(rng.Below(9'000'000));
  int64_t ts = kFirstSecond * 1'000'000 + i * 20'000 + static_cast<int64_t>(rng.Below(20'000));
  Line l(out);
  l.Raw("{\"event_id\":\"").Hex(a >> 32, 8).Raw("-").Hex(a >> 16, 4).Raw("-4").Hex(a, 3);
  l.Raw("-").Hex(0x8000 | (b >> 48 & 0x3fff), 4).Raw("-").Hex(b, 12).Raw("\"");
  l.Raw(",\"user_id\":").Int(user);
  l.Raw(",\"event_type\":\"").Raw(rng.Pick(kEventTypes)).Raw("\"");
  l.Raw(",\"ts\":\"").Iso(ts).Raw("\"");
  l.Raw(",\"received_at\":").Int(ts / 1000 + 15 + static_cast<int64_t>(rng.Below(2000)));
  l.Raw(",\"amount\":").Fixed(static_cast<double>(rng.Below(5'000'000)) / 100.0, 2);
  l.Raw(",\"quantity\":").Int(1 + static_cast<int64_t>(rng.Below(12)));
  l.Raw(",\"price\":");
  if (rng.Below(10) == 0) {
    l.Raw("null");
  } else {
    l.Fixed(static_cast<double>(rng.Below(100'000)) / 100.0 + 0.99, 2);
  }
  l.Raw(",\"country\":\"").Raw(rng.Pick(kCountries)).Raw("\"");
  l.Raw(",\"is_bot\":").Raw(rng.Below(50) == 0 ? "true" : "false");
  l.Raw(",\"referrer\":");
  uint64_t ref = rng.Below(10);
  if (ref < 3) {
    l.Raw("null");
  } else if (ref < 8) {
    l.Raw("\"https://www.google.com/search?q=product+").Int(static_cast<int64_t>(rng.Below(99999)));
    l.Raw("\"");
  } else {
    l.Raw("\"https://news.example.org/2024/01/").Int(static_cast<int64_t>(rng.Below(9999)));
    l.Raw("-deals\"");
  }
  int64_t product = static_cast<int64_t>(rng.Below(1'000'000));
  l.Raw(",\"url\":\"https://shop.example.com/").Raw(rng.Pick(kCategories)).Raw("/product-");
  l.Int(product).Raw("?utm_source=").Raw(rng.Pick(kUtmSources)).Raw("&utm_campaign=sale-");
  l.Int(static_cast<int64_t>(rng.Below(40))).Raw("&ref=").Hex(rng.Next(), 8).Raw("\"");
  l.Raw(",\"user_agent\":\"").Raw(kUserAgents[user % std::size(kUserAgents)]).Raw("\"}\n");
}

}  // namespace

const char kEventSchema[] = R"({"type": "record", "name": "ClickEvent", "namespace": "bench",
 "fields": [
  {"name": "event_id", "type": {"type": "string", "logicalType": "uuid"}},
  {"name": "user_id", "type": "long"},
  {"name": "event_type", "type": "string"},
  {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}},
  {"name": "received_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "amount", "type": "double"},
  {"name": "quantity", "type": "int"},
  {"name": "price", "type": ["null", "double"], "default": null},
  {"name": "country", "type": "string"},
  {"name": "is_bot", "type": "boolean"},
  {"name": "referrer", "type": ["null", "string"], "default": null},
  {"name": "url", "type": "string"},
  {"name": "user_agent", "type": "string"}]})";

Result<JsonlFile> WriteEventsJsonl(const std::string& path, int64_t target_bytes, uint64_t seed) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return IOError("cannot create " + path + ": " + std::strerror(errno));
  Rng rng(seed);
  JsonlFile out;
  std::string buf;
  buf.reserve(9 << 20);
  bool ok = true;
  while (ok && out.bytes < target_bytes) {
    size_t before = buf.size();
    AppendEvent(out.records++, rng, &buf);
    out.bytes += static_cast<int64_t>(buf.size() - before);
    if (buf.size() >= (8 << 20)) {
      ok = std::fwrite(buf.data(), 1, buf.size(), f) == buf.size();
      buf.clear();
    }
  }
  if (ok && !buf.empty()) ok = std::fwrite(buf.data(), 1, buf.size(), f) == buf.size();
  if (std::fclose(f) != 0) ok = false;
  if (!ok) return IOError("cannot write " + path);
  return out;
}

std::vector<std::string> PgCreateTableStatements(int64_t rows) {
  std::string t = kPgTable;
  return {
      "DROP TABLE IF EXISTS " + t,
      "CREATE TABLE " + t +
          " (id bigint NOT NULL, user_id bigint NOT NULL, name text NOT NULL, email text,"
          " amount numeric(12,2) NOT NULL, score double precision NOT NULL, status text NOT NULL,"
          " created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, attrs jsonb)",
      "INSERT INTO " + t +
          " SELECT g, 1000000 + (g * 7919) % 9000000, 'Customer ' || g,"
          " CASE WHEN g % 20 = 0 THEN NULL ELSE 'customer' || g || '@mail.example.com' END,"
          " ((g * 104729) % 10000000) / 100.0, ((g * 2654435761) % 1000003) / 1000.0,"
          " (ARRAY['new','paid','shipped','delivered','returned'])[1 + g % 5],"
          " timestamptz '2024-01-01 00:00:00+00' + g * interval '2 seconds',"
          " timestamptz '2024-01-01 00:00:00+00' + g * interval '3 seconds'"
          " + (g % 1000) * interval '1 microsecond',"
          " jsonb_build_object('plan', (ARRAY['free','pro','team'])[1 + g % 3], 'seats', g % 50,"
          " 'tags', jsonb_build_array('beta', 'region-' || (g % 12)))"
          " FROM generate_series(1::bigint, " +
          std::to_string(rows) + ") AS g",
      "CREATE INDEX ON " + t + " (" + kPgCursorColumn + ")",
      "VACUUM ANALYZE " + t,
  };
}

const char kPgRowSchema[] = R"({"type": "record", "name": "CustomerRow", "namespace": "bench",
 "fields": [
  {"name": "id", "type": "long"},
  {"name": "user_id", "type": "long"},
  {"name": "name", "type": "string"},
  {"name": "email", "type": ["null", "string"], "default": null},
  {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12,
                              "scale": 2}},
  {"name": "score", "type": "double"},
  {"name": "status", "type": "string"},
  {"name": "created_at", "type": {"type": "long", "logicalType": "timestamp-micros"}},
  {"name": "updated_at", "type": {"type": "long", "logicalType": "timestamp-micros"}},
  {"name": "attrs", "type": ["null", "string"], "default": null}]})";

}  // namespace tarn::bench
