// The built-in reward workers' process (packages/reward/bin/reward-worker.js):
//   reward-worker --config run.json [--workers structural,hrm,verifier] [--grpc HOST:PORT]
//                 [--<run config field> VALUE ...]
// Serves each named built-in worker over NATS request/reply in its queue group
// (datarus.v1.reward.<name>, queue reward-<name>), so any number of copies of
// this process share the load, and, with --grpc, as a gRPC RewardService too: a
// gRPC server answers for one worker, so the i-th worker listens on PORT + i
// (port 0: a free port each; the addresses are logged). Runs until SIGTERM or
// SIGINT, then stops taking requests, answers the ones in flight, exits 0.
import type { NatsConnection } from 'nats';
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { loadRunConfig, type RunConfig } from '@datarus/config';
import { connectNats } from '@datarus/transport';
import { serveRewardWorker, type Serving } from '../sdk/serve-reward-worker.js';
import type { RewardWorker } from '../sdk/reward-worker.js';
import { rewardQueueGroup } from '../subjects.js';
import { builtinWorkers } from '../workers/builtin-workers.js';
import { errorLine, exitCodeOf, takeFlags, untilStop, type ProcessOptions } from './process-support.js';

const PROGRAM = 'reward-worker';

export const rewardWorkerUsage =
  `usage: ${PROGRAM} --config RUN.json [--workers ${builtinWorkers().map((w) => w.name).join(',')}] ` +
  '[--grpc HOST:PORT] [--nats.url nats://HOST:4222] [--<run config field> VALUE ...]';

/** The built-in workers named in a comma-separated list (default: all of them). */
export function pickBuiltinWorkers(list: string | undefined): RewardWorker[] {
  const all = builtinWorkers();
  if (list === undefined) return all;
  const names = list.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new DatarusError(ErrorCode.InvalidArgument, '--workers: name at least one worker');
  return [...new Set(names)].map((name) => {
    const w = all.find((x) => x.name === name);
    if (!w) throw new DatarusError(ErrorCode.InvalidArgument, `--workers: no built-in worker named ${JSON.stringify(name)} (built-ins: ${all.map((x) => x.name).join(', ')})`);
    return w;
  });
}

/** The gRPC address of the `index`-th worker served from base address HOST:PORT. */
export function grpcAddressFor(base: string, index: number): string {
  const colon = base.lastIndexOf(':');
  const host = base.slice(0, colon);
  const port = Number(base.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DatarusError(ErrorCode.InvalidArgument, `--grpc: expected HOST:PORT, got ${JSON.stringify(base)}`);
  }
  if (port === 0) return `${host}:0`;
  if (port + index > 65535) throw new DatarusError(ErrorCode.InvalidArgument, `--grpc: no port ${port + index} for worker ${index}`);
  return `${host}:${port + index}`;
}

/** Serves the built-in workers until told to stop; returns the exit status. */
export async function runRewardWorkerProcess(argv: string[], opts: ProcessOptions = {}): Promise<number> {
  const io = opts.io ?? process;
  const say = (line: string) => io.stderr.write(`${PROGRAM}: ${line}\n`);
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(`${rewardWorkerUsage}\n`);
    return 0;
  }

  let config: RunConfig;
  let workers: RewardWorker[];
  let grpc: string | undefined;
  try {
    const { own, rest } = takeFlags(argv, ['workers', 'grpc']);
    workers = pickBuiltinWorkers(own.workers);
    grpc = own.grpc;
    if (grpc !== undefined) workers.forEach((_, i) => grpcAddressFor(grpc!, i));
    config = loadRunConfig(rest);
    if (!config.nats && grpc === undefined) {
      throw new DatarusError(ErrorCode.InvalidConfig, 'nats: reward workers need a NATS url (nats.url in the config file, or --nats.url) or --grpc HOST:PORT');
    }
  } catch (e) {
    io.stderr.write(`${errorLine(PROGRAM, e)}\n${rewardWorkerUsage}\n`);
    return exitCodeOf(e);
  }

  let nc: NatsConnection | undefined;
  const servings: Serving[] = [];
  const closeAll = async () => {
    const closed = await Promise.allSettled(servings.map((s) => s.close()));
    if (nc && !nc.isClosed()) await nc.drain();
    const failed = closed.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  };
  try {
    if (config.nats) nc = await connectNats({ name: PROGRAM, ...config.nats });
    for (const [i, w] of workers.entries()) {
      const serving = await serveRewardWorker(w.name, w.score, { nats: nc, grpc: grpc === undefined ? undefined : grpcAddressFor(grpc, i) });
      servings.push(serving);
      const where = [serving.nats && `NATS ${serving.nats.subject} (queue ${rewardQueueGroup(w.name)})`, serving.grpc && `gRPC ${serving.grpc.address}`].filter(Boolean);
      say(`serving ${w.name} on ${where.join(' and ')}`);
    }
  } catch (e) {
    io.stderr.write(`${errorLine(PROGRAM, e)}\n`);
    await closeAll().catch(() => {});
    return exitCodeOf(e);
  }

  const stop = await untilStop(nc, opts.signal);
  const closedUnderUs = stop.kind === 'connection-closed';
  say(closedUnderUs ? `NATS connection closed${stop.error ? `: ${stop.error.message}` : ''}; stopping` : `${stop.name}: stopping`);
  let status = closedUnderUs ? 1 : 0;
  try {
    await closeAll();
  } catch (e) {
    io.stderr.write(`${errorLine(PROGRAM, e)}\n`);
    status = 1;
  }
  const handled = workers.map((w, i) => `${w.name}:${servings[i]?.nats?.handled ?? 0}`).join(', ');
  say(`stopped; NATS requests answered ${handled}`);
  return status;
}
