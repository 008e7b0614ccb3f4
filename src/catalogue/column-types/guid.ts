import { converted, defineColumnType, fail, show } from './column-type.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const guid = defineColumnType({
  name: 'System.Guid',
  label: 'GUID',
  description: 'A GUID; for a lookup column, the Id of an existing record of the referenced object',
  takesLookup: true,
  convert(raw) {
    return typeof raw === 'string' && GUID.test(raw.trim()) ? converted(raw.trim().toLowerCase()) : fail(`"${show(raw)}" is not a GUID`);
  },
});
