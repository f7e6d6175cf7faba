// Streaming JSON Lines in bounded batches, processed on worker threads, consumed in input order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <future>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace connector_crypto {
namespace cli {

// Consecutive lines of the input, held in one buffer.
struct LineBatch {
  struct Line {
    std::size_t offset = 0;
    std::size_t size = 0;  // without the newline
    bool newline = false;  // the line ended with '\n' (the last line of a file may not)
  };
  std::string text;
  std::vector<Line> lines;
  std::uint64_t firstLineNumber = 1;  // 1-based number of lines[0]
  std::string_view line(std::size_t i) const noexcept {
    return std::string_view(text).substr(lines[i].offset, lines[i].size);
  }
};

// Splits a stream into batches of at most kMaxLines lines / about kTargetBytes bytes.
class LineReader {
 public:
  static constexpr std::size_t kMaxLines = 2048;
  static constexpr std::size_t kTargetBytes = std::size_t{1} << 20;
  static constexpr std::size_t kChunkBytes = std::size_t{1} << 20;
  // A longer line is an error (MongoDB documents are at most 16 MiB as BSON).
  static constexpr std::size_t kMaxLineBytes = std::size_t{64} << 20;

  explicit LineReader(std::istream& in) : in_(in) {}
  // Fills batch with the next lines; false at the end of input or on an error (see error()).
  bool next(LineBatch& batch);
  // Bytes read from the stream so far.
  std::uint64_t bytesRead() const noexcept { return bytes_; }
  // Non-empty after a read error or an over-long line.
  const std::string& error() const noexcept { return error_; }

 private:
  std::istream& in_;
  std::string carry_;
  std::uint64_t bytes_ = 0;
  std::uint64_t lines_ = 0;
  bool eof_ = false;
  std::string error_;
};

// Runs work(batch) -> Result on up to `threads` batches at once (std::async) and hands the results
// to sink(Result&&) -> bool on the calling thread in input order; stops early when sink returns
// false. Memory stays bounded by `threads` + 1 batches. Returns false if the reader failed.
template <typename Work, typename Sink>
bool processInOrder(LineReader& reader, unsigned threads, Work work, Sink sink) {
  using Result = decltype(work(std::declval<LineBatch&>()));
  std::deque<std::future<Result>> inFlight;
  bool keepGoing = true;
  while (keepGoing) {
    LineBatch batch;
    if (!reader.next(batch)) break;
    inFlight.push_back(std::async(std::launch::async,
                                  [&work, b = std::move(batch)]() mutable { return work(b); }));
    while (keepGoing && inFlight.size() >= threads) {
      Result r = inFlight.front().get();
      inFlight.pop_front();
      keepGoing = sink(std::move(r));
    }
  }
  while (!inFlight.empty()) {
    Result r = inFlight.front().get();
    inFlight.pop_front();
    if (keepGoing) keepGoing = sink(std::move(r));
  }
  return reader.error().empty();
}

}  // namespace cli
}  // namespace connector_crypto
