// README.md's "Binding envelopes to their records" sample, compiled as it stands (CMake extracts
// the block into readme_binding_sample.inc), driven over a mongoexport-style file:
//   readme_binding write < plain.jsonl   each record's plaintext "credentials" saved through
//                                        saveCredentials; prints the records
//   readme_binding read < stored.jsonl   readCredentials of each record: its compact plaintext, or
//                                        "error <ErrorCode name>"; exit 1 when any record failed
// A record is {"_id":{"$oid":H},"workspaceId":{"$oid":T},"credentials":...}: T is the tenant a
// service takes from the authenticated request, H the document's _id.
#include <iostream>
#include <string>

#include <connector_crypto/connector_crypto.hpp>

namespace cc = connector_crypto;

namespace {
#include "readme_binding_sample.inc"
}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 2 ? argv[1] : "";
  if (mode != "write" && mode != "read") {
    std::cerr << "usage: readme_binding write|read < records.jsonl\n";
    return 2;
  }
  int status = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    nlohmann::json instance = nlohmann::json::parse(line);
    const std::string idHex = instance.at("_id").at("$oid").get<std::string>();
    const std::string tenantHex = instance.at("workspaceId").at("$oid").get<std::string>();
    if (mode == "write") {
      const nlohmann::json plain = instance.at("credentials");
      saveCredentials(instance, plain, tenantHex, idHex);
      std::cout << instance.dump() << "\n";
      continue;
    }
    try {
      std::cout << readCredentials(instance, tenantHex, idHex).dump() << "\n";
    } catch (const cc::Error& e) {
      std::cout << "error " << cc::errorCodeName(e.code()) << "\n";
      status = 1;
    }
  }
  return status;
}
