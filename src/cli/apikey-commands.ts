import { ConfigError } from '../config/config.js';
import { ApiKeysService } from '../tenants/api-keys.service.js';
import { SIGNATURE_SCHEMES, SIGNATURE_SETTINGS, type SignatureConfig, type SignatureScheme } from '../tenants/signature-schemes/index.js';
import { type CliCommand, type CliServices, type JsonOptions, type TenantOptions, printList, printObject, rateLimit } from './common.js';

/** `hookflow apikey …`: the keys webhook sources send with. */
export function addApiKeyCommands(program: CliCommand, services: CliServices): void {
  const apikey = program.command('apikey').description('API keys: one per webhook source');
  addKeyLifecycleCommands(apikey, services);
  addSignatureCommand(apikey, services);
}

function addKeyLifecycleCommands(apikey: CliCommand, { get }: CliServices): void {
  apikey
    .command('create')
    .description('create a key; it is shown once, only its hash is stored')
    .tenantOption()
    .requiredOption('--name <name>', 'what sends with this key, e.g. "Landing page"')
    .jsonOption()
    .action(async (options: TenantOptions & { name: string }) => {
      printObject(await (await get(ApiKeysService)).create(options.tenant, options.name), options.json);
    });
  apikey
    .command('list')
    .tenantOption()
    .jsonOption()
    .action(async (options: TenantOptions) => {
      printList(await (await get(ApiKeysService)).list(options.tenant), options.json, ['id', 'name', 'prefix', 'createdAt', 'revokedAt', 'rateLimitPerMinute']);
    });
  apikey
    .command('update <apiKeyId>')
    .description('change a key; running API processes apply it within API_KEY_CACHE_MS')
    .tenantOption()
    .requiredOption('--rate-limit <n>', `webhooks per minute this key may send, at most its tenant's ("default": the tenant's limit)`)
    .jsonOption()
    .action(async (apiKeyId: string, options: TenantOptions & { rateLimit: string }) => {
      printObject(await (await get(ApiKeysService)).setRateLimit(options.tenant, apiKeyId, rateLimit(options.rateLimit, 1)), options.json);
    });
  apikey
    .command('revoke <apiKeyId>')
    .description('revoke a key; webhooks sent with it are refused with 401')
    .tenantOption()
    .jsonOption()
    .action(async (apiKeyId: string, options: TenantOptions) => {
      await (await get(ApiKeysService)).revoke(options.tenant, apiKeyId);
      printObject({ id: apiKeyId, revoked: true }, options.json);
    });
}

type SignatureOptions = TenantOptions & JsonOptions & { scheme?: string; secret?: string; none?: boolean } & Record<string, unknown>;

/** --tolerance-seconds for the setting toleranceSeconds. */
const optionName = (setting: string) => setting.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

function addSignatureCommand(apikey: CliCommand, { get }: CliServices): void {
  const command = apikey
    .command('signature <apiKeyId>')
    .description('require webhooks sent with this key to be signed; --none to stop')
    .tenantOption()
    .option('--scheme <scheme>', SIGNATURE_SCHEMES.join(', '))
    .option('--secret <secret>', 'the signing secret (stored encrypted)');
  // The settings of every scheme, from the registry; a setting with choices defaults to the first.
  for (const setting of SIGNATURE_SETTINGS) {
    const flags = `--${optionName(setting.name)} <${setting.type === 'integer' ? 'n' : optionName(setting.name)}>`;
    const choices = setting.enum ? ` (${setting.enum.join(' or ')})` : '';
    const description = `${setting.schemes.join(', ')}: ${setting.description}${choices}`;
    if (setting.type === 'integer') command.option(flags, description, (raw: string) => Number(raw));
    else command.option(flags, description, setting.enum?.[0]);
  }
  command
    .option('--none', 'stop requiring signatures')
    .jsonOption()
    .action(async (apiKeyId: string, options: SignatureOptions) => {
      const config = signatureConfig(options);
      printObject(await (await get(ApiKeysService)).setSignature(options.tenant, apiKeyId, config), options.json);
    });
}

/** The signature the key requires, or null with --none: the scheme, its secret and the settings that scheme takes. */
function signatureConfig(options: SignatureOptions): SignatureConfig | null {
  if (!options.none && (!options.scheme || !options.secret)) throw new ConfigError('give --scheme and --secret, or --none');
  if (options.none) return null;
  const settings = SIGNATURE_SETTINGS.filter((setting) => setting.schemes.includes(options.scheme as SignatureScheme) && options[setting.name] !== undefined);
  return {
    scheme: options.scheme,
    secret: options.secret,
    ...Object.fromEntries(settings.map((setting) => [setting.name, options[setting.name]])),
  } as SignatureConfig;
}
