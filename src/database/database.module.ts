import { Global, Module } from '@nestjs/common';
import { SecretBox } from './secret-box.js';
import { Setting } from './setting.entity.js';
import { SettingsRepository } from './settings.repository.js';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { dataSourceOptions } from './data-source-options.js';
import { migrate } from './migrate.js';
import { initializeDataSource } from './sqlite-lock-wait.js';

/** The data source, and the shared settings (keys) every module may need. */
@Global()
@Module({
  providers: [SettingsRepository, SecretBox],
  exports: [SettingsRepository, SecretBox],
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config.database, config.sqliteBusyTimeoutMs), autoLoadEntities: true, retryAttempts: 1 }),
      dataSourceFactory: async (options) => {
        const dataSource = await initializeDataSource(options!);
        await migrate(dataSource);
        return dataSource;
      },
    }),
    TypeOrmModule.forFeature([Setting]),
  ],
})
export class DatabaseModule {}
