// decode_pack.cpp — building and caching the decode-step weight panels.
#include "decode_pack.h"

namespace datarus {

int64_t DecodePack::bytes() const {
  int64_t n = head.bytes();
  for (const auto& l : layers) n += l.qkv.bytes() + l.o.bytes() + l.gateUp.bytes() + l.down.bytes();
  return n;
}

std::shared_ptr<const DecodePack> buildDecodePack(const std::vector<DecoderLayer>& layers, const at::Tensor& head) {
  at::NoGradGuard noGrad;
  auto pack = std::make_shared<DecodePack>();
  for (const auto& w : layers) {
    DecodeLayerPack l;
    l.qkv = kernels::packLinear({w.q, w.k, w.v}, w.qBias.defined() ? std::vector<at::Tensor>{w.qBias, w.kBias, w.vBias}
                                                                    : std::vector<at::Tensor>{});
    l.o = kernels::packLinear({w.o});
    l.gateUp = kernels::packLinear({w.gate, w.up});
    l.down = kernels::packLinear({w.down});
    pack->layers.push_back(std::move(l));
  }
  pack->head = kernels::packLinear({head});
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
    pack_.reset();  // release the stale panels before allocating new ones
    pack_ = buildDecodePack(layers, head);
    key_ = std::move(key);
  }
  return pack_;
}

}  // namespace datarus
