// How each entry point learns it must stop: SIGINT (Ctrl+C), SIGTERM (a supervisor), or its parent dying.
// `npm start` runs us under `sh -c`; npm passes a SIGTERM only to that shell, which dies without passing it on,
// so a process that waited for signals alone would be orphaned and keep running. Watching the parent closes that gap.

export type StopReason = 'SIGINT' | 'SIGTERM' | 'parent-exited';

export function onStopRequest(stop: (reason: StopReason) => void): void {
  let requested = false;
  const request = (reason: StopReason) => {
    if (requested) return;
    requested = true;
    clearInterval(watch);
    stop(reason);
  };
  process.on('SIGINT', () => request('SIGINT'));
  process.on('SIGTERM', () => request('SIGTERM'));
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) request('parent-exited');
  }, 500);
  watch.unref();
}
