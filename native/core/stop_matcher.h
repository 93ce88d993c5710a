// stop_matcher.h — stop strings matched on decoded bytes across token boundaries.
//
// Tokens are fed one at a time as their byte strings; a match is reported when a
// stop string ends inside the bytes just fed (so "</ans" + "wer>" matches
// "</answer>"). Only the last (longest stop − 1) bytes are kept, so memory stays
// constant however long the sample runs.
#pragma once

#include <string>
#include <vector>

namespace datarus {

class StopMatcher {
 public:
  explicit StopMatcher(const std::vector<std::string>* stops = nullptr);
  // Appends one token's bytes; true when a stop string now ends within them.
  bool feed(const std::string& bytes);
  void reset() { tail_.clear(); }

 private:
  const std::vector<std::string>* stops_;
  size_t keep_ = 0;
  std::string tail_;
};

}  // namespace datarus
