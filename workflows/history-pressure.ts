/**
 * Whether the server suggests continuing as new, as every replay of the run sees it.
 *
 * `workflowInfo().continueAsNewSuggested` comes with each activation, from the workflow task it
 * belongs to. That is unsafe to read right after a local activity: when the worker answers a query
 * while a local activity runs, it ends the task with the activity's marker and hands the result
 * to the workflow in the next task, whose flag may already be set; a replay resolves the activity
 * within the first task, where it was not. The run then takes another path on replay than it took
 * live (a nondeterminism error, and every query to the run fails from then on).
 *
 * So the flag is latched only from activations the history places: a signal, an update, a timer,
 * a regular activity, the start. Activations that carry only local-activity results or queries
 * leave it as it was. Workflow time (`Date.now()`) has the same hazard (code after the activity
 * sees the next task's time live, the first task's on replay): an activation with nothing but
 * local-activity results keeps the time of the last placed activation. Registered as a workflow interceptor module (src/worker.ts).
 *
 * No patch guards the change: in every history where each local activity's result reached the
 * workflow in the task of its marker, the latch reads what the activation's flag read; in the
 * others, the flag was the unsafe read.
 */
import { workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

let latched = false;
let installed = false;

/** Jobs that do not place an activation in the history the same way live and on replay. */
function placedByHistory(job: { variant?: string | null; resolveActivity?: unknown }): boolean {
  switch (job.variant) {
    case 'queryWorkflow':
    case 'removeFromCache':
    case 'notifyHasPatch':
      return false;
    case 'resolveActivity':
      return !localResult(job);
    default:
      return true;
  }
}

/** A local activity's result: the one job whose task can differ between live and replay. */
function localResult(job: { variant?: string | null; resolveActivity?: unknown }): boolean {
  return (
    job.variant === 'resolveActivity' &&
    (job.resolveActivity as { isLocal?: boolean | null } | undefined)?.isLocal === true
  );
}

/** The SDK's per-run activator; its `now` is what `Date.now()` answers in workflow code. */
interface Clock {
  now: number;
}
const clock = (): Clock | undefined => {
  const activator = (globalThis as { __TEMPORAL_ACTIVATOR__?: Partial<Clock> })
    .__TEMPORAL_ACTIVATOR__;
  return typeof activator?.now === 'number' ? (activator as Clock) : undefined;
};

/** Workflow time at the last activation the history placed. */
let placedAt: number | undefined;

export const interceptors: WorkflowInterceptorsFactory = () => {
  installed = true;
  return {
    internals: [
      {
        activate(input, next) {
          const { activation } = input;
          const jobs = (activation.jobs ?? []) as { variant?: string | null }[];
          const placed = jobs.some(placedByHistory);
          if (activation.continueAsNewSuggested && placed) latched = true;
          // Workflow time moves the same way: an activation with nothing but local-activity
          // results keeps the time of the last placed one. Within one task that is the task's own
          // time anyway; across a task the worker ended early, live and replay now agree.
          const c = clock();
          if (c && placed) placedAt = c.now;
          else if (c && placedAt !== undefined && jobs.length > 0 && jobs.every(localResult))
            c.now = placedAt;
          next(input);
        },
      },
    ],
  };
};

/**
 * The server's suggestion to continue as new, latched as above. Where this module was not
 * registered as an interceptor (a bundle built without it), the activation's own flag.
 */
export function continueAsNewSuggested(): boolean {
  return installed ? latched : workflowInfo().continueAsNewSuggested;
}
