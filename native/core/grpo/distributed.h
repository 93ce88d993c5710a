// distributed.h — data-parallel process groups from PyTorch's c10d: Gloo on CPU,
// NCCL on CUDA. No collective is implemented here; this file only wires c10d up.
//
// Rendezvous is a c10d TCPStore at "host:port": rank 0 serves it, the other ranks
// connect. Available when the libtorch found was built with c10d and the Gloo headers
// are installed (Debian: libgloo-dev); otherwise createProcessGroup throws E_UNSUPPORTED.
#pragma once

#include <memory>
#include <string>

#include "communicator.h"

namespace datarus {

struct DistributedOptions {
  std::string rendezvous = "127.0.0.1:29500";  // host:port of rank 0's TCPStore
  int rank = 0;
  int worldSize = 1;
  std::string backend = "auto";  // "gloo" | "nccl" | "auto" (nccl for CUDA devices, else gloo)
  double timeoutSeconds = 300;
};

// Whether this build can create process groups at all.
bool distributedAvailable();

// Blocks until all worldSize ranks have joined.
std::shared_ptr<Communicator> createProcessGroup(const DistributedOptions& o, bool cudaTensors);

}  // namespace datarus
