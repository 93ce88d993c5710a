// checkpoint.h — atomic training checkpoints: everything needed to continue a run
// bit for bit.
//
// Layout of DIR:
//   policy/config.json, policy/model.safetensors   the policy in Hugging Face layout
//                                                  (loadable by transformers and vLLM)
//   optimizer.safetensors                          AdamW moments "<param>.exp_avg(_sq)"
//   rng.safetensors                                CPU (and CUDA) generator states, u8
//   trainer_state.json                             {"step", "optimizerStep", "format"}
//   train_config.json                              the training config, verbatim
// The whole directory is written under DIR.tmp-<pid> and renamed into place, so a
// crash leaves either the previous checkpoint or the new one, never a mix. Weights
// are stored in the model's own dtype, so resuming loses nothing.
#pragma once

#include <memory>
#include <string>

#include "loader.h"
#include "optim.h"

namespace datarus {

struct CheckpointMeta {
  int64_t step = 0;        // learner steps completed (may differ from optimiser steps)
  std::string configJson;  // opaque to the native side; "" writes "{}"
};

// optimizer may be null (no step taken yet).
void saveCheckpoint(const std::string& dir, const Model& model, const AdamW* optimizer, const CheckpointMeta& meta);

struct LoadedCheckpoint {
  std::unique_ptr<Model> model;
  std::unique_ptr<AdamW> optimizer;  // null when the checkpoint has no optimiser state
  CheckpointMeta meta;
};

// Loads DIR and restores the global RNG states it holds. The optimiser comes back
// with default options and its moments and step; callers set their options.
LoadedCheckpoint loadCheckpoint(const std::string& dir, const LoadOptions& options);

}  // namespace datarus
