#include "tarn/pgwire/sql_lexer.h"

#include <cctype>

namespace tarn::pgwire {
namespace {

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsIdentChar(char c) {
  return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}
bool IsOperatorChar(char c) {
  return std::string_view("+-*/<>=~!@#%^&|`?").find(c) != std::string_view::npos;
}

// Skips whitespace and comments; returns the position of the next token.
size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
    } else if (s.compare(i, 2, "--") == 0) {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (s.compare(i, 2, "/*") == 0) {
      int depth = 0;
      do {
        if (s.compare(i, 2, "/*") == 0) {
          ++depth;
          i += 2;
        } else if (s.compare(i, 2, "*/") == 0) {
          --depth;
          i += 2;
        } else {
          ++i;
        }
      } while (depth > 0 && i < s.size());
    } else {
      break;
    }
  }
  return i;
}

}  // namespace

std::vector<SqlToken> LexSql(std::string_view s) {
  std::vector<SqlToken> out;
  size_t i = SkipSpace(s, 0);
  while (i < s.size()) {
    SqlToken t;
    t.begin = i;
    char c = s[i];
    if ((c == 'E' || c == 'e') && i + 1 < s.size() && s[i + 1] == '\'') {
      // E'...': backslash escapes.
      t.kind = SqlToken::Kind::kString;
      i += 2;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          char n = s[i + 1];
          t.value.push_back(n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n);
          i += 2;
        } else if (s[i] == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
          t.value.push_back('\'');
          i += 2;
        } else if (s[i] == '\'') {
          ++i;
          closed = true;
          break;
        } else {
          t.value.push_back(s[i++]);
        }
      }
      if (!closed) break;
    } else if (IsIdentStart(c)) {
      t.kind = SqlToken::Kind::kWord;
      while (i < s.size() && IsIdentChar(s[i])) {
        t.value.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(s[i]))));
        ++i;
      }
    } else if (c == '"') {
      t.kind = SqlToken::Kind::kQuotedIdent;
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '"' && i + 1 < s.size() && s[i + 1] == '"') {
          t.value.push_back('"');
          i += 2;
        } else if (s[i] == '"') {
          ++i;
          closed = true;
          break;
        } else {
          t.value.push_back(s[i++]);
        }
      }
      if (!closed) break;
    } else if (c == '\'') {
      t.kind = SqlToken::Kind::kString;
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
          t.value.push_back('\'');
          i += 2;
        } else if (s[i] == '\'') {
          ++i;
          closed = true;
          break;
        } else {
          t.value.push_back(s[i++]);
        }
      }
      if (!closed) break;
    } else if (c == '$' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      t.kind = SqlToken::Kind::kParam;
      ++i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      t.value = std::string(s.substr(t.begin, i - t.begin));
    } else if (c == '$') {
      // $tag$ ... $tag$
      size_t close = s.find('$', i + 1);
      if (close == std::string_view::npos) break;
      std::string_view tag = s.substr(i, close - i + 1);
      size_t end = s.find(tag, close + 1);
      if (end == std::string_view::npos) break;
      t.kind = SqlToken::Kind::kString;
      t.value = std::string(s.substr(close + 1, end - close - 1));
      i = end + tag.size();
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < s.size() &&
                std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      t.kind = SqlToken::Kind::kNumber;
      while (i < s.size() &&
             (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '.' ||
              ((s[i] == '+' || s[i] == '-') && (s[i - 1] == 'e' || s[i - 1] == 'E')))) {
        ++i;
      }
      t.value = std::string(s.substr(t.begin, i - t.begin));
    } else if (c == ':' && i + 1 < s.size() && s[i + 1] == ':') {
      t.value = "::";
      i += 2;
    } else if (IsOperatorChar(c)) {
      while (i < s.size() && IsOperatorChar(s[i]) && s.compare(i, 2, "--") != 0 &&
             s.compare(i, 2, "/*") != 0) {
        ++i;
      }
      t.value = std::string(s.substr(t.begin, i - t.begin));
    } else {
      t.value = std::string(1, c);
      ++i;
    }
    t.end = i;
    out.push_back(std::move(t));
    i = SkipSpace(s, i);
  }
  return out;
}

std::string QuoteSqlString(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

}  // namespace tarn::pgwire
