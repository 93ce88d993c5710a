// checkpoint.cpp — write-then-rename checkpoints of policy, optimiser, RNG and config.
#include "checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <unistd.h>

#include <filesystem>

#include "error.h"
#include "file.h"
#include "json.h"
#include "safetensors.h"

namespace datarus {

namespace fs = std::filesystem;

namespace {

TensorMap rngStates() {
  TensorMap out;
  at::Generator cpu = at::detail::getDefaultCPUGenerator();
  {
    std::lock_guard<std::mutex> lock(cpu.mutex());
    out["cpu"] = cpu.get_state();
  }
  return out;
}

void restoreRng(const TensorMap& states) {
  auto it = states.find("cpu");
  if (it == states.end()) return;
  at::Generator cpu = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(cpu.mutex());
  cpu.set_state(it->second);
}

}  // namespace

void saveCheckpoint(const std::string& dir, const Model& model, const AdamW* optimizer, const CheckpointMeta& meta) {
  check(!dir.empty(), code::kInvalidArgument, "checkpoint directory is empty");
  fs::path target = fs::absolute(dir);
  fs::path tmp = target.string() + ".tmp-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  check(!ec, code::kFileIo, "cannot create ", tmp.string(), ": ", ec.message());

  saveModel(model, (tmp / "policy").string(), SaveOptions{model.dtype()});
  json::Value state(json::Value::Object{});
  state.set("format", "datarus-checkpoint-1");
  state.set("step", meta.step);
  if (optimizer) {
    writeSafetensors((tmp / "optimizer.safetensors").string(), optimizer->state());
    state.set("optimizerStep", optimizer->step());
  }
  writeSafetensors((tmp / "rng.safetensors").string(), rngStates());
  writeFileAtomic((tmp / "train_config.json").string(), meta.configJson.empty() ? "{}" : meta.configJson);
  writeFileAtomic((tmp / "trainer_state.json").string(), json::dump(state, 2));

  // Swap into place: the old checkpoint is removed only after the new one is there.
  fs::path old = target.string() + ".old-" + std::to_string(::getpid());
  bool hadOld = fs::exists(target);
  if (hadOld) fs::rename(target, old, ec);
  check(!ec, code::kFileIo, "cannot move ", target.string(), " aside: ", ec.message());
  fs::rename(tmp, target, ec);
  check(!ec, code::kFileIo, "cannot rename ", tmp.string(), " to ", target.string(), ": ", ec.message());
  if (hadOld) fs::remove_all(old, ec);
}

LoadedCheckpoint loadCheckpoint(const std::string& dir, const LoadOptions& options) {
  fs::path root(dir);
  check(fs::exists(root / "trainer_state.json"), code::kFileNotFound, dir, " is not a checkpoint (no trainer_state.json)");
  json::Value state = json::parse(readTextFile((root / "trainer_state.json").string(), 1 << 20), "trainer_state.json");
  LoadedCheckpoint out;
  const json::Value* step = state.find("step");
  check(step && step->isNumber(), code::kBadHeader, "trainer_state.json lacks step");
  out.meta.step = step->asInt();
  if (fs::exists(root / "train_config.json"))
    out.meta.configJson = readTextFile((root / "train_config.json").string(), 64 << 20);
  out.model = loadModel((root / "policy").string(), options).model;
  if (const json::Value* os = state.find("optimizerStep")) {
    TensorMap moments = readSafetensors((root / "optimizer.safetensors").string());
    for (auto& [k, t] : moments) t = t.to(out.model->device());
    out.optimizer = std::make_unique<AdamW>(AdamWOptions{});
    out.optimizer->loadState(moments, os->asInt());
  }
  if (fs::exists(root / "rng.safetensors")) restoreRng(readSafetensors((root / "rng.safetensors").string()));
  return out;
}

}  // namespace datarus
