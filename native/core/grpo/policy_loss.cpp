// policy_loss.cpp — clipped surrogate + KL + entropy bonus, aggregated by lossType.
#include "policy_loss.h"

#include "error.h"

namespace datarus {

void LossSums::add(const LossSums& o) {
  tokens += o.tokens, sequences += o.sequences, kl += o.kl, entropy += o.entropy, ratio += o.ratio;
  clipLow += o.clipLow, clipHigh += o.clipHigh;
}

PolicyLoss grpoPolicyLoss(const GrpoLossOptions& o, const LossNormalizer& n, const at::Tensor& logp,
                          const at::Tensor& oldLogp, const at::Tensor& refLogp, const at::Tensor& advantages,
                          const at::Tensor& mask, const at::Tensor& entropy) {
  check(logp.dim() == 2 && mask.sizes() == logp.sizes(), code::kInvalidArgument, "logp and mask must both be [B, T]");
  check(advantages.dim() == 1 && advantages.size(0) == logp.size(0), code::kInvalidArgument,
        "advantages must be [B]");
  check(o.epsilon >= 0 && o.epsilonHigh >= 0 && o.beta >= 0, code::kInvalidArgument,
        "epsilon, epsilonHigh and beta must be >= 0");
  at::Tensor old = oldLogp.defined() ? oldLogp.detach() : logp.detach();  // [B, T]
  at::Tensor adv = advantages.detach().unsqueeze(1);                        // [B, 1]
  at::Tensor ratio = at::exp(logp - old);                                    // [B, T]
  at::Tensor clipped = at::clamp(ratio, 1.0 - o.epsilon, 1.0 + o.epsilonHigh);
  at::Tensor perToken = -at::min(ratio * adv, clipped * adv);  // [B, T]

  PolicyLoss out;
  at::Tensor kl;
  if (o.beta > 0) {
    check(refLogp.defined() && refLogp.sizes() == logp.sizes(), code::kInvalidArgument,
          "beta > 0 needs reference log-probs of shape [B, T]");
    kl = perTokenKl(o.kl, logp, refLogp);  // [B, T]
    perToken = perToken + o.beta * kl;
  }
  if (o.entropyCoef != 0) {
    check(entropy.defined() && entropy.sizes() == logp.sizes(), code::kInvalidArgument,
          "entropyCoef != 0 needs per-token entropies of shape [B, T]");
    perToken = perToken - o.entropyCoef * entropy;
  }
  out.loss = aggregateLoss(o.lossType, perToken, mask, n);

  at::NoGradGuard noGrad;
  at::Tensor m = mask.detach();
  auto sum = [&](const at::Tensor& t) { return (t.detach() * m).sum().item<double>(); };
  out.sums.tokens = m.sum().item<double>();
  out.sums.sequences = static_cast<double>(logp.size(0));
  out.sums.ratio = sum(ratio);
  out.sums.clipLow = sum((ratio < 1.0 - o.epsilon).logical_and(adv < 0).to(m.scalar_type()));
  out.sums.clipHigh = sum((ratio > 1.0 + o.epsilonHigh).logical_and(adv > 0).to(m.scalar_type()));
  if (kl.defined()) out.sums.kl = sum(kl);
  if (entropy.defined()) out.sums.entropy = sum(entropy);
  return out;
}

}  // namespace datarus
