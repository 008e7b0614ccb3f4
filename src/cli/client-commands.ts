import { OAuthService } from '../auth/oauth.service.js';
import { SCOPES } from '../auth/scopes.js';
import { ConfigError } from '../config/config.js';
import { type CliCommand, type CliServices, type JsonOptions, printList, printObject } from './common.js';

/** `hookflow client …`: OAuth clients of the admin API. */
export function addClientCommands(program: CliCommand, { get }: CliServices): void {
  const client = program.command('client').description('OAuth 2.0 clients of the admin API');
  client
    .command('create')
    .description('create a client; its secret is shown once, only its hash is stored')
    .option('--platform', 'a platform client: creates tenants, acts on all of them')
    .option('--tenant <tenantId>', 'a client of one tenant')
    .option('--scopes <scopes>', `scopes of a tenant client, comma-separated: ${SCOPES.join(',')}`)
    .jsonOption()
    .action(async (options: JsonOptions & { platform?: boolean; tenant?: string; scopes?: string }) => {
      if (Boolean(options.platform) === Boolean(options.tenant)) throw new ConfigError('give either --platform or --tenant <tenantId>');
      const scopes = options.scopes
        ? options.scopes
            .split(',')
            .map((scope) => scope.trim())
            .filter(Boolean)
        : [];
      const oauth = await get(OAuthService);
      printObject(await oauth.createClient(options.platform ? 'platform' : 'tenant', options.tenant ?? null, scopes), options.json);
    });
  client
    .command('list')
    .description('every client, platform and tenant, without secrets')
    .jsonOption()
    .action(async (options: JsonOptions) => {
      printList(await (await get(OAuthService)).listClients(), options.json, [
        'clientId',
        'kind',
        'tenantId',
        'scopes',
        'generation',
        'createdAt',
        'revokedAt',
      ]);
    });
  client
    .command('rotate <clientId>')
    .description("a new secret, shown once; the old one and the client's tokens stop working (within API_KEY_CACHE_MS)")
    .jsonOption()
    .action(async (clientId: string, options: JsonOptions) => {
      printObject(await (await get(OAuthService)).rotateClient(clientId), options.json);
    });
  client
    .command('revoke <clientId>')
    .description('revoke a client: no more tokens, and its tokens stop working (within API_KEY_CACHE_MS)')
    .jsonOption()
    .action(async (clientId: string, options: JsonOptions) => {
      printObject(await (await get(OAuthService)).revokeClient(clientId), options.json);
    });
}
