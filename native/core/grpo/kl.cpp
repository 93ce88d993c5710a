// kl.cpp — the k1 / k2 / k3 registry.
#include "kl.h"

#include <array>

#include "error.h"

namespace datarus {

namespace {

using KlFn = at::Tensor (*)(const at::Tensor& delta);  // delta = refLogp − logp

struct KlEntry {
  const char* name;
  KlEstimator id;
  KlFn fn;
};

const std::array<KlEntry, 3> kRegistry = {{
    {"k1", KlEstimator::K1, [](const at::Tensor& d) { return -d; }},
    {"k2", KlEstimator::K2, [](const at::Tensor& d) { return 0.5 * d * d; }},
    {"k3", KlEstimator::K3, [](const at::Tensor& d) { return at::exp(d) - d - 1.0; }},
}};

}  // namespace

KlEstimator parseKlEstimator(const std::string& name) {
  for (const auto& e : kRegistry)
    if (name == e.name) return e.id;
  fail(code::kInvalidArgument, "klEstimator must be k1, k2 or k3, not '", name, "'");
}

const char* klEstimatorName(KlEstimator id) {
  for (const auto& e : kRegistry)
    if (e.id == id) return e.name;
  return "?";
}

at::Tensor perTokenKl(KlEstimator id, const at::Tensor& logp, const at::Tensor& refLogp) {
  at::Tensor delta = refLogp.detach() - logp;  // [B, T]
  for (const auto& e : kRegistry)
    if (e.id == id) return e.fn(delta);
  fail(code::kInternal, "unknown KL estimator");
}

}  // namespace datarus
