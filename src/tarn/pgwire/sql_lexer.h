// A small SQL tokenizer for the statements the front end inspects itself (SET, SHOW, BEGIN,
// PREPARE, ...) and for the catalog-query rewrites: words, quoted identifiers, string
// literals (standard, E'' and dollar-quoted), numbers, $n parameters and symbols, with
// comments skipped. It knows no grammar. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tarn::pgwire {

struct SqlToken {
  enum class Kind { kWord, kQuotedIdent, kString, kNumber, kParam, kSymbol };
  Kind kind = Kind::kSymbol;
  size_t begin = 0;  // offsets of the raw token in the statement
  size_t end = 0;
  std::string value;  // words lowercased; identifiers and strings unquoted; others as written

  bool Is(std::string_view word) const { return kind == Kind::kWord && value == word; }
  bool IsSymbol(std::string_view s) const { return kind == Kind::kSymbol && value == s; }
};

// Tokens of `sql`; an unterminated string or comment ends the list where it starts.
std::vector<SqlToken> LexSql(std::string_view sql);

// `s` as a single-quoted SQL string literal.
std::string QuoteSqlString(std::string_view s);

}  // namespace tarn::pgwire
