import * as E from 'fp-ts/lib/Either.js';
import type { Transaction } from 'sequelize';
import { conflict, notFound, preconditionFailed, type DomainError } from '../../core/shared/entities/errors.js';
import type { Page, PageQuery, Sort } from '../../core/shared/entities/pagination.js';
import { isChangerRole, isScheduleStatus, type Schedule, type ScheduleStatus } from '../../core/scheduling/entities/schedule.js';
import { SCHEDULE_KEYSET, type ScheduleSortField } from '../../core/scheduling/entities/schedule-cursor.js';
import { overlapMessage } from '../../core/scheduling/entities/schedule-overlap.js';
import type { ScheduleFilter, ScheduleRepository } from '../../core/scheduling/ports/schedule-repository.js';
import { guarded, inTx, type PostgresDatabase } from './database.js';
import { listKeyset, type KeysetTable } from './keyset-page.js';
import type { ScheduleRow } from './models/schedule.js';

const toSchedule = (row: ScheduleRow): Schedule => {
  if (!isScheduleStatus(row.status)) throw new Error(`schedules.status holds an unknown value for ${row.id}`);
  if (!isChangerRole(row.created_by_role) || !isChangerRole(row.updated_by_role)) throw new Error(`schedules holds an unknown role for ${row.id}`);
  return {
    id: row.id,
    giverId: row.giver_id,
    takerId: row.taker_id,
    startsAt: new Date(row.starts_at),
    endsAt: new Date(row.ends_at),
    status: row.status,
    note: row.note,
    version: row.version,
    createdAt: new Date(row.created_at),
    createdBy: row.created_by,
    createdByRole: row.created_by_role,
    updatedAt: new Date(row.updated_at),
    updatedBy: row.updated_by,
    updatedByRole: row.updated_by_role,
  };
};

const toRow = (s: Schedule): ScheduleRow => ({
  id: s.id,
  giver_id: s.giverId,
  taker_id: s.takerId,
  starts_at: s.startsAt,
  ends_at: s.endsAt,
  status: s.status,
  note: s.note,
  version: s.version,
  created_at: s.createdAt,
  created_by: s.createdBy,
  created_by_role: s.createdByRole,
  updated_at: s.updatedAt,
  updated_by: s.updatedBy,
  updated_by_role: s.updatedByRole,
});

// The exclusion constraints of migrations/0009-schedules.ts, as the overlap rule each one holds.
const OVERLAP_CONSTRAINTS: Readonly<Record<string, 'giver' | 'taker'>> = {
  schedules_giver_no_overlap: 'giver',
  schedules_taker_no_overlap: 'taker',
};

/** The overlap a Postgres exclusion_violation (23P01) reports, or null for any other error. */
const overlapOf = (error: unknown): 'giver' | 'taker' | null => {
  const e = error as { parent?: { code?: string; constraint?: string }; original?: { code?: string; constraint?: string } } | null;
  const pg = e?.parent ?? e?.original;
  if (pg?.code !== '23P01') return null;
  return OVERLAP_CONSTRAINTS[pg.constraint ?? ''] ?? 'giver';
};

/** Runs a write; an overlap the database refused becomes Left(Conflict). */
const refusingOverlap = async <T>(write: () => Promise<T>): Promise<E.Either<DomainError, T>> => {
  try {
    return E.right(await guarded(write));
  } catch (error) {
    const overlap = overlapOf(error);
    if (overlap === null) throw error;
    return E.left(conflict(overlapMessage(overlap)));
  }
};

const SCHEDULES: KeysetTable<ScheduleRow, Schedule, ScheduleSortField> = {
  table: 'schedules',
  sql: { starts_at: { expression: 'starts_at', type: 'timestamptz' } },
  keys: SCHEDULE_KEYSET,
  toItem: toSchedule,
};

export class PostgresScheduleRepository implements ScheduleRepository {
  constructor(
    private readonly db: PostgresDatabase,
    private readonly transaction?: Transaction,
  ) {}

  async insert(schedule: Schedule): Promise<E.Either<DomainError, Schedule>> {
    const row = await refusingOverlap(() => this.db.models.Schedule.create(toRow(schedule), inTx(this.transaction)));
    return E.map((r: { get(o: { plain: true }): ScheduleRow }) => toSchedule(r.get({ plain: true })))(row);
  }

  async findById(id: string): Promise<Schedule | null> {
    // Inside a unit of work a read precedes a decision and a write: lock the row, so a second
    // booking of the same slot waits for the first to commit and then sees it booked.
    const row = await guarded(() =>
      this.db.models.Schedule.findOne({ where: { id }, raw: true, ...(this.transaction ? { transaction: this.transaction, lock: true } : {}) }),
    );
    return row ? toSchedule(row) : null;
  }

  async update(schedule: Schedule, expected: { readonly version: number; readonly status: ScheduleStatus }): Promise<E.Either<DomainError, Schedule>> {
    const { id: _id, created_at: _c, created_by: _cb, created_by_role: _cr, giver_id: _g, ...changes } = toRow(schedule);
    // Conditional: only the state the caller decided on may change, whatever else happened since.
    const result = await refusingOverlap(() =>
      this.db.models.Schedule.update(
        { ...changes, version: expected.version + 1 },
        { where: { id: schedule.id, version: expected.version, status: expected.status }, returning: true, ...inTx(this.transaction) },
      ),
    );
    if (E.isLeft(result)) return result;
    const [count, rows] = result.right;
    const saved = rows[0];
    if (count === 1 && saved) return E.right(toSchedule(saved.get({ plain: true })));
    return E.left(await this.refusal(schedule.id, expected.status));
  }

  async remove(id: string, expectedVersion: number): Promise<E.Either<DomainError, void>> {
    const removed = await guarded(() =>
      this.db.sequelize.query(`DELETE FROM schedules WHERE id = $id AND version = $version AND status <> 'booked' RETURNING id`, {
        bind: { id, version: expectedVersion },
        ...inTx(this.transaction),
      }),
    );
    const rows = removed[0] as unknown[];
    if (rows.length === 1) return E.right(undefined);
    const current = await this.findById(id);
    if (current?.status === 'booked') return E.left(conflict('A booked schedule cannot be deleted; cancel it instead'));
    return E.left(current ? preconditionFailed() : notFound('Schedule not found'));
  }

  async list(filter: ScheduleFilter, sort: Sort<ScheduleSortField>, page: PageQuery): Promise<E.Either<DomainError, Page<Schedule>>> {
    const where: string[] = ['TRUE'];
    const bind: Record<string, unknown> = {};
    if (filter.visibleTo !== undefined) {
      where.push(`(status = 'available' OR giver_id = $viewer::uuid OR taker_id = $viewer::uuid)`);
      bind['viewer'] = filter.visibleTo;
    }
    if (filter.participantId !== undefined) {
      where.push('(giver_id = $participant::uuid OR taker_id = $participant::uuid)');
      bind['participant'] = filter.participantId;
    }
    if (filter.giverId !== undefined) {
      where.push('giver_id = $giver::uuid');
      bind['giver'] = filter.giverId;
    }
    if (filter.takerId !== undefined) {
      where.push('taker_id = $taker::uuid');
      bind['taker'] = filter.takerId;
    }
    if (filter.statuses !== undefined) {
      where.push('status = ANY($statuses::text[])');
      bind['statuses'] = [...filter.statuses];
    }
    if (filter.from !== undefined) {
      where.push('ends_at > $from::timestamptz');
      bind['from'] = filter.from.toISOString();
    }
    if (filter.to !== undefined) {
      where.push('starts_at < $to::timestamptz');
      bind['to'] = filter.to.toISOString();
    }
    return listKeyset(this.db, this.transaction, SCHEDULES, { where, bind }, sort, page);
  }

  private async refusal(id: string, expectedStatus: ScheduleStatus): Promise<DomainError> {
    const current = await this.findById(id);
    if (current === null) return notFound('Schedule not found');
    return current.status === expectedStatus ? preconditionFailed() : conflict(`The schedule is ${current.status} now`);
  }
}
