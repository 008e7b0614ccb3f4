import type { ColumnType } from './column-types/index.js';

/** The catalogue every new tenant starts with: the reference's Webhook entities lookup and two lookups. */
export interface ObjectSeed {
  name: string;
  caption: string;
  formId: string;
  inWebhookLookup: boolean;
  displayColumn: string;
  columns: ColumnSeed[];
  records?: Array<Record<string, unknown> & { Id: string }>;
}

export interface ColumnSeed {
  name: string;
  caption: string;
  type: ColumnType;
  required?: boolean;
  lookup?: string;
}

/** Canada's Id is the one the reference documentation uses in its example webhook. */
export const CANADA_ID = 'f8af0e88-f36b-1410-fa98-00155d043204';

const id: ColumnSeed = { name: 'Id', caption: 'Id', type: 'System.Guid', required: true };
const text = (name: string, caption: string, required = false): ColumnSeed => ({
  name,
  caption,
  type: 'System.String',
  required,
});
const lookup = (name: string, caption: string, target: string): ColumnSeed => ({
  name,
  caption,
  type: 'System.Guid',
  lookup: target,
});

const COUNTRIES: Array<[string, string, string]> = [
  [CANADA_ID, 'Canada', 'CA'],
  ['86251e9b-5de1-4ec5-9f71-fda3effcdf12', 'United States', 'US'],
  ['cca7046a-72c6-4456-92bc-c0c34e7387b7', 'Mexico', 'MX'],
  ['580d8b37-58ae-4286-9f20-995d3ebc4bd7', 'Brazil', 'BR'],
  ['7322f3c6-4468-4bc4-85b7-7203c5ad7a30', 'Argentina', 'AR'],
  ['e3eba460-bd07-4dbe-9911-8cfcc80db795', 'United Kingdom', 'GB'],
  ['aed65f1c-5194-4088-ba36-20cd1db29b2e', 'Ireland', 'IE'],
  ['e8d08f85-30af-4a2f-8000-97d6afed6fda', 'France', 'FR'],
  ['78db59d9-7e5c-4fbc-b872-242730466de7', 'Germany', 'DE'],
  ['1c85ce09-41bf-405f-966a-03d18a9ab54b', 'Spain', 'ES'],
  ['f759c642-92f7-4d1c-8404-d9c1eca4ef58', 'Italy', 'IT'],
  ['7dcc921c-ad45-490b-8c8b-d6c89b914ef9', 'Netherlands', 'NL'],
  ['59b097f7-1f66-4eeb-b50d-4a09ad975bb0', 'Poland', 'PL'],
  ['09ea2692-6e4c-4eda-b9fe-d86bc1b223cc', 'Ukraine', 'UA'],
  ['7d2e28a4-b30e-444f-a2ad-4a8027011505', 'Sweden', 'SE'],
  ['b8791a1c-035f-403d-b483-912875dd61e3', 'India', 'IN'],
  ['cc1dda75-9c33-4615-872e-c910abe685e4', 'Japan', 'JP'],
  ['2c47beb0-8bcf-4d32-b220-2765df51485b', 'China', 'CN'],
  ['20a3a550-39e5-4c5b-8367-db4f40de39c8', 'Australia', 'AU'],
  ['16e3514d-cf30-4b2e-8981-6b38a34ae1a3', 'South Africa', 'ZA'],
];

export const DEFAULT_CATALOGUE: ObjectSeed[] = [
  {
    name: 'Country',
    caption: 'Country',
    formId: '0245fc67-6107-4f3f-86da-df8835ca1a31',
    inWebhookLookup: false,
    displayColumn: 'Name',
    columns: [id, text('Name', 'Name', true), text('Code', 'ISO code')],
    records: COUNTRIES.map(([Id, Name, Code]) => ({ Id, Name, Code })),
  },
  {
    name: 'OrderStatus',
    caption: 'Order status',
    formId: '5e1ef019-24b9-4200-aba0-bbc8b30f882b',
    inWebhookLookup: false,
    displayColumn: 'Name',
    columns: [id, text('Name', 'Name', true)],
    records: [
      { Id: 'fd7ba900-8ec0-4605-ac72-2951f411dfb5', Name: 'New' },
      { Id: '3f794150-3529-4526-b7bb-2dd53359c5e4', Name: 'In progress' },
      { Id: '9d7fa2c8-c063-4778-b169-4d8f6ac7fa8c', Name: 'Completed' },
      { Id: '5d83aa1e-8fc6-4d01-857b-8be49ad841d1', Name: 'Canceled' },
    ],
  },
  {
    name: 'Contact',
    caption: 'Contact',
    formId: '6e05fd0c-7212-45bf-8b6e-f263423e97b1',
    inWebhookLookup: true,
    displayColumn: 'Name',
    columns: [
      id,
      text('Name', 'Full name', true),
      text('Email', 'Email'),
      text('MobilePhone', 'Mobile phone'),
      text('JobTitle', 'Job title'),
      { name: 'BirthDate', caption: 'Birth date', type: 'System.DateTime' },
      { name: 'Age', caption: 'Age', type: 'System.Int32' },
      { name: 'IsEmailConfirmed', caption: 'IsEmailConfirmed', type: 'System.Boolean' },
      lookup('CountryId', 'Country', 'Country'),
      text('Notes', 'Notes'),
    ],
  },
  {
    name: 'Lead',
    caption: 'Lead',
    formId: '2b755431-dd89-4f4c-b97b-9a15ebe9cea9',
    inWebhookLookup: true,
    displayColumn: 'Contact',
    columns: [
      id,
      text('Contact', 'Contact'),
      text('Email', 'Email'),
      text('MobilePhone', 'Mobile phone'),
      lookup('CountryId', 'Country', 'Country'),
      text('Account', 'Account'),
      text('Website', 'Website'),
      { name: 'Budget', caption: 'Budget', type: 'System.Decimal' },
      text('Notes', 'Notes'),
    ],
  },
  {
    name: 'Order',
    caption: 'Order',
    formId: '4b1f24dd-95ee-4049-b611-dfd701f0cab1',
    inWebhookLookup: true,
    displayColumn: 'Number',
    columns: [
      id,
      text('Number', 'Number', true),
      { name: 'Amount', caption: 'Amount', type: 'System.Decimal' },
      { name: 'Date', caption: 'Date', type: 'System.Date' },
      lookup('ContactId', 'Contact', 'Contact'),
      lookup('StatusId', 'Status', 'OrderStatus'),
      text('Notes', 'Notes'),
    ],
  },
  {
    // A line item of an order. In the Webhook entities lookup because processes can write only
    // objects listed there (create-record, upsert-record): see processes/shopify-order.json.
    name: 'OrderProduct',
    caption: 'Order product',
    formId: '8bfd51a2-23bc-4605-ae64-08a81ee453d7',
    inWebhookLookup: true,
    displayColumn: 'Name',
    columns: [
      id,
      lookup('OrderId', 'Order', 'Order'),
      text('Name', 'Name'),
      { name: 'Quantity', caption: 'Quantity', type: 'System.Int32' },
      { name: 'Price', caption: 'Price', type: 'System.Decimal' },
    ],
  },
  {
    name: 'FormSubmit',
    caption: 'Form Submit',
    formId: '0a961a9a-3857-418b-8ae6-cc6a97e7587c',
    inWebhookLookup: true,
    displayColumn: 'Name',
    columns: [id, text('Name', 'Name'), text('Email', 'Email'), text('Phone', 'Phone'), text('Notes', 'Notes')],
  },
];
