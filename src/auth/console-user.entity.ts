import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A person who signs in to the web console. The password is stored as a scrypt hash. */
@Entity('console_users')
export class ConsoleUser {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 200 })
  passwordHash: string;

  @Column({ name: 'platform_admin', type: 'boolean', default: false })
  platformAdmin: boolean;

  @Column({ name: 'created_at' })
  createdAt: Date;
}
