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
      help: 'Queued and running jobs, by state (installation-wide: the same from every replica, aggregate with max)',
      labelNames: ['state'],
      registers: [registry],
    }),
    jobsQueuedByPriority: new Gauge({
      name: 'kada_jobs_queued',
      help: 'Queued jobs by class (rebuild, nearChange, change, fill, fillRest; installation-wide, aggregate with max)',
      labelNames: ['priority'],
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
      help: 'Age of the oldest unprocessed notification in the inbox (installation-wide, aggregate with max)',
      registers: [registry],
    }),
    inboxPending: new Gauge({
      name: 'kada_inbox_pending',
      help: 'Notifications in the inbox not yet planned (installation-wide, aggregate with max)',
      registers: [registry],
    }),
    buildInfo: new Gauge({
      name: 'kada_build_info',
      help: 'Always 1; the labels say which kada and which Node.js this process runs',
      labelNames: ['version', 'node'],
      registers: [registry],
    }),
    reconcileLastSuccess: new Gauge({
      name: 'kada_reconcile_last_success_timestamp_seconds',
      help:
        'When the newest reconcile --all run that walked every person with at most 1% failed finished; ' +
        '0 if none ever did (from PostgreSQL, installation-wide, aggregate with max)',
      registers: [registry],
    }),
    credentialExpiry: new Gauge({
      name: 'kada_credential_expiry_timestamp_seconds',
      help:
        'When the Azure credential stops working: the certificate notAfter, or AZURE_CLIENT_SECRET_EXPIRES; ' +
        'absent when unknown',
      labelNames: ['kind'],
      registers: [registry],
    }),
    brokerConnected: new Gauge({
      name: 'kada_broker_connected',
      help: '1 while this process is connected to the broker and consuming, else 0',
      registers: [registry],
    }),
    databaseUp: new Gauge({
      name: 'kada_database_up',
      help: '1 if the last refresh of the database-derived metrics by this process succeeded, else 0',
      registers: [registry],
    }),
    deletesHeld: new Gauge({
      name: 'kada_deletes_held',
      help:
        'Deletions held by KADA_DELETE_GUARD for an operator to release or drop ' +
        '(installation-wide, aggregate with max)',
      registers: [registry],
    }),
    wipesPending: new Gauge({
      name: 'kada_wipes_pending',
      help: 'Persons gone from FS or courses emptied in TP awaiting a second sighting, by kind (installation-wide)',
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
