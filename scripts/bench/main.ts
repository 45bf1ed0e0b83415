import { openSync, writeSync } from 'node:fs';

import { configureLogging } from '../../src/log.js';
import { FakeLlmServer } from '../../test/support/llm-server.js';
import { ackBurst } from './ack-burst.js';
import { eventLoop } from './event-loop.js';
import { extractionAndMemory } from './extraction.js';
import { queue } from './queue.js';
import { throughput } from './throughput.js';
import { describeMachine } from './machine.js';
import { mergeJson, renderNotes, renderTable, type ScenarioResult } from './report.js';

/**
 * `npm run bench [-- --json] [-- --details] [-- --only=1,3]`: every scenario of the performance
 * targets, each run against the project's real parts (see README, "Performance"). `--details`
 * adds the per-file table of scenario 4; `--only` picks scenarios (4 and 5 share one pass).
 */
const args = process.argv.slice(2);
const json = args.includes('--json');
const details = args.includes('--details');
const only = args
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .map(Number);
const wanted = (n: number) => !only || only.includes(n);

/** The model server's fixed answer time in the throughput scenario. */
const LLM_DELAY_MS = 1000;

// The project's modules log as in the bridge (a write per line), but not onto this table.
const devNull = openSync('/dev/null', 'w');
configureLogging({ level: 'info', write: (line) => writeSync(devNull, `${line}\n`) });

const started = performance.now();
const machineBefore = describeMachine();
const llm = new FakeLlmServer({ delayMs: LLM_DELAY_MS, model: 'bench-llm' });
const llmUrl = await llm.start();
const results: ScenarioResult[] = [];
try {
  if (wanted(1)) results.push(await ackBurst(llmUrl, LLM_DELAY_MS));
  if (wanted(2)) {
    const model = { url: llmUrl, requests: () => llm.requests.length };
    results.push(await throughput(model, LLM_DELAY_MS));
  }
  if (wanted(3)) results.push(await eventLoop());
  if (wanted(4) || wanted(5)) {
    const [speed, memory] = await extractionAndMemory((line) => console.error(line));
    if (wanted(4)) results.push(speed);
    if (wanted(5)) results.push(memory);
  }
  if (wanted(6)) results.push(queue());
} finally {
  await llm.stop();
}
const seconds = (performance.now() - started) / 1000;

console.log(`\nMachine: ${machineBefore}`);
console.log(`Load average at the end: ${describeMachine().split('load average ')[1]}\n`);
console.log(renderTable(results));
console.log(`\nHow each figure was taken:\n${renderNotes(results)}`);
for (const result of results) {
  if (details && result.details) console.log(`\n${result.title}\n\n${result.details}`);
}
console.log(`\nWhole run: ${seconds.toFixed(0)} s`);
if (json) {
  console.log(JSON.stringify(mergeJson(results, { run_seconds: Math.round(seconds) })));
}
// The test homeserver's waiters and the bridges' timers are done with; do not wait for them.
process.exit(process.exitCode ?? 0);
