// checkpointed_forward.cpp — layer-wise forward that keeps only layer inputs, and
// the backward that recomputes each layer from its input.
#include "checkpointed_forward.h"

#include "error.h"

namespace datarus {

CheckpointedForward::CheckpointedForward(const Model& model, const at::Tensor& ids) : model_(model) {
  check(ids.dim() == 2 && ids.size(1) >= 1, code::kInvalidArgument, "ids must be [B, T] with T >= 1");
  const ModelConfig& c = model.config();
  const int64_t T = ids.size(1);
  check(T <= c.maxPositions, code::kContextOverflow, "positions up to ", T, " exceed the context of ", c.maxPositions);
  check(at::GradMode::is_enabled(), code::kInternal, "a checkpointed forward needs grad mode");
  in_ = layerInputs(c, model.dtype(), model.device(), T, 0, nullptr);  // no cache, no decode panels
  embedded_ = at::embedding(model.embedding(), ids.to(model.device(), at::kLong));  // [B, T, H]
  at::Tensor x = embedded_.detach();
  inputs_.reserve(model.layers().size());
  for (size_t l = 0; l < model.layers().size(); ++l) {
    inputs_.push_back(x);
    x = decoderLayer(c, model.layers()[l], x, in_, l).detach();  // the layer's graph goes with its output
  }
  last_ = x.requires_grad_(true);
  hidden_ = rmsNorm(last_, model.finalNorm(), c.rmsNormEps);
}

void CheckpointedForward::backward(const at::Tensor& gradHidden) {
  check(!inputs_.empty() || model_.layers().empty(), code::kInternal, "checkpointed backward runs once");
  hidden_.backward(gradHidden);
  at::Tensor grad = last_.grad();  // [B, T, H] dLoss/d(last layer's output)
  hidden_ = last_ = at::Tensor();
  for (size_t l = model_.layers().size(); l-- > 0;) {
    at::Tensor x = inputs_[l].requires_grad_(true);
    inputs_[l] = at::Tensor();
    at::Tensor y = decoderLayer(model_.config(), model_.layers()[l], x, in_, l);  // recomputed with its graph
    y.backward(grad);
    grad = x.grad();  // [B, T, H] dLoss/d(layer input)
  }
  inputs_.clear();
  embedded_.backward(grad);
}

DecoderForward::DecoderForward(const Model& model, const at::Tensor& ids, bool checkpoint) {
  if (checkpoint) {
    checkpointed_.emplace(model, ids);
    hidden_ = checkpointed_->hidden();
  } else {
    hidden_ = model.hidden(ids);
  }
}

void DecoderForward::backward(const at::Tensor& gradHidden) {
  if (checkpointed_) checkpointed_->backward(gradHidden);
  else hidden_.backward(gradHidden);
}

}  // namespace datarus
