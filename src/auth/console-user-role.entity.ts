import { Column, Entity, PrimaryColumn } from 'typeorm';

export const TENANT_ROLES = ['analyst', 'viewer'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

/** What a console user may do on one tenant. */
@Entity('console_user_roles')
export class ConsoleUserRole {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 })
  tenantId: string;

  @Column({ type: 'varchar', length: 16 })
  role: TenantRole;
}
