import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { SettingsRepository } from './settings.repository.js';

/**
 * Encrypts secrets that must be read back (signature secrets: a signature can only be checked
 * with the secret itself) with AES-256-GCM. The key comes from SECRETS_KEY, or is made once and
 * kept in the database so that every process shares it.
 */
@Injectable()
export class SecretBox implements OnModuleInit {
  private key: Buffer | null = null;

  constructor(
    private readonly settings: SettingsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const stored = this.config.secretsKey ?? (await this.settings.once('secrets-key', randomBytes(32).toString('base64url')));
    this.key = Buffer.from(stored, 'base64url');
    if (this.key.length !== 32) throw new Error('SECRETS_KEY must be 32 bytes in base64url');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key!, iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1.${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')}`;
  }

  open(sealed: string): string {
    const bytes = Buffer.from(sealed.replace(/^v1\./, ''), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key!, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  }
}
