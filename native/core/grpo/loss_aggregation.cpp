// loss_aggregation.cpp — the grpo / bnpo / dr_grpo / dapo registry.
#include "loss_aggregation.h"

#include <array>

#include "error.h"

namespace datarus {

namespace {

using AggFn = at::Tensor (*)(const at::Tensor& masked, const at::Tensor& mask, const LossNormalizer& n);

struct AggEntry {
  const char* name;
  LossType id;
  AggFn fn;
};

const std::array<AggEntry, 4> kRegistry = {{
    {"grpo", LossType::Grpo,
     [](const at::Tensor& l, const at::Tensor& m, const LossNormalizer& n) {
       return (l.sum(1) / m.sum(1).clamp_min(1.0)).sum() / n.sequences;
     }},
    {"bnpo", LossType::Bnpo,
     [](const at::Tensor& l, const at::Tensor& m, const LossNormalizer& n) {
       return l.sum() / m.sum().clamp_min(1.0) / n.microBatches;
     }},
    {"dr_grpo", LossType::DrGrpo,
     [](const at::Tensor& l, const at::Tensor& m, const LossNormalizer& n) {
       return l.sum() / (n.sequences * n.maxCompletionLength);
     }},
    {"dapo", LossType::Dapo,
     [](const at::Tensor& l, const at::Tensor& m, const LossNormalizer& n) {
       return l.sum() / std::max(1.0, n.tokens);
     }},
}};

}  // namespace

LossType parseLossType(const std::string& name) {
  for (const auto& e : kRegistry)
    if (name == e.name) return e.id;
  fail(code::kInvalidArgument, "lossType must be grpo, bnpo, dr_grpo or dapo, not '", name, "'");
}

const char* lossTypeName(LossType id) {
  for (const auto& e : kRegistry)
    if (e.id == id) return e.name;
  return "?";
}

at::Tensor aggregateLoss(LossType id, const at::Tensor& perToken, const at::Tensor& mask, const LossNormalizer& n) {
  at::Tensor masked = perToken * mask;  // [B, T]
  for (const auto& e : kRegistry)
    if (e.id == id) return e.fn(masked, mask, n);
  fail(code::kInternal, "unknown loss type");
}

}  // namespace datarus
