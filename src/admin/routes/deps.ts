import type { AppContext } from '../../app/context';

/** What the route modules share: the app context and the hooks the running process offers. */
export interface AdminDeps {
  ctx: AppContext;
  isReady: () => Promise<{ database: boolean; broker: boolean }>;
  /** Wakes this process's idle workers after the API queued a job (other replicas hear NOTIFY). */
  wakeWorkers?: () => void;
  /** Whether this process is connected to the broker (kada run), for kada_broker_connected. */
  brokerConnected?: () => boolean;
}
