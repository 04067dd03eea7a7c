import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../config/config';
import { SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import { PROJECT_ROOT } from '../../scripts/temporal-cli';

// No Docker engine runs on our machines: the file is checked for what it promises instead of being run.
interface Service {
  image?: string;
  build?: string;
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
    expect(Object.keys(services).sort()).toEqual(['api', 'postgresql', 'temporal', 'temporal-search-attributes', 'temporal-ui', 'worker']);
    expect(services.postgresql?.image).toMatch(/^postgres:/);
    expect(services.temporal?.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(services['temporal-ui']?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('publishes the API, the Temporal frontend and the Web UI', () => {
    expect(services.api?.ports).toContain('3000:3000');
    expect(services.temporal?.ports).toContain('7233:7233');
    expect(services['temporal-ui']?.ports).toContain('8080:8080');
  });

  it('gives api and worker only configuration the service knows, pointed at the cluster', () => {
    const known = Object.keys(ConfigSchema.shape);
    for (const role of ['api', 'worker']) {
      const environment = services[role]?.environment ?? {};
      expect(Object.keys(environment).filter((name) => !known.includes(name)), role).toEqual([]);
      expect(environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_TASK_QUEUE: 'machine-images' });
      expect(ConfigSchema.safeParse(Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, String(v)]))).success).toBe(true);
      expect(services[role]?.build).toBe('.');
      expect(services[role]?.depends_on?.['temporal-search-attributes']?.condition).toBe('service_completed_successfully');
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

  it('registers every search attribute the workflows use', () => {
    const script = String(services['temporal-search-attributes']?.command);
    for (const key of SEARCH_ATTRIBUTES) expect(script).toContain(key.name);
  });
});
