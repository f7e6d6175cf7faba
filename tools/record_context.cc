#include "record_context.hpp"

#include <utility>

#include "connector_crypto/error.hpp"

namespace connector_crypto {
namespace cli {
namespace {

using Kind = ContextSource::Kind;

// Splits "NAME=REST" at the first '='; false when there is none.
bool splitPair(const std::string& arg, std::string& name, std::string& rest) {
  const auto eq = arg.find('=');
  if (eq == std::string::npos) return false;
  name = arg.substr(0, eq);
  rest = arg.substr(eq + 1);
  return true;
}

// True when one path is the other or lies inside it ("config" and "config.auth").
bool overlaps(const FieldPath& a, const FieldPath& b) {
  const std::size_t n = std::min(a.segments.size(), b.segments.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a.segments[i] != b.segments[i]) return false;
  }
  return true;
}

// What a JSON value is, for a message that must not quote it.
const char* typeName(const nlohmann::json& v) {
  if (v.is_number()) return "a number";
  if (v.is_boolean()) return "a boolean";
  if (v.is_array()) return "an array";
  if (v.is_null()) return "null";
  return "an object other than an ObjectId";
}

// The typed value of one field's bytes (an ObjectId or a string), or nullopt with problem.
std::optional<std::string> typedValue(std::string_view text, const std::string& what,
                                      std::string& problem) {
  const std::optional<nlohmann::json> v = parseValue(text);
  if (!v) {
    problem = what + " is not valid JSON";
    return std::nullopt;
  }
  if (v->is_string()) return typedString(v->get_ref<const std::string&>());
  if (v->is_object() && v->size() == 1 && v->contains("$oid") && v->at("$oid").is_string()) {
    try {
      return typedObjectId(v->at("$oid").get_ref<const std::string&>());
    } catch (const Error& e) {
      problem = what + ": " + e.what();
      return std::nullopt;
    }
  }
  problem = what + " is " + typeName(*v) + "; only an ObjectId or a string can be a context value";
  return std::nullopt;
}

// The pairs of spec; each per-record value is asked of perRecord (nullopt stops).
template <typename PerRecord>
std::optional<std::vector<EncryptionContext::Pair>> pairsOf(const ContextSpec& spec,
                                                            PerRecord&& perRecord) {
  std::vector<EncryptionContext::Pair> pairs;
  pairs.reserve(spec.sources.size());
  for (const ContextSource& s : spec.sources) {
    if (s.kind == Kind::kConstant || s.kind == Kind::kPath) {
      pairs.emplace_back(s.name, s.value);
      continue;
    }
    std::optional<std::string> value = perRecord(s);
    if (!value) return std::nullopt;
    pairs.emplace_back(s.name, std::move(*value));
  }
  return pairs;
}

}  // namespace

ContextOption parseContextOption(const std::vector<std::string>& args, std::size_t& i,
                                 bool perRecord, ContextSpec& spec, std::string& problem) {
  const std::string& a = args[i];
  const bool mine =
      a == "--context" ||
      (perRecord && (a == "--context-id" || a == "--context-path" || a == "--context-from"));
  if (!mine) return ContextOption::kNotMine;
  if (i + 1 >= args.size()) {
    problem = a + (a == "--context"        ? " needs NAME=VALUE"
                   : a == "--context-from" ? " needs NAME=FIELD"
                                           : " needs a NAME");
    return ContextOption::kBad;
  }
  const std::string& arg = args[++i];
  ContextSource s;
  if (a == "--context") {
    if (!splitPair(arg, s.name, s.value)) {
      problem = "--context needs NAME=VALUE (its argument has no '=')";
      return ContextOption::kBad;
    }
  } else if (a == "--context-from") {
    std::string field;
    const std::optional<FieldPath> path =
        splitPair(arg, s.name, field) ? parseFieldPath(field) : std::nullopt;
    if (!path) {
      problem =
          "--context-from needs NAME=FIELD, FIELD a dotted path of non-empty names not "
          "starting with '$'";
      return ContextOption::kBad;
    }
    s.kind = Kind::kField;
    s.field = *path;
  } else {
    s.kind = a == "--context-id" ? Kind::kId : Kind::kPath;
    s.name = arg;
  }
  spec.sources.push_back(std::move(s));
  return ContextOption::kTaken;
}

std::optional<std::string> resolveContextSpec(ContextSpec& spec, const FieldPath& credentials) {
  for (ContextSource& s : spec.sources) {
    if (s.kind == Kind::kPath) s.value = credentials.text;
    if (s.kind == Kind::kField && overlaps(s.field, credentials)) {
      return "--context-from \"" + s.name +
             "\": FIELD must not be the --field path, nor lie "
             "inside or around it";
    }
  }
  if (spec.empty()) return std::nullopt;
  // A per-record value is checked with each record; a valid one stands in for it here.
  const std::string stand = typedObjectId("000000000000000000000000");
  const auto pairs = pairsOf(spec, [&](const ContextSource&) { return std::optional(stand); });
  try {
    (void)EncryptionContext(*pairs);
  } catch (const Error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

EncryptionContext constantContext(const ContextSpec& spec) {
  const auto pairs =
      pairsOf(spec, [](const ContextSource&) -> std::optional<std::string> { return {}; });
  if (!pairs) throw Error("constantContext: a per-record context source");
  return EncryptionContext(*pairs);
}

std::optional<EncryptionContext> recordContext(const ContextSpec& spec, std::string_view line,
                                               const Located& where, std::string& problem) {
  const auto pairs = pairsOf(spec, [&](const ContextSource& s) -> std::optional<std::string> {
    const std::string what = "context \"" + s.name + "\": ";
    if (s.kind == Kind::kId) {
      if (!where.id) {
        problem = what + "the document has no _id";
        return std::nullopt;
      }
      return typedValue(where.id->of(line), what + "_id", problem);
    }
    const Located from = locate(line, s.field);
    if (!from.duplicate.empty()) {
      problem = what + "the field \"" + from.duplicate + "\" appears twice";
      return std::nullopt;
    }
    if (!from.field) {
      problem = what + "the field \"" + s.field.text + "\" is missing";
      return std::nullopt;
    }
    return typedValue(from.field->of(line), what + "the field \"" + s.field.text + "\"", problem);
  });
  if (!pairs) return std::nullopt;
  try {
    return EncryptionContext(*pairs);
  } catch (const Error& e) {
    problem = e.what();
    return std::nullopt;
  }
}

}  // namespace cli
}  // namespace connector_crypto
