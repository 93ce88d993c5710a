// decode_pack.h — a model's weights repacked for decode steps (kernels/packed_linear.h).
//
// Decode steps (at most kPackedMaxRows token rows, no autograd, CPU fp32 on an
// AVX2+FMA processor) read every weight once per token; the packed copy makes that
// read one sequential stream per thread. It costs one more copy of the weights in
// memory while the model decodes, and is rebuilt when any weight has changed since
// (an optimiser step or new policy weights), which its key detects: each source
// tensor's storage address and in-place version counter.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "decoder.h"
#include "packed_linear.h"

namespace datarus {

struct DecodeLayerPack {
  kernels::PackedLinear qkv;     // segments q, k, v (with their biases)
  kernels::PackedLinear o;       // attention output
  kernels::PackedLinear gateUp;  // segments gate, up
  kernels::PackedLinear down;
};

struct DecodePack {
  std::vector<DecodeLayerPack> layers;
  kernels::PackedLinear head;  // output projection [V, H]
  at::Tensor storage;          // [n] fp32: the one buffer every panel set is a slice of
  int64_t bytes() const;
};

// Builds the pack of these layers and output projection (all CPU fp32). Its panels
// are written into `reuse` when that buffer is large enough (a previous pack's
// storage no one reads any more: no new pages to fault in), else into a new one.
std::shared_ptr<DecodePack> buildDecodePack(const std::vector<DecoderLayer>& layers, const at::Tensor& head,
                                            const at::Tensor& reuse = {});

// A lazily built pack, shared by the decode steps of one model and rebuilt after
// its weights change. Thread-safe; a pack in use stays alive through a rebuild.
class DecodePackSlot {
 public:
  std::shared_ptr<const DecodePack> get(const std::vector<DecoderLayer>& layers, const at::Tensor& head);

 private:
  using Key = std::vector<std::pair<const void*, int64_t>>;
  static Key keyOf(const std::vector<DecoderLayer>& layers, const at::Tensor& head);

  std::mutex mu_;
  Key key_;
  std::shared_ptr<DecodePack> pack_;
};

}  // namespace datarus
