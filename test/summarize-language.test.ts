import assert from 'node:assert/strict';

import { detectLanguage, languageName } from '../src/summarize/language.js';

/** One or two sentences per language, as short as a room message. */
const SAMPLES: Array<[string, string]> = [
  ['en', 'The council approved the new budget for the public libraries of the city.'],
  ['pt', 'O conselho aprovou o novo orçamento para as bibliotecas públicas da cidade.'],
  ['es', 'El consejo aprobó el nuevo presupuesto para las bibliotecas públicas de la ciudad.'],
  ['fr', 'Le conseil a approuvé le nouveau budget pour les bibliothèques publiques de la ville.'],
  ['de', 'Der Rat hat den neuen Haushalt für die öffentlichen Bibliotheken der Stadt genehmigt.'],
  ['it', 'Il consiglio ha approvato il nuovo bilancio per le biblioteche pubbliche della città.'],
  [
    'nl',
    'De raad heeft de nieuwe begroting voor de openbare bibliotheken van de stad goedgekeurd.',
  ],
  ['zh', '市议会批准了城市公共图书馆的新预算。'],
  ['ja', '市議会は市内の公立図書館の新しい予算を承認しました。'],
  ['ko', '시의회는 시립 공공 도서관의 새 예산을 승인했습니다.'],
  ['ar', 'وافق مجلس المدينة على الميزانية الجديدة للمكتبات العامة في المدينة.'],
  ['fa', 'شورای شهر بودجه جدید کتابخانه‌های عمومی شهر را تصویب کرد.'],
  ['he', 'מועצת העיר אישרה את התקציב החדש לספריות הציבוריות בעיר.'],
  ['th', 'สภาเมืองอนุมัติงบประมาณใหม่สำหรับห้องสมุดประชาชนของเมือง'],
  ['ru', 'Городской совет утвердил новый бюджет для публичных библиотек города.'],
];

describe('detectLanguage', () => {
  for (const [code, text] of SAMPLES) {
    it(`recognizes ${languageName(code)} in one sentence`, () => {
      assert.equal(detectLanguage(text)?.code, code, text);
    });
  }

  it('tells Portuguese from Spanish in a medical note', () => {
    const note =
      'Paciente com dor torácica há duas horas, sem febre. Pressão arterial elevada e ' +
      'frequência cardíaca de 110 batimentos por minuto.';
    const guess = detectLanguage(note);
    assert.deepEqual({ code: guess?.code, name: guess?.name }, { code: 'pt', name: 'Portuguese' });
  });

  it('follows the body of a long document, not its English front matter', () => {
    const front = 'Abstract. This paper studies the budget of the public libraries. '.repeat(5);
    const body = 'Este artigo analisa o orçamento das bibliotecas públicas da cidade. '.repeat(200);
    assert.equal(detectLanguage(front + body)?.code, 'pt');
  });

  it('says Chinese for a Chinese manual full of Latin commands', () => {
    const text = '使用 \\documentclass{article} 命令可以设置文档的类型，然后编写正文内容。'.repeat(
      20,
    );
    assert.equal(detectLanguage(text)?.code, 'zh');
  });

  it('makes no guess without enough text or evidence', () => {
    assert.equal(detectLanguage(''), undefined);
    assert.equal(detectLanguage('12 34 56 — ** PDF'), undefined);
    assert.equal(detectLanguage('Xylophone zebra quartz jumps'), undefined);
  });
});
