// Build configuration shared by every public header.
#pragma once

// Marks the symbols the compiled library exports; everything else stays hidden in a shared build.
#if defined(_WIN32)
#define CONNECTOR_CRYPTO_API
#else
#define CONNECTOR_CRYPTO_API __attribute__((visibility("default")))
#endif
