import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { ObjectModel } from '../../catalogue/catalogue.service.js';
import { FakeCatalogue, TENANT } from '../../../test/support/in-memory-catalogue.js';
import { Expression } from '../expression.js';
import { matchColumns, type LookupValues, type ParameterMatch } from './column-matcher.js';
import { payloadParameters, type PayloadParameter } from './payload-parameters.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../test/fixtures/forms/${name}.json`, import.meta.url), 'utf8'));
const TYPEFORM = fixture('typeform');
const TALLY = fixture('tally');
/** Jotform's fields as the service stores a urlencoded body: every value a string. */
const JOTFORM = fixture('jotform').fields as Record<string, string>;

/** Canada and Mexico are Country records, as in a new tenant. */
const COUNTRIES: LookupValues = new Map([
  [
    'CountryId',
    new Map([
      ['canada', 'Canada'],
      ['mexico', 'Mexico'],
    ]),
  ],
]);

async function object(name: string): Promise<ObjectModel> {
  return (await new FakeCatalogue().findObject(TENANT, name))!;
}

/** A parameter as a flat payload key gives one. */
function parameter(name: string, value: unknown, label: string | null = null): PayloadParameter {
  return { path: name, expression: name, label, names: label ? [name, label] : [name], value, fieldType: null, list: false };
}

/** Parameter path → column, reason and confidence, for the matched ones. */
function summary(matches: ParameterMatch[]): Record<string, [string, string, number]> {
  return Object.fromEntries(matches.filter((match) => match.column).map((match) => [match.parameter.path, [match.column!, match.reason!, match.confidence]]));
}

async function match(objectName: string, payload: Record<string, unknown>): Promise<ParameterMatch[]> {
  return matchColumns(await object(objectName), payloadParameters(payload, 500).parameters, COUNTRIES);
}

describe('payloadParameters: the leaves of each form shape', () => {
  it('Typeform: one parameter per answer by field.ref, with the title from the definition and the value of its type', () => {
    const { source, parameters } = payloadParameters(TYPEFORM, 500);
    expect(source).toBe('typeform');
    const answers = parameters.filter((entry) => entry.path.startsWith('form_response.answers'));
    expect(answers.map(({ path, label, expression, value }) => ({ path, label, expression, value }))).toEqual([
      {
        path: "form_response.answers[field.ref='full_name']",
        label: 'What is your name?',
        expression: "form_response.answers[field.ref='full_name'].text",
        value: 'Ada Lovelace',
      },
      {
        path: "form_response.answers[field.ref='email_address']",
        label: 'Your e-mail address',
        expression: "form_response.answers[field.ref='email_address'].email",
        value: 'ada@analytical.example',
      },
      {
        path: "form_response.answers[field.ref='phone']",
        label: 'Phone number',
        expression: "form_response.answers[field.ref='phone'].phone_number",
        value: '+16175551234',
      },
      {
        path: "form_response.answers[field.ref='country']",
        label: 'Where are you based?',
        expression: "form_response.answers[field.ref='country'].choice.label",
        value: 'Canada',
      },
      {
        path: "form_response.answers[field.ref='company']",
        label: 'Company',
        expression: "form_response.answers[field.ref='company'].text",
        value: 'Analytical Engines Ltd',
      },
      {
        path: "form_response.answers[field.ref='team_size']",
        label: 'How many people are in your team?',
        expression: "form_response.answers[field.ref='team_size'].number",
        value: 12,
      },
    ]);
    // The rest of the payload is plain leaves; the form's definition is not an answer.
    expect(parameters.map((entry) => entry.path)).toEqual(
      expect.arrayContaining(['event_id', 'form_response.submitted_at', 'form_response.hidden.utm_source']),
    );
    expect(parameters.some((entry) => entry.path.includes('definition'))).toBe(false);
  });

  it('Tally: one parameter per field by key, named by its label; a dropdown reads the texts of the chosen options', () => {
    const { source, parameters } = payloadParameters(TALLY, 500);
    expect(source).toBe('tally');
    const country = parameters.find((entry) => entry.label === 'Country')!;
    expect(country).toMatchObject({
      path: "data.fields[key='question_mVGpVW']",
      expression: "$join(data.fields[key='question_mVGpVW'].($chosen := value; options[id in $chosen].text), ', ')",
      value: 'Canada',
      fieldType: 'DROPDOWN',
    });
    expect(parameters.find((entry) => entry.label === 'Email')).toMatchObject({
      expression: "data.fields[key='question_nRd6xN'].value",
      value: 'grace@navy.example',
    });
    expect(parameters.map((entry) => entry.path)).toEqual(expect.arrayContaining(['eventId', 'data.formName', 'data.responseId']));
  });

  it('Jotform: the JSON text of rawRequest is read with $parseJson; a name in parts is one parameter, a phone its full number', () => {
    const { source, parameters } = payloadParameters(JOTFORM, 500);
    expect(source).toBe('jotform');
    const byPath = Object.fromEntries(parameters.map((entry) => [entry.path, entry]));
    expect(byPath['rawRequest.q3_fullName']).toMatchObject({
      expression: "$join($parseJson(rawRequest).q3_fullName.[first, last][$ != ''], ' ')",
      value: 'Katherine Johnson',
      names: ['fullName'],
    });
    expect(byPath['rawRequest.q4_email']).toMatchObject({ expression: '$parseJson(rawRequest).q4_email', value: 'katherine@nasa.example', names: ['email'] });
    expect(byPath['rawRequest.q5_phoneNumber']).toMatchObject({ expression: '$parseJson(rawRequest).q5_phoneNumber.full', value: '+1 757 555 0142' });
    expect(byPath['rawRequest.q6_country']).toMatchObject({ expression: '$parseJson(rawRequest).q6_country', value: 'Canada' });
    expect(byPath.rawRequest).toBeUndefined();
    expect(byPath.formID).toMatchObject({ expression: 'formID', value: '241375902481056' });
  });

  it('plain nested objects become dotted paths; lists of name/value pairs one parameter per name; other lists of objects stay one list', () => {
    const { source, parameters } = payloadParameters(
      {
        data: { contact: { email: 'x@example.com', 'first-name': 'Mary' } },
        fields: [
          { name: 'phone', value: '+44 20 7946 0958', label: 'Your phone' },
          { name: 'city', value: 'Leeds' },
        ],
        tags: ['a', 'b'],
        items: [{ sku: 'A-1' }, { sku: 'B-2' }],
      },
      500,
    );
    expect(source).toBeNull();
    expect(parameters.map(({ path, expression, value, list }) => ({ path, expression, value, list }))).toEqual([
      { path: 'data.contact.email', expression: 'data.contact.email', value: 'x@example.com', list: false },
      { path: 'data.contact.first-name', expression: 'data.contact.`first-name`', value: 'Mary', list: false },
      { path: "fields[name='phone']", expression: "fields[name='phone'].value", value: '+44 20 7946 0958', list: false },
      { path: "fields[name='city']", expression: "fields[name='city'].value", value: 'Leeds', list: false },
      { path: 'tags', expression: "$join(tags, ', ')", value: 'a, b', list: false },
      { path: 'items', expression: 'items', value: [{ sku: 'A-1' }, { sku: 'B-2' }], list: true },
    ]);
    expect(parameters[2].label).toBe('Your phone');
  });

  it('considers at most the limit of parameters, and counts them all', () => {
    const payload = Object.fromEntries(Array.from({ length: 30 }, (_, index) => [`field${index}`, index]));
    const { parameters, total } = payloadParameters(payload, 10);
    expect(parameters).toHaveLength(10);
    expect(total).toBe(30);
  });

  it.each([
    ['typeform', TYPEFORM],
    ['tally', TALLY],
    ['jotform', JOTFORM],
  ])("each expression of %s reads the parameter's value from the webhook", async (_name, payload) => {
    const { parameters } = payloadParameters(payload, 500);
    expect(parameters.length).toBeGreaterThan(4);
    for (const entry of parameters) {
      expect({ path: entry.path, value: await Expression.compile(entry.expression).evaluate(payload, {}) }).toEqual({ path: entry.path, value: entry.value });
    }
  });
});

describe('matchColumns', () => {
  it('by name: e-mail, email_address and Email are the column Email; case, "-", "_" and spaces do not matter', async () => {
    const lead = await object('Lead');
    for (const name of ['e-mail', 'email_address', 'Email', 'E_MAIL', 'your email']) {
      const [found] = matchColumns(lead, [parameter(name, 'someone')], COUNTRIES);
      expect({ name, column: found.column, reason: found.reason }).toEqual({ name, column: 'Email', reason: 'name' });
    }
    const [exact] = matchColumns(lead, [parameter('Email', 'x')], COUNTRIES);
    expect(exact.confidence).toBe(1);
    expect(exact.explanation).toBe("'Email' is like the column Email");
  });

  it.each([
    ['phone', 'MobilePhone'],
    ['phone_number', 'MobilePhone'],
    ['mobile', 'MobilePhone'],
    ['full_name', 'Contact'],
    ['name', 'Contact'],
    ['your name', 'Contact'],
    ['company', 'Account'],
    ['website', 'Website'],
    ['url', 'Website'],
    ['message', 'Notes'],
  ])('by name on Lead: %s → %s', async (name, column) => {
    const [found] = matchColumns(await object('Lead'), [parameter(name, 'text')], COUNTRIES);
    expect([found.column, found.reason]).toEqual([column, 'name']);
    expect(found.confidence).toBeGreaterThanOrEqual(0.75);
  });

  it("the person's name is a Contact's Name (its caption: Full name)", async () => {
    const [found] = matchColumns(await object('Contact'), [parameter('full_name', 'Ada')], COUNTRIES);
    expect(found).toMatchObject({ column: 'Name', reason: 'name', writtenAs: 'Name' });
  });

  it('a country named by a lookup value is the Country lookup, written by name; a name that agrees raises the confidence', async () => {
    const lead = await object('Lead');
    const [byValue] = matchColumns(lead, [parameter('where_based', 'canada')], COUNTRIES);
    expect(byValue).toMatchObject({ column: 'CountryId', writtenAs: 'Country', reason: 'lookup-value', confidence: 0.85 });
    expect(byValue.explanation).toBe("'canada' is the Country 'Canada'; written by name as Country");
    const [both] = matchColumns(lead, [parameter('country', 'Canada')], COUNTRIES);
    expect(both).toMatchObject({ column: 'CountryId', writtenAs: 'Country', reason: 'lookup-value' });
    expect(both.confidence).toBeGreaterThan(byValue.confidence);
    // Named like the column, but no record of that name: matched by name, and the explanation warns.
    const [unknown] = matchColumns(lead, [parameter('country', 'Atlantis')], COUNTRIES);
    expect(unknown).toMatchObject({ column: 'CountryId', writtenAs: 'Country', reason: 'name' });
    expect(unknown.explanation).toContain("no Country record is named 'Atlantis'");
    // A GUID goes to the column itself.
    const [id] = matchColumns(lead, [parameter('country', 'f8af0e88-f36b-1410-fa98-00155d043204')], COUNTRIES);
    expect(id).toMatchObject({ column: 'CountryId', writtenAs: 'CountryId', reason: 'name' });
  });

  it('by the shape of the value when the name says nothing', async () => {
    const lead = await object('Lead');
    const contact = await object('Contact');
    const cases: Array<[ObjectModel, unknown, string]> = [
      [lead, 'mary@example.com', 'Email'],
      [lead, '+1 (617) 555-0100', 'MobilePhone'],
      [lead, 'https://example.com/pricing', 'Website'],
      [lead, 2500.5, 'Budget'],
      [contact, '1990-04-01', 'BirthDate'],
      [contact, '1990-04-01T10:00:00Z', 'BirthDate'],
      [contact, 42, 'Age'],
      [contact, true, 'IsEmailConfirmed'],
    ];
    for (const [target, value, column] of cases) {
      const [found] = matchColumns(target, [parameter('field_17', value)], COUNTRIES);
      expect({ value, column: found.column, reason: found.reason }).toEqual({ value, column, reason: 'value-shape' });
      expect(found.confidence).toBeLessThan(0.75);
    }
    // A delivery's own data (an id, a time it was submitted) is no column, whatever its shape;
    // a number, a date or a yes/no whose name says something else is none either.
    const [submitted] = matchColumns(contact, [parameter('submitted_at', '2024-05-17T09:30:02Z')], COUNTRIES);
    expect(submitted.column).toBeNull();
    const [teamSize] = matchColumns(lead, [parameter('team_size', 12)], COUNTRIES);
    expect(teamSize.column).toBeNull();
    // An e-mail address is one under any name that is not about the delivery.
    const [contactInfo] = matchColumns(lead, [parameter('reach_me_at', 'mary@example.com')], COUNTRIES);
    expect(contactInfo).toMatchObject({ column: 'Email', reason: 'value-shape', confidence: 0.6 });
    expect(contactInfo.explanation).toBe("the value of 'reach_me_at' is an e-mail address, like the column Email");
  });

  it('a value the column cannot take is not matched to it', async () => {
    const [age] = matchColumns(await object('Contact'), [parameter('age', 'about forty')], COUNTRIES);
    expect(age.column).toBeNull();
    expect(age.explanation).toBe("no column of Contact is like 'age', and its value has no shape or lookup value of one");
  });

  it('takes each column once: the more confident parameter wins, the other says which one won', async () => {
    const matches = matchColumns(await object('Lead'), [parameter('work_email_address', 'a@x.example'), parameter('email', 'b@x.example')], COUNTRIES);
    expect(summary(matches)).toEqual({ email: ['Email', 'name', 1] });
    expect(matches[0]).toMatchObject({ column: null, reason: null, confidence: 0 });
    expect(matches[0].explanation).toBe("'work_email_address' is like the column Email, but 'email' matches Email better");
  });

  it('is deterministic: the same answer every time, ties to the earlier parameter', async () => {
    const lead = await object('Lead');
    const parameters = [parameter('email', 'a@x.example'), parameter('Email', 'b@x.example'), parameter('phone', '+1 555 0100 22')];
    const first = matchColumns(lead, parameters, COUNTRIES);
    expect(summary(first)).toEqual({ email: ['Email', 'name', 1], phone: ['MobilePhone', 'name', 0.9] });
    for (let run = 0; run < 5; run++) expect(matchColumns(lead, parameters, COUNTRIES)).toEqual(first);
  });

  it('Typeform on Lead: name, e-mail, phone, company by name, country by lookup value; the number of people matches nothing', async () => {
    const matches = await match('Lead', TYPEFORM);
    expect(summary(matches)).toEqual({
      "form_response.answers[field.ref='full_name']": ['Contact', 'name', 0.9],
      "form_response.answers[field.ref='email_address']": ['Email', 'name', 0.9],
      "form_response.answers[field.ref='phone']": ['MobilePhone', 'name', 0.9],
      "form_response.answers[field.ref='country']": ['CountryId', 'lookup-value', 0.99],
      "form_response.answers[field.ref='company']": ['Account', 'name', 0.9],
    });
  });

  it('Tally on Lead, by labels', async () => {
    expect(summary(await match('Lead', TALLY))).toEqual({
      "data.fields[key='question_3ExXkL']": ['Contact', 'name', 0.9],
      "data.fields[key='question_nRd6xN']": ['Email', 'name', 1],
      "data.fields[key='question_wMZoEb']": ['MobilePhone', 'name', 0.9],
      "data.fields[key='question_mVGpVW']": ['CountryId', 'lookup-value', 0.99],
    });
  });

  it('Jotform on Lead, by the names after the question number', async () => {
    expect(summary(await match('Lead', JOTFORM))).toEqual({
      'rawRequest.q3_fullName': ['Contact', 'name', 0.9],
      'rawRequest.q4_email': ['Email', 'name', 1],
      'rawRequest.q5_phoneNumber': ['MobilePhone', 'name', 0.9],
      'rawRequest.q6_country': ['CountryId', 'lookup-value', 0.99],
      'rawRequest.q7_message': ['Notes', 'name', 0.9],
    });
  });
});
