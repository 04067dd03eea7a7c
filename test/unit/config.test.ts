import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, webUiUpstream, webUiUrl } from '../../config/config';
import { defaultCachedWorkflows } from '../../worker/worker';

describe('configuration', () => {
  it('needs nothing set: the defaults run the service locally on the sim', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 3000,
      DATA_DIR: '.data',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'machine-images',
      TEMPORAL_PORT: 7233,
      TEMPORAL_UI_PORT: 8233,
      PROVIDER: 'sim',
      SIM_TIME_SCALE: 0.1,
      LOG_LEVEL: 'info',
    });
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.temporal).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default', configured: false });
    expect(config.temporal.tls).toBeUndefined();
  });

  it('reads the environment, and an empty value counts as unset', () => {
    const config = loadConfig({
      PORT: '8080',
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_CLI_PATH: '',
      SIM_TIME_SCALE: '0',
    });
    expect(config.PORT).toBe(8080);
    expect(config.temporal).toMatchObject({ address: 'temporal:7233', configured: true });
    expect(config.TEMPORAL_CLI_PATH).toBeUndefined();
    expect(config.SIM_TIME_SCALE).toBe(0);
  });

  it('serves the Web UI under /temporal: the dev server’s under npm start, or TEMPORAL_UI_UPSTREAM’s', () => {
    const embedded = loadConfig({ TEMPORAL_UI_PORT: '8300' });
    expect(webUiUpstream(embedded)).toBe('http://127.0.0.1:8300');
    expect(webUiUrl(embedded)).toBe('/temporal');
    const cluster = loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(webUiUpstream(cluster)).toBeUndefined();
    expect(webUiUrl(cluster)).toBeUndefined();
    const proxied = loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_UI_UPSTREAM: 'http://temporal-ui:8080/' });
    expect([webUiUpstream(proxied), webUiUrl(proxied)]).toEqual(['http://temporal-ui:8080', '/temporal']);
    const linked = loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_UI_URL: 'https://ui.example/' });
    expect(webUiUrl(linked)).toBe('https://ui.example');
    expect(() => loadConfig({ TEMPORAL_UI_UPSTREAM: 'temporal-ui:8080' })).toThrow(/TEMPORAL_UI_UPSTREAM.*http\(s\)/s);
  });

  it('stops on a bad value with a message naming each variable at fault', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', PROVIDER: 'gcp', TEMPORAL_ADDRESS: 'no-port' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT="eighty"/);
    expect(attempt).toThrow(/PROVIDER="gcp": .*sim.*aws.*qemu/);
    expect(attempt).toThrow(/TEMPORAL_ADDRESS="no-port": expected host:port/);
  });

  it('caches 1,000 workflows per worker unless its heap is small, or what WORKER_MAX_CACHED_WORKFLOWS says', () => {
    expect(loadConfig({}).WORKER_MAX_CACHED_WORKFLOWS).toBeUndefined();
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '300' }).WORKER_MAX_CACHED_WORKFLOWS).toBe(300);
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: 'lots' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS="lots"/);
    expect(defaultCachedWorkflows(4096)).toBe(1000);
    expect(defaultCachedWorkflows(512)).toBe(182); // the SDK's reckoning for a 512 MiB heap
  });
});
