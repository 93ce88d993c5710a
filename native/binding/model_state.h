// model_state.h — the native state behind one JS Model handle.
//
// Shared (shared_ptr) between the handle and any worker in flight, so dispose()
// while a worker runs is safe: memory is freed when the last user lets go.
// `mu` serialises operations on one model; different models run in parallel.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "model.h"
#include "optim.h"

namespace datarus::binding {

struct GrpoState;  // grpo_state.h

struct ModelState {
  std::mutex mu;
  std::unique_ptr<Model> model;
  std::unique_ptr<AdamW> optimizer;  // created on the first optimiser step
  std::string format;
  std::string path;
  std::shared_ptr<GrpoState> grpo;  // reference model and process group (grpo_*.cc)
  // id → bytes of each token, set from the tokenizer; needed for stop strings.
  std::shared_ptr<const std::vector<std::string>> tokenBytes;
};

using StatePtr = std::shared_ptr<ModelState>;

}  // namespace datarus::binding
