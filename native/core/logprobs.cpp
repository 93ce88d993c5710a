// logprobs.cpp — chunked log-softmax gather, and the two-phase chunked backward.
#include "logprobs.h"

#include <algorithm>

#include "error.h"

namespace datarus {

namespace {

int64_t chunkFor(int64_t batch, int64_t logitTokens) { return std::max<int64_t>(1, logitTokens / std::max<int64_t>(1, batch)); }

// hidden chunk [B, c, H], targets [B, c] → [B, c] fp32, differentiable.
at::Tensor chunkLogprobs(const Model& model, const at::Tensor& h, const at::Tensor& targets) {
  at::Tensor logits = at::linear(h, model.lmHead()).to(accType(h));  // [B, c, V] fp32
  at::Tensor lse = at::logsumexp(logits, -1);                         // [B, c]
  return logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1) - lse;
}

}  // namespace

at::Tensor chunkedLogprobs(const Model& model, const at::Tensor& hidden, const at::Tensor& targets,
                           int64_t logitTokens) {
  at::NoGradGuard noGrad;
  const int64_t B = hidden.size(0), T = hidden.size(1), c = chunkFor(B, logitTokens);
  at::Tensor out = at::empty({B, T}, hidden.options().dtype(accType(hidden)));
  at::Tensor tgt = targets.to(hidden.device(), at::kLong);
  for (int64_t s = 0; s < T; s += c) {
    int64_t n = std::min(c, T - s);
    out.narrow(1, s, n).copy_(chunkLogprobs(model, hidden.narrow(1, s, n), tgt.narrow(1, s, n)));
  }
  return out;
}

at::Tensor sequenceLogprobs(const Model& model, const at::Tensor& ids, int64_t logitTokens) {
  check(ids.dim() == 2 && ids.size(1) >= 2, code::kInvalidArgument, "log-probs need sequences of at least 2 tokens");
  at::NoGradGuard noGrad;
  const int64_t T = ids.size(1);
  at::Tensor hidden = model.hidden(ids.narrow(1, 0, T - 1));  // [B, T-1, H]
  return chunkedLogprobs(model, hidden, ids.narrow(1, 1, T - 1), logitTokens);
}

BackwardResult lossBackward(Model& model, const at::Tensor& ids, const LogprobLoss& loss, int64_t logitTokens) {
  check(ids.dim() == 2 && ids.size(1) >= 2, code::kInvalidArgument, "training needs sequences of at least 2 tokens");
  const int64_t B = ids.size(0), T = ids.size(1) - 1, c = chunkFor(B, logitTokens);
  at::Tensor targets = ids.narrow(1, 1, T).to(model.device(), at::kLong);

  at::Tensor hidden = model.hidden(ids.narrow(1, 0, T));  // [B, T, H], graph through the decoder
  at::Tensor h = hidden.detach().requires_grad_(true);   // cut point between the two phases

  // Phase 1: log-probs without a graph, then dLoss/dlogp on a small [B, T] leaf.
  at::Tensor logp = chunkedLogprobs(model, h.detach(), targets, logitTokens).requires_grad_(true);
  at::Tensor value = loss(logp);
  check(value.dim() == 0, code::kInternal, "loss must be a scalar");
  value.backward();
  at::Tensor gradLogp = logp.grad();  // [B, T] fp32

  // Phase 2: recompute each chunk's logits with grad and backpropagate its slice.
  for (int64_t s = 0; s < T; s += c) {
    int64_t n = std::min(c, T - s);
    at::Tensor lp = chunkLogprobs(model, h.narrow(1, s, n), targets.narrow(1, s, n));
    lp.backward(gradLogp.narrow(1, s, n));
  }
  // Phase 3: the decoder stack, from the accumulated dLoss/dhidden.
  hidden.backward(h.grad());
  return {value.item<double>(), logp.detach()};
}

}  // namespace datarus
