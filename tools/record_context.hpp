// Encryption contexts from the command line (--context, --context-id, --context-path,
// --context-from) and, for rewrap and audit, built per record from a mongoexport line. The rules of
// names and values are the library's (EncryptionContext, typedObjectId, typedString).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector_crypto/context.hpp"
#include "export_line.hpp"

namespace connector_crypto {
namespace cli {

// Where one context pair's value comes from.
struct ContextSource {
  enum class Kind {
    kConstant,  // --context NAME=VALUE: VALUE as given
    kId,        // --context-id NAME: the document's _id, typed
    kPath,      // --context-path NAME: the --field path as given
    kField,     // --context-from NAME=FIELD: the document's FIELD, typed
  };
  Kind kind = Kind::kConstant;
  std::string name;
  std::string value;  // kConstant: the value; kPath: the field path (resolveContextPaths)
  FieldPath field;    // kField: where the value is
};

// Every context pair a command line asked for, in the order given; empty: no context.
struct ContextSpec {
  std::vector<ContextSource> sources;
  bool empty() const noexcept { return sources.empty(); }
};

// What parseContextOption made of args[i].
enum class ContextOption { kNotMine, kTaken, kBad };

// When args[i] is --context (or, with perRecord, --context-id, --context-path, --context-from),
// adds its pair to spec and moves i past its value; kBad sets problem (a usage error that never
// quotes a value: an argument without '=' may be a value given alone).
ContextOption parseContextOption(const std::vector<std::string>& args, std::size_t& i,
                                 bool perRecord, ContextSpec& spec, std::string& problem);

// Gives every --context-path pair the credentials field's path, then checks the whole spec by the
// library's rules (names, values, count, a name given twice), a per-record value standing in as a
// valid one, and that no --context-from reads the credentials field. The problem, or nullopt.
std::optional<std::string> resolveContextSpec(ContextSpec& spec, const FieldPath& credentials);

// The context of a spec without per-record sources (encrypt, decrypt); throws the library's Error.
EncryptionContext constantContext(const ContextSpec& spec);

// The record's context: _id and --context-from fields read from line (where: locate's result for
// it) and typed as every side types them (an ObjectId {"$oid":…} -> typedObjectId, a string ->
// typedString; any other type is not supported). nullopt with problem (naming the pair and the
// field, never a value) when a field is missing, null, repeated or of another type, or the library
// refuses the context.
std::optional<EncryptionContext> recordContext(const ContextSpec& spec, std::string_view line,
                                               const Located& where, std::string& problem);

}  // namespace cli
}  // namespace connector_crypto
