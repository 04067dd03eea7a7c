// The sim's notion of time: a resource's state is read off its timeline at the moment of asking,
// so nothing runs in the background and every process sharing the store agrees.

export interface Transition<S extends string> {
  state: S;
  at: number;
}

export type Timeline<S extends string> = Transition<S>[];

/** Durations of the simulated cloud, in seconds at SIM_TIME_SCALE=1. */
export const SIM_DURATIONS = {
  serverBoot: 45,
  statusChecks: 30,
  serverStop: 15,
  serverTerminate: 10,
  imageCapture: 90,
  volumeCreate: 5,
  volumeAttach: 3,
  volumeDetach: 3,
} as const;

export class SimClock {
  constructor(
    private readonly scale: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  now(): number {
    return this.nowMs();
  }

  /** The moment `duration` simulated seconds from now. */
  after(duration: keyof typeof SIM_DURATIONS | number): number {
    const seconds = typeof duration === 'number' ? duration : SIM_DURATIONS[duration];
    return this.nowMs() + seconds * 1000 * this.scale;
  }
}

export function stateAt<S extends string>(timeline: Timeline<S>, now: number): S {
  let current = timeline[0]!.state;
  for (const step of timeline) if (step.at <= now) current = step.state;
  return current;
}

/** A new action supersedes transitions that have not happened yet. */
export function schedule<S extends string>(timeline: Timeline<S>, now: number, ...steps: Transition<S>[]): Timeline<S> {
  return [...timeline.filter((step) => step.at <= now), ...steps];
}
