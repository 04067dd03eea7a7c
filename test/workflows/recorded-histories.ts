/** One recorded history: the scenario it shows, its file under histories/, and the workflow type it replays. */
export interface RecordedHistory {
  name: string;
  file: string;
  workflowType: string;
}

/** The workflow id each recorded history ran under, by scenario name, beside the histories. */
export const RECORDED_IDS_FILE = 'current-ids.json';

const history = (name: string, workflowType: string): RecordedHistory => ({
  name,
  file: `current-${name}.pb`,
  workflowType,
});

/** What `npm run histories:record` writes, and test/workflows/replay.test.ts replays: every workflow type, every way a launch ends. */
export const RECORDED: RecordedHistory[] = [
  history('launch-completed', 'launchServer'),
  history('launch-failed', 'launchServer'),
  history('launch-cancelled', 'launchServer'),
  history('capture', 'captureImage'),
  history('delete-image', 'deleteImage'),
  history('clone', 'cloneTemplate'),
  history('clone-failed', 'cloneTemplate'),
  history('refresh-builds', 'refreshImageFamily'),
  history('refresh-retires', 'refreshImageFamily'),
  history('server-stop', 'changeServerPower'),
  history('terminate', 'terminateServer'),
  history('reap', 'reapOrphans'),
  history('quota-ledger', 'quotaLedger'),
  history('console-sessions', 'consoleSessions'),
];
