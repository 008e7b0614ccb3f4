import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Values every process of an installation must share, such as the token signing key. */
@Entity('settings')
export class Setting {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'text' })
  value: string;
}
