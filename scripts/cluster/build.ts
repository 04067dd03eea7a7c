import { ensureServerBuild } from './server-build';

// `npm run cluster:build`: builds the Temporal server and its schema tool into the user's cache, or says it is there.
// .ci/run calls it before the tests, so no test waits for a first build.
ensureServerBuild((line) => console.log(line)).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
