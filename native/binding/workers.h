// workers.h — entry points of the asynchronous operations, one worker per file.
// Each parses its JS arguments on the JS thread and returns the worker's Promise.
#pragma once

#include <napi.h>

#include "model_state.h"

namespace datarus::binding {

// load(path, {device, dtype}) → Promise<Model>            (load_worker.cc)
Napi::Value startLoad(const Napi::CallbackInfo& info);
// model.generate(prompt, options) → Promise<result>       (generate_worker.cc)
Napi::Value startGenerate(const Napi::CallbackInfo& info, StatePtr state);
// model.logprobs(sequences) → Promise<Float32Array[]>     (logprobs_worker.cc)
Napi::Value startLogprobs(const Napi::CallbackInfo& info, StatePtr state);
// model.logits(sequence) → Promise<Float32Array [T*V]>  (logits_worker.cc)
Napi::Value startLogits(const Napi::CallbackInfo& info, StatePtr state);
// model.backward(sequences, weights) → Promise<{loss}>    (backward_worker.cc)
Napi::Value startBackward(const Napi::CallbackInfo& info, StatePtr state);
// model.step(optimiserOptions) → Promise<stats>           (step_worker.cc)
Napi::Value startStep(const Napi::CallbackInfo& info, StatePtr state);
// model.save(dir, {dtype, maxShardBytes}) → Promise<void> (save_worker.cc)
Napi::Value startSave(const Napi::CallbackInfo& info, StatePtr state);
// model.matmulGflops(rows?) → Promise<number>             (matmul_rate_worker.cc)
Napi::Value startMatmulRate(const Napi::CallbackInfo& info, StatePtr state);

// model.generateGroup(prompts, G, options) → Promise<groups> (generate_group_worker.cc)
Napi::Value startGenerateGroup(const Napi::CallbackInfo& info, StatePtr state);

// GRPO learner (grpo_*.cc): model.grpoStep / grpoBackward(batch, options),
// createReference(options), referenceLogprobs(sequences), saveCheckpoint(dir, meta),
// loadCheckpoint(dir), initDistributed(options); groupAdvantages(rewards, G, options).
Napi::Value startGrpoStep(const Napi::CallbackInfo& info, StatePtr state);
Napi::Value startGrpoBackward(const Napi::CallbackInfo& info, StatePtr state);
Napi::Value startCreateReference(const Napi::CallbackInfo& info, StatePtr state);
Napi::Value startReferenceLogprobs(const Napi::CallbackInfo& info, StatePtr state);
Napi::Value startSaveCheckpoint(const Napi::CallbackInfo& info, StatePtr state);
Napi::Value startLoadCheckpoint(const Napi::CallbackInfo& info, StatePtr state);
Napi::Value startInitDistributed(const Napi::CallbackInfo& info, StatePtr state);
Napi::Value groupAdvantagesFn(const Napi::CallbackInfo& info);

// Wraps loaded native state into a JS Model handle (model_handle.cc).
Napi::Object wrapModel(Napi::Env env, StatePtr state);

}  // namespace datarus::binding
