/** A unit of background work a user asked for, as its owner sees it through GET /jobs/{id}. */
export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Higher priorities are claimed first; within one priority, the oldest first. */
export const JOB_PRIORITIES = ['high', 'default', 'low'] as const;
export type JobPriority = (typeof JOB_PRIORITIES)[number];

export type JobPayload = Readonly<Record<string, unknown>>;

export interface Job {
  readonly id: string;
  /** Names the JobHandler that runs it, e.g. `records.export`. */
  readonly type: string;
  readonly ownerId: string;
  readonly priority: JobPriority;
  readonly payload: JobPayload;
  readonly status: JobStatus;
  /** 0..100. */
  readonly progress: number;
  /** Set once completed. */
  readonly result: JobPayload | null;
  /** The last failure's message (kept while a retry is queued). */
  readonly error: string | null;
  /** How many times a runner has taken it (this run included). */
  readonly attempts: number;
  /** The id of the request that asked for it: the runner's log lines for the job carry it. */
  readonly requestId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
}

export interface NewJob {
  readonly id: string;
  readonly type: string;
  readonly ownerId: string;
  readonly priority: JobPriority;
  readonly payload: JobPayload;
  readonly createdAt: Date;
  readonly requestId?: string | null | undefined;
}

export const newJob = (fields: NewJob): Job => ({
  ...fields,
  requestId: fields.requestId ?? null,
  status: 'queued',
  progress: 0,
  result: null,
  error: null,
  attempts: 0,
  updatedAt: fields.createdAt,
  startedAt: null,
  finishedAt: null,
});

export const priorityRank = (p: JobPriority): number => JOB_PRIORITIES.indexOf(p);
