// matmul_rate_worker.cc — model.matmulGflops(): the GEMM rate of the model's device
// and dtype at the shape of its MLP projections, the peak that the learner's MFU
// figure divides by (measured once per process, off the JS thread).
#include <mutex>

#include "runtime.h"
#include "worker.h"
#include "workers.h"

namespace datarus::binding {

namespace {

class MatmulRateWorker : public PromiseWorker {
 public:
  MatmulRateWorker(Napi::Env env, Napi::Object owner, StatePtr state, int64_t rows)
      : PromiseWorker(env, owner), state_(std::move(state)), rows_(rows) {}

 protected:
  void Run() override {
    at::Device device = at::kCPU;
    at::ScalarType dtype = at::kFloat;
    int64_t hidden = 0, intermediate = 0;
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      const Model& m = *state_->model;
      device = m.device();
      dtype = m.dtype();
      hidden = m.config().hiddenSize;
      intermediate = m.config().intermediateSize;
    }
    // [rows, hidden] × [hidden, intermediate]: a training micro-batch through the MLP.
    gflops_ = matmulGflops(device, dtype, rows_, hidden, intermediate);
  }
  Napi::Value Result(Napi::Env env) override { return Napi::Number::New(env, gflops_); }

 private:
  StatePtr state_;
  int64_t rows_;
  double gflops_ = 0;
};

}  // namespace

Napi::Value startMatmulRate(const Napi::CallbackInfo& info, StatePtr state) {
  Napi::Env env = info.Env();
  int64_t rows = 2048;
  if (info.Length() > 0 && info[0].IsNumber()) rows = info[0].As<Napi::Number>().Int64Value();
  if (rows < 1 || rows > (1 << 20)) throwInvalid(env, "matmulGflops(rows): rows must be in [1, 1048576]");
  auto* w = new MatmulRateWorker(env, info.This().As<Napi::Object>(), std::move(state), rows);
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace datarus::binding
