import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { ExtractReport, ProbeReply, ProbeRequest } from './pool-protocol.js';

const PROBE_SCRIPT = fileURLToPath(new URL('./pool-probe.js', import.meta.url));

/** The benchmark's side of the pool probe: one request at a time, answered in order. */
export class PoolProbe {
  private readonly child: ChildProcess;
  private waiting: ((reply: ProbeReply) => void) | undefined;

  private constructor() {
    this.child = fork(PROBE_SCRIPT, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.child.on('message', (reply: ProbeReply) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.(reply);
    });
  }

  /** Forks a probe and starts a pool of `size` threads in it. */
  static async start(
    size: number,
  ): Promise<{ probe: PoolProbe; baselineMb: number; startedMb: number }> {
    const probe = new PoolProbe();
    const reply = await probe.ask({ type: 'start', size });
    if (reply.type !== 'started') throw new Error(`pool probe: ${JSON.stringify(reply)}`);
    return { probe, baselineMb: reply.baselineMb, startedMb: reply.startedMb };
  }

  async extract(file: string, repeat: number): Promise<ExtractReport> {
    const reply = await this.ask({ type: 'extract', file, repeat });
    if (reply.type !== 'extracted') throw new Error(`pool probe: ${JSON.stringify(reply)}`);
    return reply;
  }

  /** Wall and CPU time for the pool to extract all `files`, handed over at once. */
  async batch(files: string[]): Promise<{ ms: number; cpuMs: number }> {
    const reply = await this.ask({ type: 'batch', files });
    if (reply.type !== 'batch') throw new Error(`pool probe: ${JSON.stringify(reply)}`);
    return { ms: reply.ms, cpuMs: reply.cpuMs };
  }

  /** Wall time for `threads` threads to run the same pure JavaScript loop each, at once. */
  async spin(threads: number): Promise<number> {
    const reply = await this.ask({ type: 'spin', threads });
    if (reply.type !== 'spin') throw new Error(`pool probe: ${JSON.stringify(reply)}`);
    return reply.ms;
  }

  async rawChars(file: string): Promise<number> {
    const reply = await this.ask({ type: 'raw', file });
    if (reply.type !== 'raw') throw new Error(`pool probe: ${JSON.stringify(reply)}`);
    return reply.chars;
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' } satisfies ProbeRequest);
    await exited;
  }

  private ask(request: ProbeRequest): Promise<ProbeReply> {
    if (this.waiting) throw new Error('pool probe: one request at a time');
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`pool probe exited (${code})`));
      this.child.once('exit', onExit);
      this.waiting = (reply) => {
        this.child.off('exit', onExit);
        resolve(reply);
      };
      this.child.send(request);
    });
  }
}
