import { type FileFigures, measure, REPEAT_BELOW_PAGES, textDiffers } from './corpus-pass.js';
import { idleWorkerMb, longestFreshMb, memoryResult } from './memory.js';
import { ensurePdftotext } from './pdftotext.js';
import { referenceRow, targetRow, type Row, type ScenarioResult } from './report.js';
import { fmt, median, round, sum } from './stats.js';

/** Why a file's text differs from pdftotext's, where it is known (docs: notes/pdf.md §5). */
const KNOWN_REASONS: Record<string, string> = {
  'c005.pdf': "pdftotext also prints the printer's slug line outside the crop box of every page",
  'c020.pdf': 'Thai font without a usable ToUnicode map; the two tools decode it differently',
  'c022.pdf': 'broken glyph-to-Unicode mapping (garbled in every tool)',
  'c058.pdf': 'pdftotext prints the form values inside the page; the project lists them apart',
};

/** Scenarios 4 and 5, which share one pass over the corpus. */
export async function extractionAndMemory(
  log: (line: string) => void,
): Promise<[ScenarioResult, ScenarioResult]> {
  const native = ensurePdftotext(log);
  const measured = await measure(native.ok);
  const idle = await idleWorkerMb();
  const longest = await longestFreshMb();
  return [
    speedResult(measured.files, native.ok ? native.version : native.reason, native.ok),
    memoryResult(measured, idle, longest),
  ];
}

function speedResult(files: FileFigures[], version: string, nativeOk: boolean): ScenarioResult {
  const title = `4. Extraction speed against pdftotext (${files.length} text PDFs of the corpus)`;
  if (!nativeOk) {
    return {
      title,
      rows: [{ figure: 'extraction time ratio vs pdftotext', value: `skipped: ${version}` }],
      notes: ['pdftotext (Debian poppler-utils) is needed for this row.'],
      json: { extraction_time_ratio_vs_pdftotext: null },
    };
  }
  const compared = files.filter((f) => !f.ours.error && f.native!.every((r) => r.status === 0));
  const skipped = files.filter((f) => !compared.includes(f));
  const oursMs = (f: FileFigures) => median(f.ours.ms);
  const nativeMs = (f: FileFigures) => median(f.native!.map((run) => run.ms));
  const total = (pick: (f: FileFigures) => number, list = compared) => sum(list.map(pick));
  const ratio = total(oursMs) / total(nativeMs);
  const long = compared.filter((f) => f.entry.pages >= REPEAT_BELOW_PAGES);
  const longRatio = total(oursMs, long) / total(nativeMs, long);
  const pages = sum(compared.map((f) => f.entry.pages));
  const differing = compared.filter((f) => textDiffers(f));
  const differingBefore = compared.filter((f) => textDiffers(f, true));
  const rows: Row[] = [
    targetRow(
      'extraction time ratio vs pdftotext (total)',
      ratio,
      `${fmt(ratio, 2)}×`,
      '<=',
      2.0,
      '≤ 2.0×',
    ),
    referenceRow(
      'project / pdftotext, total',
      `${fmt(total(oursMs) / 1000, 1)} s / ${fmt(total(nativeMs) / 1000, 1)} s ` +
        `(${fmt(pages / (total(oursMs) / 1000))} / ${fmt(pages / (total(nativeMs) / 1000))} ` +
        'pages/s)',
    ),
    referenceRow(`ratio on the ${long.length} files of ≥ 100 pages`, `${fmt(longRatio, 2)}×`),
    referenceRow('ratio per file, median (min–max)', perFileRatios(compared, oursMs, nativeMs)),
    targetRow(
      'files whose extracted text is within 5 % of pdftotext',
      compared.length - differingBefore.length,
      `${compared.length - differingBefore.length} of ${compared.length}`,
      '>=',
      compared.length,
      'all',
    ),
    referenceRow(
      'same after clean-up (running heads, page numbers, stamps removed)',
      `${compared.length - differing.length} of ${compared.length}`,
    ),
  ];
  const notes = [
    `Project: extractPdf in a warm thread of the project's WorkerPool (size 1, the bridge's ` +
      'limits but no character limit, so every page is read as pdftotext reads it), in a ' +
      'child process of the benchmark; time from pool.extract() to its ' +
      `result. pdftotext ${version}: \`pdftotext -q -enc UTF-8 file -\`, spawn to exit. ` +
      `Files under ${REPEAT_BELOW_PAGES} pages: median of 3 runs; longer ones: 1 run.`,
    'Characters: NFKC, format characters removed, whitespace not counted. Extracted text: ' +
      "the pages' text as the project's reader gives it, before the clean-up that removes " +
      'what repeats on every page; the summarizers read the text after it. Files over 5 % ' +
      'apart, before or after clean-up:',
    ...[...new Set([...differingBefore, ...differing])].map((f) => differenceNote(f)),
    ...skipped.map(
      (f) =>
        `${f.entry.file} not compared: ` +
        (f.ours.error ? `the project refused it (${f.ours.error.slice(0, 80)})` : '') +
        (f.native!.some((r) => r.status !== 0) ? ' pdftotext failed' : ''),
    ),
  ];
  return {
    title,
    rows,
    notes,
    details: perFileTable(files, oursMs, nativeMs),
    json: {
      extraction_time_ratio_vs_pdftotext: round(ratio, 2),
      extraction_ratio_long_files: round(longRatio, 2),
      extraction_files_compared: compared.length,
      extraction_files_text_differs: differingBefore.length,
      extraction_files_text_differs_after_cleanup: differing.length,
    },
  };
}

function perFileRatios(
  files: FileFigures[],
  ours: (f: FileFigures) => number,
  native: (f: FileFigures) => number,
): string {
  const ratios = files.map((f) => ours(f) / native(f));
  return `${fmt(median(ratios), 2)}× (${fmt(Math.min(...ratios), 2)}–${fmt(
    Math.max(...ratios),
    2,
  )})`;
}

function perFileTable(
  files: FileFigures[],
  ours: (f: FileFigures) => number,
  native: (f: FileFigures) => number,
): string {
  const lines = [
    '| file | pages | project ms | pdftotext ms | ratio | characters (project / pdftotext) |',
    '|---|--:|--:|--:|--:|--:|',
  ];
  for (const f of files) {
    const theirs = f.native?.[0];
    const ratio = theirs ? fmt(ours(f) / native(f), 2) : '';
    const chars = f.ours.error
      ? `refused (${f.ours.error.split(':')[0]})`
      : `${fmt(f.ours.chars)} / ${theirs ? fmt(theirs.chars) : ''}`;
    lines.push(
      `| ${f.entry.file} | ${f.entry.pages} | ${fmt(ours(f), 1)} | ` +
        `${theirs ? fmt(native(f), 1) : ''} | ${ratio} | ${chars} |`,
    );
  }
  return lines.join('\n');
}

function differenceNote(f: FileFigures): string {
  const theirs = f.native![0]!.chars;
  const share = (chars: number) => {
    const percent = ((chars - theirs) / Math.max(theirs, 1)) * 100;
    return `${percent > 0 ? '+' : ''}${fmt(percent, 1)} %`;
  };
  const raw =
    f.rawChars === undefined
      ? undefined
      : `before clean-up ${fmt(f.rawChars)} (${share(f.rawChars)})`;
  const reasons = [raw, KNOWN_REASONS[f.entry.file], ...f.ours.notes].filter(Boolean);
  return (
    `${f.entry.file}: ${fmt(f.ours.chars)} characters against pdftotext's ${fmt(theirs)} ` +
    `(${share(f.ours.chars)})` +
    (reasons.length > 0 ? `; ${reasons.join('; ')}` : '; reason not known')
  );
}
