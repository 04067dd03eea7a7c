import { readFileSync } from 'node:fs';
// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import { Worker, type InjectedSinks } from '@temporalio/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../../worker/worker';
import { TRACE_HEADER } from '../../workflows/tracing';
import { testPayloadCodecs } from '../support/temporal';
import { RECORDED, RECORDED_IDS_FILE } from './recorded-histories';

// The tracing interceptors (workflows/tracing.ts) are in every bundle. A workflow started without a trace context
// must replay as before; one started with it gets spans around its run and each activity, child and signal it
// starts, and the headers that carry them, which must change none of its commands. Both ways, on every history.
const history = (file: string) =>
  proto.temporal.api.history.v1.History.decode(readFileSync(new URL(`./histories/${file}`, import.meta.url)));

/** The history as if a traced client had started it: a trace context in the first event's header. */
function startedTraced(events: proto.temporal.api.history.v1.IHistory): proto.temporal.api.history.v1.IHistory {
  const traced = proto.temporal.api.history.v1.History.decode(
    proto.temporal.api.history.v1.History.encode(events).finish(),
  );
  const started = traced.events[0]!.workflowExecutionStartedEventAttributes!;
  const carrier = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
  started.header = {
    fields: { ...started.header?.fields, [TRACE_HEADER]: defaultPayloadConverter.toPayload(carrier) },
  };
  return traced;
}

describe('recorded histories with the tracing interceptors bundled', () => {
  const ids = JSON.parse(readFileSync(new URL(`./histories/${RECORDED_IDS_FILE}`, import.meta.url), 'utf8')) as Record<
    string,
    string
  >;

  /** Replays each history (changed by `change`); answers the failures, and the span names each one exported. */
  async function replayAll(
    change: (events: proto.temporal.api.history.v1.IHistory) => proto.temporal.api.history.v1.IHistory,
  ) {
    const spans = new Map<string, string[]>();
    // Called during replay, unlike the worker's sink: what the interceptors made is counted, and dropped.
    const counting: InjectedSinks<OpenTelemetrySinks> = {
      exporter: {
        export: {
          fn: (info, exported) => {
            spans.set(info.workflowId, [...(spans.get(info.workflowId) ?? []), ...exported.map((s) => s.name)]);
          },
          callDuringReplay: true,
        },
      },
    };
    const options = {
      workflowsPath: WORKFLOWS_PATH,
      interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
      sinks: counting,
      dataConverter: { payloadCodecs: testPayloadCodecs() },
    };
    const histories = RECORDED.map((recorded) => ({
      workflowId: ids[recorded.name]!,
      history: change(history(recorded.file)),
    }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(options, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(replayed).toBe(RECORDED.length);
    return { failures, spans };
  }

  it('replay every workflow type as recorded, untraced', async () => {
    const { failures, spans } = await replayAll((events) => events);
    expect(failures).toEqual([]);
    expect([...spans.keys()], 'no spans without a trace context').toEqual([]);
  }, 120_000);

  it('replay every workflow type started with a trace context, its spans made around the same commands', async () => {
    const { failures, spans } = await replayAll(startedTraced);
    expect(failures).toEqual([]);
    const runs = RECORDED.filter((recorded) =>
      spans.get(ids[recorded.name]!)?.some((name) => name.startsWith('RunWorkflow:')),
    );
    expect(
      runs.length,
      `every history that ends made a RunWorkflow span: ${JSON.stringify([...spans])}`,
    ).toBeGreaterThan(10);
    expect(spans.get(ids['launch-completed']!)).toEqual(
      expect.arrayContaining(['StartActivity:provisionServer', 'RunWorkflow:launchServer']),
    );
  }, 120_000);
});
