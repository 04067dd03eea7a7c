import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { FastifyPluginAsync } from 'fastify';
import { PROJECT_ROOT } from '../../config/paths';

// The web console: console/ bundled once per process by esbuild (tens of milliseconds) and served from memory by
// this API, so there is no second server and no build step before `npm start`. It calls only the public API.

const CONSOLE_DIR = path.join(PROJECT_ROOT, 'console');

export interface ConsoleBundle {
  html: string;
  js: string;
  css: string;
}

let bundle: Promise<ConsoleBundle> | undefined;

export function consoleBundle(): Promise<ConsoleBundle> {
  bundle ??= (async () => {
    const result = await build({
      entryPoints: [path.join(CONSOLE_DIR, 'main.tsx')],
      bundle: true,
      minify: true,
      format: 'esm',
      target: 'es2022',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      write: false,
      logLevel: 'silent',
      legalComments: 'none',
    });
    const js = result.outputFiles[0]?.text ?? '';
    return {
      html: readFileSync(path.join(CONSOLE_DIR, 'index.html'), 'utf8'),
      js,
      css: readFileSync(path.join(CONSOLE_DIR, 'styles.css'), 'utf8'),
    };
  })();
  return bundle;
}

export const consoleRoutes: FastifyPluginAsync = async (app) => {
  const files = await consoleBundle();
  const serve = (url: string, type: string, body: string) =>
    app.get(url, { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
      reply.type(type).header('cache-control', 'no-cache').send(body),
    );
  serve('/', 'text/html; charset=utf-8', files.html);
  serve('/console/app.js', 'text/javascript; charset=utf-8', files.js);
  serve('/console/app.css', 'text/css; charset=utf-8', files.css);
};
