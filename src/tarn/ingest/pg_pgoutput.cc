#include "tarn/ingest/pg_pgoutput.h"

#include <map>

#include "tarn/ingest/pg_util.h"

namespace tarn::ingest {
namespace {

constexpr int64_t kPostgresEpochMs = 946'684'800'000;  // 2000-01-01 in Unix milliseconds

// Big-endian reads over one message; any read past the end marks it truncated.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  bool ok() const { return ok_; }
  uint64_t Int(int bytes) {
    uint64_t v = 0;
    if (pos_ + bytes > data_.size()) {
      ok_ = false;
      return 0;
    }
    for (int i = 0; i < bytes; ++i) v = v << 8 | static_cast<unsigned char>(data_[pos_++]);
    return v;
  }
  char Byte() { return static_cast<char>(Int(1)); }
  std::string_view Bytes(size_t n) {
    if (pos_ + n > data_.size()) {
      ok_ = false;
      return {};
    }
    pos_ += n;
    return data_.substr(pos_ - n, n);
  }
  std::string String() {  // NUL-terminated
    size_t end = data_.find('\0', pos_);
    if (end == std::string_view::npos) {
      ok_ = false;
      return {};
    }
    std::string s(data_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

struct Column {
  std::string name;
  Oid type = 0;
  bool key = false;  // part of the replica identity
};

struct Relation {
  std::string table;  // "schema.table"
  std::vector<Column> columns;
};

class PgOutputDecoder : public WalDecoder {
 public:
  explicit PgOutputDecoder(std::vector<std::string> key) : key_(std::move(key)) {}

  Result<WalMessage> Decode(int64_t lsn, int64_t, std::string_view data, int64_t now_ms) override {
    Reader r(data);
    WalMessage out;
    char kind = r.Byte();
    switch (kind) {
      case 'B':
        out.action = 'B';
        out.lsn = static_cast<int64_t>(r.Int(8));  // the commit record's start
        commit_ms_ = static_cast<int64_t>(r.Int(8)) / 1000 + kPostgresEpochMs;
        xid_ = static_cast<int64_t>(r.Int(4));
        break;
      case 'C':
        out.action = 'C';
        r.Int(1);                                  // flags
        r.Int(8);                                  // the commit record's start
        out.lsn = static_cast<int64_t>(r.Int(8));  // its end
        break;
      case 'R':
        ReadRelation(r);
        break;
      case 'I':
      case 'U':
      case 'D': {
        out.action = kind;
        TARN_ASSIGN_OR_RETURN(out.events, Change(r, kind, lsn, now_ms));
        break;
      }
      case 'T':
        out.action = 'T';
        break;
      default:  // origin, type: nothing to land
        break;
    }
    if (!r.ok())
      return InvalidArgument(std::string("pgoutput: a truncated '") + kind + "' message");
    return out;
  }

 private:
  void ReadRelation(Reader& r) {
    uint32_t id = static_cast<uint32_t>(r.Int(4));
    Relation rel;
    std::string schema = r.String();
    rel.table = schema + "." + r.String();
    r.Int(1);  // replica identity setting
    int n = static_cast<int>(r.Int(2));
    for (int i = 0; i < n && r.ok(); ++i) {
      Column c;
      c.key = (r.Int(1) & 1) != 0;
      c.name = r.String();
      c.type = static_cast<Oid>(r.Int(4));
      r.Int(4);  // type modifier
      rel.columns.push_back(std::move(c));
    }
    relations_[id] = std::move(rel);
  }

  // TupleData as a row image; `key_only` keeps the replica identity's columns ('K' tuples).
  Result<RowImage> Tuple(Reader& r, const Relation& rel, bool key_only) {
    int n = static_cast<int>(r.Int(2));
    if (n > static_cast<int>(rel.columns.size())) {
      return InvalidArgument("pgoutput: a tuple with more columns than its relation");
    }
    RowImage image;
    for (int i = 0; i < n && r.ok(); ++i) {
      const Column& c = rel.columns[i];
      char kind = r.Byte();
      std::string value = "null";
      if (kind == 't') {
        std::string_view text = r.Bytes(r.Int(4));
        value.clear();
        pg::AppendValue(&value, pg::KindOf(c.type), text, /*numeric_as_string=*/true);
      } else if (kind == 'u') {
        continue;  // unchanged TOASTed value, not logged
      } else if (kind != 'n') {
        return InvalidArgument(std::string("pgoutput: unexpected tuple column kind '") + kind +
                               "'");
      }
      if (!key_only || c.key) image.emplace_back(c.name, std::move(value));
    }
    return image;
  }

  Result<std::vector<std::string>> Change(Reader& r, char kind, int64_t lsn, int64_t now_ms) {
    uint32_t id = static_cast<uint32_t>(r.Int(4));
    auto it = relations_.find(id);
    if (it == relations_.end()) {
      return InvalidArgument("pgoutput: a change of relation " + std::to_string(id) +
                             " before its Relation message");
    }
    const Relation& rel = it->second;
    std::optional<RowImage> before, after;
    char part = r.Byte();
    if (part == 'K' || part == 'O') {
      TARN_ASSIGN_OR_RETURN(before, Tuple(r, rel, part == 'K'));
      if (kind == 'U') part = r.Byte();
    }
    if (part == 'N') {
      TARN_ASSIGN_OR_RETURN(after, Tuple(r, rel, false));
    }
    if (!r.ok()) return InvalidArgument("pgoutput: a truncated change");
    ChangeSource source{lsn, commit_ms_, rel.table, xid_};
    auto events = ChangeEvents(kind, std::move(before), std::move(after), source, key_, now_ms);
    if (!events.ok()) return events.status().WithContext("pgoutput");
    return events;
  }

  std::vector<std::string> key_;
  std::map<uint32_t, Relation> relations_;
  int64_t commit_ms_ = 0;
  int64_t xid_ = 0;
};

}  // namespace

std::unique_ptr<WalDecoder> MakePgOutputDecoder(std::vector<std::string> key) {
  return std::make_unique<PgOutputDecoder>(std::move(key));
}

}  // namespace tarn::ingest
