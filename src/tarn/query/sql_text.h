// Lexical work on SQL text that DuckDB's parser cannot do for tarn: splitting scripts into
// statements, and taking out the time-travel clauses DuckDB does not know
// (`FOR SYSTEM_TIME AS OF ...`, `FOR SYSTEM_VERSION AS OF ...`). Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "tarn/base/status.h"

namespace tarn::query {

enum class TokenKind { kWord, kQuotedIdent, kString, kNumber, kParam, kSymbol };

// One token of SQL text: [begin, end) in the text. Words are keywords and unquoted
// identifiers; strings include their quotes (also E'..' and $tag$..$tag$).
struct Token {
  TokenKind kind;
  size_t begin = 0, end = 0;
};

// The tokens of `sql`, skipping whitespace and comments. Unterminated strings, quoted
// identifiers and comments run to the end of the text (DuckDB reports them).
std::vector<Token> Tokenize(std::string_view sql);

// Case-insensitive keyword test for a kWord token.
bool IsWord(std::string_view sql, const Token& token, std::string_view word);

// The identifier a kWord or kQuotedIdent token names: words as written, quoted ones unquoted.
std::string IdentifierText(std::string_view sql, const Token& token);

// A time-travel clause after a table name.
struct TimeTravel {
  enum Kind { kTimestamp, kVersion } kind = kTimestamp;
  size_t name_end = 0;     // where the table name before the clause ends
  std::string expression;  // the text after AS OF
};

// Finds `FOR SYSTEM_TIME AS OF <expr>` / `FOR TIMESTAMP AS OF <expr>` and
// `FOR SYSTEM_VERSION AS OF <expr>` / `FOR VERSION AS OF <expr>` following a table name, and
// blanks them out of `*sql` with spaces (so every other offset stays valid). <expr> is a
// literal (a number, 'text', TIMESTAMP '...', DATE '...'), a function call or a parenthesized
// expression, optionally followed by `+`/`-` INTERVAL terms.
// Errors: kInvalidArgument (a clause without an expression, or not after a table name).
Result<std::vector<TimeTravel>> ExtractTimeTravel(std::string* sql);

// Where the dotted name starting at `begin` (a table reference, as DuckDB's parser locates
// it) ends.
size_t NameEnd(std::string_view sql, size_t begin);

// The statement's first keyword, upper-cased ("SELECT", "EXPLAIN", "WITH", ...), or "" for
// none; `*rest` gets the offset just after it.
std::string FirstKeyword(std::string_view sql, size_t* rest = nullptr);

}  // namespace tarn::query
