import assert from 'node:assert/strict';

import { hasCue } from '../src/summarize/cues.js';
import { summarizeExtractive } from '../src/summarize/extractive.js';
import { splitSentences } from '../src/summarize/sentences.js';
import { tokenize } from '../src/summarize/tokenize.js';

const LIBRARIES = [
  'The city council approved a budget that keeps every public library open on Sundays.',
  'Under the budget, each library adds four evening hours a week from September.',
  'Librarians had asked for longer opening hours for several years.',
  'The council will also buy new books and computers for the libraries.',
  'Opposition members said the budget ignores the swimming pools.',
  'A public meeting on the library budget is planned for next month.',
  'Readers can suggest new books through the library website form.',
  'The mayor said the libraries are the most visited public buildings in town.',
].join(' ');

/** A deterministic pseudo-random generator, so that generated text is the same every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function generatedText(chars: number): string {
  const next = random(7);
  const words = Array.from({ length: 4000 }, (_, i) => `term${i.toString(36)}`);
  const parts: string[] = [];
  let length = 0;
  while (length < chars) {
    const count = 8 + Math.floor(next() * 16);
    const sentence = Array.from({ length: count }, () => words[Math.floor(next() ** 2 * 4000)]);
    const text = `Topic ${sentence.join(' ')}.`;
    parts.push(text, next() < 0.2 ? '\n\n' : ' ');
    length += text.length + 1;
  }
  return parts.join('');
}

/** The gist's sentences, then the key points. */
function allPoints(summary: { gist: string; keyPoints: string[] }): string[] {
  return [...splitSentences(summary.gist).map((sentence) => sentence.text), ...summary.keyPoints];
}

describe('splitSentences', () => {
  it('keeps abbreviations, initials and decimals inside their sentence', () => {
    const text =
      'Dr. Smith et al. measured 3.14 units, e.g. in the U.S. Army. ' +
      'See Fig. 2 for J. R. Tolkien. It rose by 2.5%! Why?';
    assert.deepEqual(
      splitSentences(text).map((sentence) => sentence.text),
      [
        'Dr. Smith et al. measured 3.14 units, e.g. in the U.S. Army.',
        'See Fig. 2 for J. R. Tolkien.',
        'It rose by 2.5%!',
        'Why?',
      ],
    );
  });

  it('splits Chinese and Japanese at 。！？ without spaces', () => {
    const texts = splitSentences('今天下雨了。我们在家里看书！你呢？これは日本語です。').map(
      (sentence) => sentence.text,
    );
    assert.deepEqual(texts, ['今天下雨了。', '我们在家里看书！', '你呢？', 'これは日本語です。']);
  });

  it('does not take a wrapped Chinese line for a heading beside long Latin lines', () => {
    const page = [
      'See https://ctan.org/pkg/unicode-math for the package that configures Unicode math fonts.',
      '编译命令 是实际调用的、结合了引擎和格式的命令。如 xelatex 命令是结合 XƎTEX 引擎和',
      'LATEX 格式的一个编译命令。',
    ].join('\n');
    assert.ok(
      splitSentences(page).some(
        (sentence) =>
          sentence.text === '如 xelatex 命令是结合 XƎTEX 引擎和LATEX 格式的一个编译命令。',
      ),
    );
  });

  it('splits Arabic, Persian and Urdu at their own punctuation', () => {
    const texts = splitSentences('هذا نص عربي. هل يعمل التقسيم؟ نعم يعمل۔ این متن فارسی است؟').map(
      (sentence) => sentence.text,
    );
    assert.deepEqual(texts, [
      'هذا نص عربي.',
      'هل يعمل التقسيم؟',
      'نعم يعمل۔',
      'این متن فارسی است؟',
    ]);
  });

  it('rejoins wrapped lines and hyphenated words, and keeps headings apart', () => {
    const text =
      'Introduction\nThe model was trained on many docu-\nments. It learned.\nMethods\nWe did.';
    const sentences = splitSentences(text);
    assert.deepEqual(
      sentences.map((sentence) => sentence.text),
      [
        'Introduction',
        'The model was trained on many documents.',
        'It learned.',
        'Methods',
        'We did.',
      ],
    );
    assert.deepEqual(
      sentences.map((sentence) => sentence.terminated),
      [false, true, true, false, true],
    );
  });
});

describe('tokenize', () => {
  it('keeps accented letters, lower-cases, and uses bigrams for unspaced scripts', () => {
    assert.deepEqual(tokenize('Divulgación CIENTÍFICA, 2019: Über 自然语言'), [
      'divulgación',
      'científica',
      '2019',
      'über',
      '自然',
      '然语',
      '语言',
    ]);
  });
});

describe('summarizeExtractive', () => {
  it('picks the lead sentence when it states the topic', () => {
    const summary = summarizeExtractive(LIBRARIES, { gistSentences: 1 });
    assert.equal(
      summary.gist,
      'The city council approved a budget that keeps every public library open on Sundays.',
    );
  });

  it('returns the gist and the key points in document order', () => {
    const summary = summarizeExtractive(LIBRARIES, { maxKeyPoints: 4 });
    const gist = splitSentences(summary.gist).map((sentence) => sentence.text);
    const inOrder = (texts: string[]): boolean => {
      const positions = texts.map((text) => LIBRARIES.indexOf(text));
      return positions.every((position, i) => position >= 0 && position > (positions[i - 1] ?? -1));
    };

    assert.equal(gist.length, 2);
    assert.equal(summary.keyPoints.length, 4);
    assert.ok(inOrder(gist), `gist out of order: ${summary.gist}`);
    assert.ok(inOrder(summary.keyPoints), `key points out of order: ${summary.keyPoints}`);
  });

  it('never lists two near-duplicate sentences', () => {
    const text = [
      'The river flooded the old town on Tuesday night after three days of rain.',
      'The river flooded the old town on Tuesday evening after three days of rain.',
      'The river flooded the old town on Tuesday night, after three days of heavy rain.',
      'Firefighters evacuated two hundred residents from the lower streets by boat.',
      'The regional government promised emergency funds for the damaged shops.',
    ].join(' ');

    const flood = allPoints(summarizeExtractive(text)).filter((point) =>
      point.includes('The river flooded'),
    );

    assert.equal(flood.length, 1);
  });

  it('stays within the character budget', () => {
    const summary = summarizeExtractive(LIBRARIES, { maxChars: 300 });
    const used = summary.gist.length + summary.keyPoints.reduce((sum, p) => sum + p.length, 0);

    assert.ok(used <= 300, `used ${used} characters`);
    assert.ok(summary.keyPoints.length >= 1);
  });

  it('cuts a single sentence longer than the budget at a word', () => {
    const summary = summarizeExtractive(LIBRARIES, { maxChars: 40, maxKeyPoints: 0 });
    assert.ok(summary.gist.length <= 40);
    assert.ok(summary.gist.endsWith('…'));
  });

  it('passes over headings, table rows, captions, links and references', () => {
    const text = [
      'WATER QUALITY IN THE NORTH BASIN',
      '',
      'The survey found that nitrate levels in the north basin fell by a third since 2015.',
      'Site      pH      Nitrate      Phosphate',
      'A1        7.2     0.031        0.004',
      'B2        7.4     0.028        0.006',
      '',
      'Figure 2: Nitrate levels in the north basin by site and by year of the survey.',
      'Raw data for the north basin survey are at https://data.example.invalid/north-basin.',
      '[12] Smith, J. Nitrate levels in the north basin. Journal of Water 4, 2015.',
      '12 14 16 18 20 22 24 26 28 30 32 34 36 38 40.',
      '',
      'Farmers near the north basin cut their fertilizer use under the new subsidy rules.',
      'The basin authority will repeat the nitrate survey every two years from now on.',
    ].join('\n');

    const points = allPoints(summarizeExtractive(text, { maxKeyPoints: 10 }));

    assert.deepEqual(points.sort(), [
      'Farmers near the north basin cut their fertilizer use under the new subsidy rules.',
      'The basin authority will repeat the nitrate survey every two years from now on.',
      'The survey found that nitrate levels in the north basin fell by a third since 2015.',
    ]);
  });

  it('summarizes Chinese, Arabic and Thai text', () => {
    const chinese =
      '城市议会批准了新的图书馆预算。每个图书馆每周将增加四个晚上的开放时间。' +
      '图书管理员多年来一直要求延长开放时间。议会还将为图书馆购买新书和电脑。';
    const arabic =
      'وافق مجلس المدينة على ميزانية جديدة للمكتبات العامة. ' +
      'ستفتح كل مكتبة أربع أمسيات إضافية في الأسبوع. ' +
      'طالب أمناء المكتبات بساعات أطول منذ سنوات؟ ' +
      'سيشتري المجلس كتبا وحواسيب جديدة للمكتبات.';
    const thai =
      'สภาเมืองอนุมัติงบประมาณใหม่สำหรับห้องสมุดประชาชนทุกแห่งในเมือง ' +
      'ห้องสมุดแต่ละแห่งจะเปิดเพิ่มอีกสี่คืนต่อสัปดาห์ตั้งแต่เดือนกันยายน ' +
      'สภาจะซื้อหนังสือและคอมพิวเตอร์ใหม่ให้ห้องสมุดด้วย';

    for (const text of [chinese, arabic, thai]) {
      const summary = summarizeExtractive(text, { gistSentences: 1 });
      assert.ok(summary.gist.length > 0, `no gist for ${text.slice(0, 20)}`);
      assert.ok(text.includes(summary.gist));
    }
  });

  it('recognizes sentences that announce an aim or a finding, in several languages', () => {
    for (const sentence of [
      'In this paper we propose a plan to keep the harbour basin free of sediment.',
      'Our results show that dredging twice a year is enough.',
      'Neste artigo, analisamos o orçamento das bibliotecas públicas.',
      'Los resultados muestran una mejora clara en la divulgación de información.',
      'Dans cet article, nous proposons une méthode de résumé de logs.',
    ]) {
      assert.ok(hasCue(sentence), sentence);
    }
    assert.equal(hasCue('The harbour basin fills with sediment every spring.'), false);
  });

  it('returns nothing for text without words', () => {
    assert.deepEqual(summarizeExtractive('  \n\n 12 34 — ** \n'), { gist: '', keyPoints: [] });
  });

  it('finishes a text of a million characters', function () {
    this.timeout(20_000);
    const text = generatedText(1_000_000);

    const summary = summarizeExtractive(text);

    assert.ok(text.length >= 1_000_000);
    assert.ok(summary.gist.length > 0);
    assert.equal(summary.keyPoints.length, 5);
  });
});
