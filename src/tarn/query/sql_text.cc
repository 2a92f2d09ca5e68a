#include "tarn/query/sql_text.h"

#include <cctype>

#include "tarn/query/query_service.h"

namespace tarn::query {
namespace {

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80); }
bool IsIdentChar(char c) {
  return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

// The end of a quoted run starting at `i` (on the opening quote); a doubled quote continues
// it. Runs to the end of the text when unterminated.
size_t QuotedEnd(std::string_view s, size_t i, char quote, bool backslash_escapes) {
  for (size_t j = i + 1; j < s.size(); ++j) {
    if (backslash_escapes && s[j] == '\\') {
      ++j;
    } else if (s[j] == quote) {
      if (j + 1 < s.size() && s[j + 1] == quote) {
        ++j;
      } else {
        return j + 1;
      }
    }
  }
  return s.size();
}

}  // namespace

std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      size_t nl = s.find('\n', i);
      i = nl == std::string_view::npos ? s.size() : nl + 1;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t close = s.find("*/", i + 2);
      i = close == std::string_view::npos ? s.size() : close + 2;
    } else if (c == '\'') {
      size_t end = QuotedEnd(s, i, '\'', false);
      out.push_back({TokenKind::kString, i, end});
      i = end;
    } else if ((c == 'E' || c == 'e') && i + 1 < s.size() && s[i + 1] == '\'') {
      size_t end = QuotedEnd(s, i + 1, '\'', true);
      out.push_back({TokenKind::kString, i, end});
      i = end;
    } else if (c == '"') {
      size_t end = QuotedEnd(s, i, '"', false);
      out.push_back({TokenKind::kQuotedIdent, i, end});
      i = end;
    } else if (c == '$' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      size_t j = i + 1;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      out.push_back({TokenKind::kParam, i, j});
      i = j;
    } else if (c == '$') {
      // A dollar quote: $tag$ ... $tag$ (tag may be empty).
      size_t j = i + 1;
      while (j < s.size() && IsIdentChar(s[j]) && s[j] != '$') ++j;
      if (j < s.size() && s[j] == '$') {
        std::string_view tag = s.substr(i, j - i + 1);
        size_t close = s.find(tag, j + 1);
        size_t end = close == std::string_view::npos ? s.size() : close + tag.size();
        out.push_back({TokenKind::kString, i, end});
        i = end;
      } else {
        out.push_back({TokenKind::kSymbol, i, i + 1});
        ++i;
      }
    } else if (c == '?') {
      out.push_back({TokenKind::kParam, i, i + 1});
      ++i;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '.' ||
                              s[j] == '_' ||
                              ((s[j] == '+' || s[j] == '-') && (s[j - 1] == 'e' || s[j - 1] == 'E')))) {
        ++j;
      }
      out.push_back({TokenKind::kNumber, i, j});
      i = j;
    } else if (IsIdentStart(c)) {
      size_t j = i;
      while (j < s.size() && IsIdentChar(s[j])) ++j;
      out.push_back({TokenKind::kWord, i, j});
      i = j;
    } else {
      out.push_back({TokenKind::kSymbol, i, i + 1});
      ++i;
    }
  }
  return out;
}

bool IsWord(std::string_view sql, const Token& token, std::string_view word) {
  if (token.kind != TokenKind::kWord || token.end - token.begin != word.size()) return false;
  for (size_t k = 0; k < word.size(); ++k) {
    if (std::toupper(static_cast<unsigned char>(sql[token.begin + k])) !=
        std::toupper(static_cast<unsigned char>(word[k]))) {
      return false;
    }
  }
  return true;
}

std::string IdentifierText(std::string_view sql, const Token& token) {
  std::string_view text = sql.substr(token.begin, token.end - token.begin);
  if (token.kind != TokenKind::kQuotedIdent || text.size() < 2) return std::string(text);
  std::string out;
  for (size_t k = 1; k + 1 < text.size(); ++k) {
    out += text[k];
    if (text[k] == '"' && text[k + 1] == '"') ++k;
  }
  return out;
}

std::vector<std::string> SplitStatements(const std::string& sql) {
  std::vector<std::string> out;
  size_t start = 0;
  auto flush = [&](size_t end) {
    std::string_view piece = std::string_view(sql).substr(start, end - start);
    if (!Tokenize(piece).empty()) out.emplace_back(piece);
  };
  for (const Token& t : Tokenize(sql)) {
    if (t.kind == TokenKind::kSymbol && sql[t.begin] == ';') {
      flush(t.begin);
      start = t.end;
    }
  }
  flush(sql.size());
  return out;
}

namespace {

bool IsSymbol(std::string_view sql, const Token& t, char c) {
  return t.kind == TokenKind::kSymbol && sql[t.begin] == c;
}

// The index just past the balanced parenthesis group opening at tokens[i], or npos.
size_t SkipParens(std::string_view sql, const std::vector<Token>& tokens, size_t i) {
  int depth = 0;
  for (; i < tokens.size(); ++i) {
    if (IsSymbol(sql, tokens[i], '(')) ++depth;
    if (IsSymbol(sql, tokens[i], ')') && --depth == 0) return i + 1;
  }
  return std::string::npos;
}

// One operand of a time-travel expression starting at tokens[i]; the index after it, or npos.
size_t SkipOperand(std::string_view sql, const std::vector<Token>& tokens, size_t i) {
  if (i >= tokens.size()) return std::string::npos;
  const Token& t = tokens[i];
  if (IsSymbol(sql, t, '-') || IsSymbol(sql, t, '+')) return SkipOperand(sql, tokens, i + 1);
  if (t.kind == TokenKind::kNumber || t.kind == TokenKind::kString || t.kind == TokenKind::kParam) {
    return i + 1;
  }
  if (IsSymbol(sql, t, '(')) return SkipParens(sql, tokens, i);
  if (t.kind != TokenKind::kWord) return std::string::npos;
  // TIMESTAMP '...', DATE '...', INTERVAL '1' DAY, a function call, or a bare keyword such as
  // CURRENT_TIMESTAMP.
  if (i + 1 < tokens.size() && tokens[i + 1].kind == TokenKind::kString) {
    size_t after = i + 2;
    if (IsWord(sql, t, "INTERVAL") && after < tokens.size() && tokens[after].kind == TokenKind::kWord &&
        !IsWord(sql, tokens[after], "AS") && !IsWord(sql, tokens[after], "WHERE")) {
      static const char* kUnits[] = {"YEAR", "YEARS", "MONTH", "MONTHS", "DAY", "DAYS", "HOUR",
                                     "HOURS", "MINUTE", "MINUTES", "SECOND", "SECONDS", "WEEK",
                                     "WEEKS"};
      for (const char* unit : kUnits) {
        if (IsWord(sql, tokens[after], unit)) return after + 1;
      }
    }
    return after;
  }
  if (i + 1 < tokens.size() && IsSymbol(sql, tokens[i + 1], '(')) return SkipParens(sql, tokens, i + 1);
  return i + 1;
}

}  // namespace

Result<std::vector<TimeTravel>> ExtractTimeTravel(std::string* sql) {
  std::vector<TimeTravel> out;
  std::vector<Token> tokens = Tokenize(*sql);
  for (size_t i = 0; i + 3 < tokens.size(); ++i) {
    if (!IsWord(*sql, tokens[i], "FOR")) continue;
    const Token& period = tokens[i + 1];
    TimeTravel tt;
    if (IsWord(*sql, period, "SYSTEM_TIME") || IsWord(*sql, period, "TIMESTAMP")) {
      tt.kind = TimeTravel::kTimestamp;
    } else if (IsWord(*sql, period, "SYSTEM_VERSION") || IsWord(*sql, period, "VERSION")) {
      tt.kind = TimeTravel::kVersion;
    } else {
      continue;
    }
    if (!IsWord(*sql, tokens[i + 2], "AS") || !IsWord(*sql, tokens[i + 3], "OF")) continue;
    std::string clause = sql->substr(tokens[i].begin, tokens[i + 3].end - tokens[i].begin);
    if (i == 0 || (tokens[i - 1].kind != TokenKind::kWord &&
                   tokens[i - 1].kind != TokenKind::kQuotedIdent)) {
      return InvalidArgument("'" + clause + "' must follow a table name");
    }
    size_t end = SkipOperand(*sql, tokens, i + 4);
    while (end != std::string::npos && end + 1 < tokens.size() &&
           (IsSymbol(*sql, tokens[end], '+') || IsSymbol(*sql, tokens[end], '-')) &&
           IsWord(*sql, tokens[end + 1], "INTERVAL")) {
      end = SkipOperand(*sql, tokens, end + 1);
    }
    if (end == std::string::npos || end == i + 4) {
      return InvalidArgument("'" + clause + "' needs a " +
                             (tt.kind == TimeTravel::kTimestamp ? "timestamp" : "snapshot id or ref name"));
    }
    tt.name_end = tokens[i - 1].end;
    size_t expr_begin = tokens[i + 4].begin, expr_end = tokens[end - 1].end;
    tt.expression = sql->substr(expr_begin, expr_end - expr_begin);
    for (size_t k = tokens[i].begin; k < expr_end; ++k) {
      if ((*sql)[k] != '\n') (*sql)[k] = ' ';
    }
    out.push_back(std::move(tt));
    i = end - 1;
  }
  return out;
}

size_t NameEnd(std::string_view sql, size_t begin) {
  std::vector<Token> tokens = Tokenize(sql.substr(begin));
  size_t end = begin;
  for (size_t i = 0; i < tokens.size(); i += 2) {
    if (tokens[i].kind != TokenKind::kWord && tokens[i].kind != TokenKind::kQuotedIdent) break;
    end = begin + tokens[i].end;
    if (i + 1 >= tokens.size() || !IsSymbol(sql.substr(begin), tokens[i + 1], '.')) break;
  }
  return end;
}

std::string FirstKeyword(std::string_view sql, size_t* rest) {
  for (const Token& t : Tokenize(sql)) {
    if (IsSymbol(sql, t, '(')) continue;
    if (t.kind != TokenKind::kWord) return "";
    if (rest) *rest = t.end;
    std::string word(sql.substr(t.begin, t.end - t.begin));
    for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return word;
  }
  return "";
}

}  // namespace tarn::query
