import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import type { Operation, OperationAccepted } from '../types';

// The operations the page started on servers (stop, start, reboot, terminate, capture), followed through
// GET /v1/operations/:id until each closes; the row shows what runs on it, and the page hears how each ended.

export interface Pending {
  serverId: string;
  serverName: string;
  /** What the row says while it runs: "stopping", "capturing web-base". */
  doing: string;
  operationId: string;
}

const POLL_MS = 1500;

export function useServerOperations(onClosed: (pending: Pending, operation: Operation) => void) {
  const [pending, setPending] = useState<Pending[]>([]);
  const closed = useRef(onClosed);
  closed.current = onClosed;

  useEffect(() => {
    if (pending.length === 0) return;
    let stale = false;
    const timer = setTimeout(async () => {
      const read = await Promise.all(
        pending.map((p) =>
          api<Operation>('GET', `/v1/operations/${encodeURIComponent(p.operationId)}`).then(
            (operation) => ({ p, operation }),
            () => ({ p, operation: undefined }), // read again next time
          ),
        ),
      );
      if (stale) return;
      const done = read.filter((r) => r.operation && r.operation.status !== 'running');
      for (const { p, operation } of done) closed.current(p, operation!);
      if (done.length) setPending((current) => current.filter((p) => !done.some((d) => d.p === p)));
      else setPending((current) => [...current]); // poll again
    }, POLL_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [pending]);

  return {
    pending,
    /** What runs on the server now, if the page started it. */
    doing: (serverId: string) => pending.find((p) => p.serverId === serverId)?.doing,
    follow: (server: { id: string; name: string }, doing: string, accepted: OperationAccepted) =>
      setPending((current) => [
        ...current,
        { serverId: server.id, serverName: server.name, doing, operationId: accepted.id },
      ]),
  };
}
