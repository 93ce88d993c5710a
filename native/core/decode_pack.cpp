// decode_pack.cpp — building and caching the decode-step weight panels.
#include "decode_pack.h"

#include "huge_pages.h"

namespace datarus {

int64_t DecodePack::bytes() const {
  int64_t n = head.bytes();
  for (const auto& l : layers) n += l.qkv.bytes() + l.o.bytes() + l.gateUp.bytes() + l.down.bytes();
  return n;
}

std::shared_ptr<DecodePack> buildDecodePack(const std::vector<DecoderLayer>& layers, const at::Tensor& head,
                                            const at::Tensor& reuse) {
  at::NoGradGuard noGrad;
  struct Set {
    std::vector<at::Tensor> weights, biases;
    kernels::PackedLinear* out;
  };
  auto pack = std::make_shared<DecodePack>();
  pack->layers.resize(layers.size());
  std::vector<Set> sets;  // in the order a decode step reads them
  for (size_t i = 0; i < layers.size(); ++i) {
    const DecoderLayer& w = layers[i];
    DecodeLayerPack& l = pack->layers[i];
    sets.push_back({{w.q, w.k, w.v}, {}, &l.qkv});
    if (w.qBias.defined()) sets.back().biases = {w.qBias, w.kBias, w.vBias};
    sets.push_back({{w.o}, {}, &l.o});
    sets.push_back({{w.gate, w.up}, {}, &l.gateUp});
    sets.push_back({{w.down}, {}, &l.down});
  }
  sets.push_back({{head}, {}, &pack->head});
  // All panels are slices of one huge-page buffer (core/huge_pages.h).
  int64_t total = 0;
  for (const Set& s : sets) total += kernels::packedFloats(s.weights);
  pack->storage = reuse.defined() && reuse.numel() >= total ? reuse : hugePageEmpty(total);  // [≥ total]
  int64_t offset = 0;
  for (const Set& s : sets) {
    const int64_t n = kernels::packedFloats(s.weights);
    *s.out = kernels::packLinear(s.weights, s.biases, pack->storage.narrow(0, offset, n));
    offset += n;
  }
  return pack;
}

DecodePackSlot::Key DecodePackSlot::keyOf(const std::vector<DecoderLayer>& layers, const at::Tensor& head) {
  Key key;
  auto add = [&](const at::Tensor& t) {
    if (!t.defined()) return;
    // Inference tensors carry no version counter; the model's parameters never are.
    key.emplace_back(t.data_ptr(), t.is_inference() ? -1 : static_cast<int64_t>(t._version()));
  };
  for (const auto& l : layers)
    for (const auto& t : l.tensors()) add(t);
  add(head);
  return key;
}

std::shared_ptr<const DecodePack> DecodePackSlot::get(const std::vector<DecoderLayer>& layers,
                                                      const at::Tensor& head) {
  Key key = keyOf(layers, head);
  std::lock_guard<std::mutex> lock(mu_);
  if (!pack_ || key != key_) {
    // A stale pack that no step still reads lends its buffer to the new one;
    // otherwise its panels are released (when its last reader is done) first.
    at::Tensor reuse = pack_ && pack_.use_count() == 1 ? pack_->storage : at::Tensor();
    pack_.reset();
    pack_ = buildDecodePack(layers, head, reuse);
    key_ = std::move(key);
  }
  return pack_;
}

}  // namespace datarus
