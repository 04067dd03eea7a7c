import { defineConfig } from 'vitest/config';
import base from './vitest.config';

// `npm run histories:record`: the recorder alone, on the same dev server setup as the tests.
export default defineConfig({ ...base, test: { ...base.test, include: ['test/workflows/histories.record.ts'] } });
