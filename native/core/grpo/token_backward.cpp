// token_backward.cpp — the two-phase backward of a loss on log-probs and entropies.
#include "token_backward.h"

#include "checkpointed_forward.h"
#include "error.h"

namespace datarus {

TokenBackwardResult tokenLossBackward(Model& model, const at::Tensor& ids, const TokenLoss& loss, bool entropyGrad,
                                      int64_t logitTokens, bool checkpointLayers) {
  check(ids.dim() == 2 && ids.size(1) >= 2, code::kInvalidArgument, "training needs sequences of at least 2 tokens");
  const int64_t T = ids.size(1) - 1;
  at::Tensor targets = ids.narrow(1, 1, T).to(model.device(), at::kLong);  // [B, T]

  DecoderForward decoder(model, ids.narrow(1, 0, T), checkpointLayers);
  at::Tensor h = decoder.hidden().detach();  // [B, T, H]: cut point between the phases

  // Phase 1: log-probs and entropies without a graph; dLoss/d(logp, H) on [B, T] leaves.
  auto [lp0, ent0] = chunkedLogprobsEntropy(h, model.lmHead().detach(), targets, logitTokens);
  at::Tensor logp = lp0.requires_grad_(true), ent = ent0.requires_grad_(entropyGrad);
  at::Tensor value = loss(logp, ent);
  check(value.dim() == 0, code::kInternal, "loss must be a scalar");
  value.backward();
  at::Tensor gLogp = logp.grad();                                           // [B, T]
  at::Tensor gEnt = entropyGrad ? ent.grad() : at::Tensor();                // [B, T] or undefined
  if (!gLogp.defined()) gLogp = at::zeros_like(logp);

  // Phase 2: each chunk's logits again, and (dL/dlogp, dL/dH) into the head and dLoss/dhidden.
  at::Tensor gradHidden = headBackward(h, model.lmHead(), targets, gLogp, gEnt, logitTokens);
  // Phase 3: the decoder stack, from dLoss/dhidden.
  decoder.backward(gradHidden);
  return {value.item<double>(), logp.detach(), ent.detach()};
}

}  // namespace datarus
