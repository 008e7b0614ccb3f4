import { Logger } from '@nestjs/common';
import { startService } from './app.js';
import { redisProblem } from './common/redis-check.js';
import { ConfigError, loadConfig } from './config/config.js';
import { DefinitionFileError } from './engine/process-definitions.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const problem = await redisProblem(config);
  if (problem) {
    process.stderr.write(`hookflow: ${problem}\n`);
    process.exit(1);
  }
  const service = await startService(config);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      // A shutdown must end even when Redis or the database no longer answers.
      setTimeout(() => {
        process.stderr.write(`hookflow: shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting\n`);
        process.exit(1);
      }, config.shutdownTimeoutMs).unref();
      void service.close().then(() => process.exit(0));
    });
  }
  const logger = new Logger('Hookflow');
  logger.log(
    `Started (role ${config.role}, ${config.database.type} database)` +
      (service.url ? `; webhooks: ${config.publicBaseUrl}/webhooks/<API_KEY>` : ''),
  );
}

main().catch((error: unknown) => {
  // Configuration and definition problems are the user's to fix: one clear line, no stack.
  const expected = error instanceof ConfigError || error instanceof DefinitionFileError;
  const message = expected ? (error as Error).message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`hookflow: ${expected && error instanceof ConfigError ? 'configuration error: ' : ''}${message}\n`);
  process.exit(1);
});
