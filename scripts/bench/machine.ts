import os from 'node:os';

/** One line naming the machine and its load, printed with every table. */
export function describeMachine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  const memory = Math.round(os.totalmem() / 1024 ** 3);
  const load = os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  return (
    `${cpus.length} × ${model}, ${memory} GiB, ${os.type()} ${os.release()}, ` +
    `Node ${process.version}; load average ${load}`
  );
}
