// checkpointed_forward.h — the decoder stack for training with activation
// checkpointing: each layer's autograd graph is dropped right after its forward
// and rebuilt from the layer's input during backward.
//
// A plain training forward keeps every layer's activations until backward (about
// 14K floats a token per SmolLM2 layer: norms, q/k/v, attention weights, the SwiGLU
// products). Checkpointed, it keeps one [B, T, H] input per layer, and backward
// runs each layer's forward a second time (about a third more FLOPs per step). The
// forward runs in grad mode, layer by layer, so its values and the recomputed ones
// are the plain forward's, bit for bit.
#pragma once

#include <ATen/ATen.h>

#include <optional>
#include <vector>

#include "decoder.h"
#include "model.h"

namespace datarus {

class CheckpointedForward {
 public:
  // ids: [B, T] int64 on any device; positions 0 .. T-1 (no cache). The model's
  // parameters must require grad.
  CheckpointedForward(const Model& model, const at::Tensor& ids);

  // Final normed hidden states [B, T, H]; its graph reaches back only to the last layer's output.
  const at::Tensor& hidden() const { return hidden_; }

  // Accumulates into every parameter's gradient the backward of hidden() against
  // gradHidden [B, T, H]: the final norm, then each layer (recomputed), then the
  // embedding. Once only; the saved inputs are freed as it goes.
  void backward(const at::Tensor& gradHidden);

 private:
  const Model& model_;
  LayerInputs in_;
  at::Tensor embedded_;             // [B, T, H] embedding output, with its (small) graph
  std::vector<at::Tensor> inputs_;  // [B, T, H] per layer: its input, detached
  at::Tensor last_;                 // [B, T, H] the last layer's output, a leaf
  at::Tensor hidden_;               // [B, T, H] rmsNorm(last_)
};

// The decoder stack's hidden states [B, T, H] with a graph for backward: the plain
// forward (Model::hidden), or with `checkpoint` the CheckpointedForward. The
// two-phase backwards (logprobs.h's lossBackward, grpo/token_backward.h) run on it.
class DecoderForward {
 public:
  DecoderForward(const Model& model, const at::Tensor& ids, bool checkpoint);

  const at::Tensor& hidden() const { return hidden_; }
  // Accumulates the backward of hidden() against gradHidden [B, T, H] into the parameters.
  void backward(const at::Tensor& gradHidden);

 private:
  std::optional<CheckpointedForward> checkpointed_;
  at::Tensor hidden_;  // [B, T, H]
};

}  // namespace datarus
