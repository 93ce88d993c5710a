// logprobs.cpp — chunked log-softmax gather, and the two-phase chunked backward.
#include "logprobs.h"

#include <algorithm>

#include "checkpointed_forward.h"
#include "error.h"

namespace datarus {

namespace {

int64_t chunkFor(int64_t batch, int64_t logitTokens) { return std::max<int64_t>(1, logitTokens / std::max<int64_t>(1, batch)); }

}  // namespace

at::Tensor logprobsFromLogits(const at::Tensor& logits, const at::Tensor& targets, at::Tensor* entropy) {
  const at::Tensor& z = logits;  // overwritten in place
  at::Tensor picked = z.gather(-1, targets.unsqueeze(-1));  // [..., 1]
  at::Tensor top = at::amax(z, -1, /*keepdim=*/true);        // [..., 1]
  z.sub_(top);                                               // z' = z − max
  at::Tensor logSum;                                         // log Σ exp z'
  if (entropy) {
    at::Tensor e = z.exp();
    at::Tensor sum = e.sum(-1, /*keepdim=*/true);
    at::Tensor dot = e.mul_(z).sum(-1, /*keepdim=*/true);  // Σ exp(z')·z'
    logSum = sum.log();
    *entropy = (logSum - dot / sum).squeeze(-1);           // H = log Σ − Σ p·z'
  } else {
    logSum = z.exp_().sum(-1, /*keepdim=*/true).log_();
  }
  return (picked - top - logSum).squeeze(-1);
}

std::pair<at::Tensor, at::Tensor> chunkedLogprobsEntropy(const at::Tensor& hidden, const at::Tensor& lmHead,
                                                         const at::Tensor& targets, int64_t logitTokens,
                                                         bool wantEntropy) {
  at::NoGradGuard noGrad;
  const int64_t B = hidden.size(0), T = hidden.size(1), c = chunkFor(B, logitTokens);
  at::Tensor logp = at::empty({B, T}, hidden.options().dtype(accType(hidden)));
  at::Tensor ent = wantEntropy ? at::empty_like(logp) : at::Tensor();
  at::Tensor tgt = targets.to(hidden.device(), at::kLong);
  for (int64_t s = 0; s < T; s += c) {
    const int64_t n = std::min(c, T - s);
    at::Tensor h = hidden.narrow(1, s, n), e;
    at::Tensor lp = logprobsFromLogits(at::linear(h, lmHead).to(accType(h)), tgt.narrow(1, s, n),  // logits [B, n, V]
                                       wantEntropy ? &e : nullptr);
    logp.narrow(1, s, n).copy_(lp);
    if (wantEntropy) ent.narrow(1, s, n).copy_(e);
  }
  return {logp, ent};
}

at::Tensor chunkedLogprobs(const Model& model, const at::Tensor& hidden, const at::Tensor& targets,
                           int64_t logitTokens) {
  return chunkedLogprobsEntropy(hidden, model.lmHead(), targets, logitTokens, false).first;
}

at::Tensor sequenceLogprobs(const Model& model, const at::Tensor& ids, int64_t logitTokens) {
  check(ids.dim() == 2 && ids.size(1) >= 2, code::kInvalidArgument, "log-probs need sequences of at least 2 tokens");
  at::NoGradGuard noGrad;
  const int64_t T = ids.size(1);
  at::Tensor hidden = model.hidden(ids.narrow(1, 0, T - 1));  // [B, T-1, H]
  return chunkedLogprobs(model, hidden, ids.narrow(1, 1, T - 1), logitTokens);
}

BackwardResult lossBackward(Model& model, const at::Tensor& ids, const LogprobLoss& loss, int64_t logitTokens,
                            bool checkpointLayers) {
  check(ids.dim() == 2 && ids.size(1) >= 2, code::kInvalidArgument, "training needs sequences of at least 2 tokens");
  const int64_t T = ids.size(1) - 1;
  at::Tensor targets = ids.narrow(1, 1, T).to(model.device(), at::kLong);

  DecoderForward decoder(model, ids.narrow(1, 0, T), checkpointLayers);
  at::Tensor h = decoder.hidden().detach();  // [B, T, H]: cut point between the phases

  // Phase 1: log-probs without a graph, then dLoss/dlogp on a small [B, T] leaf.
  at::Tensor logp = chunkedLogprobs(model, h, targets, logitTokens).requires_grad_(true);
  at::Tensor value = loss(logp);
  check(value.dim() == 0, code::kInternal, "loss must be a scalar");
  value.backward();
  at::Tensor gradLogp = logp.grad();  // [B, T] fp32
  if (!gradLogp.defined()) gradLogp = at::zeros_like(logp);

  // Phase 2: each chunk's logits again, and their gradient into the head and dLoss/dhidden.
  at::Tensor gradHidden = headBackward(h, model.lmHead(), targets, gradLogp, at::Tensor(), logitTokens);
  // Phase 3: the decoder stack, from dLoss/dhidden.
  decoder.backward(gradHidden);
  return {value.item<double>(), logp.detach()};
}

at::Tensor headBackward(const at::Tensor& hidden, const at::Tensor& lmHead, const at::Tensor& targets,
                        const at::Tensor& gLogp, const at::Tensor& gEntropy, int64_t logitTokens) {
  at::NoGradGuard noGrad;
  const int64_t B = hidden.size(0), T = hidden.size(1), H = hidden.size(2), V = lmHead.size(0);
  const int64_t c = chunkFor(B, logitTokens);
  check(gLogp.dim() == 2 && gLogp.size(0) == B && gLogp.size(1) == T, code::kInternal, "gLogp must be [B, T]");
  const bool withEntropy = gEntropy.defined();
  at::Tensor gradHidden = at::zeros_like(hidden, at::MemoryFormat::Contiguous);  // [B, T, H]
  const bool headGrad = lmHead.requires_grad();
  at::Tensor headW = lmHead.detach();
  if (headGrad && !lmHead.grad().defined()) lmHead.mutable_grad() = at::zeros_like(headW);
  at::Tensor live = gLogp.ne(0).any(0);  // [T]
  if (withEntropy) live = live.logical_or(gEntropy.ne(0).any(0));
  at::Tensor nz = at::nonzero(live);
  if (nz.numel() == 0) return gradHidden;
  const int64_t first = nz.min().item<int64_t>();
  at::Tensor tgt = targets.to(hidden.device(), at::kLong);
  for (int64_t s = first; s < T; s += c) {
    const int64_t n = std::min(c, T - s);
    at::Tensor h = hidden.narrow(1, s, n);
    at::Tensor z = at::linear(h, headW).to(accType(h));  // [B, n, V] logits
    z.sub_(at::amax(z, -1, /*keepdim=*/true));           // z' = z − max
    at::Tensor g = gLogp.narrow(1, s, n).unsqueeze(-1).to(z.scalar_type());  // [B, n, 1]
    if (withEntropy) {
      at::Tensor p = z.exp();  // [B, n, V]
      at::Tensor sum = p.sum(-1, /*keepdim=*/true);
      p.div_(sum);
      z.sub_(sum.log_());  // log p
      at::Tensor ent = at::bmm(p.view({B * n, 1, V}), z.view({B * n, V, 1})).view({B, n, 1}).neg_();  // −Σ p log p
      at::Tensor e = gEntropy.narrow(1, s, n).unsqueeze(-1).to(z.scalar_type());
      z.add_(ent).mul_(e).add_(g).mul_(p).neg_();  // −p·(g + gH·(log p + H))
    } else {
      z.exp_();
      z.div_(z.sum(-1, /*keepdim=*/true)).mul_(g).neg_();  // −p·g
    }
    z.scatter_add_(-1, tgt.narrow(1, s, n).unsqueeze(-1), g);  // + g at the target: dLoss/dlogits
    at::Tensor gz = z.to(h.scalar_type());
    gradHidden.narrow(1, s, n).copy_(at::matmul(gz, headW));  // [B, n, H]
    if (headGrad) lmHead.mutable_grad().addmm_(gz.reshape({B * n, V}).t(), h.reshape({B * n, H}));
  }
  return gradHidden;
}

}  // namespace datarus
