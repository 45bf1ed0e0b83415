/**
 * Guesses the language a document is written in, with no dependency and no network.
 *
 * Scripts used by one language decide alone: Hangul is Korean, kana is Japanese, Han without
 * kana Chinese, Hebrew, Thai, Greek, Devanagari (Hindi). Arabic script is Persian, Urdu or
 * Arabic by the letters only some of them use. Cyrillic is Russian unless Ukrainian letters
 * show. Latin script is told apart by the most frequent short words of English, Portuguese,
 * Spanish, French, German, Italian and Dutch, with a few letters as tie-breakers (ã õ for
 * Portuguese, ñ for Spanish, ß for German).
 *
 * Known limit: other Latin-script languages (Polish, Swedish, Turkish…) get no guess, and the
 * model is then told to write in the document's own language without naming it.
 */

export interface LanguageGuess {
  /** ISO 639-1 code: "en", "pt", "zh"… */
  code: string;
  /** The language's English name, for prompts and logs: "Portuguese". */
  name: string;
  /** Share of the evidence that points to this language, 0–1. */
  confidence: number;
}

const NAMES: Record<string, string> = {
  en: 'English',
  pt: 'Portuguese',
  es: 'Spanish',
  fr: 'French',
  de: 'German',
  it: 'Italian',
  nl: 'Dutch',
  zh: 'Chinese',
  ja: 'Japanese',
  ko: 'Korean',
  ar: 'Arabic',
  fa: 'Persian',
  ur: 'Urdu',
  he: 'Hebrew',
  th: 'Thai',
  ru: 'Russian',
  uk: 'Ukrainian',
  el: 'Greek',
  hi: 'Hindi',
};

/** Frequent function words; a word listed for several languages counts a share for each. */
const STOPWORDS: Record<string, string> = {
  en:
    'the and of to in is that for it with as was on are be this by not or from which have an ' +
    'were their has been but we they these can its at also there would will than other such',
  pt:
    'de o a os as do da dos das em no na nos nas um uma para com não que é ao mais pelo pela ' +
    'foi são também seu sua entre como mas ou já quando muito isso este esta foram pode ser',
  es:
    'de el la los las del que en y un una es por con para se no al lo como más su sus pero ' +
    'este esta ha fue son también entre sobre sin muy han ser puede hay cuando',
  fr:
    'de le la les des du et est une un pour dans que qui pas sur au aux avec ce cette ces ' +
    'sont par plus ne se il elle ou mais été être nous leur comme fait entre très',
  de:
    'der die das und ist nicht ein eine zu den dem mit von sich auf für im des auch es an ' +
    'werden wird als bei nach aus wie oder noch sind kann dass diese einer über durch zum zur',
  it:
    'il di che la le e è un una per non del della dei delle nel nella con sono si da gli lo ' +
    'al alla anche come più ma questo questa essere stato ha hanno tra fra degli sul',
  nl:
    'de het een en van is dat die niet op te in met voor zijn er aan ook als door bij naar ' +
    'om maar wordt worden nog dit deze kan heeft hebben uit wel meer over tot geen',
};

/** Letters only one of the Latin-script languages above uses much, and what each is worth. */
const LETTER_HINTS: Array<[RegExp, string, number]> = [
  [/[ãõ]/gu, 'pt', 0.5],
  [/ñ/gu, 'es', 0.5],
  [/ß/gu, 'de', 0.5],
  [/[äöü]/gu, 'de', 0.2],
  [/[èàù]/gu, 'it', 0.1],
  [/[êâûœ]/gu, 'fr', 0.2],
];

const WORD_WEIGHTS = buildWordWeights();

/** Characters looked at in a long text: evenly spaced windows add up to about this many. */
const SAMPLE_CHARS = 60_000;
const SAMPLE_WINDOWS = 12;
/** Fewest letters, or stopword points, before any guess is made. */
const MIN_LETTERS = 12;
const MIN_WORD_SCORE = 1.5;

const SCRIPT_PATTERNS: Array<[string, RegExp]> = [
  ['hangul', /\p{Script=Hangul}/u],
  ['kana', /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ['han', /\p{Script=Han}/u],
  ['arabic', /\p{Script=Arabic}/u],
  ['hebrew', /\p{Script=Hebrew}/u],
  ['thai', /\p{Script=Thai}/u],
  ['cyrillic', /\p{Script=Cyrillic}/u],
  ['greek', /\p{Script=Greek}/u],
  ['devanagari', /\p{Script=Devanagari}/u],
  ['latin', /\p{Script=Latin}/u],
];

/**
 * The language of `text`, or undefined when there is too little text or no clear winner.
 * Cost is linear in the sample, at most about 60,000 characters of a long text.
 */
export function detectLanguage(text: string): LanguageGuess | undefined {
  const sample = sampleOf(text);
  const scripts = countScripts(sample);
  const letters = [...scripts.values()].reduce((sum, n) => sum + n, 0);
  if (letters < MIN_LETTERS) return undefined;

  // Unspaced scripts carry a word in one or two characters: weigh them as words, not letters.
  const groups = new Map<string, number>();
  for (const [script, n] of scripts) {
    const group = script === 'han' || script === 'kana' ? 'cjk' : script;
    groups.set(group, (groups.get(group) ?? 0) + (group === 'cjk' ? n * 3 : n));
  }
  const ranked = [...groups.entries()].sort((a, b) => b[1] - a[1]);
  const top = ranked[0];
  if (!top) return undefined;
  const share = top[1] / ranked.reduce((sum, [, amount]) => sum + amount, 0);

  switch (top[0]) {
    case 'latin':
      return guessLatin(sample);
    case 'cjk': {
      // Japanese mixes kana into nearly every sentence; Chinese has none.
      const kana = scripts.get('kana') ?? 0;
      return guess(kana >= (scripts.get('han') ?? 0) * 0.05 ? 'ja' : 'zh', share);
    }
    case 'hangul':
      return guess('ko', share);
    case 'arabic':
      return guess(arabicLanguage(sample), share);
    case 'hebrew':
      return guess('he', share);
    case 'thai':
      return guess('th', share);
    case 'cyrillic':
      return guess(/[іїєґ]/iu.test(sample) ? 'uk' : 'ru', share);
    case 'greek':
      return guess('el', share);
    case 'devanagari':
      return guess('hi', share);
    default:
      return undefined;
  }
}

/** The English name of a language given by ISO 639-1 code; a name passes through as it is. */
export function languageName(codeOrName: string): string {
  const key = codeOrName.trim();
  return NAMES[key.toLowerCase()] ?? key;
}

function guess(code: string, confidence: number): LanguageGuess {
  return { code, name: NAMES[code] ?? code, confidence: round(confidence) };
}

function guessLatin(sample: string): LanguageGuess | undefined {
  const scores = new Map<string, number>();
  const lower = sample.toLowerCase();
  for (const [word] of lower.matchAll(/\p{L}+/gu)) {
    const weights = WORD_WEIGHTS.get(word);
    if (!weights) continue;
    for (const [code, value] of weights) scores.set(code, (scores.get(code) ?? 0) + value);
  }
  for (const [pattern, code, value] of LETTER_HINTS) {
    const hits = lower.match(pattern)?.length ?? 0;
    if (hits > 0) scores.set(code, (scores.get(code) ?? 0) + Math.min(hits, 20) * value);
  }

  const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1]);
  const [best, second] = ranked;
  if (!best || best[1] < MIN_WORD_SCORE) return undefined;
  if (second && second[1] >= best[1] * 0.95) return undefined;
  const total = ranked.reduce((sum, [, value]) => sum + value, 0);
  return guess(best[0], best[1] / total);
}

/** Persian and Urdu write letters Arabic lacks; Arabic writes ة and ي where they do not. */
function arabicLanguage(sample: string): string {
  const count = (pattern: RegExp): number => sample.match(pattern)?.length ?? 0;
  const urdu = count(/[ٹڈڑںے]/gu);
  const persian = count(/[پچژگکی]/gu);
  const arabic = count(/[ةيك]/gu);
  if (urdu > arabic && urdu * 3 >= persian) return 'ur';
  return persian > arabic ? 'fa' : 'ar';
}

function countScripts(sample: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [letter] of sample.matchAll(/\p{L}/gu)) {
    const found = SCRIPT_PATTERNS.find(([, pattern]) => pattern.test(letter));
    if (found) counts.set(found[0], (counts.get(found[0]) ?? 0) + 1);
  }
  return counts;
}

/** The whole text when short; else evenly spaced windows, so no single part decides. */
function sampleOf(text: string): string {
  if (text.length <= SAMPLE_CHARS) return text;
  const size = Math.floor(SAMPLE_CHARS / SAMPLE_WINDOWS);
  const step = (text.length - size) / (SAMPLE_WINDOWS - 1);
  const windows: string[] = [];
  for (let i = 0; i < SAMPLE_WINDOWS; i++) {
    const start = Math.floor(i * step);
    windows.push(text.slice(start, start + size));
  }
  return windows.join('\n');
}

function buildWordWeights(): Map<string, Array<[string, number]>> {
  const owners = new Map<string, string[]>();
  for (const [code, list] of Object.entries(STOPWORDS)) {
    for (const word of list.split(' ')) owners.set(word, [...(owners.get(word) ?? []), code]);
  }
  const weights = new Map<string, Array<[string, number]>>();
  for (const [word, codes] of owners) {
    weights.set(
      word,
      codes.map((code) => [code, 1 / codes.length]),
    );
  }
  return weights;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
