import { Command } from 'commander';
import { OAuthService } from '../auth/oauth.service.js';
import { printList, printObject } from './output.js';

type Get = <T>(type: new (...args: never[]) => T) => Promise<T>;

/** `hookflow client list | rotate | revoke`, beside `client create` (main.ts). */
export function addClientCommands(program: Command, get: Get): void {
  const client = program.commands.find((command) => command.name() === 'client') ?? program.command('client');
  client
    .command('list')
    .description('every client, platform and tenant, without secrets')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      printList(await (await get(OAuthService)).listClients(), options.json, ['clientId', 'kind', 'tenantId', 'scopes', 'generation', 'createdAt', 'revokedAt']);
    });
  client
    .command('rotate <clientId>')
    .description("a new secret, shown once; the old one and the client's tokens stop working (within API_KEY_CACHE_MS)")
    .option('--json', 'machine-readable output')
    .action(async (clientId: string, options: { json?: boolean }) => {
      printObject(await (await get(OAuthService)).rotateClient(clientId), options.json);
    });
  client
    .command('revoke <clientId>')
    .description("revoke a client: no more tokens, and its tokens stop working (within API_KEY_CACHE_MS)")
    .option('--json', 'machine-readable output')
    .action(async (clientId: string, options: { json?: boolean }) => {
      printObject(await (await get(OAuthService)).revokeClient(clientId), options.json);
    });
}
