// grpo_step.cpp — micro-batching, global normalisers, all-reduce and the optimiser step.
#include "grpo_step.h"

#include <chrono>
#include <cmath>

#include "error.h"
#include "token_backward.h"

namespace datarus {

namespace {

void checkBatch(const GrpoBatch& b, const GrpoLossOptions& o) {
  check(b.ids.dim() == 2 && b.ids.size(1) >= 2, code::kInvalidArgument, "ids must be [B, T] with T >= 2");
  const int64_t B = b.ids.size(0), T = b.ids.size(1) - 1;
  auto isBT = [&](const at::Tensor& t) { return t.dim() == 2 && t.size(0) == B && t.size(1) == T; };
  check(isBT(b.mask), code::kInvalidArgument, "mask must be [B, T-1]");
  check(!b.oldLogp.defined() || isBT(b.oldLogp), code::kInvalidArgument, "oldLogp must be [B, T-1]");
  check(o.beta == 0 || (b.refLogp.defined() && isBT(b.refLogp)), code::kInvalidArgument,
        "beta > 0 needs refLogp of shape [B, T-1]");
  check(b.advantages.dim() == 1 && b.advantages.size(0) == B, code::kInvalidArgument, "advantages must be [B]");
}

// Length of each row up to its last completion token (+1 for the target shift).
int64_t usedLength(const at::Tensor& mask) {  // mask: [b, T-1]
  at::Tensor any = mask.gt(0).any(0);        // [T-1]
  at::Tensor idx = at::nonzero(any);
  return idx.numel() == 0 ? 2 : idx.max().item<int64_t>() + 2;
}

}  // namespace

void allReduceGradients(TensorMap& params, Communicator& comm) {
  constexpr int64_t kBucket = 8 << 20;  // elements per bucket
  std::vector<at::Tensor> grads;
  for (auto& [name, p] : params) {
    if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
    grads.push_back(p.grad());
  }
  size_t i = 0;
  while (i < grads.size()) {
    size_t j = i;
    int64_t n = 0;
    while (j < grads.size() && (j == i || n + grads[j].numel() <= kBucket)) n += grads[j++].numel();
    std::vector<at::Tensor> flat;
    for (size_t k = i; k < j; ++k) flat.push_back(grads[k].reshape({-1}));
    std::vector<at::Tensor> bucket{at::cat(flat)};  // [n] in the model dtype
    comm.allReduceSum(bucket);
    int64_t off = 0;
    for (size_t k = i; k < j; ++k) {
      grads[k].copy_(bucket[0].narrow(0, off, grads[k].numel()).view(grads[k].sizes()));
      off += grads[k].numel();
    }
    i = j;
  }
}

GrpoStepStats grpoBackward(Model& model, const GrpoBatch& batch, const GrpoStepOptions& o, Communicator* comm) {
  auto t0 = std::chrono::steady_clock::now();
  checkBatch(batch, o.loss);
  check(o.microBatchSize >= 1, code::kInvalidArgument, "microBatchSize must be >= 1");
  const at::Device dev = model.device();
  const int64_t B = batch.ids.size(0), mb = o.microBatchSize;
  at::Tensor mask = batch.mask.to(dev, at::kFloat);  // [B, T-1]
  at::Tensor lens = mask.sum(1);                     // [B] completion tokens per sequence

  // Global normalisers: sums (and a max) over ranks.
  at::Tensor counts = at::tensor({static_cast<double>(B), lens.sum().item<double>(),
                                  static_cast<double>((B + mb - 1) / mb)},
                                 at::kDouble);
  at::Tensor longest = at::tensor({lens.max().item<double>()}, at::kDouble);
  if (comm) {
    std::vector<at::Tensor> c{counts}, m{longest};
    comm->allReduceSum(c);
    comm->allReduceMax(m);
  }
  LossNormalizer n;
  n.sequences = counts[0].item<double>();
  n.tokens = counts[1].item<double>();
  n.microBatches = counts[2].item<double>();
  n.maxCompletionLength = o.maxCompletionLength > 0 ? o.maxCompletionLength : std::max(1.0, longest[0].item<double>());

  model.setTrainable(true);
  GrpoStepStats s;
  LossSums sums;
  double loss = 0;
  for (int64_t b0 = 0; b0 < B; b0 += mb) {
    const int64_t nb = std::min(mb, B - b0);
    at::Tensor m = mask.narrow(0, b0, nb);
    const int64_t L = std::min<int64_t>(usedLength(m), batch.ids.size(1));  // trim trailing padding
    at::Tensor ids = batch.ids.narrow(0, b0, nb).narrow(1, 0, L);             // [nb, L]
    m = m.narrow(1, 0, L - 1);                                                 // [nb, L-1]
    auto slice = [&](const at::Tensor& t) {
      return t.defined() ? t.narrow(0, b0, nb).narrow(1, 0, L - 1).to(dev, at::kFloat) : at::Tensor();
    };
    at::Tensor old = slice(batch.oldLogp), ref = o.loss.beta > 0 ? slice(batch.refLogp) : at::Tensor();
    at::Tensor adv = batch.advantages.narrow(0, b0, nb).to(dev, at::kFloat);  // [nb]
    LossSums part;
    TokenBackwardResult r = tokenLossBackward(
        model, ids,
        [&](const at::Tensor& logp, const at::Tensor& ent) {
          PolicyLoss pl = grpoPolicyLoss(o.loss, n, logp, old, ref, adv, m, ent);
          part = pl.sums;
          return pl.loss;
        },
        o.loss.entropyCoef != 0, o.logitTokens, o.checkpointLayers);
    if (o.loss.entropyCoef == 0)  // the entropy metric, without a gradient
      part.entropy = (r.entropy * m).sum().item<double>();
    sums.add(part);
    loss += r.loss;
    s.processedTokens += static_cast<double>(nb * (L - 1));
    s.modelFlops += 3.0 * static_cast<double>(nb) * model.config().forwardFlops(L - 1);  // forward + backward
  }

  // Metric sums across ranks.
  at::Tensor metric = at::tensor({loss, sums.kl, sums.entropy, sums.ratio, sums.clipLow, sums.clipHigh}, at::kDouble);
  if (comm) {
    std::vector<at::Tensor> v{metric};
    comm->allReduceSum(v);
    allReduceGradients(model.parameters(), *comm);
  }
  const double tok = std::max(1.0, n.tokens);
  s.loss = metric[0].item<double>();
  s.kl = metric[1].item<double>() / tok;
  s.entropy = metric[2].item<double>() / tok;
  s.ratioMean = metric[3].item<double>() / tok;
  s.clipLow = metric[4].item<double>() / tok;
  s.clipHigh = metric[5].item<double>() / tok;
  s.clipRegion = s.clipLow + s.clipHigh;
  s.tokens = n.tokens;
  s.sequences = n.sequences;
  s.completionLenMean = lens.mean().item<double>();
  s.completionLenMin = lens.min().item<double>();
  s.completionLenMax = lens.max().item<double>();
  s.nonFiniteLoss = !std::isfinite(s.loss);
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

GrpoStepStats grpoStep(Model& model, AdamW& optimizer, const GrpoBatch& batch, const GrpoStepOptions& o,
                       Communicator* comm) {
  auto t0 = std::chrono::steady_clock::now();
  GrpoStepStats s = grpoBackward(model, batch, o, comm);
  if (s.nonFiniteLoss) {
    zeroGrad(model.parameters());
    s.skipped = true;
    s.gradNorm = NAN;
    s.lr = scheduledLr(optimizer.options(), optimizer.step());
    s.step = optimizer.step();
  } else {
    StepStats st = optimizer.apply(model.parameters());
    s.gradNorm = st.gradNorm;
    s.lr = st.lr;
    s.skipped = st.skipped;
    s.step = st.step;
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

}  // namespace datarus
