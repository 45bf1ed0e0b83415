import assert from 'node:assert/strict';

import { plantedDocument } from '../scripts/eval/planted.js';
import { splitInTwo, splitIntoChunks } from '../src/summarize/chunk.js';
import { contextReport } from '../src/summarize/failures.js';
import { callBound, groupConsecutive, planReduce } from '../src/summarize/plan.js';
import { estimateTokens } from '../src/summarize/tokens.js';

describe('splitIntoChunks', () => {
  const document = plantedDocument(50, 11);

  it('covers the text exactly, in order, in ⌈D/C⌉ chunks of at most maxTokens', () => {
    for (const target of [500, 1200, 3000]) {
      const chunks = splitIntoChunks(document.text, {
        targetTokens: target,
        maxTokens: target * 1.25,
      });

      assert.equal(chunks.length, Math.ceil(estimateTokens(document.text) / target));
      assert.equal(chunks[0]?.start, 0);
      assert.equal(chunks.at(-1)?.end, document.text.length);
      chunks.forEach((chunk, i) => {
        if (i > 0) assert.equal(chunk.start, chunks[i - 1]?.end);
        assert.equal(chunk.text, document.text.slice(chunk.start, chunk.end).trim());
        assert.ok(chunk.tokens <= target * 1.25 + 1, `chunk ${i} has ${chunk.tokens} tokens`);
      });
      for (const fact of document.facts) {
        const holders = chunks.filter((chunk) => chunk.text.includes(fact.sentence));
        assert.equal(holders.length, 1, `fact ${fact.section} is in exactly one chunk`);
      }
    }
  });

  it('cuts at section headings when one is near', () => {
    const chunks = splitIntoChunks(document.text, { targetTokens: 2000, maxTokens: 2500 });
    for (const chunk of chunks.slice(1)) assert.match(chunk.text, /^\d+ [A-Z][a-z]+ [a-z]+\n/);
  });

  it('cuts at page breaks, then sentence ends, when there are no headings', () => {
    const page = 'The pump failed twice during the night shift and was replaced. '.repeat(40);
    const pages = Array.from({ length: 6 }, () => page.trim()).join('\n\n');
    const chunks = splitIntoChunks(pages, { targetTokens: 1400, maxTokens: 1800 });
    assert.ok(chunks.length > 1);
    for (const chunk of chunks) assert.ok(chunk.text.endsWith('replaced.'));

    const line = page.repeat(6);
    for (const chunk of splitIntoChunks(line, { targetTokens: 1000, maxTokens: 1250 })) {
      assert.ok(chunk.text.endsWith('replaced.'), 'a one-line text is cut after a sentence');
    }
  });

  it('cuts Chinese text without spaces or line breaks after a full stop', () => {
    const text = '城市议会批准了新的图书馆预算，每个图书馆每周将增加四个晚上的开放时间。'.repeat(
      200,
    );
    const chunks = splitIntoChunks(text, { targetTokens: 1000, maxTokens: 1250 });
    assert.equal(chunks.length, Math.ceil(estimateTokens(text) / 1000));
    for (const chunk of chunks) assert.ok(chunk.text.endsWith('。'));
    assert.equal(chunks.map((chunk) => chunk.text).join(''), text);
  });

  it('never splits a surrogate pair, even where it has to cut inside a word', () => {
    const text = '𝒳'.repeat(3000);
    const chunks = splitIntoChunks(text, { targetTokens: 1000, maxTokens: 1250 });
    assert.ok(chunks.length >= 2);
    assert.equal(chunks.map((chunk) => chunk.text).join(''), text);
    for (const chunk of chunks)
      assert.doesNotMatch(chunk.text, /^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
  });

  it('halves a text at its best boundary near the middle', () => {
    const halves = splitInTwo(document.text);
    assert.equal(halves.length, 2);
    assert.match(halves[1]?.text ?? '', /^\d+ [A-Z]/);
  });
});

describe('planReduce and callBound', () => {
  const limits = (parts: number, finalInput: number) => ({
    parts,
    finalInput,
    mergeInput: (maxTokens: number) => finalInput + 2048 - maxTokens,
    answerTokens: 2048,
    mostNoteTokens: 750,
    leastNoteTokens: 64,
    noteCost: (tokens: number) => Math.ceil(tokens * 1.3) + 2,
  });

  it('sends the notes of a few parts straight to the final request', () => {
    assert.deepEqual(planReduce(limits(4, 5700)), { groups: 1, noteTokens: 750, mergeTokens: 0 });
  });

  it('merges in at most ⌈log₄ N⌉ groups, with notes that fit them', () => {
    for (const parts of [5, 16, 17, 64, 65, 200]) {
      const plan = planReduce(limits(parts, 5700));
      const most = Math.ceil(Math.log(parts) / Math.log(4) - 1e-9);
      assert.ok(plan.groups <= most, `${parts} parts: ${plan.groups} groups`);
      const perGroup = Math.ceil(parts / plan.groups);
      const readable = plan.groups === 1 ? 5700 : 5700 + 2048 - plan.mergeTokens;
      assert.ok(perGroup * (Math.ceil(plan.noteTokens * 1.3) + 2) <= readable);
      if (plan.groups > 1) assert.ok(plan.groups * (Math.ceil(plan.mergeTokens * 1.3) + 2) <= 5700);
      assert.ok(parts + (plan.groups > 1 ? plan.groups : 0) + 1 <= callBound(parts * 3000, 3000));
    }
  });

  it('groups notes in order, into about the groups wanted, each within the budget', () => {
    assert.deepEqual(groupConsecutive([10, 10, 10, 10, 10, 10], 2, 100), [
      [0, 3],
      [3, 6],
    ]);
    assert.deepEqual(groupConsecutive([10, 10, 10, 10, 10, 10], 2, 25), [
      [0, 2],
      [2, 4],
      [4, 6],
    ]);
    assert.deepEqual(groupConsecutive([50, 5, 5], 1, 20), [
      [0, 1],
      [1, 3],
    ]);
  });

  it('bounds calls by ⌈D/C⌉ + ⌈log₄(D/C)⌉ + 1', () => {
    assert.equal(callBound(2_000, 3_000), 2);
    assert.equal(callBound(12_000, 3_000), 4 + 1 + 1);
    assert.equal(callBound(48_000, 3_000), 16 + 2 + 1);
    assert.equal(callBound(50_000, 3_000), 17 + 3 + 1);
  });
});

describe('contextReport', () => {
  it('reads the limit and the prompt size from the common wordings', () => {
    assert.deepEqual(
      contextReport(
        "This model's maximum context length is 8192 tokens. However, you requested 9000 " +
          'tokens (8000 in the messages, 1000 in the completion).',
      ),
      { limit: 8192, promptTokens: 8000 },
    );
    assert.deepEqual(
      contextReport(
        '{"error":{"code":400,"message":"the request exceeds the available context size, try ' +
          'increasing it","type":"exceed_context_size_error","n_prompt_tokens":5000,"n_ctx":4096}}',
      ),
      { limit: 4096, promptTokens: 5000 },
    );
    assert.deepEqual(
      contextReport(
        'Trying to keep the first 6000 tokens when context the overflows. However, the model is ' +
          'loaded with context length of only 4096 tokens, which is not enough.',
      ),
      { limit: 4096, promptTokens: 6000 },
    );
    assert.deepEqual(
      contextReport(
        'Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. ' +
          'Given: 4000 `inputs` tokens and 1000 `max_new_tokens`',
      ),
      { limit: 4096, promptTokens: 4000 },
    );
    assert.deepEqual(contextReport('context_length_exceeded'), {});
  });

  it('ignores errors about anything else', () => {
    assert.equal(contextReport('Incorrect API key provided'), undefined);
    assert.equal(contextReport('model "llama3" not found, try pulling it first'), undefined);
  });
});
