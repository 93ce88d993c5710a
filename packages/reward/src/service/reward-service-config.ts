// Configuration of the reward service (zod): which workers to ask, how, with what
// weight on which side of the curriculum, and how long to wait for each. The
// schemas live in @datarus/config, beside the rest of a run's configuration.
export { WorkerEntry, RewardServiceConfig } from '@datarus/config';
