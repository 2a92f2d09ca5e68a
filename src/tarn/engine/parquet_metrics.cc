#include "tarn/engine/parquet_metrics.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <system_error>

#include "tarn/engine/parquet_sql.h"
#include "tarn/iceberg/literal.h"

namespace tarn::engine::parquet_metrics {
namespace {

using schema::TypeId;

struct Leaf {
  iceberg::PrimitiveType type;
  bool with_bounds = false;
};

void CollectLeaves(const std::vector<schema::NestedField>& fields, bool repeated,
                   std::map<int, Leaf>* out) {
  for (const auto& f : fields) {
    const schema::Type& t = *f.type;
    if (t.id == TypeId::kStruct) {
      CollectLeaves(t.fields, repeated, out);
    } else if (t.id == TypeId::kList) {
      CollectLeaves({t.element}, true, out);
    } else if (t.id == TypeId::kMap) {
      CollectLeaves({t.key, t.value}, true, out);
    } else {
      Leaf leaf{{t.id, t.precision, t.scale, t.length}, false};
      leaf.with_bounds = !repeated && t.id != TypeId::kBinary && t.id != TypeId::kFixed;
      (*out)[f.id] = leaf;
    }
  }
}

// Leaf field ids in column order (parquet_metadata's column_id indexes them).
Result<std::vector<int>> LeafFieldIds(DuckDb& db, const std::string& path) {
  std::vector<int> ids;
  Status st = db.Query(
      "SELECT CAST(field_id AS VARCHAR) FROM parquet_schema(" + parquet_sql::QuoteText(path) +
          ") WHERE coalesce(num_children, 0) = 0",
      {}, [&](const Row& row) {
        int id = 0;
        const std::string& text = row[0].value_or("");
        if (std::from_chars(text.data(), text.data() + text.size(), id).ec != std::errc()) {
          return Status(ErrorCode::kCorruption, path + ": a column without a field id");
        }
        ids.push_back(id);
        return Status::OK();
      });
  if (!st.ok()) return st.WithContext(path);
  return ids;
}

// CASE column_id WHEN 0 THEN <normalized stat> ... END, for the leaves that get bounds.
std::string StatSql(const std::vector<int>& leaf_ids, const std::map<int, Leaf>& leaves,
                    const std::string& stat) {
  std::string sql = "CASE column_id";
  for (size_t i = 0; i < leaf_ids.size(); ++i) {
    auto it = leaves.find(leaf_ids[i]);
    if (it == leaves.end() || !it->second.with_bounds) continue;
    const iceberg::PrimitiveType& type = it->second.type;
    std::string typed = "TRY_CAST(" + stat + " AS " + parquet_sql::DuckDbPrimitiveType(type) + ")";
    sql +=
        " WHEN " + std::to_string(i) + " THEN " + parquet_sql::NormalizedText(type, typed, false);
  }
  return sql + " ELSE NULL END";
}

std::string MetadataSql(const std::vector<std::string>& paths, const std::vector<int>& leaf_ids,
                        const std::map<int, Leaf>& leaves) {
  std::string list;
  for (const auto& p : paths) list += (list.empty() ? "" : ", ") + parquet_sql::QuoteText(p);
  return "SELECT file_name, CAST(row_group_id AS VARCHAR), CAST(row_group_num_rows AS VARCHAR), "
         "CAST(column_id AS VARCHAR), CAST(num_values AS VARCHAR), "
         "CAST(stats_null_count AS VARCHAR), CAST(total_compressed_size AS VARCHAR), "
         "CAST(coalesce(dictionary_page_offset, data_page_offset) AS VARCHAR), " +
         StatSql(leaf_ids, leaves, "stats_min_value") + ", " +
         StatSql(leaf_ids, leaves, "stats_max_value") + " FROM parquet_metadata([" + list +
         "]) ORDER BY file_name, row_group_id, column_id";
}

int64_t ToInt(const std::optional<std::string>& text) {
  int64_t v = 0;
  if (text) std::from_chars(text->data(), text->data() + text->size(), v);
  return v;
}

// What the row groups of one file say about one leaf column.
struct LeafStats {
  int64_t size = 0, values = 0, nulls = 0;
  std::optional<iceberg::Literal> lower, upper;
  bool bounds_known = true;
};

struct FileStats {
  int64_t records = 0;
  std::map<int64_t, int64_t> row_group_starts;  // row group id -> lowest page offset
  std::map<int, LeafStats> leaves;              // by field id
};

bool IsNaN(const iceberg::Literal& v) {
  return (v.type.id == TypeId::kFloat || v.type.id == TypeId::kDouble) && std::isnan(v.d);
}

// Folds one row-group bound into the file's: a row group with values and no statistic
// leaves the file without a bound.
Status FoldBound(const Leaf& leaf, const std::optional<std::string>& text, bool has_values,
                 bool lower, LeafStats* stats) {
  if (!text) {
    if (has_values) stats->bounds_known = false;
    return Status::OK();
  }
  TARN_ASSIGN_OR_RETURN(iceberg::Literal v, parquet_sql::LiteralFromText(leaf.type, *text, false));
  if (IsNaN(v)) {
    stats->bounds_known = false;
    return Status::OK();
  }
  std::optional<iceberg::Literal>& bound = lower ? stats->lower : stats->upper;
  if (!bound || (lower ? iceberg::Compare(v, *bound) < 0 : iceberg::Compare(v, *bound) > 0)) {
    bound = std::move(v);
  }
  return Status::OK();
}

Status FoldRow(const Row& row, const std::vector<int>& leaf_ids, const std::map<int, Leaf>& leaves,
               FileStats* file) {
  int64_t row_group = ToInt(row[1]), column = ToInt(row[3]);
  if (column == 0) file->records += ToInt(row[2]);
  int64_t start = ToInt(row[7]);
  auto [it, added] = file->row_group_starts.emplace(row_group, start);
  if (!added) it->second = std::min(it->second, start);
  if (column < 0 || column >= static_cast<int64_t>(leaf_ids.size())) {
    return Status(ErrorCode::kCorruption,
                  *row[0] + ": column " + std::to_string(column) + " is not in its schema");
  }
  int id = leaf_ids[column];
  LeafStats& stats = file->leaves[id];
  stats.size += ToInt(row[6]);
  stats.values += ToInt(row[4]);
  stats.nulls += ToInt(row[5]);
  auto leaf = leaves.find(id);
  if (leaf == leaves.end() || !leaf->second.with_bounds) return Status::OK();
  bool has_values = !row[5] || ToInt(row[4]) > ToInt(row[5]);
  TARN_RETURN_IF_ERROR(FoldBound(leaf->second, row[8], has_values, true, &stats));
  return FoldBound(leaf->second, row[9], has_values, false, &stats);
}

void SetBounds(int id, const LeafStats& stats, size_t chars, iceberg::DataFile* out) {
  if (!stats.bounds_known || !stats.lower || !stats.upper) return;
  if (stats.lower->type.id != TypeId::kString || chars == 0) {
    out->lower_bounds[id] = iceberg::ToBinary(*stats.lower);
    out->upper_bounds[id] = iceberg::ToBinary(*stats.upper);
    return;
  }
  out->lower_bounds[id] =
      iceberg::ToBinary(iceberg::Literal::String(TruncateLowerBound(stats.lower->s, chars)));
  if (auto upper = TruncateUpperBound(stats.upper->s, chars)) {
    out->upper_bounds[id] = iceberg::ToBinary(iceberg::Literal::String(std::move(*upper)));
  }
}

Result<iceberg::DataFile> ToDataFile(const std::string& path, const FileStats& stats,
                                     size_t chars) {
  iceberg::DataFile file;
  file.file_path = path;
  file.record_count = stats.records;
  std::error_code ec;
  file.file_size_in_bytes = static_cast<int64_t>(std::filesystem::file_size(path, ec));
  if (ec) return IOError(path + ": " + ec.message());
  for (const auto& [row_group, start] : stats.row_group_starts) file.split_offsets.push_back(start);
  for (const auto& [id, leaf] : stats.leaves) {
    file.column_sizes[id] = leaf.size;
    file.value_counts[id] = leaf.values;
    file.null_value_counts[id] = leaf.nulls;
    SetBounds(id, leaf, chars, &file);
  }
  return file;
}

size_t CodePointEnd(std::string_view s, size_t chars) {
  size_t pos = 0;
  for (size_t n = 0; pos < s.size() && n < chars; ++n) {
    ++pos;
    while (pos < s.size() && (static_cast<unsigned char>(s[pos]) & 0xC0) == 0x80) ++pos;
  }
  return pos;
}

char32_t DecodeUtf8(std::string_view s) {
  auto b = [&](size_t i) { return static_cast<char32_t>(static_cast<unsigned char>(s[i])); };
  if (s.size() == 1) return b(0);
  if (s.size() == 2) return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
  if (s.size() == 3) return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
  return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
}

std::string EncodeUtf8(char32_t c) {
  std::string out;
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += {static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
  } else if (c < 0x10000) {
    out += {static_cast<char>(0xE0 | (c >> 12)), static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
            static_cast<char>(0x80 | (c & 0x3F))};
  } else {
    out += {static_cast<char>(0xF0 | (c >> 18)), static_cast<char>(0x80 | ((c >> 12) & 0x3F)),
            static_cast<char>(0x80 | ((c >> 6) & 0x3F)), static_cast<char>(0x80 | (c & 0x3F))};
  }
  return out;
}

}  // namespace

Result<std::vector<iceberg::DataFile>> ReadMetrics(DuckDb& db,
                                                   const std::vector<std::string>& paths,
                                                   const schema::Schema& schema,
                                                   size_t string_bound_chars) {
  if (paths.empty()) return std::vector<iceberg::DataFile>{};
  std::map<int, Leaf> leaves;
  CollectLeaves(schema.fields(), false, &leaves);
  TARN_ASSIGN_OR_RETURN(std::vector<int> leaf_ids, LeafFieldIds(db, paths[0]));
  std::map<std::string, FileStats> stats;
  for (const auto& p : paths) stats[p];
  TARN_RETURN_IF_ERROR(db.Query(MetadataSql(paths, leaf_ids, leaves), {}, [&](const Row& row) {
    auto file = stats.find(row[0].value_or(""));
    if (file == stats.end()) return Internal("parquet_metadata named an unknown file");
    return FoldRow(row, leaf_ids, leaves, &file->second);
  }));
  std::vector<iceberg::DataFile> files;
  for (const auto& p : paths) {
    TARN_ASSIGN_OR_RETURN(iceberg::DataFile file, ToDataFile(p, stats[p], string_bound_chars));
    files.push_back(std::move(file));
  }
  return files;
}

std::string TruncateLowerBound(std::string_view s, size_t chars) {
  return std::string(s.substr(0, CodePointEnd(s, chars)));
}

std::optional<std::string> TruncateUpperBound(std::string_view s, size_t chars) {
  size_t end = CodePointEnd(s, chars);
  if (end == s.size()) return std::string(s);
  // Increment the last code point that can be incremented (skipping the surrogate range),
  // dropping those after it.
  while (end > 0) {
    size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    char32_t next = DecodeUtf8(s.substr(start, end - start)) + 1;
    if (next >= 0xD800 && next <= 0xDFFF) next = 0xE000;
    if (next <= 0x10FFFF) return std::string(s.substr(0, start)) + EncodeUtf8(next);
    end = start;
  }
  return std::nullopt;
}

}  // namespace tarn::engine::parquet_metrics
