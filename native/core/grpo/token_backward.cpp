// token_backward.cpp — chunked log-probs + entropies and their two-phase backward.
#include "token_backward.h"

#include <algorithm>

#include "error.h"

namespace datarus {

namespace {

int64_t chunkFor(int64_t batch, int64_t logitTokens) { return std::max<int64_t>(1, logitTokens / std::max<int64_t>(1, batch)); }

// h: [B, c, H], targets [B, c] → (logp [B, c], entropy [B, c]) in fp32 (fp64 for fp64 models).
std::pair<at::Tensor, at::Tensor> chunkTerms(const at::Tensor& h, const at::Tensor& lmHead, const at::Tensor& targets,
                                             bool wantEntropy) {
  at::Tensor ent;
  at::Tensor lp = logprobsFromLogits(at::linear(h, lmHead).to(accType(h)), targets,  // logits [B, c, V]
                                     wantEntropy ? &ent : nullptr);
  return {lp, ent};
}

}  // namespace

std::pair<at::Tensor, at::Tensor> chunkedLogprobsEntropy(const at::Tensor& hidden, const at::Tensor& lmHead,
                                                         const at::Tensor& targets, int64_t logitTokens,
                                                         bool wantEntropy) {
  at::NoGradGuard noGrad;
  const int64_t B = hidden.size(0), T = hidden.size(1), c = chunkFor(B, logitTokens);
  at::Tensor logp = at::empty({B, T}, hidden.options().dtype(accType(hidden)));
  at::Tensor ent = wantEntropy ? at::empty_like(logp) : at::Tensor();
  at::Tensor tgt = targets.to(hidden.device(), at::kLong);
  for (int64_t s = 0; s < T; s += c) {
    int64_t n = std::min(c, T - s);
    auto [lp, e] = chunkTerms(hidden.narrow(1, s, n), lmHead, tgt.narrow(1, s, n), wantEntropy);
    logp.narrow(1, s, n).copy_(lp);
    if (wantEntropy) ent.narrow(1, s, n).copy_(e);
  }
  return {logp, ent};
}

TokenBackwardResult tokenLossBackward(Model& model, const at::Tensor& ids, const TokenLoss& loss, bool entropyGrad,
                                      int64_t logitTokens) {
  check(ids.dim() == 2 && ids.size(1) >= 2, code::kInvalidArgument, "training needs sequences of at least 2 tokens");
  const int64_t T = ids.size(1) - 1;
  at::Tensor targets = ids.narrow(1, 1, T).to(model.device(), at::kLong);  // [B, T]

  at::Tensor hidden = model.hidden(ids.narrow(1, 0, T));  // [B, T, H], graph through the decoder
  at::Tensor h = hidden.detach();                        // cut point between the phases

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
  hidden.backward(gradHidden);
  return {value.item<double>(), logp.detach(), ent.detach()};
}

}  // namespace datarus
