import { SYSTEM_COLUMNS, type ColumnModel, type ObjectModel } from '../../catalogue/catalogue.service.js';
import { convertValue } from '../../catalogue/column-types/index.js';
import type { PayloadParameter } from './payload-parameters.js';

/** `chosen`: the analyst picked the column (or no column), which no proposal overrides. */
export type MatchReason = 'name' | 'value-shape' | 'lookup-value' | 'chosen';

export interface ParameterMatch {
  parameter: PayloadParameter;
  /** The column's code (`CountryId` for the Country lookup), or null. */
  column: string | null;
  /** The key the definition writes the value under: the column, or a lookup column without its Id suffix (resolved by name). */
  writtenAs: string | null;
  reason: MatchReason | null;
  confidence: number;
  explanation: string;
}

/**
 * For each lookup column of the object, the display values of its records that values of the
 * payload equal (case-insensitive, trimmed): lower-cased value → the record's display value.
 */
export type LookupValues = Map<string, Map<string, string>>;

/**
 * Words that mean the same column. A column takes the concept whose words its code or caption
 * is; a parameter named by any of them is like that column.
 */
const CONCEPTS: Record<string, string[]> = {
  email: ['email', 'e mail', 'mail', 'email address', 'e mail address', 'your email', 'work email', 'business email'],
  phone: ['phone', 'phone number', 'mobile', 'mobile phone', 'mobile number', 'cell', 'cell phone', 'cellphone', 'telephone', 'tel', 'phonenumber', 'whatsapp'],
  person: ['name', 'full name', 'fullname', 'your name', 'contact', 'contact name', 'first and last name', 'first last name'],
  company: ['company', 'company name', 'account', 'organisation', 'organization', 'business', 'business name', 'employer', 'org'],
  country: ['country', 'country name', 'nation', 'country region', 'country or region'],
  website: ['website', 'web site', 'url', 'site', 'homepage', 'home page', 'web', 'page url', 'link', 'website url'],
  notes: ['notes', 'note', 'message', 'your message', 'comment', 'comments', 'remarks'],
  budget: ['budget', 'your budget'],
  jobTitle: ['job title', 'job', 'position', 'role'],
  birthDate: ['birth date', 'birthdate', 'birthday', 'date of birth', 'dob'],
  age: ['age', 'your age'],
};

/** Words of names that say a value is about the delivery, not the person: no column by shape. */
const METADATA_WORDS = new Set([
  'id',
  'token',
  'event',
  'type',
  'form',
  'submitted',
  'submission',
  'landed',
  'created',
  'updated',
  'timestamp',
  'ip',
  'signature',
  'response',
  'hidden',
  'score',
  'version',
  'slug',
  'path',
  'webhook',
]);

const SHAPES: Array<{ shape: string; test: (value: string) => boolean }> = [
  { shape: 'an e-mail address', test: (value) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) },
  { shape: 'a URL', test: (value) => /^https?:\/\/[^\s]+$/i.test(value) },
  { shape: 'a date-time', test: (value) => /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value) },
  { shape: 'a date', test: (value) => /^\d{4}-\d{2}-\d{2}$/.test(value) },
  { shape: 'a phone number', test: (value) => /^\+?[\d\s().-]{7,20}$/.test(value) && (value.match(/\d/g)?.length ?? 0) >= 7 && /[\s().+-]/.test(value) },
];

/**
 * Proposes a column of the object for each parameter: by the similarity of its names to the
 * column's code, caption and their synonyms; else by a lookup display value it equals; else by
 * the shape of its value. Each column is taken at most once, the most confident proposal first;
 * ties go to the earlier parameter, then the earlier column, so the same webhook always gets the
 * same answer.
 */
export function matchColumns(
  object: ObjectModel,
  parameters: PayloadParameter[],
  lookupValues: LookupValues,
  choices: ReadonlyMap<string, string | null> = new Map(),
): ParameterMatch[] {
  const columns = object.columns.filter((column) => !SYSTEM_COLUMNS.has(column.name));
  const candidates: Array<{ parameter: number; column: number; confidence: number; reason: MatchReason; explanation: string; writtenAs: string }> = [];
  // The analyst's choices come first: their columns are taken before any proposal.
  for (const [index, parameter] of parameters.entries()) {
    const chosen = choices.get(parameter.path);
    const position = columns.findIndex((column) => column.name === chosen);
    if (position >= 0) candidates.push({ parameter: index, column: position, ...chosenCandidate(columns[position], parameter) });
  }
  parameters.forEach((parameter, index) => {
    if (parameter.list || choices.has(parameter.path)) return;
    columns.forEach((column, position) => {
      const candidate = candidateFor(object, column, parameter, lookupValues.get(column.name));
      if (candidate) candidates.push({ parameter: index, column: position, ...candidate });
    });
  });
  candidates.sort((a, b) => b.confidence - a.confidence || a.parameter - b.parameter || a.column - b.column);
  const byParameter = new Map<number, (typeof candidates)[number]>();
  const taken = new Map<number, number>();
  for (const candidate of candidates) {
    if (byParameter.has(candidate.parameter) || taken.has(candidate.column)) continue;
    byParameter.set(candidate.parameter, candidate);
    taken.set(candidate.column, candidate.parameter);
  }
  return parameters.map((parameter, index) => {
    const chosen = byParameter.get(index);
    if (chosen) {
      return {
        parameter,
        column: columns[chosen.column].name,
        writtenAs: chosen.writtenAs,
        reason: chosen.reason,
        confidence: chosen.confidence,
        explanation: chosen.explanation,
      };
    }
    const lost = candidates.find((candidate) => candidate.parameter === index);
    const explanation = choices.has(parameter.path)
      ? `left without a column by your choice`
      : parameter.list
        ? `${quote(display(parameter))} is a list of ${(parameter.value as unknown[]).length} objects: a for-each step maps a list, not a column`
        : lost
          ? `${lost.explanation}, but ${quote(display(parameters[taken.get(lost.column)!]))} matches ${columns[lost.column].name} better`
          : `no column of ${object.name} is like ${quote(display(parameter))}, and its value has no shape or lookup value of one`;
    return { parameter, column: null, writtenAs: null, reason: null, confidence: 0, explanation };
  });
}

/** A column the analyst chose: written by name when it is a lookup and the value is no Id, as create-record resolves it. */
function chosenCandidate(
  column: ColumnModel,
  parameter: PayloadParameter,
): { confidence: number; reason: MatchReason; explanation: string; writtenAs: string } {
  const text = typeof parameter.value === 'string' ? parameter.value.trim() : null;
  const byName = column.lookup !== undefined && column.lookup !== null && !(text !== null && convertValue(column.type, text).ok);
  return {
    confidence: 1,
    reason: 'chosen',
    explanation: `you chose the column ${column.caption} for ${quote(display(parameter))}`,
    writtenAs: byName ? column.name.replace(/Id$/, '') : column.name,
  };
}

function candidateFor(
  object: ObjectModel,
  column: ColumnModel,
  parameter: PayloadParameter,
  lookupValues: Map<string, string> | undefined,
): { confidence: number; reason: MatchReason; explanation: string; writtenAs: string } | null {
  const lookupName = column.lookup ? column.name.replace(/Id$/, '') : null;
  const byName = nameSimilarity(parameter.names, column, object);
  const value = parameter.value;
  const text = typeof value === 'string' ? value.trim() : null;
  if (column.lookup) {
    const display = text !== null ? lookupValues?.get(text.toLowerCase()) : undefined;
    if (display !== undefined) {
      // The value names a record of the lookup: the strongest sign, stronger still with a name that agrees.
      const confidence = byName ? Math.min(0.99, Math.max(byName.score, 0.85) + 0.05) : 0.85;
      const named = byName ? ` and ${quote(byName.name)} is like the column ${column.caption}` : '';
      return {
        confidence: round(confidence),
        reason: 'lookup-value',
        explanation: `${quote(text!)} is the ${column.lookup} ${quote(display)}${named}; written by name as ${lookupName}`,
        writtenAs: lookupName!,
      };
    }
    if (!byName) return null;
    // An Id goes to the column itself; anything else is resolved by name when the record is written.
    const isId = text !== null && convertValue(column.type, text).ok;
    return {
      confidence: round(isId ? byName.score : byName.score * 0.9),
      reason: 'name',
      explanation:
        `${quote(byName.name)} is like the column ${column.caption}` +
        (isId || text === null || text === '' ? '' : `; no ${column.lookup} record is named ${quote(text)} (yet)`),
      writtenAs: isId ? column.name : lookupName!,
    };
  }
  if (value !== undefined && value !== null && value !== '' && !convertValue(column.type, value).ok) return null;
  if (byName) {
    return {
      confidence: round(byName.score),
      reason: 'name',
      explanation: `${quote(byName.name)} is like the column ${column.caption}`,
      writtenAs: column.name,
    };
  }
  if (aboutDelivery(parameter)) return null;
  const shape = shapeFit(column, value, parameter.fieldType);
  // An e-mail address, a phone number or a URL tells what a value is whatever the name; a
  // number, a date or a yes/no does only when the name says nothing (field_17, not team_size).
  if (!shape || (!shape.strong && parameter.names.some(saysSomething))) return null;
  return {
    confidence: shape.confidence,
    reason: 'value-shape',
    explanation: `the value of ${quote(display(parameter))} is ${shape.shape}, like the column ${column.caption}`,
    writtenAs: column.name,
  };
}

/** The best of the parameter's names against the column: exact, a synonym, a contained phrase, or nearly the same letters. */
function nameSimilarity(names: string[], column: ColumnModel, object: ObjectModel): { score: number; name: string } | null {
  const own = [column.name.replace(column.lookup ? /Id$/ : /$/, ''), column.caption].map(normalise);
  const concepts = columnConcepts(column, object);
  let best: { score: number; name: string } | null = null;
  names.forEach((name, index) => {
    const normal = normalise(name.replace(/^q\d+_/, ''));
    if (normal === '') return;
    // A later name (a title beside a ref) counts a little less than the first.
    const penalty = index === 0 ? 0 : 0.02;
    let score = 0;
    if (own.includes(normal) || own.some((phrase) => compact(phrase) === compact(normal))) score = 1;
    else if (concepts.some((concept) => CONCEPTS[concept].some((phrase) => compact(phrase) === compact(normal)))) score = 0.9;
    else if (!tokens(name).some((word) => METADATA_WORDS.has(word)) && containsPhrase(normal, [...own, ...concepts.flatMap((concept) => CONCEPTS[concept])]))
      score = 0.75;
    else if (own.some((phrase) => phrase.length >= 4 && similarity(compact(phrase), compact(normal)) >= 0.8)) score = 0.6;
    score -= penalty;
    if (score > 0 && (!best || score > best.score)) best = { score, name };
  });
  return best;
}

function columnConcepts(column: ColumnModel, object: ObjectModel): string[] {
  const own = [column.name.replace(column.lookup ? /Id$/ : /$/, ''), column.caption].map((text) => compact(normalise(text)));
  const concepts = Object.keys(CONCEPTS).filter((concept) => CONCEPTS[concept].some((phrase) => own.includes(compact(phrase))));
  // An object's display column of text names it: a Lead's Contact, a Contact's Name.
  if (column.name === object.displayColumn && column.type === 'System.String' && ['contact', 'name', 'fullname'].some((word) => own.includes(word))) {
    if (!concepts.includes('person')) concepts.push('person');
  }
  return concepts;
}

/** Whether a name holds one of the phrases as whole words ("work phone number" holds "phone number"); short words only whole. */
function containsPhrase(normal: string, phrases: string[]): boolean {
  const padded = ` ${normal} `;
  return phrases.some((phrase) => phrase.length >= 3 && phrase !== normal && padded.includes(` ${phrase} `));
}

/** Words of generated names: field_17, question_3ExXkL, answer 2. */
const GENERIC_WORDS = new Set(['field', 'question', 'answer', 'input', 'q', 'item', 'custom', 'untitled', 'value', 'text']);

/** Whether a name tells what its value is: not a generated one (words like "field", numbers, codes such as 3ExXkL or 01HZX4K2). */
function saysSomething(name: string): boolean {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .some((word) => !GENERIC_WORDS.has(word.toLowerCase()) && !/\d/.test(word) && !(word.length >= 8 && /[A-Z].*[A-Z].*[A-Z]/.test(word.slice(1))));
}

/** A value about the delivery (an id, when it was submitted), not about the person: no column by shape. */
function aboutDelivery(parameter: PayloadParameter): boolean {
  return parameter.names.some((name) => tokens(name).some((word) => METADATA_WORDS.has(word)));
}

function shapeFit(column: ColumnModel, value: unknown, fieldType: string | null): { shape: string; confidence: number; strong: boolean } | null {
  const concepts = columnConcepts(column, { name: '', caption: '', displayColumn: '', inWebhookLookup: true, columns: [] });
  const type = (fieldType ?? '').toLowerCase();
  if (typeof value === 'string') {
    const text = value.trim();
    const shape =
      SHAPES.find((entry) => entry.test(text))?.shape ?? (type.includes('email') ? 'an e-mail address' : type.includes('phone') ? 'a phone number' : null);
    if (shape === 'an e-mail address' && concepts.includes('email')) return { shape, confidence: 0.6, strong: true };
    if (shape === 'a phone number' && concepts.includes('phone')) return { shape, confidence: 0.55, strong: true };
    if (shape === 'a URL' && concepts.includes('website')) return { shape, confidence: 0.55, strong: true };
    if (shape === 'a date-time' && column.type === 'System.DateTime') return { shape, confidence: 0.4, strong: false };
    if (shape === 'a date' && (column.type === 'System.Date' || column.type === 'System.DateTime')) {
      return { shape, confidence: column.type === 'System.Date' ? 0.4 : 0.35, strong: false };
    }
    return null;
  }
  if (typeof value === 'number') {
    if (column.type === 'System.Decimal') return { shape: 'a number', confidence: 0.3, strong: false };
    if (column.type === 'System.Int32' && Number.isInteger(value)) return { shape: 'a whole number', confidence: 0.3, strong: false };
    return null;
  }
  if (typeof value === 'boolean' && column.type === 'System.Boolean') return { shape: 'a yes or no', confidence: 0.3, strong: false };
  return null;
}

/** Lower case without accents, camelCase, `-`, `_`, `.` or punctuation: "E-mail_Address" → "e mail address". */
export function normalise(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function compact(text: string): string {
  return text.replace(/ /g, '');
}

function tokens(name: string): string[] {
  return normalise(name).split(' ');
}

/** Dice coefficient of letter pairs: 1 for the same word, about 0.8 for a typo in a long one. */
function similarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length < 2 || b.length < 2) return 0;
  const pairs = (text: string) => Array.from({ length: text.length - 1 }, (_, index) => text.slice(index, index + 2));
  const left = pairs(a);
  const right = pairs(b);
  let common = 0;
  const rest = [...right];
  for (const pair of left) {
    const found = rest.indexOf(pair);
    if (found >= 0) {
      common++;
      rest.splice(found, 1);
    }
  }
  return (2 * common) / (left.length + right.length);
}

function display(parameter: PayloadParameter): string {
  return parameter.label ?? parameter.names[0] ?? parameter.path;
}

function quote(text: string): string {
  const short = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return `'${short}'`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
