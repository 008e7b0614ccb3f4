import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A signed-in console user. Only the SHA-256 of the session token is stored. */
@Entity('console_sessions')
export class ConsoleSession {
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  /** Must come back in the X-CSRF-Token header of every unsafe request of the session. */
  @Column({ name: 'csrf_token', type: 'varchar', length: 64 })
  csrfToken: string;

  @Column({ name: 'created_at' })
  createdAt: Date;

  @Column({ name: 'expires_at' })
  expiresAt: Date;
}
