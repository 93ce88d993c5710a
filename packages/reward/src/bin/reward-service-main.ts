// The reward service process (packages/reward/bin/reward-service.js):
//   reward-service --config run.json [--<run config field> VALUE ...]
// Loads the run config (defaults ← file ← flags), connects to the NATS of
// config.nats (required: this process is part of a running cluster; the embedded
// default passes the url of the server it started), makes sure the streams exist,
// builds the RewardService from config.reward and runs the scoring pipeline until
// SIGTERM or SIGINT, then drains: groups in flight are published and acked (or
// nak'ed), the connection is drained, exit 0. One line per scored group on stderr.
import type { NatsConnection } from 'nats';
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { loadRunConfig, type RunConfig } from '@datarus/config';
import { connectNats } from '@datarus/transport';
import { RewardService } from '../service/reward-service.js';
import { startScoringPipeline, type ScoringPipeline } from '../pipeline/scoring-pipeline.js';
import { errorLine, exitCodeOf, untilStop, type ProcessOptions } from './process-support.js';

const PROGRAM = 'reward-service';

export const rewardServiceUsage = `usage: ${PROGRAM} --config RUN.json [--nats.url nats://HOST:4222] [--<run config field> VALUE ...]`;

/** Runs the reward service until it is told to stop; returns the exit status. */
export async function runRewardServiceProcess(argv: string[], opts: ProcessOptions = {}): Promise<number> {
  const io = opts.io ?? process;
  const say = (line: string) => io.stderr.write(`${PROGRAM}: ${line}\n`);
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(`${rewardServiceUsage}\n`);
    return 0;
  }

  let config: RunConfig;
  try {
    config = loadRunConfig(argv);
    if (!config.nats) {
      throw new DatarusError(
        ErrorCode.InvalidConfig,
        'nats: the reward service needs a NATS url (nats.url in the config file, or --nats.url nats://HOST:4222)',
      );
    }
  } catch (e) {
    io.stderr.write(`${errorLine(PROGRAM, e)}\n${rewardServiceUsage}\n`);
    return exitCodeOf(e);
  }

  let nc: NatsConnection | undefined;
  let service: RewardService | undefined;
  let pipeline: ScoringPipeline | undefined;
  try {
    nc = await connectNats({ name: PROGRAM, ...config.nats });
    // The curriculum horizon T: reward.curriculum.totalSteps, which is the run's steps unless
    // the config sets its own (the laptop run's 16 steps are the first part of T = 64).
    const curriculum = { ...config.reward.curriculum, totalSteps: config.reward.curriculum.totalSteps || config.steps };
    service = new RewardService({ workers: config.reward.workers, curriculum }, { nats: nc });
    pipeline = await startScoringPipeline({
      nats: nc,
      service,
      streams: config.streams,
      consumer: config.consumer,
      totalSteps: curriculum.totalSteps,
      sampleConcurrency: config.reward.concurrency,
      log: say,
    });
  } catch (e) {
    io.stderr.write(`${errorLine(PROGRAM, e)}\n`);
    await pipeline?.stop().catch(() => {});
    await service?.close().catch(() => {});
    if (nc && !nc.isClosed()) await nc.close().catch(() => {});
    return exitCodeOf(e);
  }

  const workers = config.reward.workers.map((w) => `${w.name}(${w.role}, ${w.transport})`).join(', ');
  say(`consuming ROLLOUTS as durable ${pipeline.durable}; workers ${workers}; curriculum T=${pipeline.totalSteps}`);

  const stop = await untilStop(nc, opts.signal);
  const closedUnderUs = stop.kind === 'connection-closed';
  say(closedUnderUs ? `NATS connection closed${stop.error ? `: ${stop.error.message}` : ''}; stopping` : `${stop.name}: draining`);
  let status = closedUnderUs ? 1 : 0;
  try {
    await pipeline.stop();
    await service.close();
    if (!nc.isClosed()) await nc.drain();
  } catch (e) {
    io.stderr.write(`${errorLine(PROGRAM, e)}\n`);
    status = 1;
  }
  const s = pipeline.stats();
  const missing = Object.entries(s.missing)
    .map(([w, byCode]) => `${w}:${Object.values(byCode).reduce((a, b) => a + b, 0)}`)
    .join(',');
  say(
    `stopped: ${s.groups} groups, ${s.samples} samples (${s.samplesWithoutReward} without reward), ` +
      `${s.consumer.deadLettered} dead letters${missing ? `, missing ${missing}` : ''}`,
  );
  return status;
}
