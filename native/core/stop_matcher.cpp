// stop_matcher.cpp — rolling-tail substring search for stop strings.
#include "stop_matcher.h"

#include <algorithm>

namespace datarus {

StopMatcher::StopMatcher(const std::vector<std::string>* stops) : stops_(stops) {
  if (stops_)
    for (const auto& s : *stops_) keep_ = std::max(keep_, s.size());
}

bool StopMatcher::feed(const std::string& bytes) {
  if (!stops_ || stops_->empty() || bytes.empty()) return false;
  const size_t before = tail_.size();
  tail_ += bytes;
  bool hit = false;
  for (const auto& s : *stops_) {
    // A new match must end after `before`, so it starts after before − |s|.
    size_t from = before >= s.size() ? before - s.size() + 1 : 0;
    if (tail_.find(s, from) != std::string::npos) {
      hit = true;
      break;
    }
  }
  if (tail_.size() > keep_) tail_.erase(0, tail_.size() - keep_);
  return hit;
}

}  // namespace datarus
