// optim.cpp — AdamW update, clipping and the warm-up + cosine schedule.
#include "optim.h"

#include <cmath>

namespace datarus {

double scheduledLr(const AdamWOptions& o, int64_t step) {
  if (o.warmupSteps > 0 && step < o.warmupSteps) return o.lr * static_cast<double>(step + 1) / o.warmupSteps;
  if (o.totalSteps <= o.warmupSteps) return o.lr;
  double progress = std::min(1.0, static_cast<double>(step - o.warmupSteps) / (o.totalSteps - o.warmupSteps));
  double cosine = 0.5 * (1.0 + std::cos(M_PI * progress));
  return o.lr * (o.minLrRatio + (1.0 - o.minLrRatio) * cosine);
}

double gradNorm(const TensorMap& params) {
  double sq = 0;
  for (const auto& [name, p] : params)
    if (p.grad().defined()) sq += p.grad().to(at::kDouble).pow(2).sum().item<double>();
  return std::sqrt(sq);
}

void zeroGrad(TensorMap& params) {
  for (auto& [name, p] : params)
    if (p.grad().defined()) p.mutable_grad() = at::Tensor();
}

StepStats AdamW::apply(TensorMap& params) {
  at::NoGradGuard noGrad;
  StepStats s;
  s.gradNorm = gradNorm(params);
  s.lr = scheduledLr(options_, step_);
  if (!std::isfinite(s.gradNorm)) {
    zeroGrad(params);
    s.skipped = true;
    s.step = step_;
    return s;
  }
  double scale = 1.0;
  if (options_.maxGradNorm > 0 && s.gradNorm > options_.maxGradNorm) scale = options_.maxGradNorm / (s.gradNorm + 1e-6);
  ++step_;
  const double b1 = options_.beta1, b2 = options_.beta2;
  const double bc1 = 1.0 - std::pow(b1, static_cast<double>(step_));
  const double bc2 = 1.0 - std::pow(b2, static_cast<double>(step_));
  for (auto& [name, p] : params) {
    if (!p.grad().defined()) continue;
    at::Tensor g = p.grad() * scale;
    at::Tensor& m = m_[name];
    at::Tensor& v = v_[name];
    if (!m.defined()) {
      m = at::zeros_like(p, at::MemoryFormat::Contiguous);
      v = at::zeros_like(p, at::MemoryFormat::Contiguous);
    }
    m.mul_(b1).add_(g, 1.0 - b1);
    v.mul_(b2).addcmul_(g, g, 1.0 - b2);
    if (options_.weightDecay > 0 && p.dim() >= 2) p.mul_(1.0 - s.lr * options_.weightDecay);
    at::Tensor denom = (v / bc2).sqrt_().add_(options_.eps);
    p.addcdiv_(m, denom, -s.lr / bc1);
  }
  zeroGrad(params);
  s.step = step_;
  return s;
}

TensorMap AdamW::state() const {
  TensorMap out;
  for (const auto& [name, t] : m_) out.emplace(name + ".exp_avg", t);
  for (const auto& [name, t] : v_) out.emplace(name + ".exp_avg_sq", t);
  return out;
}

void AdamW::loadState(const TensorMap& state, int64_t step) {
  m_.clear();
  v_.clear();
  for (const auto& [key, t] : state) {
    auto dot = key.rfind('.');
    std::string name = key.substr(0, dot), kind = key.substr(dot + 1);
    (kind == "exp_avg" ? m_ : v_)[name] = t.clone();
  }
  step_ = step;
}

}  // namespace datarus
