// tensors.h — a named set of tensors, the common currency of loaders and savers.
#pragma once

#include <ATen/ATen.h>

#include <map>
#include <string>

namespace datarus {

// Ordered by name so that saved files and parameter iteration are deterministic.
using TensorMap = std::map<std::string, at::Tensor>;

}  // namespace datarus
