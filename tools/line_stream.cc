#include "line_stream.hpp"

namespace connector_crypto {
namespace cli {

bool LineReader::next(LineBatch& batch) {
  if (!error_.empty()) return false;
  batch.lines.clear();
  batch.text.clear();
  batch.text.swap(carry_);
  batch.firstLineNumber = lines_ + 1;
  std::size_t pos = 0;
  std::size_t searchFrom = 0;
  for (;;) {
    const std::size_t nl = batch.text.find('\n', searchFrom);
    if (nl != std::string::npos) {
      batch.lines.push_back({pos, nl - pos, true});
      pos = searchFrom = nl + 1;
      if (batch.lines.size() >= kMaxLines || pos >= kTargetBytes) break;
      continue;
    }
    searchFrom = batch.text.size();
    if (batch.text.size() - pos > kMaxLineBytes) {
      error_ = "line " + std::to_string(lines_ + batch.lines.size() + 1) + " is longer than 64 MiB";
      return false;
    }
    if (eof_) {
      if (pos < batch.text.size()) {
        batch.lines.push_back({pos, batch.text.size() - pos, false});
        pos = batch.text.size();
      }
      break;
    }
    const std::size_t old = batch.text.size();
    batch.text.resize(old + kChunkBytes);
    in_.read(&batch.text[old], static_cast<std::streamsize>(kChunkBytes));
    const auto got = static_cast<std::size_t>(in_.gcount());
    batch.text.resize(old + got);
    bytes_ += got;
    if (in_.bad()) {
      error_ = "cannot read the input";
      return false;
    }
    if (got < kChunkBytes) eof_ = true;
  }
  carry_.assign(batch.text, pos, std::string::npos);
  batch.text.resize(pos);
  lines_ += batch.lines.size();
  return !batch.lines.empty();
}

}  // namespace cli
}  // namespace connector_crypto
