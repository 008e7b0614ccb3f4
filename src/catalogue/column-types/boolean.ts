import { converted, defineColumnType, fail, show } from './column-type.js';

const TRUE_WORDS = new Set(['true', '1', 'on', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'off', 'no']);

export const boolean = defineColumnType({
  name: 'System.Boolean',
  label: 'Yes/no',
  description: 'true/false, 1/0, "on"/"off" (form checkboxes), "yes"/"no"',
  takesLookup: false,
  convert(raw) {
    if (typeof raw === 'boolean') return converted(raw);
    const word = String(raw).trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return converted(true);
    if (FALSE_WORDS.has(word)) return converted(false);
    return fail(`"${show(raw)}" is not a boolean (use true/false, 1/0 or on/off)`);
  },
});
