import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Where the project's own files are, for every layer that reads them (the console's sources, the tools folder).

/** The repository's root: the folder holding package.json. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

/** Tools the project installs for itself (the Temporal CLI's venv, schemathesis), never committed. */
export const DEFAULT_TOOLS_DIR = path.join(PROJECT_ROOT, '.tools');
