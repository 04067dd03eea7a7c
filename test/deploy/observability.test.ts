import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from '../../config/free-port';
import { PROJECT_ROOT } from '../../config/paths';
import { SimProvider } from '../../providers/sim/sim-provider';
import { startTestApi } from '../support/api';
import { LAUNCH_BODY } from '../support/launches';
import { ownNamespace } from '../support/namespace';

const run = promisify(execFile);
const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: { severity?: string };
  annotations?: { summary?: string; description?: string };
}
interface RuleTest {
  alert_rule_test: { alertname: string; exp_alerts: unknown[] }[];
}
interface Dashboard {
  templating: { list: { name: string; type: string; query?: string | { query: string } }[] };
  panels: { type: string; title: string; targets?: { expr: string }[] }[];
}

const rules = (parse(read('deploy/prometheus/alerts.yml')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (group) => group.rules,
);
const dashboard = JSON.parse(read('deploy/grafana/machine-images.json')) as Dashboard;

/** Labels Prometheus adds to every series it scrapes: they are in no exposition. */
const TARGET_LABELS = ['job', 'instance'];
const HISTOGRAM_SERIES = ['_bucket', '_sum', '_count'];
const LABEL_LISTS = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g;
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** The series names an exposition holds (a histogram as its _bucket, _sum and _count), each with its label names. */
function exported(exposition: string): Map<string, Set<string>> {
  const names = new Map<string, Set<string>>();
  const labelsOf = (name: string) => names.get(name) ?? names.set(name, new Set()).get(name)!;
  for (const line of exposition.split('\n')) {
    const declared = /^# TYPE (\S+) (\w+)$/.exec(line);
    if (declared) {
      for (const suffix of declared[2] === 'histogram' ? HISTOGRAM_SERIES : ['']) labelsOf(declared[1]! + suffix);
      continue;
    }
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? /.exec(line);
    if (!sample) continue;
    const labels = labelsOf(sample[1]!);
    for (const [, label] of (sample[2] ?? '').matchAll(/([a-zA-Z_]\w*)="/g)) labels.add(label!);
  }
  return names;
}

/** Each series selector in a PromQL expression: its metric name and the label names it matches on. */
function selectorsIn(expr: string): { name: string; labels: string[] }[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\[[^\]]*\]/g, '')
    .replace(LABEL_LISTS, '');
  const found: { name: string; labels: string[] }[] = [];
  for (const match of bare.matchAll(/(?<![\w$.:])([a-zA-Z_:][\w:]*)(?![\w:])\s*(\{[^}]*\})?/g)) {
    const [whole, name, matchers] = match as unknown as [string, string, string | undefined];
    const calls = !matchers && /^\s*\(/.test(bare.slice(match.index + whole.length));
    if (calls || KEYWORDS.has(name.toLowerCase())) continue;
    found.push({ name, labels: [...(matchers ?? '').matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]!) });
  }
  return found;
}

/** What the expressions name that no scrape holds: `name`, or `name{label}` for a label the metric does not carry. */
function unknownIn(exprs: string[], scraped: Map<string, Set<string>>): string[] {
  const unknown = new Set<string>();
  for (const { name, labels } of exprs.flatMap(selectorsIn)) {
    const carried = scraped.get(name);
    if (!carried) unknown.add(name);
    else
      for (const label of labels)
        if (!carried.has(label) && !TARGET_LABELS.includes(label)) unknown.add(`${name}{${label}}`);
  }
  return [...unknown].sort();
}

/** Every expression the dashboard evaluates: its panels' queries, and its variables' label_values(metric, label). */
function dashboardExprs(): string[] {
  const variables = dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => (typeof v.query === 'string' ? v.query : v.query!.query))
    .map((query) => /^label_values\(([\w:]+),\s*\w+\)$/.exec(query)?.[1] ?? query);
  return [...dashboard.panels.flatMap((panel) => panel.targets?.map((t) => t.expr) ?? []), ...variables];
}

describe('deploy/prometheus: the alert rules', () => {
  it('pass promtool: the rules check, and the fixtures fire every alert and hold some back', async () => {
    const check = await run('promtool', ['check', 'rules', 'deploy/prometheus/alerts.yml'], { cwd: PROJECT_ROOT });
    expect(check.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    const tested = await run('promtool', ['test', 'rules', 'deploy/prometheus/alerts.test.yml'], { cwd: PROJECT_ROOT });
    expect(tested.stdout).toContain('SUCCESS');

    const cases = (parse(read('deploy/prometheus/alerts.test.yml')) as { tests: RuleTest[] }).tests.flatMap(
      (test) => test.alert_rule_test,
    );
    const firing = new Set(cases.filter((c) => c.exp_alerts.length > 0).map((c) => c.alertname));
    expect([...firing].sort(), 'every alert fires in some fixture').toEqual(rules.map((r) => r.alert).sort());
    expect(cases.filter((c) => c.exp_alerts.length === 0).length, 'cases where an alert must not fire').toBeGreaterThan(
      3,
    );
  });

  it('give every alert a for:, a severity, and a summary and description saying what to do', () => {
    for (const rule of rules) {
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(['critical', 'warning', 'info'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description?.length ?? 0, rule.alert).toBeGreaterThan(150);
    }
  });
});

// The dashboard and the rules name only what the service exports: a real API's /metrics and a real worker's
// WORKER_METRICS_ADDRESS, scraped after launches that complete, fail, are cancelled and are reaped on the sim, a
// throttled cloud call, and a family whose scheduled refresh fails.
describe('deploy/: the dashboard and the rules against a running API and worker', () => {
  let env: Awaited<ReturnType<typeof startTestApi>>;
  let namespace: Awaited<ReturnType<typeof ownNamespace>>;
  let sim: SimProvider;
  let metricsPort: number;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const scrapeApi = async () => (await env.app.inject({ method: 'GET', url: '/metrics' })).body;
  const scrapeWorker = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();

  beforeAll(async () => {
    // The worker's SDK metrics, as WORKER_METRICS_ADDRESS turns them on (this file's process has no other runtime).
    metricsPort = await freePort();
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPort}` } } },
    });
    // A namespace of its own, so that the figures read from Temporal are this file's alone.
    namespace = await ownNamespace('observability');
    // A read budget as the aws driver declares one, so that the worker reports its buckets.
    sim = Object.assign(new SimProvider(), { readBudget: { ratePerSecond: 1000, burst: 1000 } });
    env = await startTestApi({ provider: sim, namespace: namespace.namespace });
  });
  afterAll(async () => {
    await env?.stop();
    await namespace?.drop();
  });

  const get = async (url: string) => (await env.app.inject({ method: 'GET', url })).json();
  async function launch(name: string, payload: object = {}): Promise<string> {
    const res = await env.app.inject({
      method: 'POST',
      url: '/v1/launches',
      payload: { ...LAUNCH_BODY, name, ...payload },
    });
    expect(res.statusCode, res.body).toBe(202);
    return res.json().id;
  }
  async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000) {
    for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(250)) {
      const value = await read();
      if (done(value)) return value;
    }
    throw new Error(`${what}: not within ${timeoutMs} ms`);
  }
  const untilStatus = (id: string, status: string) =>
    until(
      `launch ${id} ${status}`,
      () => get(`/v1/launches/${id}`),
      (v) => v.status === status,
    );
  const sample = (exposition: string, pattern: string) =>
    Number(new RegExp(`^${pattern} (\\S+)$`, 'm').exec(exposition)?.[1] ?? Number.NaN);

  it('name only metrics and labels that the API and the worker export', { timeout: 180_000 }, async () => {
    // The first provisioning call is throttled (and retried); one launch's provisioning fails for good.
    sim.faults.script({ operation: 'launchServer', nth: 1, code: 'Throttled' });
    sim.faults.script({ operation: 'launchServer', match: { serverName: 'fails-1' }, code: 'InvalidInput' });
    for (const name of ['parked-1', 'abandoned-1'])
      sim.faults.script({ operation: 'statusChecks', match: { serverName: name }, impaired: true });
    const completed = await launch('ok-1');
    const failed = await launch('fails-1');
    const parked = await launch('parked-1', { readyTimeout: 600 });
    const abandoned = await launch('abandoned-1', { readyTimeout: 600 });
    await untilStatus(completed, 'completed');
    await untilStatus(failed, 'failed');
    for (const id of [parked, abandoned])
      await until(
        `${id} waits`,
        () => get(`/v1/launches/${id}`),
        (v) => v.step === 'wait-ready',
      );
    expect((await env.app.inject({ method: 'POST', url: `/v1/launches/${parked}/cancel` })).statusCode).toBe(202);
    await untilStatus(parked, 'cancelled');
    // Terminated, it runs no undo: what it made is the reaper's.
    await env.temporal.client.workflow.getHandle(abandoned).terminate('left for the reaper');
    // Until the reaper sees it closed (visibility may lag a moment behind the termination).
    await until(
      'the reaper to remove what the terminated launch left',
      async () => {
        const reaper = await env.app.inject({ method: 'POST', url: '/v1/reaper/run?region=sim-east-1&graceSeconds=0' });
        expect(reaper.statusCode, reaper.body).toBe(202);
        await until(
          'the reaper run',
          () => get(reaper.json().statusUrl),
          (v) => v.status === 'completed',
        );
        return scrapeWorker();
      },
      (body) => /^machine_images_reaped_total\{/m.test(body),
    );

    // A family whose upstream query finds nothing, due every 5 s: its first scheduled run fails, and the schedule
    // pauses itself (pause-on-failure; a run triggered by hand does not pause it).
    const family = await env.app.inject({
      method: 'POST',
      url: '/v1/families',
      payload: {
        name: 'nowhere',
        source: { namePattern: 'no-such-os-*', architecture: 'x86_64' },
        regions: ['sim-east-1'],
        retention: { keepNewest: 2 },
        schedule: { every: '5s' },
      },
    });
    expect(family.statusCode, family.body).toBe(201);

    const api = await until(
      'the failed refresh to pause its family',
      scrapeApi,
      (body) => sample(body, 'machine_images_families_paused\\{reason="other"\\}') === 1,
    );
    const worker = await until('the worker to count a failed launch and a failed refresh', scrapeWorker, (body) =>
      ['launchServer', 'refreshImageFamily'].every((type) =>
        new RegExp(`^temporal_workflow_failed\\{[^}]*workflow_type="${type}"`, 'm').test(body),
      ),
    );
    const scraped = new Map([...exported(worker), ...exported(api)]);

    const exprs = [...dashboardExprs(), ...rules.map((rule) => rule.expr)];
    for (const expr of exprs) expect(selectorsIn(expr).length, expr).toBeGreaterThan(0);
    expect(unknownIn(exprs, scraped)).toEqual([]);
    // The check can fail: a name nobody exports, a histogram series of a counter, and a label the metric lacks.
    expect(
      unknownIn(
        [
          'sum(rate(machine_images_launches_failed_total{job=~"$api_job"}[5m])) by (outcome)',
          'rate(machine_images_cloud_calls_bucket[5m]) > 0 and machine_images_launches{phase="wait-ready"}',
        ],
        scraped,
      ),
    ).toEqual([
      'machine_images_cloud_calls_bucket',
      'machine_images_launches_failed_total',
      'machine_images_launches{phase}',
    ]);
  });

  it('report workers polling, overdue launches, and families paused by their definition apart from the rest', async () => {
    const paused = await env.app.inject({
      method: 'POST',
      url: '/v1/families',
      payload: {
        name: 'on-hold',
        source: { namePattern: 'ubuntu-24.04-x86_64-*', architecture: 'x86_64' },
        regions: ['sim-east-1'],
        retention: { keepNewest: 2 },
        schedule: { every: '1h', paused: true },
      },
    });
    expect(paused.statusCode, paused.body).toBe(201);
    const body = await until(
      'the paused family to be listed',
      scrapeApi,
      (text) => sample(text, 'machine_images_families_paused\\{reason="definition"\\}') === 1,
    );
    // The family whose scheduled run failed above stays apart: paused, but not by its definition.
    expect(sample(body, 'machine_images_families_paused\\{reason="other"\\}')).toBe(1);
    expect(sample(body, 'machine_images_task_queue_pollers\\{task_type="workflow"\\}')).toBe(1);
    expect(sample(body, 'machine_images_task_queue_pollers\\{task_type="activity"\\}')).toBe(1);
    expect(sample(body, 'machine_images_launches_overdue')).toBe(0);
  });
});
