// communicator.h — what the learner needs from a data-parallel process group.
//
// The GRPO step sums gradients and a few counts across ranks; it does not care how.
// The only implementation is c10d's (distributed.h: Gloo on CPU, NCCL on GPU); this
// interface keeps the step free of c10d headers and lets it run with no group at all.
#pragma once

#include <ATen/ATen.h>

#include <vector>

namespace datarus {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int worldSize() const = 0;
  // In-place element-wise sum over ranks of each tensor (same shapes on every rank).
  virtual void allReduceSum(std::vector<at::Tensor>& tensors) = 0;
  // In-place element-wise max over ranks.
  virtual void allReduceMax(std::vector<at::Tensor>& tensors) = 0;
  // Every rank gets rank 0's tensor values (used to start from identical weights).
  virtual void broadcast(std::vector<at::Tensor>& tensors) = 0;
};

}  // namespace datarus
