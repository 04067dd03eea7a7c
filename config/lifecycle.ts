// How each entry point learns it must stop: SIGINT (Ctrl+C), SIGTERM (a supervisor), SIGHUP (the terminal closed),
// or its parent dying. `npm start` runs us under `sh -c`; npm passes a SIGTERM only to that shell, which dies
// without passing it on, so a process that waited for signals alone would be orphaned and keep running.
// An entry point that can read its files again (the API: keys and billing codes) takes SIGHUP as "reload", as
// daemons do; a closed terminal still stops it, since the shell it ran under dies too and its parent watch sees that.

export type StopReason = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'parent-exited';

/**
 * Calls `stop` on the first request. A second signal while stopping exits at once: the 'exit' handlers
 * (for example the dev server's) still run, so nothing is left behind even when a drain hangs.
 * With `reload`, SIGHUP calls it instead of stopping.
 */
export function onStopRequest(stop: (reason: StopReason) => void, options: { reload?: () => void } = {}): void {
  let requested = false;
  const request = (reason: StopReason) => {
    if (requested) {
      if (reason !== 'parent-exited') process.exit(130);
      return;
    }
    requested = true;
    stop(reason);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => request(signal));
  const { reload } = options;
  process.on('SIGHUP', () => {
    if (!reload) request('SIGHUP');
    else if (!requested) reload();
  });
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(watch);
      request('parent-exited');
    }
  }, 500);
  watch.unref();
}
