import type { QueryInterface } from 'sequelize';
import type { MigrationParams } from 'umzug';

export interface Migration {
  readonly name: string;
  up(params: MigrationParams<QueryInterface>): Promise<void>;
  down(params: MigrationParams<QueryInterface>): Promise<void>;
}
