// Build configuration shared by every public header.
#pragma once

// Marks the symbols the compiled library exports; everything else stays hidden in a shared build.
#if defined(_WIN32)
#define CONNECTOR_CRYPTO_API
#else
#define CONNECTOR_CRYPTO_API __attribute__((visibility("default")))
#endif

// Inlines every call inside the function it marks (GCC, Clang): for a short, hot path whose callees
// (libstdc++'s string comparison in a map insert) the optimizer would otherwise keep out of line.
#if defined(__GNUC__) || defined(__clang__)
#define CONNECTOR_CRYPTO_FLATTEN __attribute__((flatten))
#else
#define CONNECTOR_CRYPTO_FLATTEN
#endif
