// grpo_step_worker.cc — model.grpoStep(batch, options) and model.grpoBackward(batch, options).
//
// batch: {sequences: Int32Array[], masks: Float32Array[] (len − 1 each; 1 on completion
// tokens), advantages: Float32Array, oldLogprobs?: Float32Array[], refLogprobs?: Float32Array[]}.
// When beta > 0 and refLogprobs are absent, the model's reference (createReference)
// scores the batch first. grpoStep also clips, steps AdamW and clears gradients;
// grpoBackward only accumulates gradients (all-reduced when a process group is set).
#include <mutex>

#include "convert.h"
#include "error.h"
#include "grpo/grpo_step.h"
#include "grpo_state.h"
#include "worker.h"
#include "workers.h"

namespace datarus::binding {

namespace {

struct StepArgs {
  std::vector<std::vector<int64_t>> seqs;
  std::vector<std::vector<float>> masks, old, ref;
  std::vector<float> advantages;
  GrpoStepOptions step;
  AdamWOptions optim;
  bool apply = true;  // grpoStep (true) or grpoBackward (false)
};

class GrpoStepWorker : public PromiseWorker {
 public:
  GrpoStepWorker(Napi::Env env, Napi::Object owner, StatePtr state, StepArgs args)
      : PromiseWorker(env, owner), state_(std::move(state)), a_(std::move(args)) {}

 protected:
  void Run() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    Model& m = *state_->model;
    const size_t B = a_.seqs.size();
    for (size_t k = 0; k < B; ++k) {
      checkTokens(m.config(), a_.seqs[k]);
      check(a_.seqs[k].size() >= 2, code::kInvalidArgument, "every sequence needs at least 2 tokens");
      auto rowOk = [&](const std::vector<std::vector<float>>& r, const char* what) {
        check(r.empty() || r[k].size() + 1 == a_.seqs[k].size(), code::kInvalidArgument, what, "[", k, "] has ",
              r.empty() ? 0 : r[k].size(), " entries; expected ", a_.seqs[k].size() - 1);
      };
      rowOk(a_.masks, "masks"), rowOk(a_.old, "oldLogprobs"), rowOk(a_.ref, "refLogprobs");
    }
    GrpoBatch b;
    b.ids = padIds(a_.seqs);
    const int64_t W = b.ids.size(1) - 1;
    b.mask = padRows(a_.masks, W, 0.f);
    if (!a_.old.empty()) b.oldLogp = padRows(a_.old, W, 0.f);
    if (!a_.ref.empty()) b.refLogp = padRows(a_.ref, W, 0.f);
    b.advantages = at::tensor(a_.advantages, at::kFloat);
    GrpoState& g = grpoState(*state_);
    if (a_.step.loss.beta > 0 && !b.refLogp.defined()) {
      check(g.reference != nullptr, code::kInvalidArgument,
            "beta > 0 needs refLogprobs in the batch or a reference model (createReference)");
      b.refLogp = g.reference->logprobs(b.ids, a_.step.logitTokens);
    }
    if (a_.apply) {
      if (!state_->optimizer) state_->optimizer = std::make_unique<AdamW>(a_.optim);
      state_->optimizer->setOptions(a_.optim);
      stats_ = grpoStep(m, *state_->optimizer, b, a_.step, g.comm.get());
    } else {
      stats_ = grpoBackward(m, b, a_.step, g.comm.get());
    }
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    const GrpoStepStats& s = stats_;
    o.Set("loss", s.loss);
    o.Set("kl", s.kl);
    o.Set("entropy", s.entropy);
    o.Set("ratioMean", s.ratioMean);
    o.Set("clipRatioLow", s.clipLow);
    o.Set("clipRatioHigh", s.clipHigh);
    o.Set("clipRatioRegion", s.clipRegion);
    o.Set("tokens", s.tokens);
    o.Set("sequences", s.sequences);
    o.Set("processedTokens", s.processedTokens);
    o.Set("modelFlops", s.modelFlops);
    o.Set("completionLengthMean", s.completionLenMean);
    o.Set("completionLengthMin", s.completionLenMin);
    o.Set("completionLengthMax", s.completionLenMax);
    o.Set("gradNorm", s.gradNorm);
    o.Set("lr", s.lr);
    o.Set("skipped", s.skipped);
    o.Set("nonFiniteLoss", s.nonFiniteLoss);
    o.Set("step", static_cast<double>(s.step));
    o.Set("seconds", s.seconds);
    return o;
  }

 private:
  StatePtr state_;
  StepArgs a_;
  GrpoStepStats stats_;
};

std::vector<std::vector<float>> floatLists(Napi::Env env, const Napi::Object& o, const char* key, size_t n) {
  std::vector<std::vector<float>> out;
  if (!o.Has(key) || o.Get(key).IsUndefined() || o.Get(key).IsNull()) return out;
  if (!o.Get(key).IsArray()) throwInvalid(env, std::string(key) + " must be an array");
  Napi::Array a = o.Get(key).As<Napi::Array>();
  if (a.Length() != n) throwInvalid(env, std::string(key) + " must have one entry per sequence");
  for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(toFloats(env, a.Get(i), key));
  return out;
}

Napi::Value start(const Napi::CallbackInfo& info, StatePtr state, bool apply) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throwInvalid(env, "grpoStep(batch, options)");
  Napi::Object batch = info[0].As<Napi::Object>();
  Napi::Object opts = info.Length() > 1 && info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
  StepArgs a;
  a.apply = apply;
  a.seqs = toIdLists(env, batch.Get("sequences"), "sequences");
  if (a.seqs.empty()) throwInvalid(env, "the batch is empty");
  a.masks = floatLists(env, batch, "masks", a.seqs.size());
  if (a.masks.empty()) throwInvalid(env, "the batch needs masks");
  a.old = floatLists(env, batch, "oldLogprobs", a.seqs.size());
  a.ref = floatLists(env, batch, "refLogprobs", a.seqs.size());
  a.advantages = toFloats(env, batch.Get("advantages"), "advantages");
  if (a.advantages.size() != a.seqs.size()) throwInvalid(env, "advantages must have one entry per sequence");

  GrpoLossOptions& l = a.step.loss;
  l.epsilon = optNumber(opts, "epsilon", l.epsilon);
  l.epsilonHigh = optNumber(opts, "epsilonHigh", l.epsilon);
  l.beta = optNumber(opts, "beta", l.beta);
  l.entropyCoef = optNumber(opts, "entropyCoef", l.entropyCoef);
  try {
    l.kl = parseKlEstimator(optString(opts, "klEstimator", "k3"));
    l.lossType = parseLossType(optString(opts, "lossType", "grpo"));
  } catch (const Error& e) {
    throwInvalid(env, e.what());
  }
  a.step.microBatchSize = static_cast<int64_t>(optNumber(opts, "microBatchSize", 8));
  a.step.maxCompletionLength = optNumber(opts, "maxCompletionLength", 0);
  a.step.logitTokens = static_cast<int64_t>(optNumber(opts, "logitTokens", 1024));
  a.step.checkpointLayers = optBool(opts, "gradientCheckpointing", false);
  if (a.step.microBatchSize < 1 || a.step.logitTokens < 1) throwInvalid(env, "microBatchSize and logitTokens must be >= 1");
  a.optim = parseAdamW(opts);
  auto* w = new GrpoStepWorker(env, info.This().As<Napi::Object>(), std::move(state), std::move(a));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace

Napi::Value startGrpoStep(const Napi::CallbackInfo& info, StatePtr state) { return start(info, std::move(state), true); }
Napi::Value startGrpoBackward(const Napi::CallbackInfo& info, StatePtr state) {
  return start(info, std::move(state), false);
}

}  // namespace datarus::binding
