import { logger } from '../log.js';
import { MAX_INSTRUCTIONS_CHARS } from '../summarize/instructions.js';
import type { RoomStore } from '../queue/rooms.js';
import { notice, type NoticeContent } from './content.js';
import { readMatrixFailure, retryTransient } from './errors.js';
import { stableTxnId, type MatrixSender, type RequestClient } from './sender.js';

const log = logger('Commands');

/** Messages that start with this are commands to the bot. */
export const COMMAND_PREFIX = '!summarizer';

const HELP = [
  'Upload a PDF and I reply with its summary. Commands (room moderators only, except help):',
  `${COMMAND_PREFIX} instructions: show the instructions the summarizer follows in this room`,
  `${COMMAND_PREFIX} instructions <text>: use these instructions in this room instead`,
  `${COMMAND_PREFIX} instructions reset: go back to the default instructions`,
  `${COMMAND_PREFIX} language <code>: write summaries in this language (e.g. pt, en)`,
  `${COMMAND_PREFIX} language auto: write each summary in its document's language`,
].join('\n');

export interface CommandEvent {
  eventId: string;
  roomId: string;
  sender: string;
  /** The message text after the prefix, trimmed. */
  text: string;
}

/**
 * Room settings by command: moderators (power level of at least `state_default`, the level
 * needed to change room state) set the room's instructions and summary language; anyone may
 * ask for help or see the current instructions.
 */
export class CommandHandler {
  constructor(
    private readonly client: RequestClient,
    private readonly sender: MatrixSender,
    private readonly rooms: RoomStore,
    private readonly defaultInstructions: string | undefined,
  ) {}

  /** Answers one command. Never rejects: failures are logged. */
  async handle(command: CommandEvent): Promise<void> {
    try {
      const reply = await this.run(command).catch((error: unknown) => {
        log.warn('command could not be carried out', {
          room: command.roomId,
          cause: readMatrixFailure(error).detail,
        });
        return (
          'I could not check who may change my settings here just now. ' +
          'Please send the command again in a minute.'
        );
      });
      const content: NoticeContent = {
        ...notice(reply),
        'm.relates_to': { 'm.in_reply_to': { event_id: command.eventId } },
      };
      await this.sender.send(command.roomId, content, stableTxnId(command.eventId, 'command'));
    } catch (error) {
      log.warn('command failed', { room: command.roomId, cause: readMatrixFailure(error).detail });
    }
  }

  private async run({ roomId, sender, text }: CommandEvent): Promise<string> {
    const [verb = 'help', ...rest] = text.split(/\s+/);
    const argument = text.slice(verb.length).trim();
    switch (verb.toLowerCase()) {
      case 'instructions': {
        if (!argument) return this.describeInstructions(roomId);
        if (!(await this.isModerator(roomId, sender))) return onlyModerators();
        if (argument === 'reset') {
          this.rooms.setSettings(roomId, { instructions: null }, Date.now());
          return 'This room uses the default instructions again.';
        }
        if (argument.length > MAX_INSTRUCTIONS_CHARS) {
          return (
            `Those instructions are ${argument.length} characters long; ` +
            `the most is ${MAX_INSTRUCTIONS_CHARS}.`
          );
        }
        this.rooms.setSettings(roomId, { instructions: argument }, Date.now());
        return 'From now on, summaries in this room follow these instructions.';
      }
      case 'language': {
        const code = (rest[0] ?? '').toLowerCase();
        if (!/^(auto|[a-z]{2,3})$/.test(code)) {
          return (
            'Give a language code such as "en" or "pt", or "auto". ' +
            `${COMMAND_PREFIX} help lists the commands.`
          );
        }
        if (!(await this.isModerator(roomId, sender))) return onlyModerators();
        this.rooms.setSettings(roomId, { language: code === 'auto' ? null : code }, Date.now());
        return code === 'auto'
          ? "Summaries in this room are written in each document's own language."
          : `Summaries in this room are written in "${code}".`;
      }
      default:
        return HELP;
    }
  }

  private describeInstructions(roomId: string): string {
    const own = this.rooms.get(roomId)?.instructions;
    if (own) return `This room's instructions:\n${own}`;
    if (this.defaultInstructions)
      return `This room uses the default instructions:\n${this.defaultInstructions}`;
    return 'This room uses the built-in instructions.';
  }

  /** Whether the sender's power level lets them change the room's state. */
  private async isModerator(roomId: string, userId: string): Promise<boolean> {
    const room = encodeURIComponent(roomId);
    const path = `/_matrix/client/v3/rooms/${room}/state/m.room.power_levels/`;
    const read = () => this.client.doRequest('GET', path);
    const levels = (await retryTransient(read, { what: 'power levels' })) as {
      users?: Record<string, unknown>;
      users_default?: unknown;
      state_default?: unknown;
    };
    const level = Number(levels.users?.[userId] ?? levels.users_default ?? 0);
    const needed = Number(levels.state_default ?? 50);
    return level >= needed;
  }
}

function onlyModerators(): string {
  return "Only this room's moderators can change how I summarize here.";
}
