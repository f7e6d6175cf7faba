// check: load the keyring like a service and print kids and fingerprints, never key material.
#include <ostream>

#include "cli_common.hpp"
#include "connector_crypto/connector_crypto.hpp"

namespace connector_crypto {
namespace cli {
namespace {

constexpr const char* kCheckHelp =
    "usage: connector-crypto check\n"
    "\n"
    "Loads the keyring from the environment exactly as a service does (CONNECTOR_CRED_KEY[_FILE],\n"
    "CONNECTOR_CRED_KID, CONNECTOR_CRED_KEYS[_FILE], CONNECTOR_CRED_ACTIVE_KID[_FILE],\n"
    "CONNECTOR_CRED_REQUIRE_ENCRYPTED, CONNECTOR_CRED_BIND_CONTEXT,\n"
    "CONNECTOR_CRED_REQUIRE_CONTEXT, CONNECTOR_CRED_RELOAD_SECONDS) and prints:\n"
    "  active_kid <kid>\n"
    "  kid <kid> fingerprint <16 hex> [active]     (one line per kid)\n"
    "  require_encrypted on|off\n"
    "  bind_context on|off        (new envelopes are bound to their record's context)\n"
    "  require_context on|off     (unbound envelopes are refused on read)\n"
    "  config_fingerprint <16 hex>  (names the kids, their fingerprints and the active kid)\n"
    "A fingerprint is HMAC-SHA-256(key, \"connector-crypto key fingerprint v1\"), cut to 16 hex\n"
    "characters: run check on every service and compare, to confirm they hold the same keys\n"
    "without revealing them. The configuration fingerprint is what Keyring::configFingerprint()\n"
    "returns in a service holding the same configuration: the gate of a rotation without\n"
    "restarts (docs/ROTATION.md). Never prints key material.\n"
    "Exit 2 with the library's message when the configuration is invalid; 1 when standard\n"
    "output could not be written.\n";

int runCheck(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
             const CliEnv& env) {
  if (!args.empty()) return usageError(err, "check", "unexpected argument '" + args[0] + "'");
  const Keyring keyring = keyringOf(env);
  out << "active_kid " << keyring.activeKid() << "\n";
  for (const std::string& kid : keyring.kids()) {
    out << "kid " << kid << " fingerprint " << keyring.fingerprint(kid)
        << (kid == keyring.activeKid() ? " active" : "") << "\n";
  }
  const KeyringOptions& options = keyring.options();
  const auto onOff = [](bool on) { return on ? "on" : "off"; };
  out << "require_encrypted " << onOff(options.requireEncrypted) << "\n"
      << "bind_context " << onOff(options.bindContext) << "\n"
      << "require_context " << onOff(options.requireContext) << "\n"
      << "config_fingerprint " << keyring.configFingerprint() << "\n";
  return kExitOk;
}

}  // namespace

Command checkCommand() {
  return {"check", "load the keyring from the environment; print kids and fingerprints", kCheckHelp,
          runCheck};
}

}  // namespace cli
}  // namespace connector_crypto
