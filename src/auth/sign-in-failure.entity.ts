import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One console sign-in attempt, counted against the (email, address) pair and the address it came
 * from before its password is checked; a right password takes it back.
 */
@Entity('console_sign_in_failures')
export class SignInFailure {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** "pair:<email> <address>" or "ip:<address>". */
  @Column({ type: 'varchar', length: 300 })
  subject: string;

  @Column({ name: 'failed_at' })
  failedAt: Date;
}
