// The `datarus` command line: dispatches subcommands and turns errors into a
// one-line message with the error code (exit 1) or usage (exit 2).
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { datagenUsage, runDatagenCommand } from '@datarus/datagen';
import { rewardScoreUsage, runRewardScoreCommand } from '@datarus/reward';
import { benchCommand, benchHelp } from './commands/bench.js';
import { evalCommand, evalHelp } from './commands/eval.js';
import { generateCommand, generateHelp } from './commands/generate.js';
import { logprobsCommand, logprobsHelp } from './commands/logprobs.js';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: Command; help: string }> = {
  generate: { run: generateCommand, help: generateHelp },
  logprobs: { run: logprobsCommand, help: logprobsHelp },
  bench: { run: benchCommand, help: benchHelp },
  eval: { run: evalCommand, help: evalHelp },
  reward: {
    run: (argv) => (argv[0] === 'score' ? runRewardScoreCommand(argv.slice(1)) : Promise.resolve(usageExit(rewardScoreUsage))),
    help: rewardScoreUsage.replace(/^usage: /, ''),
  },
  datagen: { run: (argv) => runDatagenCommand(argv), help: datagenUsage.replace(/^usage: /, '') },
};

function usageExit(text: string): number {
  process.stderr.write(`${text}\n`);
  return 2;
}

export function helpText(): string {
  return ['usage:', ...Object.values(COMMANDS).map((c) => '  ' + c.help)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(helpText() + '\n');
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`datarus: unknown command '${name}'\n${helpText()}\n`);
    return 2;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    const code = e instanceof DatarusError ? e.code : ((e as { code?: string }).code ?? ErrorCode.Internal);
    process.stderr.write(`datarus ${name}: error ${code}: ${e instanceof Error ? e.message : String(e)}\n`);
    if (code === ErrorCode.InvalidArgument) process.stderr.write(`usage: ${cmd.help}\n`);
    return code === ErrorCode.InvalidArgument ? 2 : 1;
  }
}
