import { addIsoDuration, parseIsoDuration } from './iso-duration.js';

describe('ISO 8601 durations', () => {
  const from = new Date('2026-01-31T10:00:00.000Z');
  const after = (text: string) => addIsoDuration(from, parseIsoDuration(text)!).toISOString();

  it.each([
    ['PT10M', '2026-01-31T10:10:00.000Z'],
    ['PT1.5S', '2026-01-31T10:00:01.500Z'],
    ['P2D', '2026-02-02T10:00:00.000Z'],
    ['P1W', '2026-02-07T10:00:00.000Z'],
    ['P1DT2H30M', '2026-02-01T12:30:00.000Z'],
    ['P1Y', '2027-01-31T10:00:00.000Z'],
  ])('adds %s', (text, expected) => {
    expect(after(text)).toBe(expected);
  });

  it.each(['', 'P', 'PT', '10M', 'P1H', 'PT-1M', 'P1.5D', 'pt10m', 'PT1M ', 'P1DT'])('refuses %j', (text) => {
    expect(parseIsoDuration(text)).toBeNull();
  });
});
