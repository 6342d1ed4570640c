/**
 * Variants of a recorded history in which the worker ended a workflow task right after a local
 * activity's marker and sent the commands that followed in a task of its own. Workers do this
 * when a local activity finishes as the task is being completed; a replay then resolves that
 * activity within the first task. A workflow must replay every such variant.
 */

type Json = Record<string, unknown>;

const LA_MARKER = 'core_local_activity';
const WFT_SCHEDULED = 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED';
const WFT_STARTED = 'EVENT_TYPE_WORKFLOW_TASK_STARTED';
const WFT_COMPLETED = 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED';

/** The attributes object of an event (`…EventAttributes`). */
function attributesOf(event: Json): Json | undefined {
  const key = Object.keys(event).find((k) => k.endsWith('EventAttributes'));
  return key ? (event[key] as Json) : undefined;
}

/** An event a workflow task's commands wrote (it names the task that completed them). */
function isCommandEvent(event: Json | undefined): boolean {
  return attributesOf(event ?? {})?.workflowTaskCompletedEventId !== undefined;
}

function isLocalActivityMarker(event: Json): boolean {
  const marker = event.markerRecordedEventAttributes as Json | undefined;
  return marker?.markerName === LA_MARKER;
}

/** Every event id in the object tree at or after `from` moves up by `by`. */
function shiftIds(node: unknown, from: number, by: number): void {
  if (Array.isArray(node)) {
    for (const item of node) shiftIds(item, from, by);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const obj = node as Json;
  for (const [key, value] of Object.entries(obj)) {
    if ((key === 'eventId' || key.endsWith('EventId')) && typeof value === 'string') {
      const id = Number(value);
      if (id >= from) obj[key] = String(id + by);
    } else {
      shiftIds(value, from, by);
    }
  }
}

/** Indexes of local activity markers that more commands of the same task follow. */
export function splitPoints(history: Json): number[] {
  const events = history.events as Json[];
  const points: number[] = [];
  events.forEach((event, i) => {
    if (isLocalActivityMarker(event) && isCommandEvent(events[i + 1])) points.push(i);
  });
  return points;
}

/** A copy of the stored history with a task boundary inserted after the event at `index`. */
export function splitAfter(history: Json, index: number): Json {
  const copy = structuredClone(history);
  const events = copy.events as Json[];
  const marker = events[index];
  if (!marker || !isLocalActivityMarker(marker)) throw new Error(`no local activity marker at ${index}`);
  const at = Number(marker.eventId) + 1;
  shiftIds(copy, at, 3);
  const scheduledTemplate = [...events.slice(0, index)]
    .reverse()
    .find((e) => e.eventType === WFT_SCHEDULED);
  const startedTemplate = events.find((e) => e.eventType === WFT_STARTED);
  const completedTemplate = events.find((e) => e.eventType === WFT_COMPLETED);
  if (!scheduledTemplate || !startedTemplate || !completedTemplate) {
    throw new Error('history has no workflow task to copy');
  }
  const base = { eventTime: marker.eventTime, taskId: marker.taskId };
  const scheduled: Json = {
    ...base,
    eventId: String(at),
    eventType: WFT_SCHEDULED,
    workflowTaskScheduledEventAttributes: structuredClone(
      scheduledTemplate.workflowTaskScheduledEventAttributes,
    ),
  };
  const started: Json = {
    ...base,
    eventId: String(at + 1),
    eventType: WFT_STARTED,
    workflowTaskStartedEventAttributes: {
      ...(structuredClone(startedTemplate.workflowTaskStartedEventAttributes) as Json),
      scheduledEventId: String(at),
      requestId: 'request-from-RespondWorkflowTaskCompleted',
    },
  };
  const completed: Json = {
    ...base,
    eventId: String(at + 2),
    eventType: WFT_COMPLETED,
    workflowTaskCompletedEventAttributes: {
      ...(structuredClone(completedTemplate.workflowTaskCompletedEventAttributes) as Json),
      scheduledEventId: String(at),
      startedEventId: String(at + 1),
    },
  };
  events.splice(index + 1, 0, scheduled, started, completed);
  // The commands after the marker now belong to the new task.
  for (let i = index + 4; i < events.length && isCommandEvent(events[i]); i++) {
    attributesOf(events[i] ?? {})!.workflowTaskCompletedEventId = String(at + 2);
  }
  return copy;
}
