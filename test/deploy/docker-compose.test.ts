import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../config/config';
import { BUILD_SCRIPT, TEMPORAL_SERVER_VERSION } from '../../scripts/cluster/server-build';
import { DATABASES } from '../../scripts/cluster/temporal-server';
import { PROJECT_ROOT } from '../../config/paths';

// No Docker engine runs on our machines: the file is checked for what it promises instead of being run.
interface Service {
  image?: string;
  build?: string | { context: string; args?: Record<string, string> };
  entrypoint?: string[];
  command?: string[] | string;
  ports?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
}

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(path.join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, Service>;
  };
  const { services } = compose;

  it('runs Temporal on PostgreSQL, the Web UI, the API and the worker', () => {
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'postgresql',
      'temporal',
      'temporal-prepare',
      'temporal-schema',
      'temporal-ui',
      'worker',
    ]);
    expect(services.postgresql?.image).toMatch(/^postgres:/);
    expect(services.temporal?.environment).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'postgresql',
      DBNAME: 'temporal',
      VISIBILITY_DBNAME: 'temporal_visibility',
    });
    expect(services['temporal-ui']?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('builds the same Temporal server version that npm run cluster and the tests run, by the same recipe', () => {
    for (const role of ['temporal', 'temporal-schema']) {
      const build = services[role]?.build as { context: string; args: Record<string, string> };
      expect(build.args.TEMPORAL_SERVER_VERSION, role).toBe(TEMPORAL_SERVER_VERSION);
      expect(services[role]?.image, role).toBe(`machine-images/temporal-server:${TEMPORAL_SERVER_VERSION}`);
      expect(path.join(PROJECT_ROOT, build.context)).toBe(path.dirname(BUILD_SCRIPT));
    }
    const dockerfile = readFileSync(path.join(path.dirname(BUILD_SCRIPT), 'Dockerfile'), 'utf8');
    const recipe = readFileSync(BUILD_SCRIPT, 'utf8');
    expect(dockerfile).toContain(`ARG TEMPORAL_SERVER_VERSION=${TEMPORAL_SERVER_VERSION}`);
    for (const line of [
      'GOTOOLCHAIN=go1.27.3',
      'CGO_ENABLED=0',
      'go.temporal.io/server/cmd/server@v',
      'go.temporal.io/server/cmd/tools/sql@v',
    ]) {
      expect(dockerfile, line).toContain(line);
      expect(recipe, line).toContain(line);
    }
  });

  it('sets up both schemas with the schema tool, as scripts/cluster does', () => {
    const script = String(services['temporal-schema']?.command);
    for (const { name, schema } of DATABASES) expect(script).toContain(`${name}:${schema}`);
    for (const step of ['create-database', 'setup-schema -v 0.0', 'update-schema --schema-name'])
      expect(script).toContain(step);
  });

  it('publishes the API and the Temporal frontend; the Web UI is served through the API, on its origin', () => {
    expect(services.api?.ports).toContain('3000:3000');
    expect(services.temporal?.ports).toContain('7233:7233');
    expect(services['temporal-ui']?.ports).toBeUndefined();
    expect(services['temporal-ui']?.environment).toMatchObject({
      TEMPORAL_UI_PUBLIC_PATH: '/temporal',
      TEMPORAL_CODEC_ENDPOINT: '/codec',
    });
    expect(services.api?.environment?.TEMPORAL_UI_UPSTREAM).toBe('http://temporal-ui:8080');
  });

  it('gives api and worker only configuration the service knows, pointed at the cluster', () => {
    const known = Object.keys(ConfigSchema.shape);
    for (const role of ['api', 'worker']) {
      const environment = services[role]?.environment ?? {};
      expect(
        Object.keys(environment).filter((name) => !known.includes(name)),
        role,
      ).toEqual([]);
      expect(environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_TASK_QUEUE: 'machine-images' });
      expect(
        ConfigSchema.safeParse(Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, String(v)]))).success,
      ).toBe(true);
      expect(services[role]?.build).toBe('.');
      expect(services[role]?.depends_on?.['temporal-prepare']?.condition).toBe('service_completed_successfully');
    }
    expect(services.api?.environment?.HOST).toBe('0.0.0.0');
  });

  it('starts each role from an entry point that exists, with the image the Dockerfile builds', () => {
    expect(existsSync(path.join(PROJECT_ROOT, 'Dockerfile'))).toBe(true);
    for (const role of ['api', 'worker']) {
      const command = services[role]?.command as string[];
      const entry = command.at(-1)!;
      expect(existsSync(path.join(PROJECT_ROOT, entry)), entry).toBe(true);
    }
  });

  it('builds on a Node.js base image of a major that package.json engines supports', () => {
    const dockerfile = readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
    const major = /^FROM node:(\d+)-/m.exec(dockerfile)?.[1];
    expect(major, 'the Dockerfile builds FROM node:<major>-...').toBeDefined();
    const { engines } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    // engines lists one caret range per supported major (^20.19.0 || ^22.13.0 || ^24.0.0).
    const majors = engines.node.split('||').map((range) => /^\s*\^(\d+)\./.exec(range)?.[1]);
    expect(majors, `engines.node is "${engines.node}"`).toContain(major);
  });

  it("registers the namespace and the search attributes with the service's own npm run temporal:prepare", () => {
    const command = services['temporal-prepare']?.command as string[];
    expect(command.at(-1)).toBe('scripts/cluster/prepare-namespace.ts');
    expect(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).toContain(
      `"temporal:prepare": "node --import tsx ${command.at(-1)}"`,
    );
    expect(services['temporal-prepare']?.environment).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'default',
    });
  });

  it('adds mutual TLS in docker-compose.tls.yml, with the variables the service and the server read', () => {
    const tls = parse(readFileSync(path.join(PROJECT_ROOT, 'docker-compose.tls.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, Service>;
    };
    expect(tls.services.temporal?.environment).toMatchObject({
      TEMPORAL_TLS_REQUIRE_CLIENT_AUTH: 'true',
      TEMPORAL_TLS_FRONTEND_CERT: '/tls/server.pem',
      TEMPORAL_TLS_CLIENT1_CA_CERT: '/tls/ca.pem',
    });
    for (const role of ['api', 'worker', 'temporal-prepare']) {
      const environment = tls.services[role]?.environment ?? {};
      expect(environment, role).toMatchObject({
        TEMPORAL_TLS_CLIENT_CERT_PATH: '/tls/client.pem',
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/tls/ca.pem',
        TEMPORAL_TLS_SERVER_NAME: 'temporal',
      });
    }
  });
});
