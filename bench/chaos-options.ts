import { parseArgs } from 'node:util';

// What a chaos run is asked to do, from its command line; `--smoke` fixes a small run for CI whatever else is given.

export interface ChaosOptions {
  smoke: boolean;
  /** On the Temporal server of `npm run cluster` rather than a dev server. */
  cluster: boolean;
  /** API and worker processes; 0: the API in the bench's process and one worker killed again and again. */
  replicas: number;
  launchCount: number;
  concurrency: number;
  killEveryS: number;
  maxKills: number;
  restartAfterS: number;
  /** With replicas, the mid-run events come at these fractions of the launches sent: the API kill, the worker kill, the restart. */
  apiKillAt: number;
  workerKillAt: number;
  restartAt: number;
  hardQuota: number;
  faultRate: number;
  timeScale: number;
  deadlineS: number;
  keep: boolean;
}

export function chaosOptions(args: string[] = process.argv.slice(2)): ChaosOptions {
  const { values } = parseArgs({
    args,
    options: {
      launches: { type: 'string', default: '200' },
      concurrency: { type: 'string', default: '20' },
      'kill-every': { type: 'string' },
      kills: { type: 'string' },
      'restart-after': { type: 'string' },
      'api-kill-at': { type: 'string', default: '0.25' },
      'worker-kill-at': { type: 'string', default: '0.45' },
      'restart-at': { type: 'string', default: '0.65' },
      'hard-quota': { type: 'string', default: '15' },
      'fault-rate': { type: 'string', default: '0.2' },
      'time-scale': { type: 'string', default: '0.05' },
      deadline: { type: 'string' },
      cluster: { type: 'boolean', default: false },
      replicas: { type: 'string' },
      keep: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
    },
  });
  const smoke = values.smoke;
  const replicas = values.replicas === undefined ? 0 : Number(values.replicas);
  if (!Number.isInteger(replicas) || replicas < 0 || replicas > 8) throw new Error('--replicas: 1 to 8');
  return {
    smoke,
    cluster: values.cluster,
    replicas,
    launchCount: smoke ? 6 : Number(values.launches),
    concurrency: smoke ? 5 : Number(values.concurrency),
    // Alone, the worker is killed every 10 s and the dev server restarted 60 s after it polls; with replicas, each
    // event comes once, when its share of the launches has been sent, so that it falls in the middle of any run.
    killEveryS: smoke ? 6 : Number(values['kill-every'] ?? 10),
    maxKills: smoke ? 1 : replicas ? 0 : Number(values.kills ?? Number.MAX_SAFE_INTEGER),
    restartAfterS: smoke ? 1 : Number(values['restart-after'] ?? 60),
    apiKillAt: Number(values['api-kill-at']),
    workerKillAt: Number(values['worker-kill-at']),
    restartAt: Number(values['restart-at']),
    hardQuota: Number(values['hard-quota']),
    faultRate: Number(values['fault-rate']),
    timeScale: Number(values['time-scale']),
    // The cluster is slower on this machine's two cores (docs/BENCHMARKS.md, section 7). The smoke's: a readiness
    // wait its SIGKILLed worker was following is taken over once its 3-minute heartbeat timeout has passed.
    deadlineS: smoke ? 330 : Number(values.deadline ?? (values.cluster || replicas ? 1500 : 900)),
    keep: values.keep,
  };
}
