// Transitional, internal, not installed: src/envelope_core.cc still includes
// "connector_crypto/detail/base64.hpp" (another change is rewriting that file). A quoted include
// is looked up beside the including file first, so it lands here: the library's one codec,
// src/base64_fast.hpp. Delete this file once envelope_core.cc includes base64_fast.hpp.
#pragma once

#include "../../base64_fast.hpp"
