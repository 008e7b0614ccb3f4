// Only light imports here: the signal handlers must be in place before the service's modules load.
import type { RunningService } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  // eslint-disable-next-line prefer-const -- assigned once started, read by the signal handler set before
  let service: RunningService | undefined;
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // A shutdown must end even when Redis or the database no longer answers.
    setTimeout(() => {
      process.stderr.write(`hookflow: shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting\n`);
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    // In-flight requests and active jobs finish; new requests get 503 meanwhile.
    void (service ? service.close() : Promise.resolve()).then(() => process.exit(0));
  };
  // Listening before the start, so a stop that comes while starting is still graceful.
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  const { Logger } = await import('@nestjs/common');
  const { serviceLogger } = await import('./common/json-logger.js');
  // Every line in the configured format, from the first one on.
  const logger = serviceLogger(config);
  Logger.overrideLogger(logger);
  const { redisProblem } = await import('./common/redis-check.js');
  const problem = await redisProblem(config);
  if (problem) {
    process.stderr.write(`hookflow: ${problem}\n`);
    process.exit(1);
  }
  const { startService } = await import('./app.js');
  service = await startService(config, { logger });
  if (stopping) {
    await service.close();
    process.exit(0);
  }
  new Logger('Hookflow').log(
    `Started (role ${config.role}, ${config.database.type} database)` + (service.url ? `; webhooks: ${config.publicBaseUrl}/webhooks/<API_KEY>` : ''),
  );
}

main().catch((error: unknown) => {
  // Configuration and definition problems are the user's to fix: one clear line, no stack.
  const expected = error instanceof ConfigError || (error instanceof Error && error.name === 'DefinitionFileError');
  const message = expected ? (error as Error).message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`hookflow: ${expected && error instanceof ConfigError ? 'configuration error: ' : ''}${message}\n`);
  process.exit(1);
});
