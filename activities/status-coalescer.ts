import { ProviderError } from '../domain/cloud-errors';
import type { ServerStatus } from '../domain/server';
import type { CloudProvider } from '../providers/cloud-provider';

interface Asker {
  resolve(status: ServerStatus): void;
  reject(err: unknown): void;
}

/**
 * Readiness checks of one worker, gathered: every server asked about within `flushMs` is read by one
 * `serverStatuses` call per region and per `statusBatchLimit` servers, and each asker gets its own server's answer.
 * 2,000 launches waiting, each checked every 30 s, are 67 checks a second but one call a second.
 */
export class StatusCoalescer {
  private readonly asked = new Map<string, Map<string, Asker[]>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly provider: Pick<CloudProvider, 'serverStatuses' | 'statusBatchLimit'>,
    private readonly flushMs = 1_000,
  ) {}

  /** The server's state and status checks, read with the others asked about meanwhile; NotFound when it is gone. */
  status(region: string, serverId: string): Promise<ServerStatus> {
    return new Promise((resolve, reject) => {
      let servers = this.asked.get(region);
      if (!servers) this.asked.set(region, (servers = new Map()));
      const askers = servers.get(serverId);
      if (askers) askers.push({ resolve, reject });
      else servers.set(serverId, [{ resolve, reject }]);
      this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
    });
  }

  /** Reads everything asked so far now (tests, and a worker that stops). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const asked = [...this.asked];
    this.asked.clear();
    const limit = Math.max(1, this.provider.statusBatchLimit);
    await Promise.all(
      asked.flatMap(([region, servers]) => {
        const ids = [...servers.keys()];
        const batches = Array.from({ length: Math.ceil(ids.length / limit) }, (_, i) =>
          ids.slice(i * limit, (i + 1) * limit),
        );
        return batches.map((batch) => this.read(region, batch, servers));
      }),
    );
  }

  private async read(region: string, ids: string[], servers: Map<string, Asker[]>): Promise<void> {
    try {
      const statuses = new Map((await this.provider.serverStatuses(region, ids)).map((s) => [s.serverId, s]));
      for (const id of ids) {
        const status = statuses.get(id);
        for (const asker of servers.get(id) ?? []) {
          if (status) asker.resolve(status);
          else asker.reject(new ProviderError('NotFound', `server ${id} does not exist in ${region}`));
        }
      }
    } catch (err) {
      for (const id of ids) for (const asker of servers.get(id) ?? []) asker.reject(err);
    }
  }
}
