import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { userPath } from '../src/cli/args.js';
import { writeTextPdf } from '../test/support/pdf-writer.js';
import { BOT_USER_ID, Scenario } from '../test/support/scenario.js';
import { SAMPLE_PAGES, SAMPLE_TITLE } from './sample-document.js';

/**
 * `npm run demo [-- file.pdf]`: the whole product on one machine. It starts the project's test
 * homeserver, starts the bridge from its real entry point with a generated config and
 * registration, invites the bot into a room as a user would, uploads a PDF (the given one, or a
 * generated sample), and prints the room's conversation.
 */
const file = process.argv[2] ? userPath(process.argv[2]) : undefined;
if (file && !existsSync(file)) {
  console.error(`demo: no such file: ${file}`);
  process.exit(2);
}
const bytes = file ? new Uint8Array(readFileSync(file)) : writeTextPdf(SAMPLE_PAGES, SAMPLE_TITLE);
const fileName = file ? path.basename(file) : 'garden-report.pdf';

console.log('Starting the test homeserver and the bridge…');
const scenario = await Scenario.start();
try {
  console.log(`Bridge listening on port ${scenario.bridge.port}; inviting ${BOT_USER_ID}…`);
  const roomId = await scenario.roomWithBot();
  console.log(`Uploading ${fileName} (${bytes.length} bytes)…\n`);
  const eventId = await scenario.uploadBytes(bytes, fileName, roomId);
  await scenario.waitForAnswer(eventId, 300_000);

  console.log(`Conversation in ${roomId}:\n`);
  for (const event of scenario.hs.timeline(roomId)) {
    if (event.type === 'm.room.member') {
      console.log(`* ${event.state_key} ${String(event.content.membership)}`);
    } else if (event.type === 'm.room.message') {
      const body = String(event.content.body).replace(/\n/g, '\n    ');
      console.log(`<${event.sender}> ${body}`);
    }
  }
} catch (error) {
  console.error(`demo failed: ${(error as Error).message}`);
  console.error(scenario.bridge.tail());
  process.exitCode = 1;
} finally {
  await scenario.stop();
}
