// How each entry point learns it must stop: SIGINT (Ctrl+C), SIGTERM (a supervisor), SIGHUP (the terminal closed),
// or its parent dying. `npm start` runs us under `sh -c`; npm passes a SIGTERM only to that shell, which dies
// without passing it on, so a process that waited for signals alone would be orphaned and keep running.

export type StopReason = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'parent-exited';

/**
 * Calls `stop` on the first request. A second signal while stopping exits at once: the 'exit' handlers
 * (for example the dev server's) still run, so nothing is left behind even when a drain hangs.
 */
export function onStopRequest(stop: (reason: StopReason) => void): void {
  let requested = false;
  const request = (reason: StopReason) => {
    if (requested) {
      if (reason !== 'parent-exited') process.exit(130);
      return;
    }
    requested = true;
    stop(reason);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => request(signal));
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(watch);
      request('parent-exited');
    }
  }, 500);
  watch.unref();
}
