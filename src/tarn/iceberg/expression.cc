#include "tarn/iceberg/expression.h"

namespace tarn::iceberg {

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kEq: return "=";
    case Op::kLt: return "<";
    case Op::kLtEq: return "<=";
    case Op::kGt: return ">";
    case Op::kGtEq: return ">=";
    case Op::kIn: return "IN";
    case Op::kIsNull: return "IS NULL";
    case Op::kNotNull: return "IS NOT NULL";
  }
  return "?";
}

std::string Predicate::ToString() const {
  std::string out = column.empty() ? "field " + std::to_string(field_id) : column;
  out += ' ';
  out += OpName(op);
  if (op == Op::kIn) {
    out += " (";
    for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + values[i].ToString();
    out += ')';
  } else if (!values.empty()) {
    out += ' ' + values[0].ToString();
  }
  return out;
}

}  // namespace tarn::iceberg
