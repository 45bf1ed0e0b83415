import type { PDFDocumentProxy } from 'unpdf/pdfjs';

/** What the document's information dictionary says about forms and its title. */
export interface DocumentInfo {
  /** A dynamic XFA form without an AcroForm: its pages only hold a "Please wait…" placeholder. */
  xfaOnly: boolean;
  /** The document has an AcroForm, whose filled values live outside the page text. */
  acroForm: boolean;
  title: string | undefined;
}

/** Field values beyond this many are left out; a form that large is mostly its pages anyway. */
const MAX_FIELDS = 500;
/** Field types whose value is never content: signatures, push buttons, parent nodes. */
const SKIPPED_TYPES = new Set(['signature', 'button', '']);
/** Titles that are a producer's placeholder rather than a name. */
const PLACEHOLDER_TITLE =
  /^(untitled|document\d*|title|powerpoint presentation|microsoft \w+ - .*|.*\.\w{2,8}|\s*)$/i;

export async function readDocumentInfo(pdf: PDFDocumentProxy): Promise<DocumentInfo> {
  let info: Record<string, unknown> = {};
  try {
    info = (await pdf.getMetadata()).info as Record<string, unknown>;
  } catch {
    // A broken information dictionary only costs the title and form hints, not the text.
  }
  const title = typeof info['Title'] === 'string' ? info['Title'].trim() : '';
  return {
    xfaOnly: info['IsXFAPresent'] === true && info['IsAcroFormPresent'] !== true,
    acroForm: info['IsAcroFormPresent'] === true,
    title: PLACEHOLDER_TITLE.test(title) ? undefined : title,
  };
}

interface FieldObject {
  type?: unknown;
  value?: unknown;
}

/**
 * The filled-in values of an AcroForm as "Label: value" lines, in the form's field order.
 * Empty fields and unchecked boxes ("Off") are left out. Returns [] when anything goes wrong:
 * the page text is still worth summarizing without the values.
 */
export async function readFormFields(pdf: PDFDocumentProxy): Promise<string[]> {
  let fields: Record<string, FieldObject[]> | null;
  try {
    fields = (await pdf.getFieldObjects()) as Record<string, FieldObject[]> | null;
  } catch {
    return [];
  }
  if (!fields) return [];

  const lines: string[] = [];
  for (const [name, widgets] of Object.entries(fields)) {
    const values = new Set<string>();
    for (const widget of widgets) for (const value of valuesOf(widget)) values.add(value);
    if (values.size > 0) lines.push(`${label(name)}: ${[...values].join(', ')}`);
    if (lines.length >= MAX_FIELDS) break;
  }
  return lines;
}

function valuesOf(widget: FieldObject): string[] {
  if (typeof widget.type !== 'string' || SKIPPED_TYPES.has(widget.type)) return [];
  const raw = Array.isArray(widget.value) ? widget.value : [widget.value];
  return raw
    .filter((value): value is string => typeof value === 'string')
    .map((value) => value.replace(/\s+/g, ' ').trim())
    .filter((value) => value !== '' && value !== 'Off');
}

/** "form1[0].page1[0].FirstName[0]" reads as "FirstName". */
function label(name: string): string {
  const plain = name.replace(/\[\d+\]/g, '');
  return plain.slice(plain.lastIndexOf('.') + 1) || plain;
}
