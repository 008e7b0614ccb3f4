import { Injectable } from '@nestjs/common';
import type { TraceEntry } from '../engine/step-type.js';

/** A run the worker has stored, as observers hear of it. */
export interface StoredRunEvent {
  tenantId: string;
  processId: string;
  status: string;
  trace: TraceEntry[];
  recordIds: string[];
}

/** A waiting (or failed) instance claimed to run on: by its timer (how late), a webhook's key, a retry by hand, or the end of the instance it called. */
export interface ResumedEvent {
  by: 'timer' | 'webhook' | 'retry' | 'process' | 'approval';
  /** Timers only: from the time it was due to its claim. */
  lagSeconds?: number;
}

/** A user task closed: decided, timed out, or cancelled with its instance. */
export interface TaskClosedEvent {
  status: 'approved' | 'rejected' | 'timed-out' | 'cancelled';
}

/** What the pipeline tells about as it works. Metrics implements it; the pipeline knows no observer. */
export interface PipelineObserver {
  runStored(run: StoredRunEvent): void;
  /** A job failed an attempt and will be tried again. */
  jobRetried(jobName: string): void;
  instanceResumed(event: ResumedEvent): void;
  taskClosed(event: TaskClosedEvent): void;
}

/** The observers of the pipeline; an observer's failure never fails a job. */
@Injectable()
export class PipelineEvents implements PipelineObserver {
  private readonly observers: PipelineObserver[] = [];

  subscribe(observer: PipelineObserver): void {
    this.observers.push(observer);
  }

  runStored(run: StoredRunEvent): void {
    for (const observer of this.observers) observer.runStored(run);
  }

  jobRetried(jobName: string): void {
    for (const observer of this.observers) observer.jobRetried(jobName);
  }

  instanceResumed(event: ResumedEvent): void {
    for (const observer of this.observers) observer.instanceResumed(event);
  }

  taskClosed(event: TaskClosedEvent): void {
    for (const observer of this.observers) observer.taskClosed(event);
  }
}
