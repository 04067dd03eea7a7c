import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app';
import { temporalQuotaPlaces } from '../../api/billing/quota-ledger';
import { BillingCodeSchema, type BillingCode } from '../../domain/billing-codes';
import { LEDGER, quotaLedgerId, type LedgerPlaces } from '../../domain/quota-ledger';
import { bearer, testApiKeys } from '../support/api-keys';
import { LAUNCH_BODY } from '../support/launches';
import { startTestWorker } from '../support/temporal';

const REGION = 'sim-east-1';
const code = (c: Partial<BillingCode> & { code: string }): BillingCode =>
  BillingCodeSchema.parse({ name: `code ${c.code}`, groups: ['ops'], ...c });

// Two API replicas, each with its own connection to Temporal, in front of one worker: the quota of a billing code
// is counted by its ledger workflow, which both share, so together they admit no more than the quota.
describe('quota ledger shared by API replicas', () => {
  const hard = code({ code: `hard3-${randomUUID().slice(0, 8)}`, quota: { hard: 3 } });
  let temporal: Awaited<ReturnType<typeof startTestWorker>>;
  const replicas: FastifyInstance[] = [];
  const connections: Connection[] = [];
  const { apiKeys, sessionKeyring, tokens } = testApiKeys();

  beforeAll(async () => {
    temporal = await startTestWorker();
    for (let i = 0; i < 2; i++) {
      const connection = await Connection.connect({ address: inject('temporalAddress') });
      connections.push(connection);
      const client = new Client({
        connection,
        namespace: temporal.config.TEMPORAL_NAMESPACE,
        dataConverter: { payloadCodecs: temporal.payloadCodecs },
      });
      replicas.push(
        await buildApp({
          config: { ...temporal.config, PROVIDER: 'sim' },
          client,
          provider: temporal.provider,
          keys: temporal.keys,
          logger: pino({ level: 'silent' }),
          apiKeys,
          sessionKeyring,
          billingCodes: () => new Map([[hard.code, hard]]),
        }),
      );
    }
  });
  afterAll(async () => {
    await temporal?.client.workflow
      .getHandle(quotaLedgerId(hard.code))
      .terminate('test over')
      .catch(() => undefined);
    for (const app of replicas) await app.close();
    for (const connection of connections) await connection.close();
    await temporal?.stop();
  });

  const launch = (replica: number, name: string) =>
    replicas[replica]!.inject({
      method: 'POST',
      url: '/v1/launches',
      headers: bearer(tokens.operator),
      payload: { ...LAUNCH_BODY, name, billingCode: hard.code },
    });
  const places = () => temporal.client.workflow.getHandle(quotaLedgerId(hard.code)).query<LedgerPlaces>(LEDGER.places);

  let admitted: string[] = [];

  it('admits exactly the hard quota of 16 launches sent at once, alternating between two replicas', async () => {
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => launch(i % 2, `q-${i}`)));
    const accepted = answers.filter((a) => a.statusCode === 202);
    const refused = answers.filter((a) => a.statusCode === 422);
    expect(accepted).toHaveLength(3);
    expect(refused).toHaveLength(13);
    for (const answer of refused)
      expect(answer.json()).toEqual({
        code: 'quota_exceeded',
        message: expect.stringContaining(`billing code "${hard.code}" is at its hard quota (3/3 servers)`),
      });
    admitted = accepted.map((a) => (a.json() as { id: string }).id);
    expect((await places()).launchIds.sort()).toEqual([...admitted].sort());
    for (const id of admitted) await temporal.client.workflow.getHandle(id).result();
  });

  it('gives a place back once a server charged to the code is terminated, on either replica', async () => {
    expect(admitted).toHaveLength(3);
    const server = (
      (await replicas[0]!
        .inject({
          method: 'GET',
          url: `/v1/launches/${admitted[0]}`,
          headers: bearer(tokens.operator),
        })
        .then((r) => r.json())) as { server: { id: string } }
    ).server.id;
    const termination = await replicas[1]!.inject({
      method: 'DELETE',
      url: `/v1/servers/${server}?region=${REGION}`,
      headers: bearer(tokens.operator),
    });
    expect(termination.statusCode).toBe(202);
    await temporal.client.workflow.getHandle(termination.json<{ id: string }>().id).result();
    // A refusal re-counts when the figures are more than a few seconds old: the place comes back within that.
    let answer = await launch(1, 'q-again');
    for (let tries = 0; answer.statusCode === 422 && tries < 20; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      answer = await launch(tries % 2, `q-again-${tries}`);
    }
    expect(answer.statusCode, answer.body).toBe(202);
    expect((await places()).launchIds).not.toContain(admitted[0]);
    await temporal.client.workflow.getHandle(answer.json<{ id: string }>().id).result();
  });

  it('is rebuilt from the cloud and the open launches when it is lost', async () => {
    await temporal.client.workflow.getHandle(quotaLedgerId(hard.code)).terminate('lost, as a test');
    // The next admission starts a new ledger, which first counts the three servers charged to the code.
    const answer = await launch(0, 'q-after-loss');
    expect(answer.statusCode).toBe(422);
    expect(answer.json()).toMatchObject({ code: 'quota_exceeded', message: expect.stringContaining('(3/3 servers)') });
    expect((await places()).launchIds).toHaveLength(3);
  });
});

describe('a quota ledger continues as new before its history grows large', () => {
  it('keeps every place across runs', async () => {
    const temporal = await startTestWorker();
    const soft = code({ code: `can-${randomUUID().slice(0, 8)}`, quota: { hard: 100 } });
    const ledger = quotaLedgerId(soft.code);
    try {
      const first = await temporal.client.workflow.start('quotaLedger', {
        workflowId: ledger,
        taskQueue: temporal.config.TEMPORAL_TASK_QUEUE,
        args: [{ code: soft.code, historyLimit: 30 }],
      });
      const placesApi = temporalQuotaPlaces(temporal.client, temporal.config.TEMPORAL_TASK_QUEUE);
      const ids = Array.from({ length: 12 }, (_, i) => `launch-can-${i}`);
      for (const [i, id] of ids.entries()) {
        const admission = await placesApi.admit(soft, id);
        expect(admission, id).toMatchObject({ admitted: true, places: i });
      }
      // The same launch asked again keeps its one place.
      expect(await placesApi.admit(soft, ids[0]!)).toMatchObject({ admitted: true, places: 11 });
      const latest = await temporal.client.workflow.getHandle(ledger).describe();
      expect(latest.runId, 'a later run').not.toBe(first.firstExecutionRunId);
      const held = await temporal.client.workflow.getHandle(ledger).query<LedgerPlaces>(LEDGER.places);
      expect(held.launchIds.sort()).toEqual([...ids].sort());
      await placesApi.release(soft.code, ids[0]!);
      await expect
        .poll(
          async () => (await temporal.client.workflow.getHandle(ledger).query<LedgerPlaces>(LEDGER.places)).launchIds,
        )
        .not.toContain(ids[0]);
    } finally {
      await temporal.client.workflow
        .getHandle(ledger)
        .terminate('test over')
        .catch(() => undefined);
      await temporal.stop();
    }
  });
});
