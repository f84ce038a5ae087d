import { auditRoutes } from '../../adapters/http/routes/audit.js';
import { MemoryAuditLog } from '../../adapters/memory/memory-audit-log.js';
import { PostgresAuditLog } from '../../adapters/postgres/postgres-audit-log.js';
import type { AuditLog } from '../../core/audit/ports/audit-log.js';
import { AuditTrailHandler } from '../../core/audit/use-cases/audit-trail-handler.js';
import { ListAuditEvents } from '../../core/audit/use-cases/list-audit-events.js';
import type { ModuleBinder } from '../module.js';
import { TOKENS, token } from '../tokens.js';

const moduleToken = <T>(name: string) => token<T>(`audit.${name}`);

export const AUDIT = {
  AuditLog: moduleToken<AuditLog>('AuditLog'),
  Handler: moduleToken<AuditTrailHandler>('Handler'),
  ListAuditEvents: moduleToken<ListAuditEvents>('ListAuditEvents'),
};

/** The audit trail: its store, the handler that records every committed event, and the admin list. */
export const bindAudit: ModuleBinder = ({ container, config, infra }) => {
  const db = infra.database;
  const log: AuditLog = db ? new PostgresAuditLog(db) : new MemoryAuditLog();
  container.bind(AUDIT.AuditLog).toConstantValue(log);
  const days = config.audit.retentionDays;
  if (days > 0) infra.maintenance.push({ name: 'expired audit entries', run: (now) => log.purgeBefore(new Date(now.getTime() - days * 86_400_000)) });
  container.bind(AUDIT.Handler).toResolvedValue((log: AuditLog) => new AuditTrailHandler(log), [AUDIT.AuditLog]);
  container.bind(TOKENS.EventHandler).toResolvedValue((handler: AuditTrailHandler) => handler, [AUDIT.Handler]);
  container.bind(AUDIT.ListAuditEvents).toResolvedValue((log: AuditLog) => new ListAuditEvents(log), [AUDIT.AuditLog]);
  container.bind(TOKENS.Routes).toResolvedValue((list: ListAuditEvents) => auditRoutes(list), [AUDIT.ListAuditEvents]);
};
