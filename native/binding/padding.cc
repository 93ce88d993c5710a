// padding.cc — see padding.h.
#include "padding.h"

namespace datarus::binding {

at::Tensor padIds(const std::vector<std::vector<int64_t>>& seqs) {
  int64_t T = 0;
  for (const auto& s : seqs) T = std::max<int64_t>(T, static_cast<int64_t>(s.size()));
  at::Tensor ids = at::zeros({static_cast<int64_t>(seqs.size()), T}, at::kLong);  // [B, T]
  for (size_t k = 0; k < seqs.size(); ++k)
    ids[static_cast<int64_t>(k)].narrow(0, 0, static_cast<int64_t>(seqs[k].size())).copy_(at::tensor(seqs[k], at::kLong));
  return ids;
}

at::Tensor padRows(const std::vector<std::vector<float>>& rows, int64_t width, float fill) {
  at::Tensor out = at::full({static_cast<int64_t>(rows.size()), width}, fill, at::kFloat);  // [B, T-1]
  for (size_t k = 0; k < rows.size(); ++k)
    if (!rows[k].empty())
      out[static_cast<int64_t>(k)].narrow(0, 0, static_cast<int64_t>(rows[k].size())).copy_(at::tensor(rows[k], at::kFloat));
  return out;
}

}  // namespace datarus::binding
