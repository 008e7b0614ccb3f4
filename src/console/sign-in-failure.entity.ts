import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One failed console sign-in, counted against the email and the address it came from. */
@Entity('console_sign_in_failures')
export class SignInFailure {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** "email:<address>" or "ip:<address>". */
  @Column({ type: 'varchar', length: 300 })
  subject: string;

  @Column({ name: 'failed_at' })
  failedAt: Date;
}
