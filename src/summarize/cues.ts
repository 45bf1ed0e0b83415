/**
 * Phrases with which authors announce what a document is for and what it found ("In this paper
 * we propose", "Os resultados mostram", "The Court holds"), in the languages the bridge sees
 * most. A sentence that has one is likelier to belong in a summary (Edmundson 1969); the ranking
 * gives it a bonus, not a place of its own.
 */
const CUES = [
  // English
  'in this (?:paper|article|study|work|report|document|chapter|review)',
  'this (?:paper|article|study|report|document|review|guideline|publication) (?:presents|' +
    'describes|proposes|examines|investigates|shows|reviews|aims|provides|analy[sz]es)',
  'we (?:propose|present|introduce|describe|show|find|found|demonstrate|conclude|argue|' +
    'develop|report)',
  'our (?:results|findings|analysis|approach|method|experiments) ' +
    '(?:show|suggest|indicate|demonstrate)',
  'the (?:results|findings) (?:show|suggest|indicate|demonstrate)',
  'in conclusion|we conclude|(?:the )?(?:aim|purpose|objective|goal) of this',
  'the court (?:holds|held|concludes|concluded)|gao (?:recommends|found)',
  // Portuguese
  'nest[ea] (?:artigo|trabalho|estudo|pesquisa)|(?:est[ea]|o presente) (?:artigo|trabalho|estudo)',
  'o objetivo (?:deste|desta|do presente)|os resultados (?:mostram|indicam|sugerem|revelam)',
  'conclui-se|propomos',
  // Spanish
  'en este (?:artículo|trabajo|estudio)|el presente (?:estudio|trabajo|artículo)',
  'el objetivo (?:de este|del presente)|los resultados (?:muestran|indican|sugieren|revelan)',
  'proponemos',
  // French
  'dans (?:cet|ce) (?:article|travail|papier)|nous (?:proposons|présentons|montrons)',
  'les résultats (?:montrent|indiquent)',
  // German, Italian, Dutch
  'in diese[mr] (?:artikel|beitrag|arbeit|studie)|wir (?:zeigen|schlagen)|die ergebnisse zeigen',
  'in questo (?:articolo|lavoro|studio)|proponiamo|i risultati (?:mostrano|indicano)',
  'in dit (?:artikel|onderzoek)|wij (?:stellen|tonen)',
];

const CUE = new RegExp(`(?:^|[^\\p{L}])(?:${CUES.join('|')})(?![\\p{L}])`, 'iu');

export function hasCue(text: string): boolean {
  return CUE.test(text);
}
