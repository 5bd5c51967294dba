import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Prometheus metric kada exposes, in one registry per process (tests create their own).
 * Names follow Prometheus conventions: `kada_` prefix, `_total` for counters, base units.
 */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const m = {
    registry,
    notificationsReceived: new Counter({
      name: 'kada_notifications_received_total',
      help: 'IntArk notifications received, by format',
      labelNames: ['format'],
      registers: [registry],
    }),
    notificationsIgnored: new Counter({
      name: 'kada_notifications_ignored_total',
      help: 'Notifications acknowledged but not acted on (unknown resource)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    notificationsDeadLettered: new Counter({
      name: 'kada_notifications_dead_lettered_total',
      help: 'Notifications sent to the dead-letter queue, by error code',
      labelNames: ['code'],
      registers: [registry],
    }),
    notificationsDuplicate: new Counter({
      name: 'kada_notifications_duplicate_total',
      help: 'Notifications already in the inbox (redelivered or duplicated)',
      registers: [registry],
    }),
    jobsByState: new Gauge({
      name: 'kada_jobs',
      help: 'Jobs in the per-person queue, by state',
      labelNames: ['state'],
      registers: [registry],
    }),
    jobsFinished: new Counter({
      name: 'kada_jobs_finished_total',
      help: 'Jobs finished, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    graphRequests: new Counter({
      name: 'kada_graph_requests_total',
      help: 'Graph requests (batch sub-requests counted one by one), by method and status',
      labelNames: ['method', 'status'],
      registers: [registry],
    }),
    graphHttpRequests: new Counter({
      name: 'kada_graph_http_requests_total',
      help: 'HTTP requests sent to Graph (a $batch counts once)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    graphThrottled: new Counter({
      name: 'kada_graph_throttled_total',
      help: 'Graph answers with 429',
      registers: [registry],
    }),
    graphRetryWaitSeconds: new Counter({
      name: 'kada_graph_retry_wait_seconds_total',
      help: 'Seconds spent waiting before retrying Graph requests',
      registers: [registry],
    }),
    graphWrites: new Counter({
      name: 'kada_graph_writes_total',
      help: 'Successful Graph writes, by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    syncLatency: new Histogram({
      name: 'kada_sync_duration_seconds',
      help: 'Time to sync one person (job start to state store committed)',
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
    notificationLatency: new Histogram({
      name: 'kada_notification_to_calendar_seconds',
      help: 'Time from a notification entering the inbox to the person job that it caused finishing',
      buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    inboxLag: new Gauge({
      name: 'kada_inbox_lag_seconds',
      help: 'Age of the oldest unprocessed notification in the inbox',
      registers: [registry],
    }),
    deletesHeld: new Gauge({
      name: 'kada_deletes_held',
      help: 'Deletions held by KADA_DELETE_GUARD for an operator to release or drop (all replicas)',
      registers: [registry],
    }),
    wipesPending: new Gauge({
      name: 'kada_wipes_pending',
      help: 'Persons gone from FS or courses emptied in TP waiting for a second sighting, by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    dataErrors: new Counter({
      name: 'kada_data_errors_total',
      help: 'Data errors recorded (malformed TP events, persons without mailbox, ...), by code',
      labelNames: ['code'],
      registers: [registry],
    }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
