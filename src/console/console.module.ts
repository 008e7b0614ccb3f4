import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller.js';
import { ConsoleFiles } from './console-files.js';
import { SessionController } from './session.controller.js';
import { AuthModule } from '../auth/auth.module.js';

/** The web console: its files at /console and its sign-in at /api/session (API role only). */
@Module({
  imports: [AuthModule],
  controllers: [SessionController, ConsoleController],
  providers: [{ provide: ConsoleFiles, useFactory: () => new ConsoleFiles() }],
})
export class ConsoleModule {}
