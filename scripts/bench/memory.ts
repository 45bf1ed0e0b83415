import { longestPdf, type CorpusEntry } from './corpus.js';
import type { FileFigures } from './corpus-pass.js';
import { PoolProbe } from './pool-client.js';
import { referenceRow, targetRow, type ScenarioResult } from './report.js';
import { fmt, median, round } from './stats.js';

/** Worker peak RSS reading the longest PDF in a fresh pool, warmed on one small file. */
export async function longestFreshMb(): Promise<{
  file: CorpusEntry;
  workerMb: number;
  processMb: number;
}> {
  const file = longestPdf();
  const { probe, baselineMb } = await PoolProbe.start(1);
  try {
    await probe.extract('c001.pdf', 2);
    const report = await probe.extract(file.file, 1);
    return { file, workerMb: report.peakMb - baselineMb, processMb: report.peakMb };
  } finally {
    await probe.stop();
  }
}

/** RSS a pool of three idle, ready threads adds to a process, per thread. */
export async function idleWorkerMb(): Promise<number> {
  const { probe, baselineMb, startedMb } = await PoolProbe.start(3);
  await probe.stop();
  return (startedMb - baselineMb) / 3;
}

/** Scenario 5: what a worker thread costs, idle and reading. */
export function memoryResult(
  measured: { files: FileFigures[]; baselineMb: number; oneWorkerMb: number },
  idleMb: number,
  longest: { file: CorpusEntry; workerMb: number; processMb: number },
): ScenarioResult {
  const { files, baselineMb, oneWorkerMb } = measured;
  const workerPeak = (f: FileFigures) => f.ours.peakMb - baselineMb;
  const read = files.filter((f) => !f.ours.error);
  const inSequence = files.find((f) => f.entry.file === longest.file.file);
  const medianPeak = median(read.map(workerPeak));
  const medianFile = read.find((f) => workerPeak(f) === medianPeak)!;
  const mbText = (value: number) => `${fmt(value)} MB`;
  return {
    title: '5. Memory of a worker thread',
    rows: [
      targetRow(
        `worker peak RSS, ${longest.file.file} (${fmt(longest.file.pages)} pages)`,
        longest.workerMb,
        `${mbText(longest.workerMb)} (process ${mbText(longest.processMb)})`,
        '<=',
        250,
        '≤ 250 MB',
      ),
      referenceRow(
        'same file, read after the 29 others in one thread',
        inSequence ? mbText(workerPeak(inSequence)) : 'n/a',
      ),
      targetRow(
        `worker peak RSS, corpus median (${read.length} text PDFs)`,
        medianPeak,
        `${mbText(medianPeak)} (${medianFile.entry.file}, ${medianFile.entry.pages} p)`,
        '<=',
        100,
        '≤ 100 MB',
      ),
      referenceRow(
        'RSS added per idle, ready worker',
        `${mbText(idleMb)} (1 alone: ${mbText(oneWorkerMb)})`,
      ),
      referenceRow('process RSS before the pool started', mbText(baselineMb)),
    ],
    notes: [
      "A child process holding only the project's WorkerPool (1 thread, the bridge's 768 MB " +
        "heap limit), no character limit. Worker peak = the process's VmHWM while it extracts " +
        'one file (reset through /proc/self/clear_refs just before) minus its RSS before the ' +
        'pool started: the thread, what the extraction adds, and the result as the main ' +
        'thread receives it.',
      `${longest.file.file}: in a fresh pool, warmed on c001 only. Corpus median: every text ` +
        'PDF in one thread, smallest first, so what an earlier file left in the heap can only ' +
        'raise a later figure.',
      'Idle worker: RSS of a pool of 3 ready threads, minus the RSS before it, divided by 3. ' +
        "The bridge's own peak RSS is in scenario 1.",
    ],
    json: {
      worker_rss_mb: round(longest.workerMb, 0),
      worker_rss_in_sequence_mb: inSequence ? round(workerPeak(inSequence), 0) : null,
      worker_rss_median_mb: round(medianPeak, 0),
      worker_idle_rss_mb: round(idleMb, 0),
    },
  };
}
