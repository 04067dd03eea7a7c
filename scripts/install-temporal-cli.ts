import { loadConfig } from '../config/config';
import { locateTemporalCli } from './temporal-cli';

// `npm run temporal:install`: makes sure a Temporal CLI binary exists (CI runs it before the tests).
function run(): void {
  const config = loadConfig();
  const cli = locateTemporalCli({
    cliPath: config.TEMPORAL_CLI_PATH,
    allowSdkDownload: false,
    say: (message) => console.log(`[temporal-cli] ${message}`),
  });
  if (cli.kind === 'binary') console.log(cli.path);
}

try {
  run();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
