// distributed.cpp — c10d TCPStore rendezvous + ProcessGroupGloo / ProcessGroupNCCL.
//
// libtorch 1.13 and 2.x share the calls used here (TCPStore(host, opts), the
// ProcessGroupGloo constructor and Options, allreduce/broadcast(...)->wait()); in 2.x
// ProcessGroupGloo is a c10d::Backend rather than a ProcessGroup, which does not
// matter because it is called directly.
#include "distributed.h"

#include <chrono>

#include "error.h"

#if __has_include(<gloo/algorithm.h>) && __has_include(<torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>)
#define DATARUS_HAVE_GLOO 1
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

#if defined(DATARUS_HAVE_GLOO) && defined(DATARUS_WITH_CUDA) && \
    __has_include(<torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>)
#define DATARUS_HAVE_NCCL 1
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace datarus {

#ifdef DATARUS_HAVE_GLOO

namespace {

// PG: c10d::ProcessGroupGloo or c10d::ProcessGroupNCCL.
template <typename PG>
class C10dCommunicator : public Communicator {
 public:
  C10dCommunicator(c10::intrusive_ptr<c10d::Store> store, c10::intrusive_ptr<PG> pg, int rank, int size)
      : store_(std::move(store)), pg_(std::move(pg)), rank_(rank), size_(size) {}
  int rank() const override { return rank_; }
  int worldSize() const override { return size_; }
  void allReduceSum(std::vector<at::Tensor>& t) override { reduce(t, c10d::ReduceOp::SUM); }
  void allReduceMax(std::vector<at::Tensor>& t) override { reduce(t, c10d::ReduceOp::MAX); }
  void broadcast(std::vector<at::Tensor>& tensors) override {
    for (at::Tensor& t : tensors) {
      std::vector<at::Tensor> one{t};
      c10d::BroadcastOptions o;
      o.rootRank = 0;
      pg_->broadcast(one, o)->wait();
    }
  }

 private:
  void reduce(std::vector<at::Tensor>& tensors, c10d::ReduceOp::RedOpType op) {
    // One collective per tensor: a multi-tensor call would also sum the tensors together.
    for (at::Tensor& t : tensors) {
      check(t.is_contiguous(), code::kInternal, "all-reduce needs contiguous tensors");
      std::vector<at::Tensor> one{t};
      c10d::AllreduceOptions o;
      o.reduceOp = c10d::ReduceOp(op);
      pg_->allreduce(one, o)->wait();
    }
  }

  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<PG> pg_;
  int rank_, size_;
};

}  // namespace

bool distributedAvailable() { return true; }

std::shared_ptr<Communicator> createProcessGroup(const DistributedOptions& o, bool cudaTensors) {
  check(o.worldSize >= 1 && o.rank >= 0 && o.rank < o.worldSize, code::kInvalidArgument, "rank ", o.rank,
        " is not in [0, ", o.worldSize, ")");
  auto colon = o.rendezvous.rfind(':');
  check(colon != std::string::npos, code::kInvalidArgument, "rendezvous must be host:port, not '", o.rendezvous, "'");
  std::string host = o.rendezvous.substr(0, colon);
  int port = std::atoi(o.rendezvous.c_str() + colon + 1);
  check(port > 0 && port < 65536, code::kInvalidArgument, "bad rendezvous port in '", o.rendezvous, "'");
  auto timeout = std::chrono::milliseconds(static_cast<int64_t>(o.timeoutSeconds * 1000));

  c10d::TCPStoreOptions so;
  so.port = static_cast<uint16_t>(port);
  so.isServer = o.rank == 0;
  so.numWorkers = static_cast<size_t>(o.worldSize);
  so.timeout = timeout;
  auto store = c10::make_intrusive<c10d::TCPStore>(host, so);

  std::string backend = o.backend == "auto" ? (cudaTensors ? "nccl" : "gloo") : o.backend;
  if (backend == "gloo") {
    auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
    opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(host));
    auto pg = c10::make_intrusive<c10d::ProcessGroupGloo>(store, o.rank, o.worldSize, opts);
    return std::make_shared<C10dCommunicator<c10d::ProcessGroupGloo>>(store, pg, o.rank, o.worldSize);
  }
#ifdef DATARUS_HAVE_NCCL
  if (backend == "nccl") {
    auto opts = c10d::ProcessGroupNCCL::Options::create();
    auto pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, o.rank, o.worldSize, opts);
    return std::make_shared<C10dCommunicator<c10d::ProcessGroupNCCL>>(store, pg, o.rank, o.worldSize);
  }
#endif
  fail("E_UNSUPPORTED", "process-group backend '", backend, "' is not available in this build");
}

#else  // no Gloo headers

bool distributedAvailable() { return false; }

std::shared_ptr<Communicator> createProcessGroup(const DistributedOptions&, bool) {
  fail("E_UNSUPPORTED", "this build has no c10d process groups (install libgloo-dev and rebuild)");
}

#endif

}  // namespace datarus
